package sparkdp.warehouse

import org.apache.spark.sql.types.{ArrayType, CalendarIntervalType, DataType, MapType, NullType, StructType}

/** Which result columns the session's warehouse can store (as Parquet), checked when the query is compiled, so
  * that a column type Parquet refuses is reported as the query's fault, naming the column, before anything runs
  * or is charged, and is never blamed on the warehouse.
  */
private[sparkdp] object StorableColumns {

  /** Throws `IllegalArgumentException` naming the first column of `schema` whose type, or a type nested in it,
    * Parquet cannot store: the null type (`void`, e.g. a KeySet column made only of nulls), calendar intervals,
    * and Spark 3.2+'s interval types (matched by name, since Spark 3.1 lacks them).
    *
    * Example: `StorableColumns.require(result.schema)` passes for (title string, count bigint).
    */
  def require(schema: StructType): Unit =
    schema.fields.foreach { field =>
      unstorable(field.dataType).foreach { typeName =>
        throw new IllegalArgumentException(
          s"Column '${field.name}' has type ${field.dataType.simpleString}, which the session's tables (Parquet) " +
            s"cannot store ($typeName); cast it to a storable type (e.g. string) in the KeySet and the data."
        )
      }
    }

  private def unstorable(dataType: DataType): Option[String] = dataType match {
    case NullType                                   => Some("the null type")
    case CalendarIntervalType                       => Some("intervals")
    case other if other.typeName.contains("interval") => Some("intervals")
    case array: ArrayType                           => unstorable(array.elementType)
    case map: MapType                               => unstorable(map.keyType).orElse(unstorable(map.valueType))
    case struct: StructType                         => struct.fields.iterator.map(field => unstorable(field.dataType)).collectFirst { case Some(name) => name }
    case _                                          => None
  }
}
