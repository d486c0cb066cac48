package sparkdp.plan.transform

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions.{count, lit, max, row_number, struct}
import org.apache.spark.sql.types.StructType

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.{AddMaxRows, AddMaxRowsInMaxGroups, AddOneRow, AddRowsWithID, ColumnType, Constraint, MaxGroupsPerID, MaxRowsPerGroupPerID, MaxRowsPerID, ProtectedChange, Session, TruncationStrategy}
import sparkdp.bridge.{Native, WireText}
import sparkdp.SessionWarnings
import sparkdp.plan.{CompileInputs, HashableColumns, SparkIdentity, TruncationHashes}

/** The compile work of `join_public` and `join_private` (Tumult's `visit_join_public` / `visit_join_private`
  * with its output-schema rules). Every check runs before any private row is read; the joined table's protected
  * change comes from Rust (`Native.joinStability`), never from Scala arithmetic.
  */
private[sparkdp] object JoinTransformations {

  /** `input` joined with a public table (a table of the session by name, or a DataFrame).
    *
    * Throws `IllegalArgumentException`: an unknown public table (Tumult's "There is no public source with the
    * identifier …"), join columns missing from either table, of different column types, no common column, an
    * output column name taken twice, or a stability Rust refuses. Counting the public table's largest join-key
    * multiplicity runs one Spark job over the public table only.
    *
    * Example: `JoinTransformations.joinPublic(prepared, Left("books"), Some(Seq("isbn")), "inner", inputs)`
    */
  def joinPublic(
      input: PreparedTable,
      publicTable: Either[String, DataFrame],
      joinColumns: Option[Seq[String]],
      how: String,
      inputs: CompileInputs
  ): PreparedTable = {
    val publicDataframe = publicTable.fold(
      name =>
        inputs.publicTables.getOrElse(
          name,
          throw new IllegalArgumentException(
            s"There is no public source with the identifier $name; public tables: " +
              inputs.publicTables.keys.toSeq.sorted.mkString("[", ", ", "]")
          )
        ),
      dataframe => dataframe
    )
    val publicColumns = publicDataframe.schema.fields.toSeq.map(ColumnDescriptor.of)
    val layout = JoinLayout(input.columns, publicColumns, joinColumns, keepUnmatchedLeft = how == "left")
    // Tumult's propagate_join_public: the largest number of public rows sharing one join key (nulls grouped as
    // one key, as the null-safe join matches them). Public data; Rust turns it into a stability.
    val keyCounts = publicDataframe.groupBy(layout.joinColumns.map(HashableColumns.column): _*).agg(count(lit(1)).as("rows"))
    val largestMultiplicity = Option(keyCounts.agg(max("rows")).head().get(0)).fold(0L)(_.asInstanceOf[Long])
    val changeText = Native.get.joinStability(WireText.publicJoinRequest(input.protectedChange, largestMultiplicity))
    val change = renamedChange(
      WireText.joinedChange(changeText, input.protectedChange, groupingColumnOf(input.protectedChange)),
      layout.leftName
    )
    PreparedTable(
      input.sourceId,
      layout.join(input.dataframe, publicDataframe, if (how == "left") "left_outer" else "inner"),
      change,
      // Tumult's propagate_join_public: row bounds × the largest multiplicity (Rust decides).
      ConstraintPlacement.afterPublicJoin(largestMultiplicity, input.constraints.map(renamedConstraint(_, layout.leftName))),
      layout.outputColumns,
      input.idDistance
    )
  }

  /** `left` joined with `right`, both private tables of the session.
    *
    * Throws `IllegalArgumentException` with Tumult's texts: ID tables whose ID columns differ in name or whose ID
    * spaces differ, an ID join not on the ID column, IDs on one side only, a join without IDs lacking a truncation
    * strategy (Rust), and the join-column errors of [[joinPublic]].
    *
    * Example: `JoinTransformations.joinPrivate(orders, returns, Some(DropExcess(2)), Some(DropNonUnique()), None, inputs)`
    */
  def joinPrivate(
      left: PreparedTable,
      right: PreparedTable,
      leftTruncationStrategy: Option[TruncationStrategy],
      rightTruncationStrategy: Option[TruncationStrategy],
      joinColumns: Option[Seq[String]],
      inputs: CompileInputs
  ): PreparedTable = {
    (left.protectedChange, right.protectedChange) match {
      case (AddRowsWithID(leftId, leftSpace), AddRowsWithID(rightId, rightSpace)) =>
        requireArgument(
          leftId == rightId,
          "Private joins between tables with the AddRowsWithID protected change are only possible when the ID " +
            s"columns of the two tables have the same name (left: '$leftId', right: '$rightId')"
        )
        val (leftIdSpace, rightIdSpace) = (leftSpace.getOrElse(Session.DefaultIdSpace), rightSpace.getOrElse(Session.DefaultIdSpace))
        requireArgument(
          leftIdSpace == rightIdSpace,
          "Private joins between tables with the AddRowsWithID protected change are only possible when both " +
            s"tables are in the same ID space (left: '$leftIdSpace', right: '$rightIdSpace')"
        )
      case _ =>
    }
    // Both tables of one session share its ID distance (a partition's child holds one table and its views); a
    // join of two distances would be compiled for neither, so it is refused rather than guessed.
    requireArgument(
      left.idDistance == right.idDistance,
      s"Cannot join '${left.sourceId}' and '${right.sourceId}': their neighbouring tables are ${left.idDistance} and " +
        s"${right.idDistance} IDs apart (partition_and_create), and a join must protect one distance."
    )
    // Rust refuses IDs on one side only and missing truncation strategies (Tumult's texts).
    val changeText = Native.get.joinStability(
      WireText.privateJoinRequest(left.protectedChange, leftTruncationStrategy, right.protectedChange, rightTruncationStrategy)
    )
    val layout = JoinLayout(left.columns, right.columns, joinColumns, keepUnmatchedLeft = false)
    left.idColumn.foreach { idColumn =>
      requireArgument(
        layout.joinColumns.contains(idColumn),
        "Private joins between tables with the AddRowsWithID protected change must join on the ID column " +
          s"'$idColumn', but the join columns are ${layout.joinColumns.mkString("[", ", ", "]")}"
      )
    }
    val change = WireText.joinedChange(changeText, left.protectedChange, None)
    val hasIds = change.isInstanceOf[AddRowsWithID]
    if (hasIds && (leftTruncationStrategy.isDefined || rightTruncationStrategy.isDefined)) {
      SessionWarnings.warn(
        SessionWarnings.UserWarning,
        "When joining with IDs, truncation strategies are not required. Provided truncation parameters will be ignored."
      )
    }
    // Tumult ignores truncation strategies on ID tables (with a warning): the ID bounds the join already.
    def truncated(table: PreparedTable, strategy: Option[TruncationStrategy]) =
      if (hasIds) table.dataframe else strategy.fold(table.dataframe)(truncate(table.dataframe, layout.joinColumns, _, inputs.truncationKey))
    PreparedTable(
      left.sourceId,
      layout.join(truncated(left, leftTruncationStrategy), truncated(right, rightTruncationStrategy), "inner"),
      change,
      // Tumult's propagate_join_private: each side's row bounds × the other side's rows per ID and key (Rust).
      ConstraintPlacement.afterPrivateJoin(
        layout.joinColumns,
        left.constraints.map(renamedConstraint(_, layout.leftName)),
        right.constraints.map(renamedConstraint(_, layout.rightName))
      ),
      layout.outputColumns,
      left.idDistance
    )
  }

  /** The rows of `table` a truncation strategy keeps. Which rows `DropExcess(k)` keeps per join key is decided by
    * the truncation-keyed row hash (ties between different rows broken by a second keyed hash of the row's
    * identity), so it depends only on that key's rows (the stability Rust assumes) and is the same on every
    * re-evaluation and task retry, whatever the row order. Null join keys form one key, as the join matches them.
    */
  private def truncate(table: DataFrame, joinColumns: Seq[String], strategy: TruncationStrategy, truncationKey: Array[Byte]): DataFrame = {
    val byJoinKey = Window.partitionBy(joinColumns.map(HashableColumns.column): _*)
    val taken = table.columns.toSeq
    strategy match {
      case TruncationStrategy.DropExcess(maxRows) =>
        val rowHash = HashableColumns.freshName("__sparkdp_row_hash", taken)
        val tieBreak = HashableColumns.freshName("__sparkdp_row_tiebreak", taken :+ rowHash)
        val rank = HashableColumns.freshName("__sparkdp_rank", taken ++ Seq(rowHash, tieBreak))
        val rowIdentity = SparkIdentity.identity(struct(taken.map(HashableColumns.column): _*), StructType(table.schema.fields))
        table
          .withColumn(rowHash, TruncationHashes.rowHash(table, truncationKey))
          .withColumn(tieBreak, TruncationHashes.distinctHash(rowIdentity, truncationKey, 0))
          .withColumn(rank, row_number().over(byJoinKey.orderBy(HashableColumns.column(rowHash), HashableColumns.column(tieBreak))))
          .where(HashableColumns.column(rank) <= maxRows)
          .drop(rowHash, tieBreak, rank)
      case TruncationStrategy.DropNonUnique() =>
        val rows = HashableColumns.freshName("__sparkdp_key_rows", taken)
        table.withColumn(rows, count(lit(1)).over(byJoinKey)).where(HashableColumns.column(rows) === 1).drop(rows)
    }
  }

  private def groupingColumnOf(change: ProtectedChange): Option[String] = change match {
    case AddMaxRowsInMaxGroups(column, _, _)         => Some(column)
    case AddOneRow() | AddMaxRows(_) | AddRowsWithID(_, _) => None
  }

  /** The change with its column (grouping or ID column) renamed as the join renames it. */
  private def renamedChange(change: ProtectedChange, outputName: String => String): ProtectedChange = change match {
    case AddMaxRowsInMaxGroups(column, groups, rows) => AddMaxRowsInMaxGroups(outputName(column), groups, rows)
    case AddRowsWithID(idColumn, idSpace)            => AddRowsWithID(outputName(idColumn), idSpace)
    case AddOneRow() | AddMaxRows(_)                  => change
  }

  private def renamedConstraint(constraint: Constraint, outputName: String => String): Constraint = constraint match {
    case MaxRowsPerID(_)                   => constraint
    case MaxGroupsPerID(column, max)       => MaxGroupsPerID(outputName(column), max)
    case MaxRowsPerGroupPerID(column, max) => MaxRowsPerGroupPerID(outputName(column), max)
  }
}

/** The columns of a join (Tumult's `_output_schema_for_join`): the join columns first (named and typed as the
  * left table's), then the left table's other columns, then the right table's; a column in both tables that is
  * not a join column gets `_left` / `_right`. Validates the join columns.
  */
private final case class JoinLayout(
    left: Seq[ColumnDescriptor],
    right: Seq[ColumnDescriptor],
    requestedJoinColumns: Option[Seq[String]],
    keepUnmatchedLeft: Boolean
) {
  private val leftNames = left.map(_.name)
  private val rightNames = right.map(_.name)
  private val commonNames = leftNames.filter(rightNames.contains)

  val joinColumns: Seq[String] = requestedJoinColumns.getOrElse {
    requireArgument(commonNames.nonEmpty, "Tables have no common columns to join on")
    commonNames
  }
  joinColumns.foreach { column =>
    requireArgument(
      commonNames.contains(column),
      s"Join columns must be common to both tables: column '$column' is not in the " +
        (if (!leftNames.contains(column)) s"left table (columns ${leftNames.mkString("[", ", ", "]")})"
         else s"right table (columns ${rightNames.mkString("[", ", ", "]")})")
    )
    val (leftColumn, rightColumn) = (left(leftNames.indexOf(column)), right(rightNames.indexOf(column)))
    requireArgument(
      ColumnType.of(leftColumn.dataType) == ColumnType.of(rightColumn.dataType),
      s"Join columns must have identical types on both tables, but column '$column' does not: " +
        s"${JoinLayout.describe(leftColumn)} and ${JoinLayout.describe(rightColumn)} are incompatible"
    )
  }
  private val overlapping = commonNames.filterNot(joinColumns.contains)

  /** The output name of a left (right) table column. */
  val leftName: String => String = name => if (overlapping.contains(name)) s"${name}_left" else name
  val rightName: String => String = name => if (overlapping.contains(name)) s"${name}_right" else name

  /** The output columns with Tumult's descriptors (Core's `domain_after_join`): a join column may be null only
    * where both sides' may (inner) or the left's may (left join); the right columns of a left join may be null.
    */
  val outputColumns: Seq[ColumnDescriptor] = {
    val keys = joinColumns.map { column =>
      val (leftColumn, rightColumn) = (left(leftNames.indexOf(column)), right(rightNames.indexOf(column)))
      leftColumn.copy(isNullable = leftColumn.isNullable && (keepUnmatchedLeft || rightColumn.isNullable))
    }
    val leftRest = left.filterNot(column => joinColumns.contains(column.name)).map(column => column.copy(name = leftName(column.name)))
    val rightRest = right
      .filterNot(column => joinColumns.contains(column.name))
      .map(column => column.copy(name = rightName(column.name), isNullable = column.isNullable || keepUnmatchedLeft))
    val all = keys ++ leftRest ++ rightRest
    all.groupBy(_.name).collectFirst { case (name, columns) if columns.size > 1 => name }.foreach { name =>
      throw new IllegalArgumentException(
        s"The join would output two columns named '$name'; rename one of the input columns first."
      )
    }
    all
  }

  /** `leftTable` joined with `rightTable` by Spark (`how` = "inner" or "left_outer"), null keys matching each
    * other, with the output columns in order. Both sides' columns are first renamed positionally so that no name
    * is ambiguous.
    */
  def join(leftTable: DataFrame, rightTable: DataFrame, how: String): DataFrame = {
    val leftAliased = leftTable.select(leftNames.zipWithIndex.map { case (name, i) => HashableColumns.column(name).as(s"l$i") }: _*)
    val rightAliased = rightTable.select(rightNames.zipWithIndex.map { case (name, i) => HashableColumns.column(name).as(s"r$i") }: _*)
    def leftColumn(name: String): Column = leftAliased(s"l${leftNames.indexOf(name)}")
    def rightColumn(name: String): Column = rightAliased(s"r${rightNames.indexOf(name)}")
    val condition = joinColumns.map(name => leftColumn(name) <=> rightColumn(name)).reduce(_ && _)
    val joined = leftAliased.join(rightAliased, condition, how)
    joined.select(
      joinColumns.map(name => leftColumn(name).as(name)) ++
        leftNames.filterNot(joinColumns.contains).map(name => leftColumn(name).as(leftName(name))) ++
        rightNames.filterNot(joinColumns.contains).map(name => rightColumn(name).as(rightName(name))): _*
    )
  }
}

private object JoinLayout {

  /** Tumult's text of a column descriptor, e.g. `ColumnDescriptor(column_type=INTEGER, allow_null=True, …)`. */
  def describe(column: ColumnDescriptor): String =
    sparkdp.ColumnDescriptor(ColumnType.of(column.dataType), column.isNullable, column.allowNan, column.allowInf).toString
}
