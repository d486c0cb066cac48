package sparkdp.plan

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.types.{LongType, StructField, StructType}

import sparkdp.AnalyticsInternalException
import sparkdp.bridge.{ArrowIpc, Int64Column, Native}

/** Adds the calibrated noise to each key's true count, in Rust, one chunk of rows at a time.
  *
  * The noise of a cell is a function of (noise key, query index, key fingerprint) only (CONTRACTS.md,
  * addNoise), so a recomputed partition or a retried task gets exactly the same noisy values: nothing is
  * drawn afresh. Privacy: the noise spec comes from Rust's `countNoise` for the requested budget and the
  * sensitivity the constraint gives (sensitivity k under AddRowsWithID + MaxRowsPerID(k)); the cells are
  * disjoint by key, so parallel composition applies (each ID's kept rows fall in at most k cells, ≤ k total).
  */
private[sparkdp] object NoisyCounts {

  /** The keyset columns, in order, then the noisy count in `outputColumn` (LongType, not null).
    *
    * Example:
    * {{{
    * val noisy = NoisyCounts.addNoise(trueCounts, keyFields, "count", noiseKey, queryIndex = 3, "laplace:10")
    * }}}
    *
    * @param trueCounts   rows of (key columns…, fingerprint: Long, true count: Long), in that column order
    * @param keyFields    the keyset's fields, in order (the first `keyFields.length` columns of `trueCounts`)
    * @param outputColumn the name of the noisy count column
    * @param noiseKey     the session's 32-byte noise key
    * @param queryIndex   this evaluation's index in the session (a fresh one per evaluate)
    * @param noiseSpec    the noise text from `Native.countNoise`
    */
  def addNoise(
      trueCounts: DataFrame,
      keyFields: Seq[StructField],
      outputColumn: String,
      noiseKey: Array[Byte],
      queryIndex: Long,
      noiseSpec: String
  ): DataFrame = {
    require(trueCounts.columns.length == keyFields.length + 2, "expected key columns, fingerprint and count")
    val keyColumnCount = keyFields.length
    val noisyRows =
      trueCounts.rdd.mapPartitions { rows =>
        sparkdp.bridge.TaskFaults.injectIfArmed(sparkdp.bridge.TaskFaults.Noise)
        noisePartition(rows, keyColumnCount, noiseKey, queryIndex, noiseSpec)
      }
    val outputSchema = StructType(keyFields :+ StructField(outputColumn, LongType, nullable = false))
    trueCounts.sparkSession.createDataFrame(noisyRows, outputSchema)
  }

  /** One partition's noisy rows, in input order: (key columns…, noisy count). Runs on executors and touches
    * nothing but its arguments.
    *
    * Example: with noise spec "none", `noisePartition(Iterator(Row("a", 7L, 3L)), 1, key, 0, "none")` yields
    * `Row("a", 3L)`.
    */
  private[plan] def noisePartition(
      rows: Iterator[Row],
      keyColumnCount: Int,
      noiseKey: Array[Byte],
      queryIndex: Long,
      noiseSpec: String
  ): Iterator[Row] =
    LongChunks.of(rows).flatMap { chunk =>
      val fingerprints = chunk.map(_.getLong(keyColumnCount))
      val trueCounts = chunk.map(_.getLong(keyColumnCount + 1))
      val input = ArrowIpc.encode(Seq(Int64Column("key", fingerprints, None), Int64Column("value", trueCounts, None)))
      val output = ArrowIpc.decode(Native.get.addNoise(input, noiseKey, queryIndex, noiseSpec))
      val outputKeys = ArrowIpc.columnNamed(output, "key", "addNoise")
      val noisyCounts = ArrowIpc.columnNamed(output, "value", "addNoise")
      // addNoise keeps row order (CONTRACTS.md); check it rather than pair a count with another key's columns.
      if (!java.util.Arrays.equals(outputKeys.values, fingerprints)) {
        throw new AnalyticsInternalException(
          s"Native addNoise returned ${outputKeys.values.length} keys for ${fingerprints.length} input rows, " +
            "or changed their order."
        )
      }
      chunk.indices.iterator.map { i =>
        val keyValues = chunk(i).toSeq.take(keyColumnCount)
        Row.fromSeq(keyValues :+ noisyCounts.values(i))
      }
    }
}
