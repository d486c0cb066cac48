package sparkdp.bridge

import java.io.ByteArrayOutputStream
import java.util.Collections

import sparkdp.compat.CollectionConverters._

import org.apache.arrow.memory.RootAllocator
import org.apache.arrow.vector.{BigIntVector, IntVector, VarCharVector, VectorSchemaRoot}
import org.apache.arrow.vector.ipc.ArrowStreamWriter
import org.apache.arrow.vector.types.pojo.{ArrowType, Field, FieldType, Schema}

/**
 * IPC streams that ArrowIpc.encode never writes (several batches, other types), built directly with Arrow
 * Java, to test decoding and the native side's schema checks.
 */
object TestIpcStreams {

  /**
   * One stream with a nullable Int64 column, one record batch per element of `batches`.
   *
   * @param name    the column name
   * @param batches the batches' values, `None` for null
   */
  def int64Batches(name: String, batches: Seq[Seq[Option[Long]]]): Array[Byte] = {
    val allocator = new RootAllocator(Long.MaxValue)
    try {
      val field = new Field(name, new FieldType(true, new ArrowType.Int(64, true), null),
        Collections.emptyList[Field]())
      val root = VectorSchemaRoot.create(new Schema(Seq(field).asJava), allocator)
      try {
        val out = new ByteArrayOutputStream()
        val writer = new ArrowStreamWriter(root, null, out)
        writer.start()
        batches.foreach { batch =>
          val vector = root.getVector(0).asInstanceOf[BigIntVector]
          vector.allocateNew(batch.size)
          batch.zipWithIndex.foreach {
            case (Some(v), row) => vector.set(row, v)
            case (None, row) => vector.setNull(row)
          }
          vector.setValueCount(batch.size)
          root.setRowCount(batch.size)
          writer.writeBatch()
        }
        writer.end()
        writer.close()
        out.toByteArray
      } finally root.close()
    } finally allocator.close()
  }

  /** A one-batch stream with an Int32 column `key` (wrong type for every native entry point). */
  def int32Keys(values: Seq[Int]): Array[Byte] = {
    val allocator = new RootAllocator(Long.MaxValue)
    try {
      val vector = new IntVector("key", allocator)
      try {
        vector.allocateNew(values.size)
        values.zipWithIndex.foreach { case (v, row) => vector.set(row, v) }
        vector.setValueCount(values.size)
        writeSingleVector(vector)
      } finally vector.close()
    } finally allocator.close()
  }

  /** A one-batch stream with a Utf8 column. */
  def utf8Column(name: String, values: Seq[String]): Array[Byte] = {
    val allocator = new RootAllocator(Long.MaxValue)
    try {
      val vector = new VarCharVector(name, allocator)
      try {
        vector.allocateNew()
        values.zipWithIndex.foreach { case (v, row) => vector.setSafe(row, v.getBytes("UTF-8")) }
        vector.setValueCount(values.size)
        writeSingleVector(vector)
      } finally vector.close()
    } finally allocator.close()
  }

  private def writeSingleVector(vector: org.apache.arrow.vector.FieldVector): Array[Byte] = {
    val root = new VectorSchemaRoot(Seq(vector.getField).asJava, Seq(vector).asJava, vector.getValueCount)
    val out = new ByteArrayOutputStream()
    val writer = new ArrowStreamWriter(root, null, out)
    writer.start()
    writer.writeBatch()
    writer.end()
    writer.close()
    out.toByteArray
  }
}
