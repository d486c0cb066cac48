package sparkdp.bridge

import org.apache.spark.TaskContext
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.util.TaskCompletionListener

/** One partition's pass through Rust's release (COMPILER_INTERFACES §5.1 step 3): the partition's keyset
  * markers and partial rows go to Rust a batch at a time; Rust merges the partials per fingerprint, draws
  * each measure's noise from (noise key, query index, measure index, fp), post-processes, and returns one
  * row per released fingerprint.
  *
  * Input row layout: `fp` (Long, nullable), `key_marker` (Long, nullable), then the plan's partial columns
  * (Long, nullable), all in Spark's internal form.
  *
  * Example:
  * {{{
  * cells.queryExecution.toRdd.mapPartitions(rows =>
  *   ReleaseKernel.release(rows, plan.text, noiseKey, queryIndex, plan.partialColumns))
  * }}}
  */
private[sparkdp] object ReleaseKernel {

  /** Rows per Arrow batch sent to Rust. */
  val RowsPerBatch: Int = 1 << 14

  /** The released rows: the fingerprint (null for a null fp) then `out_0`, `out_1`, … boxed (`Long` or
    * `Double`, as the plan's outputs say), ascending fp. Reads the whole partition; the Rust state is freed
    * when the task ends, whatever happens.
    *
    * Example: `ReleaseKernel.release(rows, planText, noiseKey, 3L, Seq("count", "sum_hi", "sum_lo")).toList`
    */
  def release(
      rows: Iterator[InternalRow],
      planText: String,
      noiseKey: Array[Byte],
      queryIndex: Long,
      partialColumns: Seq[String]
  ): Iterator[IndexedSeq[Any]] = {
    TaskFaults.injectIfArmed(TaskFaults.Noise)
    val native = Native.get
    val handle = native.releaseOpen(planText, noiseKey, queryIndex)
    // A failing or killed task never reaches releaseFinish: free the state with it.
    Option(TaskContext.get()).foreach(_.addTaskCompletionListener(new TaskCompletionListener {
      override def onTaskCompletion(context: TaskContext): Unit = native.releaseClose(handle)
    }))
    try {
      val names = Seq("fp", "key_marker") ++ partialColumns
      var offered = false
      while (rows.hasNext || !offered) {
        native.releaseOffer(handle, ArrowIpc.encode(nextBatch(rows, names)))
        offered = true
      }
      val output = ArrowIpc.decodeValues(native.releaseFinish(handle))
      if (output.isEmpty || output.head._1 != "fp") {
        throw new sparkdp.AnalyticsInternalException(
          s"Native releaseFinish returned columns ${output.map(_._1).mkString("[", ", ", "]")}, without 'fp' first."
        )
      }
      val rowCount = output.head._2.length
      (0 until rowCount).iterator.map(i => output.map(_._2(i)).toIndexedSeq)
    } finally native.releaseClose(handle)
  }

  /** Up to `RowsPerBatch` rows as nullable Int64 columns named `names` (the ordinals of the row). */
  private def nextBatch(rows: Iterator[InternalRow], names: Seq[String]): Seq[Int64Column] = {
    val width = names.length
    val values = Array.fill(width)(new scala.collection.mutable.ArrayBuilder.ofLong)
    val nulls = Array.fill(width)(new scala.collection.mutable.ArrayBuilder.ofBoolean)
    var count = 0
    while (rows.hasNext && count < RowsPerBatch) {
      val row = rows.next()
      var ordinal = 0
      while (ordinal < width) {
        val isNull = row.isNullAt(ordinal)
        nulls(ordinal) += isNull
        values(ordinal) += (if (isNull) 0L else row.getLong(ordinal))
        ordinal += 1
      }
      count += 1
    }
    names.indices.map(i => Int64Column(names(i), values(i).result(), Some(nulls(i).result())))
  }
}
