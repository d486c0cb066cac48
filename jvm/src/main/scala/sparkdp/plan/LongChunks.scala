package sparkdp.plan

import scala.collection.mutable.ArrayBuffer

import org.apache.spark.sql.Row

/** Cuts a partition's rows into chunks of a bounded size, the unit that crosses the JNI edge as one Arrow
  * batch. 64k rows keep a chunk of one Int64 column at 512 KiB: large enough to amortise the JNI call, small
  * enough not to matter for executor memory.
  */
private[sparkdp] object LongChunks {

  /** Rows per chunk.
    *
    * Example: `LongChunks.RowsPerChunk == 65536`
    */
  val RowsPerChunk: Int = 1 << 16

  /** The rows in chunks of at most `rowsPerChunk`, each a fresh array (Spark may reuse `Row` objects only
    * within `InternalRow`; the external `Row`s of `.rdd` are safe to keep).
    *
    * Example: `LongChunks.of(Iterator(Row(1L), Row(2L), Row(3L)), 2).map(_.length).toList == List(2, 1)`
    */
  def of(rows: Iterator[Row], rowsPerChunk: Int = RowsPerChunk): Iterator[Array[Row]] = new Iterator[Array[Row]] {
    override def hasNext: Boolean = rows.hasNext
    override def next(): Array[Row] = {
      val chunk = new ArrayBuffer[Row](math.min(rowsPerChunk, 1024))
      while (rows.hasNext && chunk.length < rowsPerChunk) chunk += rows.next()
      chunk.toArray
    }
  }
}
