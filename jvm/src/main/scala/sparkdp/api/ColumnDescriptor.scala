package sparkdp

import org.apache.spark.sql.types._

/** The type of a table column as Tumult's `ColumnType` names it.
  *
  * Example: `ColumnType.of(LongType) == ColumnType.Integer`
  */
sealed abstract class ColumnType(val name: String) {
  override def toString: String = name
}

object ColumnType {
  case object Integer extends ColumnType("INTEGER")
  case object Decimal extends ColumnType("DECIMAL")
  case object Varchar extends ColumnType("VARCHAR")
  case object Date extends ColumnType("DATE")
  case object Timestamp extends ColumnType("TIMESTAMP")

  /** A Spark type Tumult has no name for (booleans, binary, arrays, structs, …), named by its Spark type. */
  final case class Other(sparkType: String) extends ColumnType(sparkType.toUpperCase)

  /** Integers (byte to long) are INTEGER, float and double DECIMAL, strings VARCHAR, dates and timestamps theirs. */
  def of(dataType: DataType): ColumnType = dataType match {
    case ByteType | ShortType | IntegerType | LongType => Integer
    case FloatType | DoubleType                        => Decimal
    case StringType                                    => Varchar
    case DateType                                      => Date
    case TimestampType                                 => Timestamp
    case other                                         => Other(other.simpleString)
  }
}

/** What a column may hold (Tumult's `ColumnDescriptor`): its type and whether nulls, NaNs and infinities may occur.
  *
  * Example: `ColumnDescriptor.of(StructField("price", DoubleType, nullable = true))` allows null, NaN and infinity.
  */
final case class ColumnDescriptor(columnType: ColumnType, allowNull: Boolean = false, allowNan: Boolean = false, allowInf: Boolean = false) {
  override def toString: String =
    s"ColumnDescriptor(column_type=$columnType, allow_null=$allowNull, allow_nan=$allowNan, allow_inf=$allowInf)"
}

object ColumnDescriptor {

  /** The descriptor of a Spark column as Tumult derives it from a DataFrame: nulls where the field is nullable,
    * NaN and infinity for floating-point columns.
    */
  def of(field: StructField): ColumnDescriptor = {
    val columnType = ColumnType.of(field.dataType)
    val isFloat = columnType == ColumnType.Decimal
    ColumnDescriptor(columnType, allowNull = field.nullable, allowNan = isFloat, allowInf = isFloat)
  }
}
