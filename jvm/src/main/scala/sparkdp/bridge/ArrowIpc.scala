package sparkdp.bridge

import java.io.{ByteArrayInputStream, ByteArrayOutputStream}
import java.util.Collections

import sparkdp.compat.CollectionConverters._
import scala.collection.mutable.ArrayBuffer
import scala.util.control.NonFatal

import org.apache.arrow.memory.{BufferAllocator, RootAllocator}
import org.apache.arrow.vector.{BigIntVector, VectorSchemaRoot}
import org.apache.arrow.vector.ipc.{ArrowStreamReader, ArrowStreamWriter}
import org.apache.arrow.vector.types.pojo.{ArrowType, Field, FieldType, Schema}

/**
 * Encodes and decodes the Arrow IPC streams that cross the JNI edge (docs/CONTRACTS.md), using only Arrow
 * Java's public vector API present in both Arrow 2.0 (Spark 3.1) and Arrow 12 (Spark 3.5).
 *
 * Every call allocates from its own child of one root allocator and closes it before returning; closing
 * a child allocator that still holds memory throws, so a leak fails loudly instead of growing.
 *
 * {{{
 * val ipc = ArrowIpc.encode(Seq(Int64Column("key", Array(1L, 2L, 2L), None)))
 * ArrowIpc.decode(ipc)   // Seq(Int64Column("key", Array(1L, 2L, 2L), None))
 * }}}
 */
object ArrowIpc {

  private val Int64 = new ArrowType.Int(64, true)
  private val Float64 = new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)

  // One root per JVM (class loader); each call takes a child with no limit of its own.
  private lazy val rootAllocator: BufferAllocator = new RootAllocator(Long.MaxValue)

  /**
   * Writes columns as one Arrow IPC stream holding a schema and one record batch.
   *
   * @param columns the columns, all of the same length and with distinct names; `isNull = None` declares a
   *                column not null, `Some(flags)` nullable
   * @return the IPC stream bytes
   * @throws IllegalArgumentException if there are no columns, lengths differ or names repeat
   * {{{
   * ArrowIpc.encode(Seq(Int64Column("key", Array(7L, 0L), Some(Array(false, true)))))
   * }}}
   */
  def encode(columns: Seq[Int64Column]): Array[Byte] = {
    require(columns.nonEmpty, "ArrowIpc.encode needs at least one column")
    val rowCount = columns.head.length
    columns.foreach { column =>
      require(column.length == rowCount,
        s"ArrowIpc.encode: column '${column.name}' has ${column.length} rows but " +
          s"'${columns.head.name}' has $rowCount")
    }
    val repeated = columns.groupBy(_.name).collect { case (name, same) if same.size > 1 => name }
    require(repeated.isEmpty, s"ArrowIpc.encode: repeated column names ${repeated.mkString(", ")}")

    val schema = new Schema(columns.map { column =>
      new Field(column.name, new FieldType(column.isNull.isDefined, Int64, null), Collections.emptyList[Field]())
    }.asJava)
    withAllocator("encode") { allocator =>
      val root = VectorSchemaRoot.create(schema, allocator)
      try {
        columns.zip(root.getFieldVectors.asScala).foreach { case (column, fieldVector) =>
          val vector = fieldVector.asInstanceOf[BigIntVector]
          vector.allocateNew(rowCount)
          var row = 0
          while (row < rowCount) {
            if (column.isNull.exists(flags => flags(row))) vector.setNull(row)
            else vector.set(row, column.values(row))
            row += 1
          }
          vector.setValueCount(rowCount)
        }
        root.setRowCount(rowCount)
        streamOf(root)
      } finally root.close()
    }
  }

  /**
   * Reads an Arrow IPC stream of Int64 columns, concatenating all its record batches.
   *
   * @param ipc the IPC stream bytes (schema + any number of batches)
   * @return one column per schema field, in schema order; a nullable field gives `isNull = Some(...)`, a
   *         not-null one `None`; zero batches give empty columns
   * @throws IllegalArgumentException if the bytes are not a readable IPC stream, or a column is not Int64
   *                                  (the message names the column and its type)
   * {{{
   * ArrowIpc.decode(Native.get.countByKey(ipc)).map(_.name)   // Seq("key", "count")
   * }}}
   */
  def decode(ipc: Array[Byte]): Seq[Int64Column] = {
    require(ipc != null, "ArrowIpc.decode: the IPC bytes are null")
    withAllocator("decode") { allocator =>
      val reader = new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)
      try {
        val root = unreadable(ipc, "schema")(reader.getVectorSchemaRoot)
        val fields = root.getSchema.getFields.asScala.toIndexedSeq
        fields.foreach { field =>
          require(field.getType == Int64 && field.getDictionary == null,
            s"Arrow IPC stream: column '${field.getName}' has type ${field.getType}" +
              s"${Option(field.getDictionary).fold("")(d => s" (dictionary-encoded: $d)")}, expected Int64")
        }
        val values = fields.map(_ => new ArrayBuffer[Long]())
        val nulls = fields.map(_ => new ArrayBuffer[Boolean]())
        var batchIndex = 0
        while (unreadable(ipc, s"record batch $batchIndex")(reader.loadNextBatch())) {
          val rowCount = root.getRowCount
          fields.indices.foreach { columnIndex =>
            val vector = root.getVector(columnIndex).asInstanceOf[BigIntVector]
            var row = 0
            while (row < rowCount) {
              val isNullRow = vector.isNull(row)
              nulls(columnIndex) += isNullRow
              values(columnIndex) += (if (isNullRow) 0L else vector.get(row))
              row += 1
            }
          }
          batchIndex += 1
        }
        fields.indices.map { columnIndex =>
          val field = fields(columnIndex)
          Int64Column(field.getName, values(columnIndex).toArray,
            if (field.isNullable) Some(nulls(columnIndex).toArray) else None)
        }
      } finally reader.close()
    }
  }

  /**
   * Reads an Arrow IPC stream of Int64 and Float64 columns (a release's output, COMPILER_INTERFACES §5.1 step
   * 3), concatenating its batches: per column its name and values, boxed (`java.lang.Long` /
   * `java.lang.Double`), null where null. For results of one row per cell, not for bulk data.
   *
   * @throws IllegalArgumentException if the bytes are not a readable IPC stream, or a column has another type
   * {{{
   * ArrowIpc.decodeValues(Native.get.releaseFinish(handle)).map(_._1)   // Seq("fp", "out_0")
   * }}}
   */
  def decodeValues(ipc: Array[Byte]): Seq[(String, IndexedSeq[Any])] = {
    require(ipc != null, "ArrowIpc.decodeValues: the IPC bytes are null")
    withAllocator("decodeValues") { allocator =>
      val reader = new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)
      try {
        val root = unreadable(ipc, "schema")(reader.getVectorSchemaRoot)
        val fields = root.getSchema.getFields.asScala.toIndexedSeq
        fields.foreach { field =>
          require(
            (field.getType == Int64 || field.getType == Float64) && field.getDictionary == null,
            s"Arrow IPC stream: column '${field.getName}' has type ${field.getType}, expected Int64 or Float64"
          )
        }
        val values = fields.map(_ => new ArrayBuffer[Any]())
        var batchIndex = 0
        while (unreadable(ipc, s"record batch $batchIndex")(reader.loadNextBatch())) {
          val rowCount = root.getRowCount
          fields.indices.foreach { columnIndex =>
            val vector = root.getVector(columnIndex)
            var row = 0
            while (row < rowCount) {
              values(columnIndex) += (if (vector.isNull(row)) null else vector.getObject(row))
              row += 1
            }
          }
          batchIndex += 1
        }
        fields.indices.map(i => fields(i).getName -> values(i).toIndexedSeq)
      } finally reader.close()
    }
  }

  /**
   * The rows `root` holds now as one IPC stream (schema + one record batch); `root` stays open.
   *
   * {{{
   * root.setRowCount(n); val ipc = ArrowIpc.streamOf(root)
   * }}}
   */
  def streamOf(root: VectorSchemaRoot): Array[Byte] = {
    val out = new ByteArrayOutputStream()
    val writer = new ArrowStreamWriter(root, null, out)
    try {
      writer.start()
      writer.writeBatch()
      writer.end()
    } finally writer.close()
    out.toByteArray
  }

  /**
   * The column `name` of a decoded Rust result, or an `AnalyticsInternalException` naming the kernel.
   *
   * {{{
   * ArrowIpc.columnNamed(ArrowIpc.decode(ipc), "count", "truncationFinish")
   * }}}
   */
  def columnNamed(columns: Seq[Int64Column], name: String, kernel: String): Int64Column =
    columns.find(_.name == name).getOrElse(
      throw new sparkdp.AnalyticsInternalException(
        s"Native $kernel returned columns ${columns.map(_.name).mkString("[", ", ", "]")}, without '$name'."
      )
    )

  // Arrow reports a malformed stream with assorted exceptions (IOException "Unexpected end of input",
  // IndexOutOfBoundsException from flatbuffers, ...); callers get one IllegalArgumentException saying
  // which part could not be read and why.
  private def unreadable[T](ipc: Array[Byte], part: String)(read: => T): T =
    try read
    catch {
      case NonFatal(e) =>
        throw new IllegalArgumentException(
          s"Arrow IPC stream (${ipc.length} bytes): cannot read the $part: $e", e)
    }

  /** Arrow memory currently held by ArrowIpc calls (0 between calls); for leak tests. */
  private[bridge] def allocatedBytes: Long = rootAllocator.getAllocatedMemory

  private def withAllocator[T](purpose: String)(body: BufferAllocator => T): T = {
    val allocator = rootAllocator.newChildAllocator(s"sparkdp.ArrowIpc.$purpose", 0, Long.MaxValue)
    val result =
      try body(allocator)
      catch {
        case NonFatal(failure) =>
          // Arrow Java 2.0's reader keeps a 32-byte buffer when a record batch is truncated (measured in
          // ArrowIpcSuite; nothing of ours holds it, so we cannot release it). Closing then reports a
          // leak; the caller must still see the original error, so the leak report travels along as a
          // suppressed exception. Only malformed input costs these bytes.
          try allocator.close()
          catch { case NonFatal(leak) => failure.addSuppressed(leak) }
          throw failure
      }
    allocator.close() // throws if a successful call leaked: a bug in this file
    result
  }
}
