package sparkdp

import org.apache.spark.sql.DataFrame

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.bridge.{Native, WireText}
import sparkdp.plan.{EvaluationContext, PrivateTable, QueryCompiler}
import sparkdp.warehouse.{SessionWarehouse, StorableColumns}

/** Answers queries on private data within a total privacy budget (Tumult's `Session`).
  *
  * Each `evaluate` spends the budget it is given, and only when its result has been computed, stored in the
  * session's database and checked. Results live in that database (under `spark.sql.warehouse.dir`) until
  * `stop()`, so collecting a returned DataFrame again gives the same values.
  *
  * Example:
  * {{{
  * val session = Session.fromDataFrame(PureDPBudget(2), "checkouts", checkoutsDf, AddRowsWithID("member_id"))
  * val keyset = KeySet.fromDataFrame(booksDf.select("title", "author", "isbn"))
  * val output = session.evaluate(
  *   QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count(), PureDPBudget(2))
  * session.stop()
  * }}}
  */
final class Session private (
    tables: Map[String, PrivateTable],
    sourceOrder: Seq[String],
    initialPublicTables: Seq[(String, DataFrame)],
    idSpaces: Seq[String],
    initialBudgetText: String,
    truncationKey: Array[Byte],
    noiseKey: Array[Byte],
    private[sparkdp] val warehouse: SessionWarehouse
) {
  private var remainingBudgetText: String = initialBudgetText

  /** Test-only: runs between reading the remaining budget and writing the charged one, so that a test can widen
    * the window in which an unsynchronized evaluate would lose an update (SessionConcurrencySuite). A no-op
    * otherwise; it cannot change what is charged.
    */
  @volatile private[sparkdp] var pauseBeforeChargeForTests: () => Unit = () => ()
  private val publicTables = scala.collection.mutable.LinkedHashMap(initialPublicTables: _*)
  private var nextQueryIndex: Long = 0L
  private var isStopped: Boolean = false

  /** The names of the private tables, in the order they were added.
    *
    * Example: `session.privateSources == Seq("checkouts")`
    */
  def privateSources: Seq[String] = sourceOrder

  /** The names of the public tables, in the order they were added.
    *
    * Example: `session.publicSources == Seq("books")`
    */
  def publicSources: Seq[String] = synchronized(publicTables.keys.toSeq)

  /** The public tables by name (Tumult's `public_source_dataframes`).
    *
    * Example: `session.publicSourceDataframes("books").count()`
    */
  def publicSourceDataframes: Map[String, DataFrame] = synchronized(publicTables.toMap)

  /** Registers `dataframe` as the public table `sourceId` (Tumult's `add_public_dataframe`). Throws
    * `IllegalArgumentException` when a table of that name exists.
    *
    * Example: `session.addPublicDataframe("books", booksDf)`
    */
  def addPublicDataframe(sourceId: String, dataframe: DataFrame): Unit = synchronized {
    requireActive()
    Session.requireSourceId(sourceId)
    requireArgument(dataframe != null, "dataframe must be a DataFrame, not null.")
    requireArgument(!tables.contains(sourceId) && !publicTables.contains(sourceId), s"Table '$sourceId' already exists.")
    publicTables(sourceId) = dataframe
  }

  /** The columns of table `sourceId` (private or public) with their descriptors (Tumult's `get_schema`).
    * Throws `NoSuchElementException` (Python KeyError) for an unknown table.
    *
    * Example: `session.getSchema("checkouts")("member_id").columnType == ColumnType.Integer`
    */
  def getSchema(sourceId: String): Map[String, ColumnDescriptor] =
    scala.collection.immutable.ListMap(dataframeOf(sourceId).schema.fields.toSeq.map(field => field.name -> ColumnDescriptor.of(field)): _*)

  /** The column types of table `sourceId` (Tumult's `get_column_types`).
    *
    * Example: `session.getColumnTypes("checkouts")("title") == ColumnType.Varchar`
    */
  def getColumnTypes(sourceId: String): Map[String, ColumnType] = getSchema(sourceId).map { case (name, descriptor) => name -> descriptor.columnType }

  /** The grouping column of a private table protected by `AddMaxRowsInMaxGroups`, else None (Tumult's
    * `get_grouping_column`). `NoSuchElementException` for an unknown private table.
    */
  def getGroupingColumn(sourceId: String): Option[String] = privateTable(sourceId).protectedChange match {
    case AddMaxRowsInMaxGroups(groupingColumn, _, _) => Some(groupingColumn)
    case _                                            => None
  }

  /** The ID column of a private table protected by `AddRowsWithID`, else None (Tumult's `get_id_column`). */
  def getIdColumn(sourceId: String): Option[String] = privateTable(sourceId).protectedChange match {
    case AddRowsWithID(idColumn, _) => Some(idColumn)
    case _                          => None
  }

  /** The ID space of a private table protected by `AddRowsWithID`, else None (Tumult's `get_id_space`). */
  def getIdSpace(sourceId: String): Option[String] = privateTable(sourceId).protectedChange match {
    case AddRowsWithID(_, idSpace) => Some(idSpace.getOrElse(Session.DefaultIdSpace))
    case _                         => None
  }

  /** py4j forms (null for None). */
  def getGroupingColumnOrNull(sourceId: String): String = getGroupingColumn(sourceId).orNull
  def getIdColumnOrNull(sourceId: String): String = getIdColumn(sourceId).orNull
  def getIdSpaceOrNull(sourceId: String): String = getIdSpace(sourceId).orNull

  /** A readable summary: the remaining budget, then each table with its protection and columns (Tumult's
    * `describe`, returned as text; Python prints it).
    *
    * Example: `println(session.describe())`
    */
  def describe(): String = synchronized {
    val lines = scala.collection.mutable.ArrayBuffer(s"The session has a remaining privacy budget of $remainingPrivacyBudget.")
    if (idSpaces.nonEmpty) lines += s"ID spaces: ${idSpaces.mkString(", ")}."
    def columnLines(sourceId: String) = getSchema(sourceId).map { case (name, descriptor) => s"  $name: $descriptor" }
    sourceOrder.foreach { sourceId =>
      lines += s"Private table '$sourceId', protected by ${tables(sourceId).protectedChange}:"
      lines ++= columnLines(sourceId)
    }
    publicTables.keys.foreach { sourceId =>
      lines += s"Public table '$sourceId':"
      lines ++= columnLines(sourceId)
    }
    lines.mkString("\n")
  }

  private def privateTable(sourceId: String): PrivateTable =
    tables.getOrElse(sourceId, throw new java.util.NoSuchElementException(
      s"Table '$sourceId' is not a private table of this session; private tables: ${sourceOrder.mkString("[", ", ", "]")}."))

  private def dataframeOf(sourceId: String): DataFrame = synchronized {
    tables.get(sourceId).map(_.dataframe).orElse(publicTables.get(sourceId)).getOrElse(
      throw new java.util.NoSuchElementException(
        s"Table '$sourceId' does not exist; tables: ${(sourceOrder ++ publicTables.keys).mkString("[", ", ", "]")}."))
  }

  /** The budget not yet spent, rounded down, so passing it to `evaluate` always fits.
    *
    * It has the session's type (`PureDPBudget`, `ApproxDPBudget` or `RhoZCDPBudget`), each value rounded down
    * by Rust.
    *
    * Example: `session.remainingPrivacyBudget == PureDPBudget(1.5)` after spending 0.5 of 2.
    */
  def remainingPrivacyBudget: PrivacyBudget = synchronized {
    WireText.budgetOfKind(remainingBudgetText, Native.get.budgetToDoubles(remainingBudgetText, false))
  }

  /** Answers `query` with `privacyBudget` of the session's budget and returns the noisy result: the keyset's
    * columns, in keyset order, then the count column (LongType).
    *
    * Throws `IllegalArgumentException` for a query that does not fit the data (unknown table or column, a
    * constraint that does not apply, …) or a `privacyBudget` of another type than the session's,
    * `java.util.NoSuchElementException` for a KeySet column the table lacks, `UnsupportedQueryException` when an
    * ID table lacks the constraint the query needs, `InsufficientBudgetException` (Tumult's Requested /
    * Remaining / Difference text, made in Rust) if `privacyBudget` exceeds what remains, `WarehouseException`
    * if the result cannot be stored, and `SessionStoppedException` (an `IllegalStateException`) after `stop()`.
    * In all these cases nothing is spent. Each call, failed or not, uses a fresh query index, so two evaluations
    * of the same query get independent noise. As in Tumult, a `privacyBudget` above what remains by at most a
    * billionth of it (float rounding, e.g. the tenth of ten ε = 0.1 out of 1) spends exactly what remains.
    *
    * Example:
    * {{{
    * val output = session.evaluate(
    *   QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count(), PureDPBudget(1))
    * }}}
    */
  def evaluate(query: Query, privacyBudget: PrivacyBudget): DataFrame = synchronized {
    requireActive()
    val queryIndex = nextQueryIndex
    nextQueryIndex += 1
    requireArgument(query != null, "query must be a Query, not null.")
    requireArgument(privacyBudget != null, "privacyBudget must be a PrivacyBudget, not null.")
    requireArgument(
      !WireText.isZeroBudget(privacyBudget.toBudgetText),
      "You need a non-zero privacy budget to evaluate a query."
    )
    // Rust decides what the query spends (Tumult's tolerance included) or refuses it (type mismatch, too little
    // left), before anything runs.
    val chargedBudgetText = Native.get.budgetCharge(remainingBudgetText, privacyBudget.toBudgetText)
    val spark = tables.values.head.dataframe.sparkSession
    val storedResult = Session.withJobDescriptions(spark, queryIndex, query) { describeStep =>
      // Validation (in compile) first: a query rejected for its table, columns or constraints must not create the
      // session's database, which in a persistent catalog (Hive metastore, Glue) would outlive a program that never
      // stops the session. With adaptive query execution (on by default from Spark 3.2) compile may already run the
      // truncation shuffle, when it plans the RDDs of the Rust steps: only for a query that passed validation.
      describeStep("compile and check the keyset")
      val compiled = QueryCompiler.compile(
        query.queryExpr,
        tables,
        EvaluationContext(truncationKey, noiseKey, queryIndex, chargedBudgetText, publicTables.toMap)
      )
      // A result column Parquet cannot store is the query's fault, named before anything is created or runs.
      StorableColumns.require(compiled.result.schema)
      // Fail on a misconfigured warehouse before the result is computed.
      warehouse.ensureDatabase()
      describeStep(s"truncate, aggregate, add noise and store as ${SessionWarehouse.tableName(warehouse.databaseName, queryIndex)}")
      // The expected row count may need one Spark job (get_groups: the released cells); computed once.
      compiled.afterStore(warehouse.materialize(compiled.result, queryIndex, compiled.expectedRows.rowCount()))
    }
    // Charged only now that the result is stored and verified. budgetCharge accepted it above and evaluate is
    // synchronized, so this cannot fail short of a bug; if it does, nothing is released.
    val remainingBeforeCharge = remainingBudgetText
    pauseBeforeChargeForTests()
    remainingBudgetText =
      try Native.get.budgetSubtract(remainingBeforeCharge, chargedBudgetText)
      catch {
        case failure: Throwable =>
          warehouse.dropQueryTable(queryIndex)
          throw failure
      }
    storedResult
  }

  /** Drops the session's database and every result table in it; the DataFrames returned by `evaluate` can no
    * longer be read afterwards. Idempotent. Later calls to `evaluate` throw `SessionStoppedException`. A session
    * never stopped has its database dropped when the JVM exits (a shutdown hook, see `SessionWarehouse`).
    *
    * Example: `session.stop()`
    */
  def stop(): Unit = synchronized {
    if (!isStopped) {
      warehouse.dropDatabase()
      isStopped = true
    }
  }

  /** Example: `session.toString == "Session(privateSources=[checkouts])"` */
  override def toString: String = sourceOrder.mkString("Session(privateSources=[", ", ", "])")

  private def requireActive(): Unit =
    if (isStopped) {
      throw new SessionStoppedException("This session is no longer active: it was stopped with session.stop().")
    }

}

/** Creates sessions.
  *
  * Example:
  * {{{
  * val session = Session.fromDataFrame(PureDPBudget(2), "checkouts", checkoutsDf, AddRowsWithID("member_id"))
  * }}}
  */
object Session {

  /** A session with one private table, `dataframe`, registered as `sourceId` and protected by
    * `protectedChange`, and a total budget of `privacyBudget`. Nothing is read from the data yet.
    *
    * The session draws a 256-bit secret from the OS and derives two keys from it: one for choosing rows under
    * MaxRowsPerID (which appears in Spark plans as literals) and one for noise (which never does), so seeing
    * the first reveals nothing about the second.
    *
    * Example:
    * {{{
    * val session = Session.fromDataFrame(PureDPBudget(2), "checkouts", checkoutsDf, AddRowsWithID("member_id"))
    * }}}
    */
  def fromDataFrame(
      privacyBudget: PrivacyBudget,
      sourceId: String,
      dataframe: DataFrame,
      protectedChange: ProtectedChange
  ): Session = {
    new Builder().withPrivacyBudget(privacyBudget).withPrivateDataframe(sourceId, dataframe, protectedChange).build()
  }

  private val log = org.slf4j.LoggerFactory.getLogger(classOf[Session])

  /** Runs `body` (one evaluate's Spark work) with every Spark job it starts described as
    * "sparkdp: query <index>: <step> (<query>)", so that the Spark UI and event logs show the DP steps, and logs
    * each step at INFO. The description holds the query tree (tables, constraints, keyset columns and types,
    * bounds the user gave) and never a value of the private data. The caller's own job description is restored.
    */
  private[sparkdp] def withJobDescriptions[T](spark: org.apache.spark.sql.SparkSession, queryIndex: Long, query: Query)(
      body: (String => Unit) => T
  ): T = {
    val context = spark.sparkContext
    val previous = context.getLocalProperty("spark.job.description")
    val describeStep = (step: String) => {
      val description = s"sparkdp: query $queryIndex: $step (${query.queryExpr})"
      log.info(description)
      context.setJobDescription(description)
    }
    try body(describeStep)
    finally context.setJobDescription(previous)
  }

  /** The ID space of `AddRowsWithID` tables registered without one (as Tumult's default). */
  val DefaultIdSpace = "default_id_space"

  private[sparkdp] def requireSourceId(sourceId: String): Unit =
    requireArgument(sourceId != null && sourceId.nonEmpty, s"sourceId must be a non-empty table name, not '$sourceId'.")

  /** Builds a session of several private and public tables (Tumult's `Session.Builder`).
    *
    * Example:
    * {{{
    * val session = new Session.Builder()
    *   .withPrivacyBudget(PureDPBudget(2))
    *   .withIdSpace("members")
    *   .withPrivateDataframe("checkouts", checkoutsDf, new AddRowsWithID("member_id", "members"))
    *   .withPrivateDataframe("holds", holdsDf, new AddRowsWithID("member_id", "members"))
    *   .withPublicDataframe("books", booksDf)
    *   .build()
    * }}}
    */
  final class Builder {
    private var budget: Option[PrivacyBudget] = None
    private val privateTables = scala.collection.mutable.LinkedHashMap.empty[String, PrivateTable]
    private val publicTables = scala.collection.mutable.LinkedHashMap.empty[String, DataFrame]
    private val idSpaces = scala.collection.mutable.LinkedHashSet.empty[String]

    /** The session's total budget; once. */
    def withPrivacyBudget(privacyBudget: PrivacyBudget): Builder = {
      requireArgument(privacyBudget != null, "privacyBudget must be a PrivacyBudget, not null.")
      requireArgument(budget.isEmpty, "This Builder already has a privacy budget.")
      budget = Some(privacyBudget)
      this
    }

    /** A private table `sourceId` protected by `protectedChange`; its columns must include the change's column. */
    def withPrivateDataframe(sourceId: String, dataframe: DataFrame, protectedChange: ProtectedChange): Builder = {
      requireNewSource(sourceId)
      requireArgument(dataframe != null, "dataframe must be a DataFrame, not null.")
      requireArgument(protectedChange != null, "protectedChange must be a ProtectedChange, not null.")
      val changeColumn = protectedChange match {
        case AddRowsWithID(idColumn, _)                  => Some(idColumn)
        case AddMaxRowsInMaxGroups(groupingColumn, _, _) => Some(groupingColumn)
        case AddOneRow() | AddMaxRows(_)                 => None
      }
      changeColumn.foreach { column =>
        requireArgument(
          dataframe.columns.contains(column),
          s"Column '$column' does not exist in this table, available columns are " +
            dataframe.columns.map(name => s"'$name'").mkString("[", ", ", "]")
        )
      }
      privateTables(sourceId) = PrivateTable(dataframe, protectedChange)
      this
    }

    /** A public table `sourceId`. */
    def withPublicDataframe(sourceId: String, dataframe: DataFrame): Builder = {
      requireNewSource(sourceId)
      requireArgument(dataframe != null, "dataframe must be a DataFrame, not null.")
      publicTables(sourceId) = dataframe
      this
    }

    /** Declares an ID space that `AddRowsWithID` tables may name. */
    def withIdSpace(idSpace: String): Builder = {
      requireArgument(idSpace != null && idSpace.nonEmpty, s"idSpace must be a non-empty name, not '$idSpace'.")
      requireArgument(!idSpaces.contains(idSpace), s"ID space '$idSpace' already exists.")
      idSpaces += idSpace
      this
    }

    /** The session. Throws `IllegalArgumentException` without a budget or a private table, or when ID tables name
      * an undeclared ID space (or several ID tables share none). Nothing is read from the data.
      */
    def build(): Session = {
      val privacyBudget = budget.getOrElse(throw new IllegalArgumentException("This Builder must have a privacy budget set."))
      requireArgument(privateTables.nonEmpty, "This Builder must have at least one private source.")
      val idTables = privateTables.toSeq.collect { case (sourceId, PrivateTable(_, AddRowsWithID(_, idSpace))) => sourceId -> idSpace }
      val declared = idSpaces.toSeq
      val usedSpaces = idTables.map { case (sourceId, idSpace) =>
        idSpace match {
          case Some(space) =>
            requireArgument(
              declared.contains(space) || (idTables.size == 1 && declared.isEmpty),
              s"Table '$sourceId' uses ID space '$space', which this Builder has not declared; call withIdSpace('$space')."
            )
            space
          case None =>
            requireArgument(
              idTables.size == 1,
              s"Table '$sourceId' is protected by AddRowsWithID without an ID space, but the session has several ID " +
                "tables; name their ID space in AddRowsWithID and declare it with withIdSpace."
            )
            DefaultIdSpace
        }
      }
      val spark = privateTables.values.head.dataframe.sparkSession
      val native = Native.get
      val secret = native.newSessionSecret()
      val (truncationKey, noiseKey) =
        try Tuple2(native.deriveKey(secret, "truncation"), native.deriveKey(secret, "noise"))
        finally java.util.Arrays.fill(secret, 0.toByte)
      new Session(
        privateTables.toMap,
        privateTables.keys.toSeq,
        publicTables.toSeq,
        (declared ++ usedSpaces).distinct,
        privacyBudget.toBudgetText,
        truncationKey,
        noiseKey,
        new SessionWarehouse(spark)
      )
    }

    private def requireNewSource(sourceId: String): Unit = {
      requireSourceId(sourceId)
      requireArgument(!privateTables.contains(sourceId) && !publicTables.contains(sourceId), s"Table '$sourceId' already exists.")
    }
  }
}
