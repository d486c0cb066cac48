package sparkdp.plan

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.functions.{col, sum}
import org.apache.spark.sql.types.{LongType, StructField, StructType}

import sparkdp.AnalyticsInternalException
import sparkdp.bridge.{ArrowIpc, Int64Column, Native}

/** Counts rows per key fingerprint: Rust counts each chunk of a partition (partial counts, one row per
  * distinct fingerprint of the chunk), and Spark sums the partials per fingerprint.
  */
private[sparkdp] object PartialCounts {

  /** One row per fingerprint present in `fingerprints`: (`fingerprintColumn`, `countColumn`), both LongType.
    *
    * Example:
    * {{{
    * val counts = PartialCounts.countPerFingerprint(keptFingerprints, "fp", "true_count")
    * }}}
    *
    * @param fingerprints      a DataFrame whose only column is the LongType `fingerprintColumn`
    * @param fingerprintColumn the name of the fingerprint column, kept in the output
    * @param countColumn       the name of the output count column
    */
  def countPerFingerprint(fingerprints: DataFrame, fingerprintColumn: String, countColumn: String): DataFrame = {
    require(fingerprints.columns.toSeq == Seq(fingerprintColumn), s"expected only column $fingerprintColumn")
    val partialSchema = StructType(
      Seq(StructField(fingerprintColumn, LongType, nullable = true), StructField(countColumn, LongType, nullable = false))
    )
    val partialRows = fingerprints.rdd.mapPartitions(rows => countPartition(rows))
    fingerprints.sparkSession
      .createDataFrame(partialRows, partialSchema)
      .groupBy(col(fingerprintColumn))
      .agg(sum(col(countColumn)).as(countColumn))
  }

  /** The partial counts of one partition: for each chunk, Rust's `countByKey` on an Arrow batch of the chunk's
    * fingerprints. Runs on executors; it touches nothing but its arguments (no closure over the driver).
    *
    * Example: `PartialCounts.countPartition(Iterator(Row(7L), Row(7L), Row(9L)))` yields rows (7, 2) and (9, 1)
    * in some order.
    */
  private[plan] def countPartition(rows: Iterator[Row]): Iterator[Row] =
    LongChunks.of(rows).flatMap { chunk =>
      val isNull = chunk.map(_.isNullAt(0))
      val keys = chunk.map(row => if (row.isNullAt(0)) 0L else row.getLong(0))
      val input = Int64Column("key", keys, if (isNull.exists(identity)) Some(isNull) else None)
      val output = ArrowIpc.decode(Native.get.countByKey(ArrowIpc.encode(Seq(input))))
      val outputKeys = columnNamed(output, "key", "countByKey")
      val outputCounts = columnNamed(output, "count", "countByKey")
      outputKeys.values.indices.iterator.map { i =>
        val keyIsNull = outputKeys.isNull.exists(flags => flags(i))
        Row(if (keyIsNull) null else outputKeys.values(i), outputCounts.values(i))
      }
    }

  /** The column `name` of a decoded Rust result, or an `AnalyticsInternalException` naming the kernel.
    *
    * Example: `columnNamed(ArrowIpc.decode(ipc), "count", "countByKey")`
    */
  private[plan] def columnNamed(columns: Seq[Int64Column], name: String, kernel: String): Int64Column =
    columns.find(_.name == name).getOrElse(
      throw new AnalyticsInternalException(
        s"Native $kernel returned columns ${columns.map(_.name).mkString("[", ", ", "]")}, without '$name'."
      )
    )
}
