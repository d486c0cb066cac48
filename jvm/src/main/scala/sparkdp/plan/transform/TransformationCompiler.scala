package sparkdp.plan.transform

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.types.DataType

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.{AddMaxRows, AddMaxRowsInMaxGroups, AddOneRow, AddRowsWithID, AggregationExpr, Constraint, EnforceConstraint, FlatMapByIDExpr, FlatMapExpr, JoinPrivate, JoinPublic, MapExpr, PrivateSource, ProtectedChange, QueryExpr}
import sparkdp.{BinColumn, DropInfinity, DropNullAndNan, Filter, Rename, ReplaceInfinity, ReplaceNullAndNan, Select}
import sparkdp.plan.{CompileInputs, HashableColumns, PrivateTable}

/** What is known about one column of a prepared table (Tumult's `ColumnDescriptor` with the column's name):
  * its Spark type and whether it may hold null, NaN or ±infinity. Every transformation carries these through
  * (a `drop_null_and_nan` clears `isNullable`/`allowNan`, a `map` takes them from `new_column_types`), and the
  * aggregations read them as Tumult does.
  *
  * Example: `ColumnDescriptor("price", DoubleType, isNullable = true, allowNan = true, allowInf = true)`
  */
private[sparkdp] final case class ColumnDescriptor(
    name: String,
    dataType: DataType,
    isNullable: Boolean,
    allowNan: Boolean = false,
    allowInf: Boolean = false
)

private[sparkdp] object ColumnDescriptor {

  /** The descriptor of a source table's field, as Tumult derives it: null where the field is nullable, NaN and
    * infinity for float and double columns.
    *
    * Example: `ColumnDescriptor.of(StructField("price", DoubleType))`
    */
  def of(field: org.apache.spark.sql.types.StructField): ColumnDescriptor = {
    val isFloat = field.dataType == org.apache.spark.sql.types.DoubleType || field.dataType == org.apache.spark.sql.types.FloatType
    ColumnDescriptor(field.name, field.dataType, field.nullable, allowNan = isFloat, allowInf = isFloat)
  }
}

/** A table ready for a measurement (Tumult's transformation output): the rows, the change its guarantee
  * protects, the constraints in force (Tumult's propagated ones, simplified by Rust: the rows already satisfy
  * them, since each `enforce` truncates where it stands; Rust decides which bound the aggregation and how), and
  * each column's descriptor.
  *
  * `idDistance` is the ID distance the table's measurements are compiled for, as Rust's text (`"1"` except in a
  * child of `partitionAndCreate` on an ID table, COMPILER_INTERFACES §6.4): every transformation passes its
  * input's on, and every measurement request carries it. It has no default on purpose: a table built without
  * its input's distance would be compiled for distance 1, which is too little noise in a partition child.
  *
  * Example: `PreparedTable("checkouts", df, AddRowsWithID("member_id"), Seq(MaxRowsPerID(20)), descriptors, "1")`
  */
private[sparkdp] final case class PreparedTable(
    sourceId: String,
    dataframe: DataFrame,
    protectedChange: ProtectedChange,
    constraints: Seq[Constraint],
    columns: Seq[ColumnDescriptor],
    idDistance: String
) {

  /** The ID column, for a table protected by `AddRowsWithID`.
    *
    * Example: `prepared.idColumn == Some("member_id")`
    */
  def idColumn: Option[String] = protectedChange match {
    case AddRowsWithID(idColumn, _)                         => Some(idColumn)
    case AddOneRow() | AddMaxRows(_) | AddMaxRowsInMaxGroups(_, _, _) => None
  }

  /** The descriptor of column `name` (exact name, as Spark's schema holds it), if the table has it.
    *
    * Example: `prepared.column("title").map(_.dataType) == Some(StringType)`
    */
  def column(name: String): Option[ColumnDescriptor] = columns.find(_.name == name)

  /** Tumult's wording for a column the table lacks: `Column 'x' does not exist in this table, available
    * columns are ['a', 'b']`.
    *
    * Example: `prepared.missingColumnMessage("year")`
    */
  def missingColumnMessage(name: String): String =
    s"Column '$name' does not exist in this table, available columns are " +
      columns.map(descriptor => s"'${descriptor.name}'").mkString("[", ", ", "]")
}

/** Compiles the transformation part of a query (everything below its aggregation) into a [[PreparedTable]]
  * (Tumult's transformation visitor). Stability of transformations is Rust's to decide; the nodes so far
  * (a private source, constraints) only carry the protected change and the constraints through.
  */
private[sparkdp] object TransformationCompiler {

  /** The prepared table of `queryExpr`, which must not be an aggregation.
    *
    * Throws `IllegalArgumentException` naming the table, constraint or column at fault: an unknown table; a
    * constraint on a table not protected by `AddRowsWithID`; a constraint whose grouping column the table
    * lacks or is its ID column; an aggregation used as a table.
    *
    * Example: `TransformationCompiler.prepare(EnforceConstraint(PrivateSource("checkouts"), MaxRowsPerID(20)), tables, inputs)`
    */
  def prepare(queryExpr: QueryExpr, tables: Map[String, PrivateTable], inputs: CompileInputs): PreparedTable =
    prepareDeferring(queryExpr, tables, inputs).truncated(inputs.truncationKey)

  /** [[prepare]] for an aggregation: the truncations of the `enforce` steps that directly precede the aggregation
    * are left to the aggregation's kernel, which truncates to every constraint in force (these included) in the
    * same pass that computes the partials. Truncating them here too would cost a window (a sort of every row by
    * ID) whose result the kernel would then keep as it is: the seed query's `enforce(MaxRowsPerID(20))` would be
    * truncated twice.
    *
    * Example: `TransformationCompiler.prepareForAggregation(seedQuery.child, tables, inputs)`
    */
  def prepareForAggregation(queryExpr: QueryExpr, tables: Map[String, PrivateTable], inputs: CompileInputs): PreparedTable =
    prepareDeferring(queryExpr, tables, inputs).table

  /** A prepared table whose rows still need the truncations of `pending` (in enforcement order) to satisfy its
    * constraints in force: the trailing `enforce` steps of a query, not yet run.
    */
  private final case class Deferred(table: PreparedTable, pending: Seq[Constraint]) {
    def truncated(truncationKey: Array[Byte]): PreparedTable =
      pending.foldLeft(table)((rows, constraint) => ConstraintPlacement.truncate(rows, constraint, truncationKey))
  }

  /** Every transformation but `enforce` starts from truncated rows (`prepare`); consecutive `enforce` steps
    * accumulate in `pending`.
    */
  private def prepareDeferring(queryExpr: QueryExpr, tables: Map[String, PrivateTable], inputs: CompileInputs): Deferred =
    queryExpr match {
      case EnforceConstraint(child, constraint) =>
        val input = prepareDeferring(child, tables, inputs)
        requireApplicable(input.table, constraint)
        // Truncated where it stands, as Tumult does (or by the aggregation's kernel when nothing comes between);
        // later transformations carry the constraints in force (Rust's rules).
        Deferred(input.table.copy(constraints = ConstraintPlacement.afterEnforce(input.table, constraint)), input.pending :+ constraint)
      case other => Deferred(prepareTransformation(other, tables, inputs), Nil)
    }

  private def prepareTransformation(queryExpr: QueryExpr, tables: Map[String, PrivateTable], inputs: CompileInputs): PreparedTable = queryExpr match {
    case PrivateSource(sourceId) =>
      val table = tables.getOrElse(
        sourceId,
        throw new IllegalArgumentException(
          s"Table '$sourceId' does not exist. Available tables are: ${tables.keys.toSeq.sorted.mkString(", ")}"
        )
      )
      table.view match {
        // A view starts from what its query made: its constraints and descriptors stay in force.
        case Some(view) => view.copy(sourceId = sourceId)
        case None =>
          val columns = table.dataframe.schema.fields.toSeq.map(ColumnDescriptor.of)
          PreparedTable(sourceId, table.dataframe, table.protectedChange, Seq.empty, columns, table.idDistance)
      }
    case EnforceConstraint(_, _) =>
      throw new sparkdp.AnalyticsInternalException(s"prepareDeferring handles $queryExpr")
    // ---- Row-wise transformations (issue 10): one line each, the work in RowwiseTransformations.scala.
    case Filter(child, condition)               => RowwiseTransformations.filter(prepare(child, tables, inputs), condition)
    case Select(child, columns)                 => RowwiseTransformations.select(prepare(child, tables, inputs), columns)
    case Rename(child, columnMapper)            => RowwiseTransformations.rename(prepare(child, tables, inputs), columnMapper)
    case ReplaceNullAndNan(child, replaceWith)  => RowwiseTransformations.replaceNullAndNan(prepare(child, tables, inputs), replaceWith)
    case DropNullAndNan(child, columns)         => RowwiseTransformations.dropNullAndNan(prepare(child, tables, inputs), columns)
    case ReplaceInfinity(child, replaceWith)    => RowwiseTransformations.replaceInfinity(prepare(child, tables, inputs), replaceWith)
    case DropInfinity(child, columns)           => RowwiseTransformations.dropInfinity(prepare(child, tables, inputs), columns)
    case BinColumn(child, column, spec, name)   => RowwiseTransformations.binColumn(prepare(child, tables, inputs), column, spec, name)

    // ---- Map family (issue 10): one line each, the work in MapTransformations.scala.
    case expr: MapExpr          => MapTransformations.map(prepare(expr.child, tables, inputs), expr)
    case expr: FlatMapExpr      => MapTransformations.flatMap(prepare(expr.child, tables, inputs), expr)
    case expr: FlatMapByIDExpr  => MapTransformations.flatMapByID(prepare(expr.child, tables, inputs), expr)

    // ---- Joins (issue 10): one line each, the work in JoinTransformations.scala.
    case JoinPublic(child, publicTable, joinColumns, how) =>
      JoinTransformations.joinPublic(prepare(child, tables, inputs), publicTable, joinColumns, how, inputs)
    case JoinPrivate(child, rightOperand, leftStrategy, rightStrategy, joinColumns) =>
      JoinTransformations.joinPrivate(prepare(child, tables, inputs), prepare(rightOperand, tables, inputs), leftStrategy, rightStrategy, joinColumns, inputs)

    case _: AggregationExpr =>
      throw new IllegalArgumentException(
        s"An aggregation's result cannot be queried further in one query: $queryExpr is used as a table."
      )
  }

  /** Tumult's rules for enforcing a constraint (`_transformation_visitor.py`, `visit_enforce_constraint`). */
  private def requireApplicable(input: PreparedTable, constraint: Constraint): Unit = {
    val idColumn = input.idColumn.getOrElse(
      throw new IllegalArgumentException(
        s"Constraint $constraint can only be applied to tables with the AddRowsWithID protected change; " +
          s"table '${input.sourceId}' is protected by ${input.protectedChange}."
      )
    )
    // Truncating here reads the ID and hashes every column of the row: the checks the aggregation makes too.
    requireArgument(input.column(idColumn).isDefined, input.missingColumnMessage(idColumn))
    input.dataframe.schema.fields.foreach(field => HashableColumns.requireHashable(field, s"table '${input.sourceId}'"))
    constraint.groupingColumnOption.foreach { column =>
      requireArgument(
        column != idColumn,
        s"The grouping column of constraint $constraint cannot be the ID column ('$idColumn') of the table it " +
          "is applied to."
      )
      requireArgument(
        input.column(column).isDefined,
        s"The grouping column of constraint $constraint does not exist in this table; available columns are: " +
          input.columns.map(descriptor => s"'${descriptor.name}'").mkString(", ")
      )
      HashableColumns.requireHashable(input.dataframe.schema(column), s"table '${input.sourceId}'")
    }
  }
}
