package sparkdp.plan

import org.apache.spark.rdd.RDD
import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.apache.spark.sql.functions.{col, sum}
import org.apache.spark.sql.types.{LongType, StructField, StructType}

import sparkdp.AnalyticsInternalException
import sparkdp.bridge.{ArrowIpc, Int64Column, Native}

/** Counts rows per key fingerprint: Rust counts each chunk of a partition (partial counts, one row per
  * distinct fingerprint of the chunk), and Spark sums the partials per fingerprint.
  */
private[sparkdp] object PartialCounts {

  /** One row per fingerprint present in `keptFingerprints`: (`fingerprintColumn`, `countColumn`), both LongType.
    *
    * The counting runs in the same tasks as the truncation that produced `keptFingerprints` (narrow
    * `mapPartitions` steps are pipelined): one pass over each shuffled partition, then one shuffle of the
    * partial counts (at most one row per fingerprint per chunk).
    *
    * Example:
    * {{{
    * val counts = PartialCounts.countPerFingerprint(spark, keptFingerprints, "fp", "true_count")
    * }}}
    *
    * @param spark             the session to build the DataFrame in
    * @param keptFingerprints  rows whose only field is a nullable Long fingerprint
    * @param fingerprintColumn the name of the output fingerprint column
    * @param countColumn       the name of the output count column
    */
  def countPerFingerprint(
      spark: SparkSession,
      keptFingerprints: RDD[Row],
      fingerprintColumn: String,
      countColumn: String
  ): DataFrame = {
    val partialSchema = StructType(
      Seq(StructField(fingerprintColumn, LongType, nullable = true), StructField(countColumn, LongType, nullable = false))
    )
    val partialRows = keptFingerprints.mapPartitions(rows => countPartition(rows))
    spark
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
