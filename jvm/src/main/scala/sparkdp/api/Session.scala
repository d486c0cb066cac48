package sparkdp

import org.apache.spark.sql.DataFrame

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.bridge.{Native, PartitionPlanText, WireText}
import sparkdp.plan.{CompileInputs, EvaluationContext, PrivateTable, QueryCompiler}
import sparkdp.plan.transform.{ConstraintPlacement, PreparedTable, TransformationCompiler}
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
    initialTables: Map[String, PrivateTable],
    initialSourceOrder: Seq[String],
    initialPublicTables: Seq[(String, DataFrame)],
    idSpaces: Seq[String],
    initialBudgetText: String,
    truncationKey: Array[Byte],
    noiseKey: Array[Byte],
    private[sparkdp] val warehouse: SessionWarehouse,
    accountant: SessionAccountant,
    ownsWarehouse: Boolean
) {
  private var remainingBudgetText: String = initialBudgetText
  // Private tables and views by name; views are added and deleted while the session runs.
  private var tables: Map[String, PrivateTable] = initialTables
  private var sourceOrder: Seq[String] = initialSourceOrder
  // The views made by createView with cache = true, unpersisted when deleted or when the session stops.
  private val cachedViews = scala.collection.mutable.LinkedHashSet.empty[String]
  private val spark = initialTables.values.head.dataframe.sparkSession
  // Every session of a partition_and_create family acts under one lock: the accountant's state, the
  // family's query counter and each session's budget change together.
  private val familyLock: AnyRef = accountant.lock

  /** Test-only: runs between reading the remaining budget and writing the charged one, so that a test can widen
    * the window in which an unsynchronized evaluate would lose an update (SessionConcurrencySuite). A no-op
    * otherwise; it cannot change what is charged.
    */
  @volatile private[sparkdp] var pauseBeforeChargeForTests: () => Unit = () => ()
  private val publicTables = scala.collection.mutable.LinkedHashMap(initialPublicTables: _*)
  // The warnings of this session's actions (Tumult's warnings.warn), until Python takes them (drainWarnings).
  private val pendingWarnings = new java.util.concurrent.ConcurrentLinkedQueue[SessionWarning]()

  /** Runs a session action under the family's lock, recording the warnings it gives for Python. */
  private def acting[T](body: => T): T = familyLock.synchronized(SessionWarnings.collectingInto(pendingWarnings)(body))

  /** The warnings given by this session's actions since the last call, oldest first (Python re-issues each with
    * `warnings.warn` and its category; Scala users see them in the log).
    */
  private[sparkdp] def drainWarnings(): java.util.List[SessionWarning] = {
    val drained = new java.util.ArrayList[SessionWarning]()
    Iterator.continually(pendingWarnings.poll()).takeWhile(_ != null).foreach(drained.add)
    drained
  }

  /** The names of the private tables and views, in Tumult's order (`Session.private_sources`).
    *
    * Tumult lists the tables of its nested input domain depth first from a stack, which reverses the domain's
    * order. That domain holds the tables without IDs in the order they were added, then one collection per ID
    * space (in the order of the spaces' first tables) holding that space's tables; each view is added at the
    * end of the top level, or, for a view protected by `AddRowsWithID`, at the end of its space's collection.
    *
    * Example: `session.privateSources == Seq("holds", "checkouts")` for a builder given checkouts, then holds.
    */
  def privateSources: Seq[String] = familyLock.synchronized {
    def idSpace(table: PrivateTable): Option[String] = table.protectedChange match {
      case AddRowsWithID(_, space) => Some(space.getOrElse(Session.DefaultIdSpace))
      case _                       => None
    }
    // A builder's table deleted and re-created as a view of the same name is a view (a new object).
    val isBuilderTable = (name: String) => initialTables.get(name).exists(table => tables.get(name).exists(_ eq table))
    val (builderTables, views) = sourceOrder.partition(isBuilderTable)
    val spaces = initialSourceOrder.flatMap(name => initialTables.get(name).flatMap(idSpace)).distinct
    val inSpace = (sourceOrder.map(name => name -> idSpace(tables(name)))).toMap
    val topLevel: Seq[Either[String, String]] =
      builderTables.filter(inSpace(_).isEmpty).map(Left(_)) ++ spaces.map(Right(_)) ++
        views.filter(inSpace(_).isEmpty).map(Left(_))
    val otherSpaces = views.flatMap(inSpace(_)).distinct.filterNot(spaces.contains).map(Right(_))
    val domainOrder = (topLevel ++ otherSpaces).flatMap {
      case Left(name)   => Seq(name)
      case Right(space) => (builderTables ++ views).filter(name => inSpace(name).contains(space))
    }
    domainOrder.reverse
  }

  /** The names of the public tables, in the order they were added.
    *
    * Example: `session.publicSources == Seq("books")`
    */
  def publicSources: Seq[String] = familyLock.synchronized(publicTables.keys.toSeq)

  /** The public tables by name (Tumult's `public_source_dataframes`).
    *
    * Example: `session.publicSourceDataframes("books").count()`
    */
  def publicSourceDataframes: Map[String, DataFrame] = familyLock.synchronized(publicTables.toMap)

  /** Registers `dataframe` as the public table `sourceId` (Tumult's `add_public_dataframe`). Throws
    * `IllegalArgumentException` when a table of that name exists.
    *
    * Example: `session.addPublicDataframe("books", booksDf)`
    */
  def addPublicDataframe(sourceId: String, dataframe: DataFrame): Unit = familyLock.synchronized {
    // Tumult's add_public_dataframe does not activate the session: a parent waiting for its children (or a
    // stopped session) may still be given a public table, and its children keep theirs.
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
  def describe(): String = familyLock.synchronized {
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

  /** What the transformation compiler needs besides the private tables, for views and partitions, which compile
    * outside an evaluate (an evaluate gets the same through its `EvaluationContext`).
    */
  private def compileInputs: CompileInputs = CompileInputs(publicTables.toMap, truncationKey)

  private def privateTable(sourceId: String): PrivateTable =
    tables.getOrElse(sourceId, throw new java.util.NoSuchElementException(
      s"Table '$sourceId' is not a private table of this session; private tables: ${sourceOrder.mkString("[", ", ", "]")}."))

  private def dataframeOf(sourceId: String): DataFrame = familyLock.synchronized {
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
  def remainingPrivacyBudget: PrivacyBudget = familyLock.synchronized {
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
  def evaluate(query: Query, privacyBudget: PrivacyBudget): DataFrame = acting {
    accountant.activate()
    val queryIndex = accountant.nextQueryIndex()
    requireArgument(query != null, "query must be a Query, not null.")
    requireArgument(privacyBudget != null, "privacyBudget must be a PrivacyBudget, not null.")
    requireArgument(
      !WireText.isZeroBudget(privacyBudget.toBudgetText),
      "You need a non-zero privacy budget to evaluate a query."
    )
    // Rust decides what the query spends (Tumult's tolerance included) or refuses it (type mismatch, too little
    // left), before anything runs.
    val chargedBudgetText = Native.get.budgetCharge(remainingBudgetText, privacyBudget.toBudgetText)
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

  /** Registers the table `query` stands for as the private table `sourceId` (Tumult's `create_view`): later
    * queries may start from `QueryBuilder(sourceId)` as from any private table. The view keeps what its query
    * made: its protected change (a transformation's stability, decided in Rust), the constraints enforced in
    * it and its columns' descriptors. Its query is compiled now, so a query that does not fit the session's
    * tables is refused here, before any data is read; nothing is spent.
    *
    * With `cache = true` the view's rows are persisted by Spark (`DataFrame.persist()`, memory and disk) the
    * first time a query reads them, so later queries do not recompute its transformations; `deleteView` and
    * `stop` unpersist them. Throws `IllegalArgumentException` (Python ValueError) when `sourceId` is not an
    * identifier or a private table, view or public table of that name exists ("Table 'x' already exists.", as
    * Tumult), or when `query` does not fit the session's tables; `SessionStoppedException` when the session
    * was stopped. Used while its partition_and_create children are active, it stops them (Tumult's warning).
    *
    * Example: `session.createView(QueryBuilder("checkouts").enforce(MaxRowsPerID(20)), "bounded", cache = false)`
    */
  def createView(query: QueryBuilder, sourceId: String, cache: Boolean): Unit = acting {
    accountant.activate()
    Session.requireIdentifier(sourceId, "source_id")
    requireArgument(!tables.contains(sourceId) && !publicTables.contains(sourceId), s"Table '$sourceId' already exists.")
    requireArgument(query != null, "query_expr must be of type QueryBuilder or QueryExpr.")
    val prepared = TransformationCompiler.prepare(query.queryExpr, tables, compileInputs)
    val rows = if (cache) prepared.dataframe.persist() else prepared.dataframe
    val view = prepared.copy(sourceId = sourceId, dataframe = rows)
    tables += sourceId -> PrivateTable(rows, view.protectedChange, Some(view))
    sourceOrder :+= sourceId
    if (cache) cachedViews += sourceId
  }

  /** Deletes the private table `sourceId`, usually a view, and unpersists it if it was cached (Tumult's
    * `delete_view`, which deletes any private table). Throws `NoSuchElementException` (Python KeyError, as
    * Tumult) naming the private tables when there is none of that name.
    *
    * Example: `session.deleteView("bounded")`
    */
  def deleteView(sourceId: String): Unit = acting {
    accountant.activate()
    val table = tables.getOrElse(
      sourceId,
      throw new java.util.NoSuchElementException(
        s"Private table '$sourceId' does not exist. Available tables are: ${privateSources.mkString(", ")}"
      )
    )
    if (cachedViews.remove(sourceId)) table.dataframe.unpersist()
    tables -= sourceId
    sourceOrder = sourceOrder.filterNot(_ == sourceId)
  }

  /** Splits the private table `sourceId` by the value of `column` into new sessions, one per split (Tumult's
    * `partition_and_create`): the session named `name` has one private table, `name`, holding the rows whose
    * `column` equals `splits(name)` (null selects the nulls), the parent's public tables, and a budget of
    * `privacyBudget`. By parallel composition this session is charged `privacyBudget` once, however many splits.
    *
    * Rust decides the charge (Tumult's tolerance), the children's budget and the change their tables protect:
    * `AddOneRow` and `AddMaxRows` are kept, and so is `AddMaxRowsInMaxGroups` split on another column; split on
    * its grouping column it becomes `AddMaxRows` (g·r, or ⌈r·√g⌉ under zCDP). A table protected by
    * `AddRowsWithID` needs `MaxGroupsPerID(column, g)`, as in Tumult: each ID first keeps the rows of at most g
    * values of `column` (the truncation-keyed choice of the aggregations' truncation), and each child gets an ID
    * table (same ID column and ID space, no constraints: enforce them again in the child, as in Tumult) whose
    * measurements are compiled for neighbours g IDs apart (√g under zCDP), Tumult's `d_in` of the children;
    * Rust decides that distance and scales every sensitivity by it. The split values are public: each child's
    * rows are a Spark filter of the table, nothing is collected.
    *
    * The children and this session share one accountant, as Tumult's do: using this session while a child is
    * active stops every child (Tumult's warning); the first child is active, and using a later one stops those
    * before it (Tumult's warning); stopping
    * the last child makes this session active again. Throws, with nothing spent: `IllegalArgumentException`
    * (ValueError) for no splits, a split name that is not an identifier or names a public table, a value of
    * another type than the column's (Tumult raises TypeError here), two splits with one value, a budget of
    * another type, an ID table without `MaxGroupsPerID(column)`, or a public `sourceId`;
    * `NoSuchElementException` (KeyError) for an unknown table or column; `InsufficientBudgetException`
    * (RuntimeError, Tumult's "Cannot perform this partition without exceeding the Session privacy budget." text);
    * `SessionStoppedException` when this session cannot act.
    *
    * Example:
    * {{{
    * val parts = session.partitionAndCreate("checkouts", PureDPBudget(1), "branch", Map("north" -> "N", "south" -> "S"))
    * parts("north").evaluate(QueryBuilder("north").count(), PureDPBudget(1))
    * }}}
    */
  def partitionAndCreate(sourceId: String, privacyBudget: PrivacyBudget, column: String, splits: Map[String, Any]): Map[String, Session] =
    acting {
      requireArgument(
        splits != null,
        "You must provide a dictionary mapping split names (new source_ids) to values on which to partition"
      )
      requireArgument(privacyBudget != null, "privacyBudget must be a PrivacyBudget, not null.")
      requireArgument(column != null, "column must be a column name, not null.")
      accountant.activate()
      if (!tables.contains(sourceId) && publicTables.contains(sourceId)) {
        throw new IllegalArgumentException(s"Table '$sourceId' is a public table, which cannot have an ID space.")
      }
      if (!tables.contains(sourceId)) {
        throw new java.util.NoSuchElementException(
          s"Private table '$sourceId' does not exist. Available private tables are: ${sourceOrder.mkString(", ")}"
        )
      }
      val prepared = TransformationCompiler.prepare(PrivateSource(sourceId), tables, compileInputs)
      val partitionColumn = prepared.column(column).getOrElse(
        throw new java.util.NoSuchElementException(
          s"'$column' not present in transformed dataframe's columns; schema of transformed dataframe is " +
            prepared.columns.map(descriptor => s"'${descriptor.name}': ${ColumnType.of(descriptor.dataType)}").mkString("{", ", ", "}")
        )
      )
      val splitValues = splits.toSeq.map { case (name, value) =>
        Session.requireSplitName(name)
        requireArgument(!publicTables.contains(name), s"Table '$name' already exists.")
        name -> Session.splitLiteral(column, partitionColumn.dataType, partitionColumn.isNullable, value)
      }
      requireArgument(splitValues.nonEmpty, "Splitting transformation's output domain must specify list length.")
      splitValues.groupBy(_._2).values.find(_.size > 1).foreach { same =>
        throw new IllegalArgumentException(
          s"Splits ${same.map(_._1).mkString("'", "', '", "'")} have the same value (${same.head._2}): each row may go to " +
            "one partition only."
        )
      }
      // Rust decides the charge, the children's budget, their protected change and ID distance, before anything
      // changes.
      val plan = WireText.partitionPlan(
        Native.get.planPartition(
          remainingBudgetText,
          privacyBudget.toBudgetText,
          WireText.change(prepared.protectedChange),
          prepared.idDistance,
          WireText.constraints(prepared.constraints),
          column
        ),
        prepared.protectedChange
      )
      val childTables = partitionTables(prepared, column, splitValues, plan)
      remainingBudgetText = Native.get.budgetSubtract(remainingBudgetText, plan.parentChargeText)
      val childAccountants = accountant.split(childTables.size)
      val children = childTables.zip(childAccountants).map { case ((name, table), childAccountant) =>
        name -> new Session(
          Map(name -> table),
          Seq(name),
          publicTables.toSeq,
          idSpaces,
          plan.childBudgetText,
          truncationKey,
          noiseKey,
          warehouse,
          childAccountant,
          ownsWarehouse = false
        )
      }
      scala.collection.immutable.ListMap(children: _*)
    }

  /** The children's private tables of [[partitionAndCreate]], named by their splits: `prepared`'s rows whose
    * `column` is the split's value. For an ID table (Rust's plan names a `MaxGroupsPerID` bound) the rows are
    * first truncated to that many values of `column` per ID, so an ID reaches at most that many children, and the
    * children start without constraints (Tumult's child sessions have none); otherwise they keep the table's.
    */
  private def partitionTables(
      prepared: PreparedTable,
      column: String,
      splitValues: Seq[(String, Any)],
      plan: PartitionPlanText
  ): Seq[(String, PrivateTable)] = {
    val (partitioned, constraints) = (plan.maxGroupsPerID, prepared.idColumn) match {
      case (Some(maxGroups), Some(_)) =>
        // Each ID keeps the rows of at most g values of the column (the rule `enforce(MaxGroupsPerID)` applies), so
        // its rows reach at most g children, which the children's ID distance assumes.
        (ConstraintPlacement.truncate(prepared, MaxGroupsPerID(column, maxGroups), truncationKey).dataframe, Seq.empty)
      case (None, None) => (prepared.dataframe, prepared.constraints)
      case _ =>
        throw new AnalyticsInternalException(s"Partition plan ${plan.maxGroupsPerID} does not fit ${prepared.protectedChange}")
    }
    val partitionedColumn = partitioned.col("`" + column.replace("`", "``") + "`")
    splitValues.map { case (name, value) =>
      // Null-safe equality: a null split value selects exactly the rows whose column is null.
      val rows = partitioned.filter(partitionedColumn.eqNullSafe(value))
      val table = prepared.copy(
        sourceId = name,
        dataframe = rows,
        protectedChange = plan.childChange,
        constraints = constraints,
        idDistance = plan.childIdDistance
      )
      name -> PrivateTable(rows, plan.childChange, Some(table), plan.childIdDistance)
    }
  }

  /** py4j form of [[partitionAndCreate]]: `splits` in its iteration order (pass a `java.util.LinkedHashMap`, as
    * the children's order matters), values `String`, `Integer`/`Long` or null; the children in that order.
    */
  def partitionAndCreate(
      sourceId: String,
      privacyBudget: PrivacyBudget,
      column: String,
      splits: java.util.Map[String, Object]
  ): java.util.Map[String, Session] = {
    requireArgument(
      splits != null,
      "You must provide a dictionary mapping split names (new source_ids) to values on which to partition"
    )
    val entries = scala.collection.JavaConverters.mapAsScalaMapConverter(splits).asScala.toSeq
    val children = partitionAndCreate(sourceId, privacyBudget, column, scala.collection.immutable.ListMap(entries: _*))
    val result = new java.util.LinkedHashMap[String, Session]()
    children.foreach { case (name, child) => result.put(name, child) }
    result
  }

  /** Stops the session (Tumult's `stop`). A session made by `Session.Builder` also drops its database and every
    * result table in it, its children's included: the DataFrames returned by `evaluate` can no longer be read
    * afterwards. A child of `partitionAndCreate` shares its parent's database, so its results stay readable
    * until the parent stops. Stopping a session also stops the sessions `partitionAndCreate` made from it, and
    * stopping the last child makes its parent usable again. Idempotent. Later calls to `evaluate` throw
    * `SessionStoppedException`. A session never stopped has its database dropped when the JVM exits (a shutdown
    * hook, see `SessionWarehouse`).
    *
    * Example: `session.stop()`
    */
  def stop(): Unit = familyLock.synchronized {
    if (!accountant.isRetired) {
      if (ownsWarehouse) warehouse.dropDatabase()
      cachedViews.foreach(sourceId => tables.get(sourceId).foreach(_.dataframe.unpersist()))
      cachedViews.clear()
      accountant.retire()
    }
  }

  /** Example: `session.toString == "Session(privateSources=[checkouts])"` */
  override def toString: String = sourceOrder.mkString("Session(privateSources=[", ", ", "])")


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

  /** Tumult's `_assert_is_identifier`: a table name must be a Python identifier. */
  private[sparkdp] def requireIdentifier(name: String, setting: String): Unit =
    requireArgument(
      isPythonIdentifier(name),
      s"The string passed as $setting must be a valid Python identifier: it can only contain alphanumeric " +
        "letters (a-z) and (0-9), or underscores (_), and it cannot start with a number, or contain any spaces."
    )

  private def requireSplitName(name: String): Unit =
    requireArgument(
      isPythonIdentifier(name),
      "The string passed as split name must be a valid Python identifier: it can only contain alphanumeric " +
        "letters (a-z) and (0-9), or underscores (_), and it cannot start with a number, or contain any spaces."
    )

  /** Python's `str.isidentifier` (approximated by Java's Unicode identifier classes; `_` may start a name). */
  private def isPythonIdentifier(name: String): Boolean =
    name != null && name.nonEmpty &&
      (name.head == '_' || Character.isUnicodeIdentifierStart(name.head)) &&
      name.forall(c => Character.isUnicodeIdentifierPart(c) && !Character.isIdentifierIgnorable(c))

  /** A split value as the Spark literal it is compared with, or Tumult's type error (as an
    * IllegalArgumentException): strings for VARCHAR columns, integers for INTEGER columns, null where the column
    * may be null (Tumult's `valid_py_value`).
    */
  private def splitLiteral(column: String, dataType: org.apache.spark.sql.types.DataType, isNullable: Boolean, value: Any): Any = {
    val columnType = ColumnType.of(dataType)
    val literal: Option[Any] = (columnType, value) match {
      case (_, null) if isNullable                                                   => Some(null)
      case (ColumnType.Varchar, text: String)                                        => Some(text)
      case (ColumnType.Integer, number @ (_: java.lang.Integer | _: java.lang.Long | _: java.lang.Short | _: java.lang.Byte)) =>
        Some(number.asInstanceOf[Number].longValue)
      case (ColumnType.Integer, number: BigInt) if number.isValidLong                => Some(number.toLong)
      case _                                                                         => None
    }
    literal.getOrElse {
      val valueType = value match {
        case null                                                     => "NoneType"
        case _: String                                                => "str"
        case _: java.lang.Integer | _: java.lang.Long | _: BigInt      => "int"
        case _: java.lang.Double | _: java.lang.Float                  => "float"
        case _: java.lang.Boolean                                     => "bool"
        case other                                                    => other.getClass.getSimpleName
      }
      throw new IllegalArgumentException(
        s"'$column' column is of type '$columnType'; '$columnType' column not compatible with splits value type '$valueType'"
      )
    }
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
      * an undeclared ID space (or several ID tables share none); `WarehouseException` when
      * `spark.sql.warehouse.dir` cannot hold the session's database (a `file:` location on a cluster whose
      * executors do not share that disk, or a location it cannot write to). Nothing is read from the data.
      */
    def build(): Session = {
      val privacyBudget = budget.getOrElse(throw new IllegalArgumentException("This Builder must have a privacy budget set."))
      requireArgument(privateTables.nonEmpty, "This Builder must have at least one private source.")
      val idTables = privateTables.toSeq.collect { case (sourceId, PrivateTable(_, AddRowsWithID(_, idSpace), _, _)) => sourceId -> idSpace }
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
        new SessionWarehouse(spark),
        SessionAccountant.root(),
        ownsWarehouse = true
      )
    }

    private def requireNewSource(sourceId: String): Unit = {
      requireSourceId(sourceId)
      requireArgument(!privateTables.contains(sourceId) && !publicTables.contains(sourceId), s"Table '$sourceId' already exists.")
    }
  }
}
