package sparkdp.bridge

/**
 * The JNI entry points of the sparkdp native library (Rust crate `sparkdp-native`, `native/src/jni.rs`).
 * One `@native def` per row of the JNI table in docs/CONTRACTS.md; the Rust symbols are
 * `Java_sparkdp_bridge_Native_<name>`.
 *
 * Arguments and results are primitives, `String`s in the text forms of docs/CONTRACTS.md and `byte[]`
 * (Arrow IPC streams, secrets). Rust errors arrive as Java exceptions: a bad argument as
 * `IllegalArgumentException`, an overflow as `ArithmeticException`, an exhausted budget as
 * `sparkdp.InsufficientBudgetException`, anything else (including a Rust panic) as
 * `sparkdp.NativeException`, each carrying the Rust message.
 *
 * Obtain the instance with [[Native.get]], which loads the library first:
 * {{{
 * val native = sparkdp.bridge.Native.get
 * native.budgetCovers("pure:2", "pure:1")   // true
 * }}}
 */
final class Native private[bridge] () {

  /**
   * The version of the loaded native library.
   *
   * @return the Rust crate version, e.g. `"0.1.0"`; the loader checks it equals the jar's version
   */
  @native def libraryVersion(): String

  /**
   * Draws a fresh session secret from the operating system's random source.
   *
   * @return 32 random bytes
   */
  @native def newSessionSecret(): Array[Byte]

  /**
   * Derives a key for one purpose from a session secret, so different uses never share a key.
   *
   * @param secret  the 32-byte session secret from [[newSessionSecret]]
   * @param purpose a fixed label naming the use, e.g. `"row-hash"`
   * @return the derived 32-byte key
   * @throws IllegalArgumentException if `secret` is not 32 bytes long
   */
  @native def deriveKey(secret: Array[Byte], purpose: String): Array[Byte]

  /**
   * Converts a user-supplied `Double` into an exact number text, without rounding.
   *
   * @param value   the value as the user passed it; `+Infinity` is allowed
   * @param setting the name of the setting it belongs to (e.g. `"epsilon"`), used in error messages
   * @return the exact number text (`"3/2"`, `"inf"`, ...)
   * @throws IllegalArgumentException naming `setting` and `value` if it is NaN or negative
   */
  @native def exactFromDouble(value: Double, setting: String): String

  /**
   * Subtracts a requested budget from a remaining one, exactly.
   *
   * @param remaining the remaining budget text, e.g. `"pure:2"`
   * @param requested the requested budget text of the same kind
   * @return the budget text left after the subtraction
   * @throws sparkdp.InsufficientBudgetException if `remaining` does not cover `requested`
   * @throws IllegalArgumentException if the two budgets are of different kinds or malformed
   */
  @native def budgetSubtract(remaining: String, requested: String): String

  /**
   * Tells whether a remaining budget covers a requested one.
   *
   * @param remaining the remaining budget text
   * @param requested the requested budget text of the same kind
   * @return true if `requested` can be spent from `remaining`
   * @throws IllegalArgumentException if the two budgets are of different kinds or malformed
   */
  @native def budgetCovers(remaining: String, requested: String): Boolean

  /**
   * Converts an exact number text into a `Double`, rounding in the requested direction.
   *
   * @param number  a number text (`"1/3"`, `"inf"`, ...)
   * @param roundUp true to round toward +infinity, false to round toward zero/-infinity
   * @return the nearest `Double` on the requested side of the exact value
   * @throws IllegalArgumentException if `number` is malformed
   */
  @native def numberToDouble(number: String, roundUp: Boolean): Double

  /**
   * Calibrates the noise for a count query.
   *
   * @param budget      the budget text spent on the query, e.g. `"pure:2"`
   * @param change      the protected change text, e.g. `"AddRowsWithID"`
   * @param constraints the constraint texts joined by `;`, e.g. `"MaxRowsPerID:20"`, or `""`
   *                    (`MaxGroupsPerID` / `MaxRowsPerGroupPerID` carry a length-prefixed grouping column:
   *                    `"MaxGroupsPerID:5:4:isbn"`)
   * @param groupbyColumns the aggregation's groupby column names, each as `<UTF-8 byte length>:<name>`,
   *                    joined by `;`, e.g. `"5:title;6:author;4:isbn"` ([[WireText.columns]] builds it)
   * @param mechanism   the count mechanism name, case-insensitive: `"default"` (discrete Laplace under a
   *                    pure/approx DP budget, discrete Gaussian under zCDP), `"laplace"` or `"gaussian"`
   *                    (zCDP budgets only); e.g. `CountMechanism.Default.name`
   * @return the noise text, e.g. `"laplace:10"`
   * @throws IllegalArgumentException if the combination is unsupported, e.g. AddRowsWithID without
   *                                  MaxRowsPerID, or `"gaussian"` with a pure DP budget (Tumult's message:
   *                                  "Gaussian noise is only supported when using a RhoZCDP budget. ...")
   */
  @native def countNoise(
      budget: String,
      change: String,
      constraints: String,
      groupbyColumns: String,
      mechanism: String
  ): String

  /**
   * Counts rows per key.
   *
   * @param ipc an Arrow IPC stream with one Int64 column `key` (nullable), any number of batches
   * @return an Arrow IPC stream with one batch: `key` Int64 nullable, `count` Int64 not null, one row
   *         per distinct key (null is its own group), in no particular order
   * @throws IllegalArgumentException if `ipc` is not a readable IPC stream or has the wrong schema
   */
  @native def countByKey(ipc: Array[Byte]): Array[Byte]

  /**
   * Adds noise to aggregated values; the noise of a row depends only on (secret, queryIndex, key), so
   * re-evaluating gives the same result.
   *
   * @param ipc        an Arrow IPC stream with Int64 columns `key` and `value`, both not null
   * @param secret     the 32-byte session secret
   * @param queryIndex the number of the query within the session
   * @param noise      the noise text from [[countNoise]], e.g. `"laplace:10"`
   * @return an Arrow IPC stream of the same schema and row order with noise added to `value`
   * @throws IllegalArgumentException if an argument is malformed
   * @throws ArithmeticException if a noisy value overflows Int64
   */
  @native def addNoise(ipc: Array[Byte], secret: Array[Byte], queryIndex: Long, noise: String): Array[Byte]

  /**
   * Plans one measurement: the ONE call that decides its privacy numbers (sensitivity from the protected
   * change and every constraint, mechanism, calibration, budget split across measures).
   *
   * @param request the request text of docs/COMPILER_INTERFACES.md §2 (`aggregation=`, `budget=` (the charged
   *                budget), `change=`, `constraints=` (enforcement order), `groupby=`, `mechanism=` lines);
   *                [[WireText.countRequest]] builds it
   * @return the plan text: one `measure=<index>:<name>;noise=<noise>;budget=<budget>` line per released value,
   *         in release order ([[WireText.plan]] reads it)
   * @throws IllegalArgumentException on a bad argument, with Tumult's text (e.g. Gaussian under a pure DP budget)
   * @throws sparkdp.UnsupportedQueryException when an ID table lacks the constraint the aggregation needs
   */
  @native def planMeasurement(request: String): String

  /**
   * The protected change of a flat map's output (Rust `privacy::stability::flat_map`, Tumult Core's `FlatMap`,
   * `GroupingFlatMap` and `FlatMapByKey` stabilities).
   *
   * @param change  the input table's protected change text ([[WireText.change]])
   * @param flatMap `flat_map:<max_rows|none>`, `grouping_flat_map:<max_rows|none>:<column>` or `flat_map_by_id`
   *                ([[WireText.flatMap]])
   * @return the output table's protected change text ([[WireText.parseChange]] reads it)
   * @throws IllegalArgumentException naming the setting (e.g. Tumult's "Flat maps on tables without IDs must
   *         have a defined max_rows parameter.", a `max_rows` whose output change exceeds an `Int`)
   */
  @native def flatMapChange(change: String, flatMap: String): String

  /**
   * The protected change of a joined table (issue 10, Rust `privacy::stability::join`): the one place a join's
   * stability is decided (Scala never multiplies or compares it).
   *
   * @param request `"public\n" change "\n" <largest join-key multiplicity of the public table>` or
   *                `"private\n" leftChange "\n" leftStrategy "\n" rightChange "\n" rightStrategy` (strategy:
   *                `none`, `DropExcess:<max_rows>`, `DropNonUnique`); [[WireText.publicJoinRequest]] and
   *                [[WireText.privateJoinRequest]] build it
   * @return the joined table's change text ([[WireText.joinedChange]] reads it)
   * @throws IllegalArgumentException naming the setting: a private join without IDs lacking a truncation
   *                                  strategy, IDs on one side only (Tumult's texts), or a stability beyond
   *                                  `Int.MaxValue` rows
   */
  @native def joinStability(request: String): String

  /**
   * The constraints in force after a transformation (issue 10, constraint placement; Rust
   * `privacy::stability::constraints`, Tumult's constraint propagation): the one place a constraint's bound
   * changes (Scala never multiplies or compares one).
   *
   * @param request `enforce`, `flat_map`, `flat_map_by_id`, `join_public` or `join_private` and its operands, one
   *                per line ([[WireText.enforceRequest]], [[WireText.flatMapConstraintsRequest]],
   *                [[WireText.publicJoinConstraintsRequest]], [[WireText.privateJoinConstraintsRequest]])
   * @return the constraints text in force on the output ([[WireText.parseConstraints]] reads it)
   * @throws IllegalArgumentException a malformed request, or a join that would make a bound exceed `Int.MaxValue`
   */
  @native def propagateConstraints(request: String): String

  /**
   * Makes the exact budget text of a user's budget.
   *
   * @param kind   `"pure"` (a = ε), `"approx"` (a = ε, b = δ) or `"zcdp"` (a = ρ)
   * @param first  ε or ρ; `+Infinity` allowed
   * @param second δ for `"approx"`, ignored otherwise
   * @return the budget text, e.g. `"approx:1:1/1000"`; a value that cannot be held exactly is rounded down
   * @throws IllegalArgumentException with Tumult's message naming the setting and value (NaN, negative, too large)
   */
  @native def budgetFromDoubles(kind: String, first: Double, second: Double): String

  /**
   * The budget a query with `requested` actually spends from `remaining` (Tumult's tolerance included).
   *
   * @param remaining the session's remaining budget text
   * @param requested the query's budget text, of the same kind
   * @return `requested` when covered; `remaining` (per component) when the request exceeds it by at most
   *         remaining/10^9
   * @throws sparkdp.InsufficientBudgetException with Tumult's Requested / Remaining / Difference text
   * @throws IllegalArgumentException when the kinds differ (Tumult's text)
   */
  @native def budgetCharge(remaining: String, requested: String): String

  /**
   * What `partitionAndCreate` does to budgets and protected changes (Rust `privacy/parallel_composition.rs`,
   * COMPILER_INTERFACES §6.4).
   *
   * @param remaining   the parent session's remaining budget text
   * @param requested   the budget text each child is asked to get
   * @param change      the protected change text of the partitioned table
   * @param idDistance  the ID distance text of the partitioned table (`PreparedTable.idDistance`, "1" usually)
   * @param constraints the constraints text enforced on it (a view's), `""` for none
   * @param column      the column partitioned on (plain, not length-prefixed)
   * @return `charge=<budget>\nchild_budget=<budget>\nchild_change=<change>\nchild_id_distance=<D>`, plus
   *         `\nmax_groups_per_id=<g>` for an ID table (the bound to enforce before splitting)
   * @throws sparkdp.InsufficientBudgetException with Tumult's partition text
   * @throws IllegalArgumentException on a type mismatch, or an ID table without `MaxGroupsPerID(column)`
   */
  @native def planPartition(
      remaining: String,
      requested: String,
      change: String,
      idDistance: String,
      constraints: String,
      column: String
  ): String

  /**
   * The budget as `Double`s, for `remainingPrivacyBudget`.
   *
   * @param budget  a budget text
   * @param roundUp false to round each component down (the result always fits when passed back)
   * @return ε; or ε, δ; or ρ
   * @throws IllegalArgumentException if `budget` is malformed
   */
  @native def budgetToDoubles(budget: String, roundUp: Boolean): Array[Double]

  /**
   * Opens a truncation pass (docs/COMPILER_INTERFACES.md §3, "Truncation kernel batches"): per ID, the
   * constraints in enforcement order, then partial counts per fingerprint.
   *
   * @param constraints     the constraints text, in enforcement order (`""`: no truncation, no `id` column)
   * @param groupingColumns the columns text of the constraints' distinct grouping columns, in order of first
   *                        appearance (their `group_key_<i>` / `group_hash_<i>` input columns)
   * @return a handle (a key into Rust's registry, not a pointer) for [[truncationOffer]] / [[truncationFinish]]
   * @throws IllegalArgumentException on a bad text
   */
  @native def truncationOpen(constraints: String, groupingColumns: String): Long

  /**
   * Opens a truncation pass whose kept rows feed a partial aggregate (docs/COMPILER_INTERFACES.md §5.1 step 2)
   * instead of the plain count; offered and finished as [[truncationOpen]]'s handles.
   *
   * @param constraints     the constraints text, as for [[truncationOpen]]
   * @param groupingColumns the columns text of the constraints' distinct grouping columns, as for [[truncationOpen]]
   * @param partial         the `partial=` text of the plan from [[planMeasurement]] (opaque)
   * @return a handle for [[truncationOffer]] / [[truncationFinish]] / [[truncationClose]]; the finish returns
   *         `fp` Int64 nullable, then the plan's `partial_columns` (Int64 not null)
   * @throws IllegalArgumentException on a bad text
   */
  @native def truncationOpenPartial(constraints: String, groupingColumns: String, partial: String): Long

  /**
   * Offers one Arrow IPC stream of input rows to an open truncation pass.
   *
   * @param handle the handle from [[truncationOpen]]
   * @param ipc    an IPC stream: `id` Binary, `row_hash` Int64, `fp` Int64 nullable, `group_key_<i>` Binary,
   *               `group_hash_<i>` Int64
   * @throws IllegalArgumentException on a bad IPC stream or schema, or an unknown handle
   */
  @native def truncationOffer(handle: Long, ipc: Array[Byte]): Unit

  /**
   * Finishes a truncation pass and frees its handle.
   *
   * @param handle the handle from [[truncationOpen]]
   * @return an IPC stream of one batch: `fp` Int64 nullable, `count` Int64 not null, one row per distinct kept fp
   * @throws IllegalArgumentException on an unknown handle
   */
  @native def truncationFinish(handle: Long): Array[Byte]

  /**
   * Frees a truncation pass if it is still open (idempotent; for a task-completion listener).
   *
   * @param handle the handle from [[truncationOpen]]
   */
  @native def truncationClose(handle: Long): Unit

  /**
   * Opens a release pass (docs/COMPILER_INTERFACES.md §5.1 step 3): merges partials per fingerprint, draws each
   * measure's noise from the keyed stream (secret, query, measure, fp) and post-processes.
   *
   * @param plan       the whole plan text from [[planMeasurement]]
   * @param secret     the session's 32-byte noise key
   * @param queryIndex this evaluation's index in the session (not negative)
   * @return a handle (a key into Rust's registry, not a pointer) for [[releaseOffer]] / [[releaseFinish]]
   * @throws IllegalArgumentException on a bad plan text, a secret not 32 bytes long or a negative query index
   */
  @native def releaseOpen(plan: String, secret: Array[Byte], queryIndex: Long): Long

  /**
   * Offers one Arrow IPC stream of keyset marker rows and partial rows to an open release pass.
   *
   * @param handle the handle from [[releaseOpen]]
   * @param ipc    an IPC stream: `fp` Int64 nullable, `key_marker` Int64 nullable (1 on a marker row), then the
   *               plan's partial columns (Int64, null on marker rows)
   * @throws IllegalArgumentException on a bad IPC stream or schema, or an unknown handle
   */
  @native def releaseOffer(handle: Long, ipc: Array[Byte]): Unit

  /**
   * Finishes a release pass and frees its handle.
   *
   * @param handle the handle from [[releaseOpen]]
   * @return an IPC stream of one batch: `fp` Int64 nullable, then `out_0`, `out_1`, ... typed as the plan's
   *         `outputs`; one row per marked fp (get_groups: per fp whose noisy count passes the threshold),
   *         ascending fp, null first
   * @throws IllegalArgumentException on an unknown handle
   */
  @native def releaseFinish(handle: Long): Array[Byte]

  /**
   * Frees a release pass if it is still open (idempotent; for a task-completion listener).
   *
   * @param handle the handle from [[releaseOpen]]
   */
  @native def releaseClose(handle: Long): Unit

  /**
   * Panics inside Rust; exists only to prove that a panic becomes a Java exception, not a crash.
   *
   * @return never returns normally
   * @throws sparkdp.NativeException always, carrying the panic message
   */
  @native def panicForTest(): Unit
}

/** Access to the native library. */
object Native {

  /**
   * The JNI bridge, after loading the native library once per JVM (see [[NativeLoader]]).
   *
   * @return the shared [[Native]] instance
   * @throws sparkdp.NativeException on every call if loading failed: no library for this platform,
   *                                 a load error, or a library whose version differs from the jar's
   * {{{
   * val counts = Native.get.countByKey(ArrowIpc.encode(Seq(Int64Column("key", keys, None))))
   * }}}
   */
  def get: Native = {
    NativeLoader.ensureLoaded()
    instance
  }

  // The class holds no state; its methods only need the library loaded.
  private val instance = new Native()
}
