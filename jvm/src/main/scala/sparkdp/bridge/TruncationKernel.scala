package sparkdp.bridge

import java.util.Collections

import sparkdp.compat.CollectionConverters._

import org.apache.arrow.memory.{BufferAllocator, RootAllocator}
import org.apache.arrow.vector.{BigIntVector, FieldVector, Float8Vector, VarBinaryVector, VectorSchemaRoot}
import org.apache.arrow.vector.types.FloatingPointPrecision
import org.apache.arrow.vector.types.pojo.{ArrowType, Field, FieldType, Schema}
import org.apache.spark.TaskContext
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.util.TaskCompletionListener

/** One partition's pass through Rust's fused truncation + partial count (docs/COMPILER_INTERFACES.md §3):
  * the rows, in Spark's internal form, are written straight into Arrow vectors (no external `Row`, no copy
  * per value beyond the identity bytes), sent to Rust a batch at a time, and Rust returns one partial count
  * per fingerprint once the partition is consumed.
  *
  * Input row layout (`Layout`): for a table with IDs, the ID's identity struct, the fingerprint (nullable
  * Long), the row hash (Long), then per grouping column of the constraints its identity struct and its keyed
  * hash (Long); for a table without IDs (no constraints: nothing to order) only the fingerprint. Identity
  * structs become their `UnsafeRow` bytes (`identityBytes`).
  *
  * Example:
  * {{{
  * hashed.queryExecution.toRdd.mapPartitions(rows =>
  *   TruncationKernel.partialCounts(rows, Layout(hasId = true, groupingColumns = 0), "MaxRowsPerID:20", ""))
  * }}}
  */
private[sparkdp] object TruncationKernel {

  /** Where the kernel's inputs sit in a row: the ordinals follow from whether there is an ID and how many
    * distinct grouping columns the constraints name.
    */
  final case class Layout(hasId: Boolean, groupingColumns: Int, valueColumns: Seq[MeasureValueType] = Seq.empty) {
    require(hasId || groupingColumns == 0, "grouping columns come from constraints, which need an ID column")
    val idOrdinal: Int = 0
    val fingerprintOrdinal: Int = if (hasId) 1 else 0
    val rowHashOrdinal: Int = 2
    def groupKeyOrdinal(group: Int): Int = 3 + 2 * group
    def groupHashOrdinal(group: Int): Int = groupKeyOrdinal(group) + 1
    /** The measure value `value_<j>` follows the fingerprint (no ID) or the last grouping column. */
    def valueOrdinal(value: Int): Int = (if (hasId) groupKeyOrdinal(groupingColumns) else 1) + value
  }

  /** The Arrow type of a measure column `value_<j>` (COMPILER_INTERFACES §3): Int64 or Float64, nullable. */
  sealed trait MeasureValueType
  object MeasureValueType {
    case object Int64 extends MeasureValueType
    case object Float64 extends MeasureValueType
  }

  /** Rows per Arrow batch sent to Rust: big enough to amortize the JNI call, small enough to stay in cache. */
  val RowsPerBatch: Int = 1 << 14

  /** (fingerprint is null, fingerprint, count) per fingerprint among the rows the constraints keep.
    * Reads the whole partition before returning; the Rust state is freed when the task ends, whatever happens.
    *
    * Example: `TruncationKernel.partialCounts(rows, layout, "MaxRowsPerID:20", "").toList`
    */
  def partialCounts(
      rows: Iterator[InternalRow],
      layout: Layout,
      constraintsText: String,
      groupingColumnsText: String,
      identityBytes: (InternalRow, Int) => Array[Byte]
  ): Iterator[(Boolean, Long, Long)] = {
    TaskFaults.injectIfArmed(TaskFaults.Truncate)
    val native = Native.get
    val handle = native.truncationOpen(constraintsText, groupingColumnsText)
    // A failing task (or one killed by speculation) never reaches truncationFinish: free the state with it.
    Option(TaskContext.get()).foreach(_.addTaskCompletionListener(new TaskCompletionListener {
      override def onTaskCompletion(context: TaskContext): Unit = native.truncationClose(handle)
    }))
    try {
      val encoder = new BatchEncoder(layout, identityBytes)
      try {
        while (rows.hasNext) {
          encoder.append(rows.next())
          if (encoder.rowCount == RowsPerBatch) native.truncationOffer(handle, encoder.flush())
        }
        if (encoder.rowCount > 0) native.truncationOffer(handle, encoder.flush())
      } finally encoder.close()
      val partials = ArrowIpc.decode(native.truncationFinish(handle))
      val fingerprints = ArrowIpc.columnNamed(partials, "fp", "truncationFinish")
      val counts = ArrowIpc.columnNamed(partials, "count", "truncationFinish")
      fingerprints.values.indices.iterator.map { i =>
        (fingerprints.isNull.exists(flags => flags(i)), fingerprints.values(i), counts.values(i))
      }
    } finally native.truncationClose(handle)
  }

  /** The partial rows of an aggregation plan (COMPILER_INTERFACES §5.1 step 2): per kept fingerprint, the
    * fingerprint (None = null) and the values of `partialColumns`, in that order (all Int64 not null). Reads
    * the whole partition; the Rust state is freed when the task ends, whatever happens.
    *
    * Example: `TruncationKernel.partials(rows, layout, "MaxRowsPerID:20", "", partialText, Seq("count", "sum_hi", "sum_lo"), bytesAt)`
    */
  def partials(
      rows: Iterator[InternalRow],
      layout: Layout,
      constraintsText: String,
      groupingColumnsText: String,
      partialText: String,
      partialColumns: Seq[String],
      identityBytes: (InternalRow, Int) => Array[Byte]
  ): Iterator[(Option[Long], Array[Long])] = {
    TaskFaults.injectIfArmed(TaskFaults.Truncate)
    val native = Native.get
    val handle = native.truncationOpenPartial(constraintsText, groupingColumnsText, partialText)
    Option(TaskContext.get()).foreach(_.addTaskCompletionListener(new TaskCompletionListener {
      override def onTaskCompletion(context: TaskContext): Unit = native.truncationClose(handle)
    }))
    try {
      offerAll(native, handle, rows, layout, identityBytes)
      val output = ArrowIpc.decode(native.truncationFinish(handle))
      if (output.map(_.name) != ("fp" +: partialColumns)) {
        throw new sparkdp.AnalyticsInternalException(
          s"Native truncationFinish returned columns ${output.map(_.name).mkString("[", ", ", "]")}, expected " +
            ("fp" +: partialColumns).mkString("[", ", ", "]") + "."
        )
      }
      val fingerprints = output.head
      val values = output.tail
      fingerprints.values.indices.iterator.map { i =>
        val fingerprint = if (fingerprints.isNull.exists(flags => flags(i))) None else Some(fingerprints.values(i))
        (fingerprint, values.map(_.values(i)).toArray)
      }
    } finally native.truncationClose(handle)
  }

  /** Sends the partition's rows a batch at a time (at least one batch: its schema fixes the value columns). */
  private def offerAll(
      native: Native,
      handle: Long,
      rows: Iterator[InternalRow],
      layout: Layout,
      identityBytes: (InternalRow, Int) => Array[Byte]
  ): Unit = {
    val encoder = new BatchEncoder(layout, identityBytes)
    try {
      var offered = false
      while (rows.hasNext) {
        encoder.append(rows.next())
        if (encoder.rowCount == RowsPerBatch) {
          native.truncationOffer(handle, encoder.flush())
          offered = true
        }
      }
      if (encoder.rowCount > 0 || !offered) native.truncationOffer(handle, encoder.flush())
    } finally encoder.close()
  }

  private val Int64 = new ArrowType.Int(64, true)
  private val Float64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)
  private lazy val rootAllocator: BufferAllocator = new RootAllocator(Long.MaxValue)

  /** The Arrow schema of the kernel's input for `layout` (CONTRACTS names: id, fp, row_hash, group_key_i,
    * group_hash_i).
    */
  private[bridge] def schemaOf(layout: Layout): Schema = {
    def field(name: String, arrowType: ArrowType, nullable: Boolean) =
      new Field(name, new FieldType(nullable, arrowType, null), Collections.emptyList[Field]())
    val idFields =
      if (layout.hasId) Seq(field("id", ArrowType.Binary.INSTANCE, nullable = false), field("row_hash", Int64, nullable = false))
      else Seq.empty
    val groupFields = (0 until layout.groupingColumns).flatMap { group =>
      Seq(field(s"group_key_$group", ArrowType.Binary.INSTANCE, nullable = false), field(s"group_hash_$group", Int64, nullable = false))
    }
    val valueFields = layout.valueColumns.zipWithIndex.map {
      case (MeasureValueType.Int64, j)   => field(s"value_$j", Int64, nullable = true)
      case (MeasureValueType.Float64, j) => field(s"value_$j", Float64, nullable = true)
    }
    new Schema((idFields ++ Seq(field("fp", Int64, nullable = true)) ++ groupFields ++ valueFields).asJava)
  }

  /** Fills one Arrow batch row by row from internal rows and writes it as an IPC stream. */
  private final class BatchEncoder(layout: Layout, identityBytes: (InternalRow, Int) => Array[Byte]) {
    private val allocator = rootAllocator.newChildAllocator("sparkdp.TruncationKernel", 0, Long.MaxValue)
    private val root = VectorSchemaRoot.create(schemaOf(layout), allocator)
    private def binary(name: String) = root.getVector(name).asInstanceOf[VarBinaryVector]
    private def int64(name: String) = root.getVector(name).asInstanceOf[BigIntVector]
    private val ids = if (layout.hasId) Some(binary("id")) else None
    private val rowHashes = if (layout.hasId) Some(int64("row_hash")) else None
    private val fingerprints = int64("fp")
    private val groupKeys = (0 until layout.groupingColumns).map(group => binary(s"group_key_$group"))
    private val groupHashes = (0 until layout.groupingColumns).map(group => int64(s"group_hash_$group"))
    private val values: IndexedSeq[FieldVector] = layout.valueColumns.indices.map(j => root.getVector(s"value_$j"))
    private var rows = 0
    allocate()

    def rowCount: Int = rows

    def append(row: InternalRow): Unit = {
      ids.foreach(vector => vector.setSafe(rows, identityBytes(row, layout.idOrdinal)))
      rowHashes.foreach(vector => vector.setSafe(rows, row.getLong(layout.rowHashOrdinal)))
      if (row.isNullAt(layout.fingerprintOrdinal)) fingerprints.setNull(rows)
      else fingerprints.setSafe(rows, row.getLong(layout.fingerprintOrdinal))
      var group = 0
      while (group < layout.groupingColumns) {
        groupKeys(group).setSafe(rows, identityBytes(row, layout.groupKeyOrdinal(group)))
        groupHashes(group).setSafe(rows, row.getLong(layout.groupHashOrdinal(group)))
        group += 1
      }
      var j = 0
      while (j < values.length) {
        val ordinal = layout.valueOrdinal(j)
        values(j) match {
          case vector: BigIntVector =>
            if (row.isNullAt(ordinal)) vector.setNull(rows) else vector.setSafe(rows, row.getLong(ordinal))
          case vector: Float8Vector =>
            if (row.isNullAt(ordinal)) vector.setNull(rows) else vector.setSafe(rows, row.getDouble(ordinal))
          case other => throw new sparkdp.AnalyticsInternalException(s"Unexpected value vector $other")
        }
        j += 1
      }
      rows += 1
    }

    /** The rows appended since the last flush as one IPC stream; the vectors are emptied for the next batch. */
    def flush(): Array[Byte] = {
      root.getFieldVectors.asScala.foreach(_.setValueCount(rows))
      root.setRowCount(rows)
      val ipc = ArrowIpc.streamOf(root)
      rows = 0
      allocate()
      ipc
    }

    def close(): Unit = {
      root.close()
      allocator.close()
    }

    private def allocate(): Unit = root.getFieldVectors.asScala.foreach { vector: FieldVector =>
      vector.clear()
      vector.setInitialCapacity(RowsPerBatch)
      vector.allocateNew()
    }
  }
}
