package sparkdp.plan.transform

import scala.util.control.NonFatal

import org.apache.spark.sql.Column
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser
import org.apache.spark.sql.functions.{expr, isnan, lit, not, when}
import org.apache.spark.sql.types._

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.{AddMaxRows, AddMaxRowsInMaxGroups, AddOneRow, AddRowsWithID, BinningSpec, ColumnType, Constraint, MaxGroupsPerID, MaxRowsPerGroupPerID, MaxRowsPerID, RowwiseValues, UnsupportedQueryException}
import sparkdp.SessionWarnings
import sparkdp.plan.HashableColumns

/** The row-wise transformations (Tumult's `Filter`, `Select`, `Rename`, `ReplaceNullAndNan`,
  * `DropNullAndNan`, `ReplaceInfinity`, `DropInfinity`, and `bin_column`'s augmenting map): each maps a row to
  * at most one row, so the output keeps the input's protected change (only renamed with its column) and asks
  * Rust nothing. Each checks the input's columns with Tumult's messages before it builds any Spark step, sets
  * the output's column descriptors as Tumult's `schema()` does, and carries the constraints as Tumult's
  * `_constraint_propagation` does (they are enforced on this output, so only their column names matter).
  */
private[transform] object RowwiseTransformations {

  /** The rows for which the Spark SQL `condition` holds. Throws `IllegalArgumentException`
    * (`Invalid filter condition '...': <Spark's reason>`) when Spark cannot parse or resolve it against the
    * table's columns, or when it holds a subquery (a row's fate may depend only on that row). Spark analyses
    * the condition here; no data is read.
    *
    * Example: `RowwiseTransformations.filter(prepared, "year >= 2020")`
    */
  def filter(input: PreparedTable, condition: String): PreparedTable = {
    def invalid(reason: String) = new IllegalArgumentException(s"Invalid filter condition '$condition': $reason")
    val predicate =
      try expr(condition)
      catch { case NonFatal(e) => throw invalid(e.getMessage) }
    // Parsed again by Catalyst's parser (public on every Spark line; Spark 4's Column has no `expr`): a subquery
    // shows in the unresolved tree as a SubqueryExpression (InSubquery holds a ListQuery).
    val parsed =
      try CatalystSqlParser.parseExpression(condition)
      catch { case NonFatal(e) => throw invalid(e.getMessage) }
    if (parsed.find(_.isInstanceOf[SubqueryExpression]).isDefined)
      throw invalid("subqueries are not allowed: whether a row is kept may depend only on that row")
    val filtered =
      try input.dataframe.filter(predicate)
      catch { case NonFatal(e) => throw invalid(e.getMessage) }
    input.copy(dataframe = filtered)
  }

  /** The columns `columns`, in that order. Throws `IllegalArgumentException` (Tumult's texts) when the
    * grouping column of `AddMaxRowsInMaxGroups` or the ID column would be dropped, or a column does not exist.
    * Constraints on a dropped column are dropped, as Tumult's.
    *
    * Example: `RowwiseTransformations.select(prepared, Seq("member_id", "title"))`
    */
  def select(input: PreparedTable, columns: Seq[String]): PreparedTable = {
    groupingColumn(input).foreach { grouping =>
      requireArgument(columns.contains(grouping), s"Grouping column '$grouping' may not be dropped by select query")
    }
    input.idColumn.foreach { id =>
      requireArgument(columns.contains(id), s"ID column '$id' may not be dropped by select query")
    }
    val nonexistent = columns.filter(input.column(_).isEmpty)
    requireArgument(nonexistent.isEmpty, s"Nonexistent columns in select query: ${pythonSet(nonexistent)}")
    input.copy(
      dataframe = input.dataframe.select(columns.map(HashableColumns.column): _*),
      columns = columns.map(name => input.column(name).get),
      constraints = input.constraints.filter(_.groupingColumnOption.forall(columns.contains))
    )
  }

  /** The columns renamed by `columnMapper` (old -> new; others keep their names). The ID column and the
    * grouping column of the protected change follow the rename, and so do the constraints' grouping
    * columns. Throws `IllegalArgumentException` (Tumult's texts) for a column that does not exist, or a new
    * name that another column already has (compared ignoring case too, as Spark resolves names so).
    *
    * Example: `RowwiseTransformations.rename(prepared, Map("member_id" -> "patron"))`
    */
  def rename(input: PreparedTable, columnMapper: Map[String, String]): PreparedTable = {
    val nonexistent = columnMapper.keys.toSeq.filter(input.column(_).isEmpty)
    requireArgument(nonexistent.isEmpty, s"Nonexistent columns in rename query: ${pythonSet(nonexistent)}")
    val renamed = input.columns.map(descriptor => descriptor.name -> newName(columnMapper, descriptor.name))
    renamed.groupBy(_._2.toLowerCase(java.util.Locale.ROOT)).values.filter(_.size > 1).foreach { clash =>
      val (old, name) = clash.find { case (old, name) => old != name }.getOrElse(clash.head)
      throw new IllegalArgumentException(s"Cannot rename '$old' to '$name': column '$name' already exists")
    }
    val rename = newName(columnMapper, _: String)
    val protectedChange = input.protectedChange match {
      case AddRowsWithID(id, idSpace)                  => AddRowsWithID(rename(id), idSpace)
      case AddMaxRowsInMaxGroups(grouping, groups, rows) => AddMaxRowsInMaxGroups(rename(grouping), groups, rows)
      case other @ (AddOneRow() | AddMaxRows(_))        => other
    }
    input.copy(
      dataframe = input.dataframe.select(renamed.map { case (old, name) => HashableColumns.column(old).as(name) }: _*),
      protectedChange = protectedChange,
      columns = input.columns.map(descriptor => descriptor.copy(name = rename(descriptor.name))),
      constraints = input.constraints.map(renameConstraint(_, rename))
    )
  }

  /** Nulls and NaNs replaced by `replaceWith`'s value per column; an empty map replaces them in every column
    * that may hold them (but the ID and grouping columns) with Tumult's `AnalyticsDefault` (0, 0.0, "",
    * 1970-01-01, the epoch), warning (Tumult's RuntimeWarning) that an ID column keeps its nulls. Throws
    * `IllegalArgumentException` (Tumult's texts) for the ID or grouping column, a missing column, or a value
    * of the wrong type, and `UnsupportedQueryException` (Tumult's RuntimeError) when an empty map meets a
    * column that may hold nulls of a type Tumult has no default for (boolean, …). `MaxRowsPerGroupPerID` constraints on a named column are dropped, as Tumult's.
    *
    * Example: `RowwiseTransformations.replaceNullAndNan(prepared, Map("genre" -> "unknown"))`
    */
  def replaceNullAndNan(input: PreparedTable, replaceWith: Map[String, Any]): PreparedTable = {
    requireNotProtected(input, replaceWith.keys.toSeq, "Cannot replace null values in column", grouping = ".", id = ".")
    if (replaceWith.isEmpty) warnIdColumnKeepsNulls(input)
    replaceWith.foreach { case (name, value) => requireReplacement(input, name, value) }
    val replacements: Map[String, Any] =
      if (replaceWith.nonEmpty) replaceWith
      else
        input.columns
          .filter(d => (d.isNullable || d.allowNan) && !isProtected(input, d.name))
          .map(d => d.name -> defaultValue(d.name, d.dataType))
          .toMap
    val replaced = replaceColumns(input, replacements.keySet) { descriptor =>
      val column = HashableColumns.column(descriptor.name)
      val missing = if (isFloat(descriptor.dataType)) column.isNull || isnan(column) else column.isNull
      when(missing, lit(replacements(descriptor.name)).cast(descriptor.dataType)).otherwise(column)
    }
    replaced.copy(
      columns = replaced.columns.map { d =>
        if (replacements.contains(d.name)) d.copy(isNullable = false, allowNan = false) else d
      },
      constraints = withoutGroupConstraintsOn(input.constraints, replaceWith.keySet)
    )
  }

  /** The rows without null or NaN in `columns` (empty: every column that may hold them, but the ID and
    * grouping columns). Throws `IllegalArgumentException` (Tumult's texts) for the ID or grouping column or a
    * missing column.
    *
    * Example: `RowwiseTransformations.dropNullAndNan(prepared, Seq("genre"))`
    */
  def dropNullAndNan(input: PreparedTable, columns: Seq[String]): PreparedTable = {
    requireNotProtected(input, columns, "Cannot drop null values in column", grouping = "", id = ".")
    if (columns.isEmpty) warnIdColumnKeepsNulls(input)
    columns.foreach(name => requireArgument(input.column(name).isDefined, input.missingColumnMessage(name)))
    val dropped =
      if (columns.nonEmpty) columns
      else input.columns.filter(d => (d.isNullable || d.allowNan) && !isProtected(input, d.name)).map(_.name)
    val keep = dropped.map { name =>
      val column = HashableColumns.column(name)
      if (isFloat(input.column(name).get.dataType)) column.isNotNull && not(isnan(column)) else column.isNotNull
    }
    input.copy(
      dataframe = keep.reduceOption(_ && _).fold(input.dataframe)(input.dataframe.filter),
      columns = input.columns.map(d => if (dropped.contains(d.name)) d.copy(isNullable = false, allowNan = false) else d)
    )
  }

  /** -inf and +inf replaced by `replaceWith`'s (low, high) per column; an empty map replaces them in every
    * floating-point column (but the ID and grouping columns) by 0.0. Throws `IllegalArgumentException`
    * (Tumult's texts) for the ID or grouping column, a missing column or one that is not DECIMAL.
    *
    * Example: `RowwiseTransformations.replaceInfinity(prepared, Map("price" -> (0.0, 1000.0)))`
    */
  def replaceInfinity(input: PreparedTable, replaceWith: Map[String, (Double, Double)]): PreparedTable = {
    requireNotProtected(input, replaceWith.keys.toSeq, "Cannot replace infinite values in column", grouping = "", id = "")
    replaceWith.keys.foreach { name =>
      requireDecimal(input, name, s"Column '$name' has a replacement value provided, but it is of type")
    }
    val replacements =
      if (replaceWith.nonEmpty) replaceWith
      else
        input.columns
          .filter(d => isFloat(d.dataType) && d.allowInf && !isProtected(input, d.name))
          .map(_.name -> ((0.0, 0.0)))
          .toMap
    val replaced = replaceColumns(input, replacements.keySet) { descriptor =>
      val column = HashableColumns.column(descriptor.name)
      val (low, high) = replacements(descriptor.name)
      when(column === lit(Double.PositiveInfinity), lit(high).cast(descriptor.dataType))
        .when(column === lit(Double.NegativeInfinity), lit(low).cast(descriptor.dataType))
        .otherwise(column)
    }
    replaced.copy(
      columns = replaced.columns.map(d => if (replacements.contains(d.name)) d.copy(allowInf = false) else d),
      constraints = withoutGroupConstraintsOn(input.constraints, replaceWith.keySet)
    )
  }

  /** The rows without -inf or +inf in `columns` (empty: every floating-point column, but the ID and
    * grouping columns). Throws `IllegalArgumentException` (Tumult's texts) for the ID or grouping column, a
    * missing column or one that is not DECIMAL.
    *
    * Example: `RowwiseTransformations.dropInfinity(prepared, Seq("price"))`
    */
  def dropInfinity(input: PreparedTable, columns: Seq[String]): PreparedTable = {
    requireNotProtected(input, columns, "Cannot drop infinite values in column", grouping = "", id = "")
    columns.foreach { name =>
      requireDecimal(input, name, s"Column '$name' was given as a column to drop infinite values from, but it is of type")
    }
    val dropped =
      if (columns.nonEmpty) columns
      else input.columns.filter(d => isFloat(d.dataType) && d.allowInf && !isProtected(input, d.name)).map(_.name)
    val keep = dropped.map { name =>
      val column = HashableColumns.column(name)
      // A null is not infinite: it stays (null-safe comparisons, as Tumult's DropInfs keeps nulls).
      not(column <=> lit(Double.PositiveInfinity) || column <=> lit(Double.NegativeInfinity))
    }
    input.copy(
      dataframe = keep.reduceOption(_ && _).fold(input.dataframe)(input.dataframe.filter),
      columns = input.columns.map(d => if (dropped.contains(d.name)) d.copy(allowInf = false) else d)
    )
  }

  /** A new last column `name` holding the bin of `column` under `spec` (Tumult's `bin_column`: an augmenting
    * map, so it keeps the protected change and the constraints). Throws `IllegalArgumentException` for a
    * missing column, a `name` that exists (Tumult's text), or a column whose type the spec's edges cannot be
    * compared with.
    *
    * Example: `RowwiseTransformations.binColumn(prepared, "age", BinningSpec(Seq(0, 18, 65)), "age_binned")`
    */
  def binColumn(input: PreparedTable, column: String, spec: BinningSpec, name: String): PreparedTable = {
    val source = input.column(column).getOrElse(throw new IllegalArgumentException(input.missingColumnMessage(column)))
    requireArgument(
      input.column(name).isEmpty && !input.columns.exists(_.name.equalsIgnoreCase(name)),
      "New columns in augmenting map must not overwrite existing columns, but found new columns that already " +
        s"exist: $name"
    )
    val columnType = ColumnType.of(source.dataType)
    val numeric = Set[ColumnType](ColumnType.Integer, ColumnType.Decimal)
    requireArgument(
      columnType == spec.inputType || (numeric.contains(columnType) && numeric.contains(spec.inputType)),
      s"Cannot bin column '$column' of type $columnType with a BinningSpec whose edges are of type ${spec.inputType}."
    )
    val descriptor = spec.columnDescriptor
    val outputType = BinnedColumns.sparkType(descriptor.columnType)
    val binned = BinnedColumns.binOf(HashableColumns.column(column), isFloat(source.dataType), spec, outputType)
    input.copy(
      dataframe = input.dataframe.select(input.columns.map(d => HashableColumns.column(d.name)) :+ binned.as(name): _*),
      columns = input.columns :+ ColumnDescriptor(name, outputType, isNullable = true, descriptor.allowNan, descriptor.allowInf)
    )
  }

  private def groupingColumn(input: PreparedTable): Option[String] = input.protectedChange match {
    case AddMaxRowsInMaxGroups(grouping, _, _)         => Some(grouping)
    case AddOneRow() | AddMaxRows(_) | AddRowsWithID(_, _) => None
  }

  private def isProtected(input: PreparedTable, name: String): Boolean =
    groupingColumn(input).contains(name) || input.idColumn.contains(name)

  /** Tumult refuses to touch the grouping or ID column, each with its own ending (its texts differ in the
    * final full stop).
    */
  private def requireNotProtected(input: PreparedTable, columns: Seq[String], prefix: String, grouping: String, id: String): Unit = {
    groupingColumn(input).filter(columns.contains).foreach { column =>
      throw new IllegalArgumentException(s"$prefix '$column', as it is a grouping column$grouping")
    }
    input.idColumn.filter(columns.contains).foreach { column =>
      throw new IllegalArgumentException(s"$prefix '$column', as it is an ID column$id")
    }
  }

  private def requireDecimal(input: PreparedTable, name: String, prefix: String): Unit = {
    val descriptor = input.column(name).getOrElse(throw new IllegalArgumentException(input.missingColumnMessage(name)))
    val columnType = ColumnType.of(descriptor.dataType)
    requireArgument(
      columnType == ColumnType.Decimal,
      s"$prefix $columnType (not ${ColumnType.Decimal}) and so cannot contain infinite values"
    )
  }

  /** Tumult's type check of a null replacement (an integer may replace in a DECIMAL column), plus: the value
    * must fit the column's Spark type (an `int` column cannot take 2^40).
    */
  private def requireReplacement(input: PreparedTable, name: String, value: Any): Unit = {
    val descriptor = input.column(name).getOrElse(throw new IllegalArgumentException(input.missingColumnMessage(name)))
    val columnType = ColumnType.of(descriptor.dataType)
    val matches = (columnType, value) match {
      case (ColumnType.Integer, _: Byte | _: Short | _: Int | _: Long)                      => true
      case (ColumnType.Decimal, _: Byte | _: Short | _: Int | _: Long | _: Float | _: Double) => true
      case (ColumnType.Varchar, _: String)                                                  => true
      case (ColumnType.Date, _: java.sql.Date)                                              => true
      case (ColumnType.Timestamp, _: java.sql.Timestamp)                                    => true
      case _                                                                                => false
    }
    requireArgument(
      matches,
      s"Column '$name' cannot have nulls replaced with ${RowwiseValues.pythonRepr(value)}, as that value's type " +
        s"does not match the column type $columnType"
    )
    val fits = (descriptor.dataType, value) match {
      case (ByteType, n: Number)    => n.longValue >= Byte.MinValue && n.longValue <= Byte.MaxValue
      case (ShortType, n: Number)   => n.longValue >= Short.MinValue && n.longValue <= Short.MaxValue
      case (IntegerType, n: Number) => n.longValue >= Int.MinValue && n.longValue <= Int.MaxValue
      case _                        => true
    }
    requireArgument(
      fits,
      s"Column '$name' cannot have nulls replaced with ${RowwiseValues.pythonRepr(value)}, as that value does not " +
        s"fit the column's type ${descriptor.dataType.simpleString}"
    )
  }

  /** Tumult's `AnalyticsDefault` for a column type (dates and timestamps: the Unix epoch, in UTC). Throws
    * `UnsupportedQueryException` (Python RuntimeError, Tumult's text) for a type Tumult has no default for
    * (boolean, binary, …: the replacement must then be given).
    */
  private def defaultValue(column: String, dataType: DataType): Any = ColumnType.of(dataType) match {
    case ColumnType.Integer   => 0L
    case ColumnType.Decimal   => 0.0
    case ColumnType.Varchar   => ""
    case ColumnType.Date      => java.sql.Date.valueOf(java.time.LocalDate.ofEpochDay(0))
    case ColumnType.Timestamp => new java.sql.Timestamp(0L)
    case other @ ColumnType.Other(_) =>
      throw new UnsupportedQueryException(
        s"Analytics does not have a default value for column $column of type $other, and no default value was provided"
      )
  }

  /** Tumult's RuntimeWarning when `replace_null_and_nan()` / `drop_null_and_nan()` without columns runs on an ID
    * table (the ID column keeps its nulls; Tumult's drop gives the same "Replacing" text).
    */
  private def warnIdColumnKeepsNulls(input: PreparedTable): Unit = input.idColumn.foreach { idColumn =>
    SessionWarnings.warn(
      SessionWarnings.RuntimeWarning,
      s"Replacing null values in the ID column '$idColumn' is not allowed, so the ID column may still contain null values."
    )
  }

  /** The table with the columns in `names` computed by `replacement` (same names, same order). */
  private def replaceColumns(input: PreparedTable, names: Set[String])(replacement: ColumnDescriptor => Column): PreparedTable =
    if (names.isEmpty) input
    else
      input.copy(dataframe = input.dataframe.select(input.columns.map { d =>
        if (names.contains(d.name)) replacement(d).as(d.name) else HashableColumns.column(d.name)
      }: _*))

  private def withoutGroupConstraintsOn(constraints: Seq[Constraint], columns: Set[String]): Seq[Constraint] =
    constraints.filter {
      case MaxRowsPerGroupPerID(grouping, _) => !columns.contains(grouping)
      case _                                 => true
    }

  private def renameConstraint(constraint: Constraint, rename: String => String): Constraint = constraint match {
    case MaxRowsPerID(max)                   => MaxRowsPerID(max)
    case MaxGroupsPerID(grouping, max)       => MaxGroupsPerID(rename(grouping), max)
    case MaxRowsPerGroupPerID(grouping, max) => MaxRowsPerGroupPerID(rename(grouping), max)
  }

  private def newName(columnMapper: Map[String, String], name: String): String = columnMapper.getOrElse(name, name)

  private def isFloat(dataType: DataType): Boolean = dataType == DoubleType || dataType == FloatType

  /** Python's rendering of a set of column names, sorted (Python's own order is arbitrary). */
  private def pythonSet(names: Seq[String]): String = names.distinct.sorted.map(RowwiseValues.pythonRepr).mkString("{", ", ", "}")
}
