package sparkdp.system

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.functions.{col, explode, lit, sequence, when}
import org.apache.spark.sql.types.{DoubleType, LongType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.bridge.Native
import sparkdp.plan.{CompileInputs, PrivateTable}
import sparkdp.plan.transform.{ColumnDescriptor => PreparedColumn, TransformationCompiler}

/** map, flat_map and flat_map_by_id with Scala functions: at an infinite budget equal to plain Spark on the same
  * data; the output's protected change (Rust's) and column descriptors; errors before any data is read, with
  * nothing spent; flat_map(max_rows = 3) under AddOneRow triples a count's noise scale.
  */
class MapSuite extends AnyFunSuite {
  import MapSuite._

  private lazy val spark = TestSpark.spark

  /** 12 rows: x = 0..11, id = x % 4 (3 rows per ID), s = "even"/"odd" of x. */
  private lazy val data: DataFrame = spark.createDataFrame(
    spark.sparkContext.parallelize((0 until 12).map(x => Row((x % 4).toLong, x.toLong, if (x % 2 == 0) "even" else "odd")), 3),
    StructType(Seq(StructField("id", LongType), StructField("x", LongType), StructField("s", StringType)))
  )

  private val infinite = PureDPBudget(Double.PositiveInfinity)
  private val integer = sparkdp.ColumnDescriptor(ColumnType.Integer, allowNull = true)
  private val varchar = sparkdp.ColumnDescriptor(ColumnType.Varchar, allowNull = true)

  private def session(change: ProtectedChange, budget: PrivacyBudget = infinite): Session =
    Session.fromDataFrame(budget, "t", data, change)

  private def counts(result: DataFrame, keyColumn: String): Map[Any, Long] =
    result.collect().map(row => row.getAs[Any](keyColumn) -> row.getAs[Long]("count")).toMap

  private def plainCounts(plain: DataFrame, keyColumn: String): Map[Any, Long] =
    plain.groupBy(keyColumn).count().collect().map(row => row.get(0) -> row.getLong(1)).toMap

  private def prepared(query: QueryBuilder, change: ProtectedChange) =
    TransformationCompiler.prepare(query.queryExpr, Map("t" -> PrivateTable(data, change)), CompileInputs(Map.empty, new Array[Byte](32)))

  test("map, augmenting or not, equals plain Spark at an infinite budget") {
    val dp = session(AddOneRow())
    try {
      val parity = (row: Row) => Map("p" -> (if (row.getAs[Long]("x") % 3 == 0) "three" else "other"))
      val keys = KeySet.fromDict(Map("p" -> Seq("three", "other", "none")))
      val plain = data.withColumn("p", when(col("x") % 3 === 0, "three").otherwise("other"))
      val expected = plainCounts(plain, "p") + ("none" -> 0L)
      for (augment <- Seq(true, false)) {
        val result = dp.evaluate(QueryBuilder("t").map(parity, Seq("p" -> varchar), augment).groupBy(keys).count(), infinite)
        assert(counts(result, "p") == expected, s"augment=$augment")
      }
      // The augmenting map keeps the input columns: a sum over x after it equals plain Spark's.
      val sum = dp.evaluate(QueryBuilder("t").map(parity, Seq("p" -> varchar), augment = true).sum("x", 0L, 100L), infinite)
      assert(sum.collect().head.getLong(0) == (0L until 12L).sum)
      assert(dp.remainingPrivacyBudget == infinite)
    } finally dp.stop()
  }

  test("flat_map keeps at most max_rows rows of each input row and equals plain Spark") {
    val dp = session(AddOneRow())
    try {
      // Row x gives x % 5 rows i = 0, 1, ...; at most 3 are kept.
      val copies = (row: Row) => (0L until row.getAs[Long]("x") % 5).map(i => Map("i" -> i))
      val plain = data.withColumn("i", explode(sequence(lit(0L), col("x") % 5 - 1))).filter(col("i") < 3 && col("x") % 5 > 0)
      val keys = KeySet.fromDict(Map("i" -> Seq(0L, 1L, 2L, 3L, 4L)))
      val expected = plainCounts(plain, "i") ++ Map(3L -> 0L, 4L -> 0L)
      for (augment <- Seq(true, false)) {
        val query = QueryBuilder("t").flatMap(copies, Seq("i" -> integer), augment, grouping = false, maxRows = Some(3))
        assert(counts(dp.evaluate(query.groupBy(keys).count(), infinite), "i") == expected, s"augment=$augment")
      }
      assert(prepared(QueryBuilder("t").flatMap(copies, Seq("i" -> integer), 3), AddOneRow()).protectedChange == AddMaxRows(3))
      assert(prepared(QueryBuilder("t").flatMap(copies, Seq("i" -> integer), 3), AddMaxRows(2)).protectedChange == AddMaxRows(6))
    } finally dp.stop()
  }

  test("flat_map(max_rows = 0) is accepted as Tumult: no rows, stability 0, so its queries get no noise but are charged") {
    val dp = session(AddMaxRows(2), PureDPBudget(3))
    try {
      val copies = (_: Row) => Seq(Map("i" -> 1L), Map("i" -> 2L))
      val nothing = QueryBuilder("t").flatMap(copies, Seq("i" -> integer), augment = true, grouping = false, maxRows = Some(0))
      val groupingNothing = QueryBuilder("t").flatMap(copies, Seq("i" -> integer), augment = true, grouping = true, maxRows = Some(0))
      // Rust's change: AddMaxRows(0), whatever the input's change (Tumult Core's stability d·0).
      for (change <- Seq(AddOneRow(), AddMaxRows(2), AddMaxRowsInMaxGroups("s", 1, 1))) {
        assert(prepared(nothing, change).protectedChange == AddMaxRows.noChange)
      }
      assert(prepared(groupingNothing, AddOneRow()).protectedChange == AddMaxRows.noChange)
      // Noise scale 0/ε = 0 (Tumult's): exact zeros, every time, and the budget is charged.
      val keys = KeySet.fromDict(Map("i" -> Seq(1L, 2L)))
      for (_ <- 1 to 3) {
        assert(dp.evaluate(nothing.count(), PureDPBudget(0.25)).head().getLong(0) == 0L)
        assert(counts(dp.evaluate(groupingNothing.groupBy(keys).count(), PureDPBudget(0.25)), "i") == Map(1L -> 0L, 2L -> 0L))
      }
      assert(dp.evaluate(nothing.sum("x", 0L, 10L), PureDPBudget(0.25)).head().getLong(0) == 0L)
      assert(dp.remainingPrivacyBudget == PureDPBudget(1.25))
      assert(intercept[IllegalArgumentException](AddMaxRows(0)).getMessage == "max_rows must be positive, but got 0.")
    } finally dp.stop()
  }

  test("grouping flat_map drops repeated group values per row; a groupby on its column equals plain Spark") {
    val dp = session(AddOneRow())
    try {
      // Each row gives g = a, a, b, c: max_rows = 3 keeps a, a, b, and the repeated a is dropped (Tumult Core's
      // GroupingFlatMap: truncate first, then drop repeats), so c never appears.
      val groups = (_: Row) => Seq(Map("g" -> "a"), Map("g" -> "a"), Map("g" -> "b"), Map("g" -> "c"))
      val keys = KeySet.fromDict(Map("g" -> Seq("a", "b", "c")))
      val query = QueryBuilder("t").flatMap(groups, Seq("g" -> varchar), augment = true, grouping = true, maxRows = Some(3))
      assert(counts(dp.evaluate(query.groupBy(keys).count(), infinite), "g") == Map("a" -> 12L, "b" -> 12L, "c" -> 0L))
      assert(prepared(query, AddOneRow()).protectedChange == AddMaxRowsInMaxGroups("g", 3, 1))
      assert(prepared(query, AddMaxRows(4)).protectedChange == AddMaxRowsInMaxGroups("g", 3, 4))
    } finally dp.stop()
  }

  test("flat_map_by_id maps all rows of an ID at once and keeps the ID") {
    import scala.collection.JavaConverters._
    val dp = session(AddRowsWithID("id"))
    try {
      // One row per ID with n = its number of rows and top = its largest x.
      val summary = (rows: Seq[Row]) => Seq(Map("n" -> rows.size, "top" -> rows.map(_.getAs[Long]("x")).max))
      val query = QueryBuilder("t").flatMapByID(summary, Seq("n" -> integer, "top" -> integer)).enforce(MaxRowsPerID(1))
      val total = dp.evaluate(query.sum("n", 0L, 100L), infinite).collect().head.getLong(0)
      assert(total == 12L)
      val tops = dp.evaluate(query.sum("top", 0L, 100L), infinite).collect().head.getLong(0)
      assert(tops == data.groupBy("id").max("x").collect().map(_.getLong(1)).sum)
      val table = prepared(QueryBuilder("t").flatMapByID(summary, Seq("n" -> integer, "top" -> integer)), AddRowsWithID("id"))
      assert(table.protectedChange == AddRowsWithID("id"))
      assert(table.columns.map(_.name) == Seq("id", "n", "top"))
      assert(table.dataframe.schema.map(_.dataType) == Seq(LongType, LongType, LongType))
      // flat_map on an ID table keeps the ID, ignores max_rows, and constraints after it bound the rows.
      val copies = (row: Row) => Seq.fill(5)(Map("c" -> 1L))
      val flat = QueryBuilder("t").flatMap(copies, Seq("c" -> integer), augment = true, grouping = false, maxRows = Some(2))
      assert(prepared(flat, AddRowsWithID("id")).protectedChange == AddRowsWithID("id"))
      val count = dp.evaluate(flat.enforce(MaxRowsPerID(100)).count(), infinite).collect().head.getLong(0)
      assert(count == 60L)
      // Tumult warns that max_rows is ignored on an ID table.
      assert(dp.drainWarnings().asScala.toSeq == Seq(sparkdp.SessionWarning(
        "UserWarning",
        "When performing a flat map on a table with the AddRowsWithID ProtectedChange(), the max_rows parameter is " +
          "not required and will be ignored."
      )))
    } finally dp.stop()
  }

  test("new columns are nullable; NaN and infinity as the descriptor says, only for DECIMAL") {
    val strict = sparkdp.ColumnDescriptor(ColumnType.Decimal)
    val loose = sparkdp.ColumnDescriptor(ColumnType.Decimal, allowNull = true, allowNan = true, allowInf = true)
    val half = (row: Row) => Map("h" -> row.getAs[Long]("x") / 2.0, "k" -> row.getAs[Long]("x") / 2.0, "n" -> 1)
    val table = prepared(
      QueryBuilder("t").map(half, Seq("h" -> strict, "k" -> loose, "n" -> sparkdp.ColumnDescriptor(ColumnType.Integer, allowNan = true)), augment = true),
      AddOneRow()
    )
    assert(table.columns.drop(3) == Seq(
      PreparedColumn("h", DoubleType, isNullable = true),
      PreparedColumn("k", DoubleType, isNullable = true, allowNan = true, allowInf = true),
      PreparedColumn("n", LongType, isNullable = true)
    ))
    assert(table.columns.take(3).map(_.name) == Seq("id", "x", "s"))
    assert(table.dataframe.collect().map(_.getDouble(3)).sorted.toSeq == (0 until 12).map(_ / 2.0))
  }

  test("errors name the setting, come before any data is read, and spend nothing") {
    // A function that would fail the job if it ever ran: the errors below come from the checks alone.
    val neverRow: Row => Map[String, Any] = _ => throw new IllegalStateException("data was read")
    val neverRows: Row => Seq[Map[String, Any]] = _ => throw new IllegalStateException("data was read")
    val neverId: Seq[Row] => Seq[Map[String, Any]] = _ => throw new IllegalStateException("data was read")
    def refused(change: ProtectedChange, query: QueryBuilder, message: String): Unit = {
      val dp = session(change, PureDPBudget(1))
      try {
        val error = intercept[IllegalArgumentException](dp.evaluate(query.count(), PureDPBudget(1)))
        assert(error.getMessage.contains(message), error.getMessage)
        assert(dp.remainingPrivacyBudget == PureDPBudget(1))
      } finally dp.stop()
    }
    val t = QueryBuilder("t")
    refused(AddOneRow(), t.flatMap(neverRows, Seq("i" -> integer), augment = true, grouping = false, maxRows = None),
      "Flat maps on tables without IDs must have a defined max_rows parameter.")
    refused(AddMaxRows(2), t.flatMap(neverRows, Seq("i" -> integer), 1073741824), "max_rows=1073741824")
    refused(AddRowsWithID("id"), t.map(neverRow, Seq("p" -> integer)).enforce(MaxRowsPerID(1)),
      "Map must set augment=True to ensure that ID column 'id' is not lost.")
    refused(AddMaxRowsInMaxGroups("s", 1, 1), t.flatMap(neverRows, Seq("i" -> integer), 2),
      "Flat map must set augment=True to ensure that grouping column 's' is not lost.")
    refused(AddOneRow(), t.map(neverRow, Seq("x" -> integer), augment = true),
      "New columns in augmenting map must not overwrite existing columns, but found new columns that already exist: x")
    refused(AddRowsWithID("id"), t.flatMap(neverRows, Seq("g" -> varchar), augment = true, grouping = true, maxRows = Some(2)).enforce(MaxRowsPerID(1)),
      "Grouping flat map cannot be used on tables with the AddRowsWithID protected change.")
    refused(AddMaxRowsInMaxGroups("s", 1, 1), t.flatMap(neverRows, Seq("g" -> varchar), augment = true, grouping = true, maxRows = Some(2)),
      "Multiple grouping transformations are used in this query.")
    refused(AddOneRow(), t.flatMap(neverRows, Seq("g" -> varchar), augment = false, grouping = true, maxRows = Some(2)),
      "Transformer must be augmenting.")
    refused(AddOneRow(), t.flatMapByID(neverId, Seq("n" -> integer)), "Flat-map-by-ID may only be used on tables with ID columns.")
    refused(AddRowsWithID("id"), t.flatMapByID(neverId, Seq("id" -> integer)).enforce(MaxRowsPerID(1)),
      "Flat-map-by-ID mapping function output cannot include ID column.")
    val grouping = intercept[IllegalArgumentException](
      t.flatMap(neverRows, Seq("a" -> integer, "b" -> integer), augment = true, grouping = true, maxRows = Some(2))
    )
    assert(grouping.getMessage == "new_column_types contains 2 columns, grouping flat map can only result in 1 new column")
    intercept[IllegalArgumentException](t.map(neverRow, Seq("o" -> sparkdp.ColumnDescriptor(ColumnType.Other("boolean")))))
  }

  test("a map function's missing column fails the job naming it") {
    val dp = session(AddOneRow())
    try {
      val error = intercept[Exception](
        dp.evaluate(QueryBuilder("t").map((_: Row) => Map("q" -> 1L), Seq("p" -> integer)).count(), infinite)
      )
      assert(Iterator.iterate[Throwable](error)(_.getCause).takeWhile(_ != null).exists(e =>
        String.valueOf(e.getMessage).contains("lacks the new column 'p'")), error.toString)
    } finally dp.stop()
  }

  test(s"flat_map(max_rows = 3) under AddOneRow triples the count's noise scale (n = $NoiseKeys, |z| < $ZThreshold)") {
    val budget = PureDPBudget(1)
    val dp = session(AddOneRow(), budget)
    try {
      val keys = KeySet.fromDataFrame(spark.createDataFrame(
        spark.sparkContext.parallelize((0 until NoiseKeys).map(i => Row(s"none-$i")), 2),
        StructType(Seq(StructField("k", StringType)))
      ))
      val query = QueryBuilder("t")
        .flatMap((_: Row) => Seq.fill(5)(Map("k" -> "present")), Seq("k" -> varchar), augment = true, grouping = false, maxRows = Some(3))
        .groupBy(keys).count()
      val samples = dp.evaluate(query, budget).select("count").collect().map(_.getLong(0)).toSeq
      assert(samples.length == NoiseKeys)
      // The hypothesis is Tumult's, computed here and not read from the plan: a count under AddOneRow has
      // discrete Laplace scale 1/ε; FlatMap's stability max_rows = 3 makes it 3/ε.
      val scale = 3.0 / 1.0 * HypothesisScaleFactor
      val (variance, _) = NoiseStatistics.moments(NoiseStatistics.DiscreteLaplace(scale))
      val n = samples.length.toDouble
      val (meanZ, squareZ) = NoiseStatistics.zScores(samples, NoiseStatistics.DiscreteLaplace(scale))
      val summary = f"scale $scale: mean square ${samples.map(x => x.toDouble * x).sum / n}%.2f vs $variance%.2f, " +
        f"z(mean)=$meanZ%.2f, z(mean square)=$squareZ%.2f"
      info(summary)
      assert(math.abs(meanZ) < ZThreshold, summary)
      assert(math.abs(squareZ) < ZThreshold, summary)
    } finally dp.stop()
  }

  test("Native.flatMapChange is Rust's rule") {
    assert(Native.get.flatMapChange("AddOneRow", "flat_map:3") == "AddMaxRows:3")
    assert(Native.get.flatMapChange("AddRowsWithID", "flat_map_by_id") == "AddRowsWithID")
    intercept[IllegalArgumentException](Native.get.flatMapChange("AddOneRow", "flat_map:x"))
  }
}

object MapSuite {

  /** 8000 cells: the mean square's skewness is small, so |z| ≥ 6 has probability ≈ 1e-8 per statistic. Against
    * scale 1 (the hypothesis of a stability of 1) the mean square is ≈ 1.8 instead of ≈ 17.8: measured z = 320 (red).
    */
  val NoiseKeys = 8000
  val ZThreshold = 6.0

  /** 1.0; set to 1/3 once to see the noise test go red (the hypothesis of a stability of 1). */
  val HypothesisScaleFactor = 1.0
}
