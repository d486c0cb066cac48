package sparkdp.plan.transform

import org.apache.spark.sql.{Column, DataFrame, Row}
import org.apache.spark.sql.functions.{col, collect_list, explode, monotonically_increasing_id, slice, struct}
import org.apache.spark.sql.types._

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.{AddMaxRowsInMaxGroups, AddRowsWithID, ColumnType, FlatMapByIDExpr, FlatMapExpr, MapExpr, RowFunction, ScalaRowFunction, UdfRowFunction}
import sparkdp.bridge.{Native, WireText}
import sparkdp.SessionWarnings

/** The map family (Tumult's `map`, `flat_map`, `flat_map_by_id`) on a prepared table: the checks Tumult makes
  * (all before any data is read), the Spark plan that runs the user's function in the executors (a Scala
  * function by `rdd.mapPartitions`, a Python function as the UDF column Python made), the output's column
  * descriptors, and its protected change: a map keeps it; a flat map's comes from Rust
  * (`Native.flatMapChange`), never from arithmetic here.
  *
  * Constraints were enforced where the program wrote them (`ConstraintPlacement`); after a flat map only
  * `MaxGroupsPerID` is still in force (the rows' groups do not change), after `flat_map_by_id` none is, as in
  * Tumult (Rust decides it); a map keeps them all.
  */
private[sparkdp] object MapTransformations {

  /** Names of the helper columns of the Spark plans (never in an output table). */
  private val NewColumn = "__sparkdp_new"
  private val RowIdColumn = "__sparkdp_row"

  /** Tumult's `map`. */
  def map(input: PreparedTable, expr: MapExpr): PreparedTable = {
    val newColumns = NewColumns(expr.newColumnTypes)
    requireAugmentKeepsColumns(input, newColumns, expr.augment, "Map")
    val output = expr.f match {
      case ScalaRowFunction(f) =>
        val schema = outputSchema(input.dataframe, newColumns, expr.augment)
        val types = newColumns.types
        val augment = expr.augment
        val rows = input.dataframe.rdd.mapPartitions { rows =>
          rows.map(row => Row.fromSeq((if (augment) row.toSeq else Nil) ++ ExternalValues.of(f(row), types)))
        }
        input.dataframe.sparkSession.createDataFrame(rows, schema)
      case UdfRowFunction(udf) =>
        val computed = withUdf(input.dataframe, udf, StructType(newColumns.fields), "map")
        computed.select(keptColumns(input.dataframe, expr.augment) ++ newColumns.fieldsOf(col(NewColumn)): _*)
    }
    PreparedTable(
      input.sourceId,
      output,
      input.protectedChange,
      input.constraints,
      outputDescriptors(input, newColumns, expr.augment),
      input.idDistance
    )
  }

  /** Tumult's `flat_map`. */
  def flatMap(input: PreparedTable, expr: FlatMapExpr): PreparedTable = {
    val newColumns = NewColumns(expr.newColumnTypes)
    val groupingColumn = if (expr.grouping) Some(expr.newColumnTypes.head._1) else None
    // Rust first: its refusals (no max_rows, grouping on an ID or grouping table) are Tumult's first checks.
    val outputChange = WireText.parseChange(
      Native.get.flatMapChange(WireText.change(input.protectedChange), WireText.flatMap(expr.maxRows, groupingColumn)),
      input.protectedChange
    )
    requireArgument(!expr.grouping || expr.augment, "Transformer must be augmenting.")
    requireAugmentKeepsColumns(input, newColumns, expr.augment, "Flat map")
    // Tumult truncates to max_rows except under AddRowsWithID, where it ignores max_rows (with its warning).
    if (input.idColumn.isDefined && expr.maxRows.isDefined) {
      SessionWarnings.warn(
        SessionWarnings.UserWarning,
        "When performing a flat map on a table with the AddRowsWithID ProtectedChange(), the max_rows parameter " +
          "is not required and will be ignored."
      )
    }
    val maxRows = if (input.idColumn.isDefined) None else expr.maxRows
    val output = expr.f match {
      case ScalaRowFunction(f) =>
        val schema = outputSchema(input.dataframe, newColumns, expr.augment)
        val types = newColumns.types
        val augment = expr.augment
        val groupingIndex = if (expr.grouping) Some(0) else None
        val rows = input.dataframe.rdd.mapPartitions { rows =>
          rows.flatMap { row =>
            val produced = f(row)
            val kept = maxRows.fold(produced)(produced.take)
            val values = kept.map(ExternalValues.of(_, types))
            val distinct = groupingIndex.fold(values)(index => ExternalValues.distinctBy(values, index))
            distinct.map(values => Row.fromSeq((if (augment) row.toSeq else Nil) ++ values))
          }
        }
        input.dataframe.sparkSession.createDataFrame(rows, schema)
      case UdfRowFunction(udf) =>
        val computed = withUdf(input.dataframe, udf, ArrayType(StructType(newColumns.fields)), "flat_map")
        val numbered = if (expr.grouping) computed.withColumn(RowIdColumn, monotonically_increasing_id()) else computed
        val produced = maxRows.fold(col(NewColumn))(m => slice(col(NewColumn), 1, m))
        val kept = keptColumns(input.dataframe, expr.augment)
        val rowId = if (expr.grouping) Seq(col(RowIdColumn)) else Nil
        val exploded = numbered
          .select(kept ++ rowId :+ explode(produced).as(NewColumn): _*)
          .select(kept ++ rowId ++ newColumns.fieldsOf(col(NewColumn)): _*)
        if (expr.grouping) exploded.dropDuplicates(Seq(RowIdColumn, groupingColumn.get)).drop(RowIdColumn)
        else exploded
    }
    // Constraints were enforced on the input rows; Rust says which still hold (Tumult: MaxGroupsPerID only).
    val constraints = ConstraintPlacement.afterFlatMap(input.constraints, byId = false)
    PreparedTable(input.sourceId, output, outputChange, constraints, outputDescriptors(input, newColumns, expr.augment), input.idDistance)
  }

  /** Tumult's `flat_map_by_id`. */
  def flatMapByID(input: PreparedTable, expr: FlatMapByIDExpr): PreparedTable = {
    val newColumns = NewColumns(expr.newColumnTypes)
    val outputChange = WireText.parseChange(
      Native.get.flatMapChange(WireText.change(input.protectedChange), WireText.FlatMapByID),
      input.protectedChange
    )
    val idColumn = input.idColumn.getOrElse(throw new IllegalStateException("Rust accepted flat_map_by_id without IDs"))
    requireArgument(
      !newColumns.names.contains(idColumn),
      "Flat-map-by-ID mapping function output cannot include ID column."
    )
    val dataframe = input.dataframe
    val grouped = dataframe
      .groupBy(col(quote(idColumn)))
      .agg(collect_list(struct(dataframe.columns.map(name => col(quote(name))): _*)).as(UdfRowFunction.InputColumn))
    val idField = dataframe.schema(idColumn)
    val output = expr.f match {
      case ScalaRowFunction(f) =>
        val types = newColumns.types
        val rows = grouped.rdd.mapPartitions { groups =>
          groups.flatMap { group =>
            f(group.getSeq[Row](1)).map(values => Row.fromSeq(group.get(0) +: ExternalValues.of(values, types)))
          }
        }
        dataframe.sparkSession.createDataFrame(rows, StructType(idField +: newColumns.fields))
      case UdfRowFunction(udf) =>
        val resultType = ArrayType(StructType(newColumns.fields))
        val computed = grouped.withColumn(NewColumn, udf)
        requireUdfType(computed, resultType, "flat_map_by_id")
        computed
          .select(col(quote(idColumn)), explode(col(NewColumn)).as(NewColumn))
          .select(col(quote(idColumn)) +: newColumns.fieldsOf(col(NewColumn)): _*)
    }
    val idDescriptor = input.column(idColumn).getOrElse(ColumnDescriptor.of(idField))
    PreparedTable(input.sourceId, output, outputChange, ConstraintPlacement.afterFlatMap(input.constraints, byId = true), idDescriptor +: newColumns.descriptors, input.idDistance)
  }

  /** Tumult's `_validate` of `Map` / `FlatMap`: augmenting maps must not overwrite columns; non-augmenting ones
    * must not lose the ID column or the grouping column of an `AddMaxRowsInMaxGroups` table. */
  private def requireAugmentKeepsColumns(input: PreparedTable, newColumns: NewColumns, augment: Boolean, what: String): Unit =
    if (augment) {
      val overlapping = newColumns.names.filter(name => input.column(name).isDefined)
      requireArgument(
        overlapping.isEmpty,
        "New columns in augmenting map must not overwrite existing columns, but found new columns that already " +
          s"exist: ${overlapping.mkString(", ")}"
      )
    } else {
      input.protectedChange match {
        case AddMaxRowsInMaxGroups(grouping, _, _) =>
          throw new IllegalArgumentException(s"$what must set augment=True to ensure that grouping column '$grouping' is not lost.")
        case AddRowsWithID(id, _) =>
          throw new IllegalArgumentException(s"$what must set augment=True to ensure that ID column '$id' is not lost.")
        case _ =>
      }
    }

  /** `dataframe` with the UDF's result in column `__sparkdp_new`, after checking (from the schema alone) that
    * the UDF gives `expected`. */
  private def withUdf(dataframe: DataFrame, udf: Column, expected: DataType, what: String): DataFrame = {
    val input = struct(dataframe.columns.map(name => col(quote(name))): _*)
    val computed = dataframe.withColumn(UdfRowFunction.InputColumn, input).withColumn(NewColumn, udf)
    requireUdfType(computed, expected, what)
    computed
  }

  private def requireUdfType(computed: DataFrame, expected: DataType, what: String): Unit = {
    val actual = computed.schema(NewColumn).dataType
    requireArgument(
      actual.asNullable == expected.asNullable,
      s"The function of $what gives ${actual.simpleString}, but new_column_types says ${expected.simpleString}."
    )
  }

  private implicit class Nullable(dataType: DataType) {
    def asNullable: DataType = dataType match {
      case StructType(fields) => StructType(fields.map(field => field.copy(dataType = field.dataType.asNullable, nullable = true)))
      case ArrayType(element, _) => ArrayType(element.asNullable, containsNull = true)
      case other                 => other
    }
  }

  /** The input table's columns, for an augmenting map (`dataframe` is the input, without helper columns). */
  private def keptColumns(dataframe: DataFrame, augment: Boolean): Seq[Column] =
    if (augment) dataframe.columns.toSeq.map(name => col(quote(name))) else Nil

  private def outputSchema(dataframe: DataFrame, newColumns: NewColumns, augment: Boolean): StructType =
    StructType((if (augment) dataframe.schema.fields.toSeq else Nil) ++ newColumns.fields)

  private def outputDescriptors(input: PreparedTable, newColumns: NewColumns, augment: Boolean): Seq[ColumnDescriptor] =
    (if (augment) input.columns else Nil) ++ newColumns.descriptors

  /** A column name as Spark's `col` reads it literally (dots and backticks included). */
  private def quote(name: String): String = "`" + name.replace("`", "``") + "`"

  /** (Driver side only: `sparkdp.ColumnType` is not serializable; the executors' closures take `types`.)
    * The new columns of a map: names, Spark types (INTEGER bigint, DECIMAL double, VARCHAR string, DATE date,
    * TIMESTAMP timestamp) and descriptors (always nullable, as Tumult's; NaN and infinity only for DECIMAL, as
    * the user's descriptor says). */
  private final case class NewColumns(newColumnTypes: Seq[(String, sparkdp.ColumnDescriptor)]) {
    val names: Seq[String] = newColumnTypes.map(_._1)
    val types: Seq[(String, DataType)] = newColumnTypes.map { case (name, descriptor) => name -> sparkType(descriptor.columnType) }
    val fields: Seq[StructField] = types.map { case (name, dataType) => StructField(name, dataType, nullable = true) }
    val descriptors: Seq[ColumnDescriptor] = newColumnTypes.zip(types).map { case ((name, descriptor), (_, dataType)) =>
      val isDecimal = descriptor.columnType == ColumnType.Decimal
      ColumnDescriptor(name, dataType, isNullable = true, allowNan = isDecimal && descriptor.allowNan, allowInf = isDecimal && descriptor.allowInf)
    }

    def fieldsOf(structColumn: Column): Seq[Column] = names.map(name => structColumn.getField(name).as(name))
  }

  private def sparkType(columnType: ColumnType): DataType = columnType match {
    case ColumnType.Integer   => LongType
    case ColumnType.Decimal   => DoubleType
    case ColumnType.Varchar   => StringType
    case ColumnType.Date      => DateType
    case ColumnType.Timestamp => TimestampType
    case other                => throw new IllegalArgumentException(s"A map cannot make a column of type $other.")
  }
}

/** The values a Scala map function gave, as `createDataFrame` takes them for the declared types (runs in the
  * executors). */
private[transform] object ExternalValues {

  /** The values of `produced` in the order of `types`; a missing column or a value of another type is an IAE
    * naming the column (the task fails). */
  def of(produced: scala.collection.Map[String, Any], types: Seq[(String, DataType)]): Seq[Any] = {
    requireArgument(produced != null, "The map function returned null instead of a Map of the new columns.")
    types.map { case (name, dataType) =>
      val value = produced.getOrElse(
        name,
        throw new IllegalArgumentException(
          s"The map function's output lacks the new column '$name' (it has: ${produced.keys.mkString(", ")})."
        )
      )
      convert(value, dataType, name)
    }
  }

  private def convert(value: Any, dataType: DataType, name: String): Any = (value, dataType) match {
    case (null, _) | (None, _)                                       => null
    case (Some(inner), _)                                            => convert(inner, dataType, name)
    case (v: Long, LongType)                                         => v
    case (v @ (_: Int | _: Short | _: Byte), LongType)               => v.asInstanceOf[Number].longValue
    case (v: java.math.BigInteger, LongType) if v.bitLength < 64     => v.longValue
    case (v: BigInt, LongType) if v.isValidLong                      => v.toLong
    case (v: Double, DoubleType)                                     => v
    case (v @ (_: Float | _: Long | _: Int | _: Short | _: Byte), DoubleType) => v.asInstanceOf[Number].doubleValue
    case (v: String, StringType)                                     => v
    case (v: java.sql.Date, DateType)                                => v
    case (v: java.time.LocalDate, DateType)                          => java.sql.Date.valueOf(v)
    case (v: java.sql.Timestamp, TimestampType)                      => v
    case (v: java.time.Instant, TimestampType)                       => java.sql.Timestamp.from(v)
    case (other, _) =>
      throw new IllegalArgumentException(
        s"The map function gave ${other.getClass.getName} '$other' for new column '$name', declared ${dataType.simpleString}."
      )
  }

  /** `rows` without the later rows whose value at `index` repeats an earlier one (as Spark groups: every NaN
    * alike, -0.0 = 0.0). */
  def distinctBy(rows: Seq[Seq[Any]], index: Int): Seq[Seq[Any]] = {
    val seen = scala.collection.mutable.HashSet.empty[Any]
    rows.filter(row => seen.add(groupingKey(row(index))))
  }

  private def groupingKey(value: Any): Any = value match {
    case d: Double if d.isNaN => Double.NaN
    case d: Double if d == 0.0 => 0.0
    case other                 => other
  }
}
