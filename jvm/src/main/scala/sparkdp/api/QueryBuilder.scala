package sparkdp

import sparkdp.ArgumentChecks.requireArgument

/** Builds a query on one private table, step by step (Tumult's `QueryBuilder`). Each method returns a new
  * builder; nothing is evaluated until `Session.evaluate`.
  *
  * Example:
  * {{{
  * val query = QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()
  * }}}
  */
final class QueryBuilder private (private[sparkdp] val queryExpr: QueryExpr) extends AggregationMethods {

  protected override def keysetOption: Option[KeySet] = None
  protected override def aggregatedExpr: QueryExpr = queryExpr

  /** Starts a query on the private table `sourceId` (for Java and py4j; Scala callers can write
    * `QueryBuilder(sourceId)`).
    *
    * Example (Java): `new QueryBuilder("checkouts")`
    */
  def this(sourceId: String) = this(PrivateSource(sourceId))

  /** Enforces `constraint` on the rows so far (e.g. at most 20 rows per ID).
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20))`
    */
  def enforce(constraint: Constraint): QueryBuilder = {
    requireArgument(constraint != null, "constraint must be a Constraint, not null.")
    new QueryBuilder(EnforceConstraint(queryExpr, constraint))
  }

  // ---- Row-wise transformations (issue 10): filter, select, rename, replaceNullAndNan, dropNullAndNan,
  // replaceInfinity, dropInfinity, binColumn, histogram.
  // Each keeps the table's protected change; the columns are checked when the query is evaluated, before
  // any data is read (plan/transform/RowwiseTransformations.scala).

  /** Keeps the rows for which `condition`, a Spark SQL boolean expression (a `WHERE` clause), holds.
    *
    * Example: `QueryBuilder("checkouts").filter("year >= 2020 AND genre IS NOT NULL")`
    */
  def filter(condition: String): QueryBuilder = {
    requireArgument(condition != null, "condition must be a Spark SQL expression, not null.")
    new QueryBuilder(Filter(queryExpr, condition))
  }

  /** Keeps the columns `columns`, in that order (the ID column and a protected grouping column must stay).
    *
    * Example: `QueryBuilder("checkouts").select(Seq("member_id", "title"))`
    */
  def select(columns: Seq[String]): QueryBuilder = {
    requireArgument(columns != null, "columns must be a list of column names, not null.")
    new QueryBuilder(Select(queryExpr, columns))
  }

  /** For Java and py4j: [[select]] of a `java.util.List`.
    *
    * Example (Java): `builder.select(java.util.Arrays.asList("member_id", "title"))`
    */
  def select(columns: java.util.List[String]): QueryBuilder = {
    requireArgument(columns != null, "columns must be a list of column names, not null.")
    select(AggregationMethods.toSeq(columns))
  }

  /** Renames the columns that are keys of `columnMapper` to its values; the ID column, a protected grouping
    * column and constraints' grouping columns follow.
    *
    * Example: `QueryBuilder("checkouts").rename(Map("title" -> "book"))`
    */
  def rename(columnMapper: Map[String, String]): QueryBuilder = {
    requireArgument(columnMapper != null, "column_mapper must be a map of column names, not null.")
    new QueryBuilder(Rename(queryExpr, columnMapper))
  }

  /** For Java and py4j: [[rename]] of a `java.util.Map`.
    *
    * Example (Java): `builder.rename(java.util.Collections.singletonMap("title", "book"))`
    */
  def rename(columnMapper: java.util.Map[String, String]): QueryBuilder = {
    requireArgument(columnMapper != null, "column_mapper must be a map of column names, not null.")
    rename(RowwiseArguments.toMap(columnMapper))
  }

  /** Replaces nulls (and NaNs) in each column of `replaceWith` by its value (`Long`/`Int`, `Double`, `String`,
    * `java.sql.Date`, `java.sql.Timestamp`); an empty map: every column that may hold them (but the ID and
    * protected grouping columns), by Tumult's defaults (0, 0.0, "", 1970-01-01, the epoch).
    *
    * Example: `QueryBuilder("checkouts").replaceNullAndNan(Map("genre" -> "unknown", "pages" -> 0))`
    */
  def replaceNullAndNan(replaceWith: Map[String, Any]): QueryBuilder = {
    requireArgument(replaceWith != null, "replace_with must be a map of column names to values, not null.")
    new QueryBuilder(ReplaceNullAndNan(queryExpr, replaceWith.map { case (k, v) => k -> RowwiseValues.normalized(v) }))
  }

  /** [[replaceNullAndNan]] of every column, by Tumult's defaults.
    *
    * Example: `QueryBuilder("checkouts").replaceNullAndNan()`
    */
  def replaceNullAndNan(): QueryBuilder = replaceNullAndNan(Map.empty[String, Any])

  /** For Java and py4j: [[replaceNullAndNan]] of a `java.util.Map`; null means every column.
    *
    * Example (Java): `builder.replaceNullAndNan(java.util.Collections.singletonMap("genre", "unknown"))`
    */
  def replaceNullAndNan(replaceWith: java.util.Map[String, Object]): QueryBuilder =
    replaceNullAndNan(Option(replaceWith).fold(Map.empty[String, Any])(RowwiseArguments.toMap(_)))

  /** Drops the rows holding a null or NaN in one of `columns`; empty: in any column (but the ID and protected
    * grouping columns).
    *
    * Example: `QueryBuilder("checkouts").dropNullAndNan(Seq("genre"))`
    */
  def dropNullAndNan(columns: Seq[String]): QueryBuilder = {
    requireArgument(columns != null, "columns must be a list of column names, not null.")
    new QueryBuilder(DropNullAndNan(queryExpr, columns))
  }

  /** [[dropNullAndNan]] of every column.
    *
    * Example: `QueryBuilder("checkouts").dropNullAndNan()`
    */
  def dropNullAndNan(): QueryBuilder = dropNullAndNan(Seq.empty[String])

  /** For Java and py4j: [[dropNullAndNan]] of a `java.util.List`; null means every column.
    *
    * Example (Java): `builder.dropNullAndNan(java.util.Arrays.asList("genre"))`
    */
  def dropNullAndNan(columns: java.util.List[String]): QueryBuilder = dropNullAndNan(AggregationMethods.toSeq(columns))

  /** Replaces -inf and +inf in each column of `replaceWith` by its (low, high) pair; an empty map: every
    * floating-point column (but the ID and protected grouping columns), by 0.0.
    *
    * Example: `QueryBuilder("sales").replaceInfinity(Map("price" -> ((0.0, 1000.0))))`
    */
  def replaceInfinity(replaceWith: Map[String, (Double, Double)]): QueryBuilder = {
    requireArgument(replaceWith != null, "replace_with must be a map of column names to (low, high), not null.")
    new QueryBuilder(ReplaceInfinity(queryExpr, replaceWith))
  }

  /** [[replaceInfinity]] of every floating-point column, by 0.0.
    *
    * Example: `QueryBuilder("sales").replaceInfinity()`
    */
  def replaceInfinity(): QueryBuilder = replaceInfinity(Map.empty[String, (Double, Double)])

  /** For Java and py4j: [[replaceInfinity]] of a `java.util.Map` of two-number lists (low, high); null means
    * every floating-point column.
    *
    * Example (Java): `builder.replaceInfinity(java.util.Collections.singletonMap("price", java.util.Arrays.asList(0.0, 1000.0)))`
    */
  def replaceInfinity(replaceWith: java.util.Map[String, java.util.List[Object]]): QueryBuilder =
    replaceInfinity(Option(replaceWith).fold(Map.empty[String, (Double, Double)])(RowwiseArguments.toPairs(_)))

  /** Drops the rows holding -inf or +inf in one of `columns`; empty: in any floating-point column (but the ID
    * and protected grouping columns).
    *
    * Example: `QueryBuilder("sales").dropInfinity(Seq("price"))`
    */
  def dropInfinity(columns: Seq[String]): QueryBuilder = {
    requireArgument(columns != null, "columns must be a list of column names, not null.")
    new QueryBuilder(DropInfinity(queryExpr, columns))
  }

  /** [[dropInfinity]] of every floating-point column.
    *
    * Example: `QueryBuilder("sales").dropInfinity()`
    */
  def dropInfinity(): QueryBuilder = dropInfinity(Seq.empty[String])

  /** For Java and py4j: [[dropInfinity]] of a `java.util.List`; null means every floating-point column.
    *
    * Example (Java): `builder.dropInfinity(java.util.Arrays.asList("price"))`
    */
  def dropInfinity(columns: java.util.List[String]): QueryBuilder = dropInfinity(AggregationMethods.toSeq(columns))

  /** Adds a column `name` (null: `<column>_binned`) holding the bin of `column`'s value under `spec`.
    *
    * Example: `QueryBuilder("members").binColumn("age", BinningSpec(Seq(0, 18, 65)), "age_group")`
    */
  def binColumn(column: String, spec: BinningSpec, name: String): QueryBuilder = {
    requireArgument(column != null, "column must be a column name, not null.")
    new QueryBuilder(BinColumn(queryExpr, column, spec, Option(name).getOrElse(s"${column}_binned")))
  }

  /** [[binColumn]] into `<column>_binned`.
    *
    * Example: `QueryBuilder("members").binColumn("age", BinningSpec(Seq(0, 18, 65)))`
    */
  def binColumn(column: String, spec: BinningSpec): QueryBuilder = binColumn(column, spec, null)

  /** The count of rows per bin of `column` under `spec`, in the bin column `name` (null or empty:
    * `<column>_binned`) and `count`, one row per bin of `spec.bins()` (Tumult's `histogram`: `bin_column`,
    * then `groupby(KeySet.from_dict({name: spec.bins()})).count()`). Builds the KeySet, so needs the active
    * SparkSession.
    *
    * Example: `QueryBuilder("members").histogram("age", BinningSpec(Seq(0, 18, 65)), "age_group")`
    */
  def histogram(column: String, spec: BinningSpec, name: String): Query = {
    requireArgument(spec != null, "bin_edges must be a BinningSpec or a list of edges, not null.")
    val binName = Option(name).filter(_.nonEmpty).getOrElse(s"${column}_binned")
    binColumn(column, spec, binName).groupBy(KeySet.fromDict(Map(binName -> spec.bins()))).count()
  }

  /** [[histogram]] with `BinningSpec(binEdges)`.
    *
    * Example: `QueryBuilder("members").histogram("age", Seq(0, 18, 65), "age_group")`
    */
  def histogram(column: String, binEdges: Seq[Any], name: String): Query = {
    requireArgument(binEdges != null, "bin_edges must be a BinningSpec or a list of edges, not null.")
    histogram(column, BinningSpec(binEdges), name)
  }

  /** [[histogram]] into `<column>_binned`.
    *
    * Example: `QueryBuilder("members").histogram("age", BinningSpec(Seq(0, 18, 65)))`
    */
  def histogram(column: String, spec: BinningSpec): Query = histogram(column, spec, null)

  // ---- Map family (issue 10): map, flatMap, flatMapByID.

  /** Applies `f` to each row (Tumult's `map`); `f` gives the new columns, typed by `newColumnTypes` (every new
    * column may hold null, as in Tumult). With `augment` the new columns are added to the row's, otherwise they
    * replace them (a table protected by `AddRowsWithID` or `AddMaxRowsInMaxGroups` needs `augment`). `f` runs in
    * the executors and must be deterministic.
    *
    * Example: `QueryBuilder("sales").map(row => Map("x2" -> row.getAs[Long]("x") * 2), Seq("x2" -> ColumnDescriptor(ColumnType.Integer)), augment = true)`
    */
  def map(
      f: org.apache.spark.sql.Row => scala.collection.Map[String, Any],
      newColumnTypes: Seq[(String, ColumnDescriptor)],
      augment: Boolean
  ): QueryBuilder = {
    requireArgument(f != null, "f must be a function, not null.")
    new QueryBuilder(MapExpr(queryExpr, ScalaRowFunction(f), newColumnTypes, augment))
  }

  /** [[map]] without `augment`: the output has the new columns only.
    *
    * Example: `QueryBuilder("sales").map(row => Map("x2" -> row.getAs[Long]("x") * 2), Seq("x2" -> ColumnDescriptor(ColumnType.Integer)))`
    */
  def map(f: org.apache.spark.sql.Row => scala.collection.Map[String, Any], newColumnTypes: Seq[(String, ColumnDescriptor)]): QueryBuilder =
    map(f, newColumnTypes, augment = false)

  /** For py4j (Python's `map`): `udf` reads column `__sparkdp_input` (the row as a struct) and gives a struct of
    * the new columns, named `names` and described by `descriptors`, in order.
    *
    * Example (Python, internal): `builder.map(udf(col("__sparkdp_input"))._jc, names, descriptors, True)`
    */
  def map(
      udf: org.apache.spark.sql.Column,
      names: java.util.List[String],
      descriptors: java.util.List[ColumnDescriptor],
      augment: Boolean
  ): QueryBuilder =
    new QueryBuilder(MapExpr(queryExpr, UdfRowFunction(udf), MapArguments.newColumns(names, descriptors), augment))

  /** Replaces each row by the rows `f` gives for it, at most `maxRows` of them (the first ones; Tumult's
    * `flat_map`). `maxRows` is required unless the table is protected by `AddRowsWithID`, where it is ignored
    * (and the ID column is kept: `augment` must be true). With `grouping`, `f` makes exactly one new column
    * whose values are distinct per input row (repeats are dropped), and the output is protected per value of
    * it, so group-bys on it get Tumult's tighter noise; the table must be protected by `AddOneRow` or
    * `AddMaxRows`, and `augment` must be true. The protected change of the output is Rust's to decide.
    *
    * Example: `QueryBuilder("sales").flatMap(row => Seq(Map("i" -> 1L), Map("i" -> 2L)), Seq("i" -> ColumnDescriptor(ColumnType.Integer)), augment = true, grouping = false, maxRows = Some(2))`
    */
  def flatMap(
      f: org.apache.spark.sql.Row => Seq[scala.collection.Map[String, Any]],
      newColumnTypes: Seq[(String, ColumnDescriptor)],
      augment: Boolean,
      grouping: Boolean,
      maxRows: Option[Int]
  ): QueryBuilder = {
    requireArgument(f != null, "f must be a function, not null.")
    new QueryBuilder(FlatMapExpr(queryExpr, ScalaRowFunction(f), newColumnTypes, augment, grouping, maxRows))
  }

  /** [[flatMap]] without `augment` or `grouping`, with `maxRows`.
    *
    * Example: `QueryBuilder("sales").flatMap(row => Seq(Map("i" -> 1L)), Seq("i" -> ColumnDescriptor(ColumnType.Integer)), 3)`
    */
  def flatMap(
      f: org.apache.spark.sql.Row => Seq[scala.collection.Map[String, Any]],
      newColumnTypes: Seq[(String, ColumnDescriptor)],
      maxRows: Int
  ): QueryBuilder = flatMap(f, newColumnTypes, augment = false, grouping = false, Some(maxRows))

  /** For py4j (Python's `flat_map`): `udf` reads column `__sparkdp_input` (the row as a struct) and gives an
    * array of structs of the new columns; a null `maxRows` means none was given.
    *
    * Example (Python, internal): `builder.flatMap(udf(col("__sparkdp_input"))._jc, names, descriptors, False, False, 3)`
    */
  def flatMap(
      udf: org.apache.spark.sql.Column,
      names: java.util.List[String],
      descriptors: java.util.List[ColumnDescriptor],
      augment: Boolean,
      grouping: Boolean,
      maxRows: java.lang.Integer
  ): QueryBuilder =
    new QueryBuilder(
      FlatMapExpr(
        queryExpr,
        UdfRowFunction(udf),
        MapArguments.newColumns(names, descriptors),
        augment,
        grouping,
        Option(maxRows).map(_.intValue)
      )
    )

  /** Replaces the rows of each ID by the rows `f` gives for all of them, each with that ID (Tumult's
    * `flat_map_by_id`; only for tables protected by `AddRowsWithID`). The output has the ID column and the new
    * columns (which must not include the ID column).
    *
    * Example: `QueryBuilder("sales").flatMapByID(rows => Seq(Map("n" -> rows.size.toLong)), Seq("n" -> ColumnDescriptor(ColumnType.Integer)))`
    */
  def flatMapByID(
      f: Seq[org.apache.spark.sql.Row] => Seq[scala.collection.Map[String, Any]],
      newColumnTypes: Seq[(String, ColumnDescriptor)]
  ): QueryBuilder = {
    requireArgument(f != null, "f must be a function, not null.")
    new QueryBuilder(FlatMapByIDExpr(queryExpr, ScalaRowFunction(f), newColumnTypes))
  }

  /** For py4j (Python's `flat_map_by_id`): `udf` reads column `__sparkdp_input` (the ID's rows as an array of
    * structs) and gives an array of structs of the new columns.
    *
    * Example (Python, internal): `builder.flatMapByID(udf(col("__sparkdp_input"))._jc, names, descriptors)`
    */
  def flatMapByID(
      udf: org.apache.spark.sql.Column,
      names: java.util.List[String],
      descriptors: java.util.List[ColumnDescriptor]
  ): QueryBuilder =
    new QueryBuilder(FlatMapByIDExpr(queryExpr, UdfRowFunction(udf), MapArguments.newColumns(names, descriptors)))

  // ---- Joins (issue 10): joinPublic, joinPrivate.

  /** Joins the rows so far with the session's public table `publicTable` on every common column (an inner join;
    * null keys match each other). The output has the join columns, then the other columns of this table, then
    * those of the public table; a common column that is not a join column gets the suffix `_left` / `_right`.
    *
    * Example: `QueryBuilder("checkouts").joinPublic("books")`
    */
  def joinPublic(publicTable: String): QueryBuilder = joinPublicTable(Left(publicTable), None, "inner")

  /** [[joinPublic]] with a public DataFrame instead of a table of the session.
    *
    * Example: `QueryBuilder("checkouts").joinPublic(booksDf)`
    */
  def joinPublic(publicTable: org.apache.spark.sql.DataFrame): QueryBuilder = joinPublicTable(Right(publicTable), None, "inner")

  /** [[joinPublic]] on `joinColumns` (non-empty, distinct, common to both tables with the same column types).
    *
    * Example: `QueryBuilder("checkouts").joinPublic("books", Seq("isbn"))`
    */
  def joinPublic(publicTable: String, joinColumns: Seq[String]): QueryBuilder =
    joinPublicTable(Left(publicTable), Some(joinColumns), "inner")

  /** Example: `QueryBuilder("checkouts").joinPublic(booksDf, Seq("isbn"))` */
  def joinPublic(publicTable: org.apache.spark.sql.DataFrame, joinColumns: Seq[String]): QueryBuilder =
    joinPublicTable(Right(publicTable), Some(joinColumns), "inner")

  /** [[joinPublic]] on `joinColumns` with join type `how`: "inner" or "left" (a left join keeps this table's rows
    * that match no public row, with nulls in the public columns).
    *
    * Example: `QueryBuilder("checkouts").joinPublic("books", Seq("isbn"), "left")`
    */
  def joinPublic(publicTable: String, joinColumns: Seq[String], how: String): QueryBuilder =
    joinPublicTable(Left(publicTable), Some(joinColumns), how)

  /** Example: `QueryBuilder("checkouts").joinPublic(booksDf, Seq("isbn"), "left")` */
  def joinPublic(publicTable: org.apache.spark.sql.DataFrame, joinColumns: Seq[String], how: String): QueryBuilder =
    joinPublicTable(Right(publicTable), Some(joinColumns), how)

  /** For Java and py4j (Tumult's `join_public(public_table, join_columns=None, how="inner")`): null or empty
    * `joinColumns` joins on every common column.
    *
    * Example (Java): `new QueryBuilder("checkouts").joinPublic("books", java.util.Arrays.asList("isbn"), "inner")`
    */
  def joinPublic(publicTable: String, joinColumns: java.util.List[String], how: String): QueryBuilder =
    joinPublicTable(Left(publicTable), QueryBuilder.joinColumnsOption(joinColumns), how)

  /** Example (Java): `new QueryBuilder("checkouts").joinPublic(booksDf, null, "left")` */
  def joinPublic(publicTable: org.apache.spark.sql.DataFrame, joinColumns: java.util.List[String], how: String): QueryBuilder =
    joinPublicTable(Right(publicTable), QueryBuilder.joinColumnsOption(joinColumns), how)

  private def joinPublicTable(
      publicTable: Either[String, org.apache.spark.sql.DataFrame],
      joinColumns: Option[Seq[String]],
      how: String
  ): QueryBuilder = new QueryBuilder(JoinPublic(queryExpr, publicTable, joinColumns, how))

  /** Joins the rows so far with the rows of another query on a private table, `rightOperand`, on every common
    * column: for two `AddRowsWithID` tables of one ID space, joined on (at least) the ID column. Column order and
    * suffixes as [[joinPublic]]'s.
    *
    * Example: `QueryBuilder("checkouts").joinPrivate(QueryBuilder("holds"))`
    */
  def joinPrivate(rightOperand: QueryBuilder): QueryBuilder = joinPrivateTable(rightOperand, None, None, None)

  /** [[joinPrivate]] on `joinColumns`.
    *
    * Example: `QueryBuilder("checkouts").joinPrivate(QueryBuilder("holds"), Seq("member_id", "isbn"))`
    */
  def joinPrivate(rightOperand: QueryBuilder, joinColumns: Seq[String]): QueryBuilder =
    joinPrivateTable(rightOperand, None, None, Some(joinColumns))

  /** [[joinPrivate]] of tables without IDs: each side is first truncated by its strategy (Tumult's
    * `left_truncation_strategy` / `right_truncation_strategy`), which bounds how much the join can change.
    *
    * Example: `QueryBuilder("orders").joinPrivate(QueryBuilder("returns"), TruncationStrategy.DropExcess(2), TruncationStrategy.DropNonUnique())`
    */
  def joinPrivate(
      rightOperand: QueryBuilder,
      leftTruncationStrategy: TruncationStrategy,
      rightTruncationStrategy: TruncationStrategy
  ): QueryBuilder =
    joinPrivateTable(rightOperand, Some(leftTruncationStrategy), Some(rightTruncationStrategy), None)

  /** [[joinPrivate]] with truncation strategies on `joinColumns`.
    *
    * Example: `QueryBuilder("orders").joinPrivate(QueryBuilder("returns"), TruncationStrategy.DropExcess(2), TruncationStrategy.DropExcess(1), Seq("order_id"))`
    */
  def joinPrivate(
      rightOperand: QueryBuilder,
      leftTruncationStrategy: TruncationStrategy,
      rightTruncationStrategy: TruncationStrategy,
      joinColumns: Seq[String]
  ): QueryBuilder =
    joinPrivateTable(rightOperand, Some(leftTruncationStrategy), Some(rightTruncationStrategy), Some(joinColumns))

  /** For Java and py4j (Tumult's `join_private(right_operand, left_truncation_strategy=None,
    * right_truncation_strategy=None, join_columns=None)`): a null strategy is None; null or empty `joinColumns`
    * joins on every common column.
    *
    * Example (Java): `new QueryBuilder("orders").joinPrivate(new QueryBuilder("returns"), new TruncationStrategy.DropExcess(2), new TruncationStrategy.DropNonUnique(), null)`
    */
  def joinPrivate(
      rightOperand: QueryBuilder,
      leftTruncationStrategy: TruncationStrategy,
      rightTruncationStrategy: TruncationStrategy,
      joinColumns: java.util.List[String]
  ): QueryBuilder =
    joinPrivateTable(
      rightOperand,
      Option(leftTruncationStrategy),
      Option(rightTruncationStrategy),
      QueryBuilder.joinColumnsOption(joinColumns)
    )

  private def joinPrivateTable(
      rightOperand: QueryBuilder,
      leftTruncationStrategy: Option[TruncationStrategy],
      rightTruncationStrategy: Option[TruncationStrategy],
      joinColumns: Option[Seq[String]]
  ): QueryBuilder = {
    requireArgument(rightOperand != null, "rightOperand must be a QueryBuilder, not null.")
    new QueryBuilder(JoinPrivate(queryExpr, rightOperand.queryExpr, leftTruncationStrategy, rightTruncationStrategy, joinColumns))
  }

  /** Groups the rows by the columns of `keyset`; the output has exactly one row per key of `keyset`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset)`
    */
  def groupBy(keyset: KeySet): GroupedQueryBuilder = {
    requireArgument(keyset != null, "keyset must be a KeySet, not null.")
    new GroupedQueryBuilder(queryExpr, keyset)
  }

  /** The same as [[groupBy]], under Tumult's Python name.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupby(keyset)`
    */
  def groupby(keyset: KeySet): GroupedQueryBuilder = groupBy(keyset)

  /** The number of rows, as one row with one column named `count` (Tumult's ungrouped `count()`).
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).count()`
    */
  def count(): GroupbyCountQuery = count(GroupedQueryBuilder.DefaultCountColumn)

  /** The number of rows, in a column named `name`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).count("checkouts")`
    */
  def count(name: String): GroupbyCountQuery = count(name, CountMechanism.Default)

  /** The number of rows, in a column named `name`, with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).count("count", CountMechanism.Laplace)`
    */
  def count(name: String, mechanism: CountMechanism): GroupbyCountQuery =
    new GroupbyCountQuery(UngroupedCount(queryExpr, name, mechanism))

  /** For Java and py4j (Tumult's `count(name=None, mechanism="default")`): a null `name` means `count`;
    * `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `new QueryBuilder("checkouts").count(null, "laplace")`
    */
  def count(name: String, mechanism: String): GroupbyCountQuery =
    count(Option(name).getOrElse(GroupedQueryBuilder.DefaultCountColumn), CountMechanism.fromName(mechanism))

  /** The combinations of values of `columns` that appear in the data, each released only when its noisy
    * count passes Rust's threshold (Tumult's `get_groups`); empty `columns` means every column except an
    * `AddRowsWithID` table's ID column. The output has exactly those columns.
    *
    * Example: `QueryBuilder("checkouts").getGroups(Seq("isbn"))`
    */
  def getGroups(columns: Seq[String]): Query = {
    requireArgument(columns != null, "columns must be a list of column names, not null.")
    Query(GetGroups(queryExpr, columns))
  }

  /** [[getGroups]] of every column (but an ID column).
    *
    * Example: `QueryBuilder("checkouts").getGroups()`
    */
  def getGroups(): Query = getGroups(Seq.empty[String])

  /** For Java and py4j (Tumult's `get_groups(columns=None)`): null or empty means every column.
    *
    * Example (Java): `new QueryBuilder("checkouts").getGroups(java.util.Arrays.asList("isbn"))`
    */
  def getGroups(columns: java.util.List[String]): Query = getGroups(AggregationMethods.toSeq(columns))

  /** Example: `QueryBuilder("checkouts").toString == "QueryBuilder(PrivateSource(checkouts))"` */
  override def toString: String = s"QueryBuilder($queryExpr)"
}

/** Starts query builders.
  *
  * Example: `QueryBuilder("checkouts")`
  */
object QueryBuilder {

  /** Starts a query on the private table `sourceId`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20))`
    */
  def apply(sourceId: String): QueryBuilder = new QueryBuilder(sourceId)

  /** py4j's join columns: null or empty means None (every common column). */
  private def joinColumnsOption(joinColumns: java.util.List[String]): Option[Seq[String]] =
    Option(joinColumns).filter(!_.isEmpty).map(columns => AggregationMethods.toSeq(columns))
}

/** A query grouped by a keyset, waiting for its aggregation (Tumult's `GroupedQueryBuilder`).
  *
  * Example:
  * {{{
  * val query = QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()
  * }}}
  */
final class GroupedQueryBuilder private[sparkdp] (queryExpr: QueryExpr, keyset: KeySet)
    extends AggregationMethods {

  protected override def keysetOption: Option[KeySet] = Some(keyset)
  protected override def aggregatedExpr: QueryExpr = queryExpr

  /** The number of rows per key, in a column named `count`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()`
    */
  def count(): GroupbyCountQuery = count(GroupedQueryBuilder.DefaultCountColumn)

  /** The number of rows per key, in a column named `name`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count("checkouts")`
    */
  def count(name: String): GroupbyCountQuery = count(name, CountMechanism.Default)

  /** The number of rows per key, in a column named `name`, with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count("count", CountMechanism.Laplace)`
    */
  def count(name: String, mechanism: CountMechanism): GroupbyCountQuery =
    new GroupbyCountQuery(GroupByCount(queryExpr, keyset, name, mechanism))

  /** For Java and py4j (Tumult's `count(name=None, mechanism="default")`): a null `name` means the default,
    * `count`; `mechanism` is a mechanism's name, case-insensitive (`"default"`, `"laplace"`, `"gaussian"`).
    *
    * Example (Java): `grouped.count(null, "laplace")`
    */
  def count(name: String, mechanism: String): GroupbyCountQuery =
    count(Option(name).getOrElse(GroupedQueryBuilder.DefaultCountColumn), CountMechanism.fromName(mechanism))

  /** Example: `groupedBuilder.toString == "GroupedQueryBuilder(PrivateSource(checkouts), KeySet(title: string))"` */
  override def toString: String = s"GroupedQueryBuilder($queryExpr, $keyset)"
}

private object GroupedQueryBuilder {
  val DefaultCountColumn = "count"
}

/** A complete query, ready for `Session.evaluate` (Tumult's `Query`).
  *
  * Example:
  * {{{
  * val query: Query = QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()
  * session.evaluate(query, PureDPBudget(1))
  * }}}
  *
  * @param queryExpr the query expression tree
  */
class Query(val queryExpr: QueryExpr) extends Serializable {
  requireArgument(queryExpr != null, "queryExpr must be a query expression, not null.")

  override def equals(other: Any): Boolean = other match {
    case that: Query => that.queryExpr == queryExpr
    case _           => false
  }

  override def hashCode: Int = queryExpr.hashCode

  /** Example: `Query(PrivateSource("a")).toString == "Query(PrivateSource(a))"` */
  override def toString: String = s"Query($queryExpr)"
}

/** Makes queries from expression trees.
  *
  * Example: `Query(UngroupedCount(PrivateSource("checkouts"), "count"))`
  */
object Query {

  /** Example: `Query(UngroupedCount(PrivateSource("checkouts"), "count"))` */
  def apply(queryExpr: QueryExpr): Query = new Query(queryExpr)
}

/** A count, grouped or ungrouped, which may be post-processed with [[suppress]] (Tumult's `GroupbyCountQuery`,
  * which both `QueryBuilder.count()` and `GroupedQueryBuilder.count()` return).
  *
  * Example: `QueryBuilder("checkouts").groupBy(keyset).count().suppress(10)`
  */
final class GroupbyCountQuery private[sparkdp] (val groupByCount: CountAggregation) extends Query(groupByCount) {

  /** The same count without the keys whose noisy count is below `threshold` (post-processing: the budget
    * spent is the count's).
    *
    * Example: `QueryBuilder("checkouts").groupBy(keyset).count().suppress(10.0)`
    */
  def suppress(threshold: Double): Query = Query(SuppressAggregates(groupByCount, threshold))
}

/** Conversions of the py4j forms of the row-wise builder methods' arguments. */
private object RowwiseArguments {

  def toMap[V](map: java.util.Map[String, V]): Map[String, V] = {
    import scala.collection.JavaConverters._
    map.asScala.toMap
  }

  /** Each value a list of two numbers (low, high), as Python's tuples arrive. */
  def toPairs(map: java.util.Map[String, java.util.List[Object]]): Map[String, (Double, Double)] =
    toMap(map).map { case (column, pair) =>
      requireArgument(
        pair != null && pair.size == 2 && pair.get(0).isInstanceOf[Number] && pair.get(1).isInstanceOf[Number],
        s"The replacement of infinities in column '$column' must be a pair of numbers (low, high), not $pair."
      )
      column -> ((pair.get(0).asInstanceOf[Number].doubleValue, pair.get(1).asInstanceOf[Number].doubleValue))
    }
}
