package sparkdp.plan.measure

import org.apache.spark.sql.{Column, DataFrame, Row}
import org.apache.spark.sql.functions.{col, lit}
import org.apache.spark.sql.types.{DataType, DoubleType, LongType, StructField, StructType}

import sparkdp.bridge.{MeasurementPlanText, PlannedOutput, ReleaseKernel}
import sparkdp.plan.{EvaluationContext, HashableColumns}

/** The release pass of an aggregation (COMPILER_INTERFACES §5.1 step 3): keyset markers ∪ partial rows,
  * repartitioned by fingerprint into a number of partitions that depends on the keyset size only, one Rust
  * release per partition, and the released rows joined back to the keyset.
  *
  * Why the partition count depends on the keyset size only: the partitioning is visible (task counts and
  * timings) and must not depend on the private data. It never affects the values: a cell's noise depends only
  * on (noise key, query index, measure index, fp), and all of a fingerprint's rows meet in one partition.
  */
private[measure] object Release {

  /** Keyset cells per release partition, so a partition's markers and merged cells stay small. */
  val CellsPerPartition: Long = 1L << 16

  /** The largest number of release partitions (a huge keyset needs no more parallelism than this). */
  val MaxPartitions: Int = 1024

  /** The number of release partitions for a keyset of `keysetSize` keys: ceil(size / 65536), at least 1.
    *
    * Example: `Release.partitionsFor(1) == 1`, `Release.partitionsFor(200000) == 4`
    */
  def partitionsFor(keysetSize: Long): Int =
    math.max(1L, math.min(MaxPartitions.toLong, (keysetSize + CellsPerPartition - 1) / CellsPerPartition)).toInt

  /** The released cells: `fingerprintColumn` (Long, nullable) then `outputNames` typed as the plan's outputs.
    * With `markers` (the keyset's fingerprints, column `fingerprintColumn`), exactly one row per marker; without
    * (get_groups), the fingerprints Rust's release lets through.
    *
    * Example:
    * {{{
    * val released = Release.cells(Some(keyFingerprints), partials, plan, context, "fp", Seq("pages_sum"), 1)
    * }}}
    */
  def cells(
      markers: Option[DataFrame],
      partials: DataFrame,
      plan: MeasurementPlanText,
      context: EvaluationContext,
      fingerprintColumn: String,
      outputNames: Seq[String],
      partitions: Int
  ): DataFrame = {
    require(outputNames.length == plan.outputs.length, s"${outputNames.length} names for outputs ${plan.outputs}")
    val nullLong: Column = lit(null).cast(LongType)
    val partialColumns = plan.partialColumns
    // Column order is ReleaseKernel's layout: fp, key_marker, partial columns.
    val partialRows = partials.select(
      col(fingerprintColumn) +: nullLong.as(KeyMarker) +: partialColumns.map(name => HashableColumns.column(name)): _*
    )
    val markerRows = markers.map(
      _.select(col(fingerprintColumn) +: lit(1L).as(KeyMarker) +: partialColumns.map(name => nullLong.as(name)): _*)
    )
    val all = markerRows.fold(partialRows)(_.union(partialRows))
    // repartition(n, column): a hash shuffle that AQE does not coalesce, so n stays what the keyset says.
    val arranged = all.repartition(partitions, col(fingerprintColumn))
    val planText = plan.text
    val noiseKey = context.noiseKey
    val queryIndex = context.queryIndex
    val released = arranged.queryExecution.toRdd.mapPartitions { rows =>
      ReleaseKernel.release(rows, planText, noiseKey, queryIndex, partialColumns).map(Row.fromSeq)
    }
    val schema = StructType(
      StructField(fingerprintColumn, LongType, nullable = true) +:
        outputNames.zip(plan.outputs).map { case (name, output) => StructField(name, sparkType(output), nullable = true) }
    )
    partials.sparkSession.createDataFrame(released, schema)
  }

  /** The keyset's columns, in order, then the released columns: one row per key (inner join on the
    * fingerprint, null-safe: a cell Rust did not release would make the result short, which the stored
    * row-count check refuses).
    *
    * Example: `Release.joinToKeyset(keysWithFingerprint, Seq("isbn"), released, "fp", Seq("pages_sum"))`
    */
  def joinToKeyset(
      keysWithFingerprint: DataFrame,
      keyColumns: Seq[String],
      released: DataFrame,
      fingerprintColumn: String,
      outputNames: Seq[String]
  ): DataFrame = {
    val releasedFingerprint = HashableColumns.freshName("__sparkdp_released_fp", keyColumns ++ outputNames :+ fingerprintColumn)
    val renamed = released.withColumnRenamed(fingerprintColumn, releasedFingerprint)
    keysWithFingerprint
      .join(renamed, keysWithFingerprint(fingerprintColumn) <=> renamed(releasedFingerprint), "inner")
      .select((keyColumns ++ outputNames).map(HashableColumns.column): _*)
  }

  /** The Spark type of a released column.
    *
    * Example: `Release.sparkType(PlannedOutput.Int64) == LongType`
    */
  def sparkType(output: PlannedOutput): DataType = output match {
    case PlannedOutput.Int64   => LongType
    case PlannedOutput.Float64 => DoubleType
  }

  private val KeyMarker = "key_marker"
}
