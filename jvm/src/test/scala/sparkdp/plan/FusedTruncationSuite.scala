package sparkdp.plan

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.functions.{col, lit}
import org.apache.spark.sql.types.{DoubleType, IntegerType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp.{Constraint, MaxGroupsPerID, MaxRowsPerGroupPerID, MaxRowsPerID}
import sparkdp.bridge.TruncationKernel
import sparkdp.plan.measure.PartialAggregates
import sparkdp.system.TestSpark

/** The fused Rust truncation + partial count (`PartialAggregates`, `TruncationKernel`) against the window
  * oracle (`WindowTruncation`) and plain Spark: every constraint, their orders, two grouping columns, null and
  * NaN grouping values, null fingerprints, batches across the kernel's batch size, tables without IDs.
  */
class FusedTruncationSuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark
  private val someKey: Array[Byte] = Array.tabulate[Byte](32)(i => (i * 11 + 3).toByte)

  private val schema = StructType(
    Seq(
      StructField("id", IntegerType),
      StructField("shop", StringType),
      StructField("day", DoubleType),
      StructField("item", StringType)
    )
  )

  /** Random rows: 60 IDs (and null), few shops and days (null and NaN days too), duplicate rows. */
  private lazy val table: DataFrame = {
    val random = new scala.util.Random(20261203L)
    val days: Seq[java.lang.Double] = Seq(1.0, 2.0, -0.0, 0.0, Double.NaN, null)
    val rows = Seq.fill(4000) {
      val id: Integer = if (random.nextInt(25) == 0) null else Integer.valueOf(random.nextInt(60))
      val shop = if (random.nextInt(20) == 0) null else s"shop-${random.nextInt(6)}"
      Row(id, shop, days(random.nextInt(days.length)), s"item-${random.nextInt(9)}")
    }
    spark.createDataFrame(spark.sparkContext.parallelize(rows, 3), schema)
  }

  /** The fingerprint of `item`, null for item-0 (a null fingerprint must be its own group). */
  private lazy val fingerprint =
    org.apache.spark.sql.functions.when(col("item") === "item-0", lit(null).cast("long")).otherwise(
      KeyFingerprint.of(Seq(schema("item")), new Array[Byte](32))
    )

  private def fused(data: DataFrame, idColumn: Option[String], constraints: Seq[Constraint]): Map[Option[Long], Long] =
    PartialAggregates
      .countPerFingerprint(data, idColumn, constraints, fingerprint, someKey, "fp", "n")
      .collect()
      .map(row => (if (row.isNullAt(0)) None else Some(row.getLong(0))) -> row.getLong(1))
      .toMap

  private val constraintSequences: Seq[Seq[Constraint]] = Seq(
    Seq(MaxRowsPerID(3)),
    Seq(MaxRowsPerID(50), MaxRowsPerID(2)),
    Seq(MaxGroupsPerID("shop", 2), MaxRowsPerGroupPerID("shop", 2)),
    Seq(MaxRowsPerGroupPerID("shop", 1), MaxGroupsPerID("shop", 3)),
    Seq(MaxRowsPerID(4), MaxGroupsPerID("day", 1)),
    Seq(MaxGroupsPerID("day", 2), MaxRowsPerID(5), MaxRowsPerGroupPerID("shop", 1)),
    Seq(MaxGroupsPerID("shop", 1), MaxRowsPerGroupPerID("day", 1), MaxRowsPerID(2))
  )

  test("every constraint sequence keeps what the window oracle keeps, count for count") {
    constraintSequences.foreach { constraints =>
      val expected = WindowTruncation.countPerFingerprint(table, "id", constraints, fingerprint, someKey)
      assert(fused(table, Some("id"), constraints) == expected, s"constraints $constraints")
    }
  }

  test("the oracle comparison can fail: another key keeps other rows") {
    val otherKey = someKey.map(byte => (byte ^ 0x5a).toByte)
    val constraints = Seq(MaxGroupsPerID("shop", 1), MaxRowsPerGroupPerID("shop", 1))
    val expected = WindowTruncation.countPerFingerprint(table, "id", constraints, fingerprint, otherKey)
    assert(fused(table, Some("id"), constraints) != expected)
  }

  test("the same counts whatever the partitioning and on re-evaluation") {
    val constraints = Seq(MaxGroupsPerID("day", 2), MaxRowsPerGroupPerID("day", 2))
    val first = fused(table, Some("id"), constraints)
    assert(fused(table.repartition(7), Some("id"), constraints) == first)
    assert(fused(table.coalesce(1), Some("id"), constraints) == first)
    assert(fused(table, Some("id"), constraints) == first)
  }

  test("a table without IDs: every row counted, as Spark's groupBy counts, a map column allowed (no row hash)") {
    val expected = table
      .select(fingerprint.as("fp"))
      .groupBy("fp")
      .count()
      .collect()
      .map(row => (if (row.isNullAt(0)) None else Some(row.getLong(0))) -> row.getLong(1))
      .toMap
    val withMap = table.withColumn("tags", org.apache.spark.sql.functions.map(lit("k"), col("item")))
    assert(fused(withMap, None, Seq.empty) == expected)
  }

  test("an ID with more rows than a kernel batch: counted across batches, k kept") {
    val rowCount = 7 * 5000 // more than two kernel batches
    val oneId = spark.range(rowCount).select(lit(7).as("id"), (col("id") % 7).cast(StringType).as("item"))
    val itemFingerprint = KeyFingerprint.of(Seq(StructField("item", StringType)), new Array[Byte](32))
    def counts(constraints: Seq[Constraint]) =
      PartialAggregates.countPerFingerprint(oneId, Some("id"), constraints, itemFingerprint, someKey, "fp", "n")
        .collect().map(_.getLong(1))
    assert(counts(Seq(MaxRowsPerID(Int.MaxValue))).toSeq.sorted == Seq.fill(7)(rowCount / 7L))
    assert(counts(Seq(MaxRowsPerID(TruncationKernel.RowsPerBatch + 1))).sum == TruncationKernel.RowsPerBatch + 1L)
  }
}
