package sparkdp.system

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.types.{DoubleType, LongType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.system.NoiseStatistics.{DiscreteGaussian, DiscreteLaplace, Hypothesis}

/** A finite-budget noise test for every transformation and session feature (Python twin:
  * `tests/python/test_transformation_noise.py`).
  *
  * Each test evaluates once over a keyset of 2000 cells whose true answers are known from the data (noise =
  * released − truth), and tests the draws against the exact noise distribution that Tumult's stability for
  * the transformation implies, computed here from Tumult's rules and not read from the plan: a count's L1
  * sensitivity is the output's protected change (AddOneRow 1, AddMaxRows(n) n, AddMaxRowsInMaxGroups(c, g, r)
  * g·r, and under zCDP grouped by c an L2 of r·√g), a clamped sum's is that times max(|low|, |high|); discrete
  * Laplace of scale Δ₁/ε under PureDP and ApproxDP, discrete Gaussian of σ² = Δ₂²/(2ρ) under RhoZCDP. The
  * statistics (KS at α = 1e-6 per statistic, power against a wrong scale ×/÷ 1.5 above 0.999, checked) are
  * [[NoiseStatistics]]'s.
  */
class TransformationNoiseSuite extends AnyFunSuite {
  import TransformationNoiseSuite._

  private lazy val spark = TestSpark.spark

  private val integer = sparkdp.ColumnDescriptor(ColumnType.Integer, allowNull = true)
  private val varchar = sparkdp.ColumnDescriptor(ColumnType.Varchar, allowNull = true)

  /** One column `column` with the 2000 cell names. */
  private def cellKeys(column: String = "cell"): KeySet =
    KeySet.fromDataFrame(table(StructType(Seq(StructField(column, StringType))), (0 until Cells).map(i => Row(cell(i)))))

  private def table(schema: StructType, rows: Seq[Row]): DataFrame =
    spark.createDataFrame(spark.sparkContext.parallelize(rows, 2), schema)

  /** One row per cell: (cell, x = i mod 8). */
  private lazy val cellsWithX: DataFrame = table(
    StructType(Seq(StructField("cell", StringType), StructField("x", LongType))),
    (0 until Cells).map(i => Row(cell(i), (i % 8).toLong))
  )

  private def session(budget: PrivacyBudget, change: ProtectedChange, data: DataFrame): Session =
    Session.fromDataFrame(budget, "t", data, change)

  /** Evaluates `query` with the session's whole budget and tests released − truth against `expected`. */
  private def assertNoise(
      dp: Session,
      query: Query,
      budget: PrivacyBudget,
      keyColumns: Seq[String],
      valueColumn: String,
      expected: Hypothesis,
      cells: Int = Cells
  )(truth: String => Long): Unit =
    try {
      val released = dp.evaluate(query, budget).collect().toSeq
      assert(released.length == cells, s"${released.length} cells released")
      val noise = released.map { row =>
        val key = keyColumns.map(column => String.valueOf(row.get(row.fieldIndex(column)))).mkString("|")
        row.getLong(row.fieldIndex(valueColumn)) - truth(key)
      }
      val fit = NoiseStatistics.fit(noise, expected)
      info(fit.summary)
      assert(fit.powerIsDesigned, fit.summary)
      assert(fit.fits, fit.summary)
    } finally dp.stop()

  private def countNoise(dp: Session, query: Query, budget: PrivacyBudget, expected: Hypothesis, key: String = "cell")(truth: String => Long): Unit =
    assertNoise(dp, query, budget, Seq(key), "count", expected)(truth)

  // ---- row-wise -----------------------------------------------------------------------------------------------

  test("select keeps AddMaxRows(2): a count's noise is discrete Laplace of scale 2 at PureDP(1)") {
    val budget = PureDPBudget(1)
    countNoise(session(budget, AddMaxRows(2), cellsWithX), QueryBuilder("t").select(Seq("cell")).groupBy(cellKeys()).count(), budget, DiscreteLaplace(2))(_ => 1)
  }

  test("rename carries AddMaxRowsInMaxGroups(cell, 2, 3) to the new name: grouped by it, sigma^2 = 2·3²/(2ρ) = 18 at RhoZCDP(0.5)") {
    val budget = RhoZCDPBudget(0.5)
    val query = QueryBuilder("t").rename(Map("cell" -> "key")).groupBy(cellKeys("key")).count()
    countNoise(session(budget, AddMaxRowsInMaxGroups("cell", 2, 3), cellsWithX), query, budget, DiscreteGaussian(18), "key")(_ => 1)
  }

  test("filter keeps AddMaxRows(2): a filtered count's noise is discrete Gaussian of sigma^2 = 2²/(2ρ) = 4 at RhoZCDP(0.5)") {
    val budget = RhoZCDPBudget(0.5)
    val data = table(StructType(Seq(StructField("cell", StringType), StructField("x", LongType))), (0 until Cells).flatMap(i => Seq(Row(cell(i), 0L), Row(cell(i), 1L))))
    countNoise(session(budget, AddMaxRows(2), data), QueryBuilder("t").filter("x = 1").groupBy(cellKeys()).count(), budget, DiscreteGaussian(4))(_ => 1)
  }

  /** Cell i: x = null for even i, else i mod 7. */
  private lazy val nullableX: DataFrame = table(
    StructType(Seq(StructField("cell", StringType), StructField("x", LongType, nullable = true))),
    (0 until Cells).map(i => Row(cell(i), if (i % 2 == 0) null else java.lang.Long.valueOf(i % 7L)))
  )

  test("replace_null_and_nan changes values, keeps AddOneRow: a sum clamped to [0, 5] has Laplace scale 5 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val query = QueryBuilder("t").replaceNullAndNan(Map[String, Any]("x" -> 9L)).groupBy(cellKeys()).sum("x", 0L, 5L)
    assertNoise(session(budget, AddOneRow(), nullableX), query, budget, Seq("cell"), "x_sum", DiscreteLaplace(5)) { key =>
      val i = index(key)
      if (i % 2 == 0) 5L else math.min(i % 7L, 5L)
    }
  }

  /** Per cell: y = 1.0, y = null, and for even i y = NaN; and y = +inf, −inf. */
  private lazy val specialY: DataFrame = table(
    StructType(Seq(StructField("cell", StringType), StructField("y", DoubleType, nullable = true))),
    (0 until Cells).flatMap { i =>
      Seq(Row(cell(i), 1.0), Row(cell(i), null), Row(cell(i), Double.PositiveInfinity), Row(cell(i), Double.NegativeInfinity)) ++
        (if (i % 2 == 0) Seq(Row(cell(i), Double.NaN)) else Nil)
    }
  )

  test("drop_null_and_nan keeps AddMaxRows(3): a count's noise is discrete Laplace of scale 3 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val query = QueryBuilder("t").dropNullAndNan(Seq("y")).groupBy(cellKeys()).count()
    countNoise(session(budget, AddMaxRows(3), specialY), query, budget, DiscreteLaplace(3))(_ => 3) // 1.0, +inf, −inf
  }

  test("replace_infinity keeps AddOneRow: a count of the replaced value has Laplace scale 1/ε = 0.5 at ApproxDP(2, 1e-6)") {
    val budget = ApproxDPBudget(2, 1e-6)
    val query = QueryBuilder("t").replaceInfinity(Map("y" -> ((-1.0, 2.5)))).filter("y = 2.5").groupBy(cellKeys()).count()
    countNoise(session(budget, AddOneRow(), specialY), query, budget, DiscreteLaplace(0.5))(_ => 1) // the +inf row
  }

  test("drop_infinity keeps AddMaxRows(2): a count's noise is discrete Laplace of scale 2 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val query = QueryBuilder("t").dropInfinity(Seq("y")).groupBy(cellKeys()).count()
    countNoise(session(budget, AddMaxRows(2), specialY), query, budget, DiscreteLaplace(2)) { key =>
      if (index(key) % 2 == 0) 3 else 2 // 1.0, null (and NaN)
    }
  }

  test("bin_column keeps AddOneRow: counts per (cell, bin) have Laplace scale 2 at PureDP(0.5)") {
    val budget = PureDPBudget(0.5)
    // 500 cells × 4 bins; each cell has ages 10 and 18 ("[0, 18]"), 30 ("(18, 40]"), 70 and 100 ("(65, 100]").
    val ages = Seq(10L, 18L, 30L, 70L, 100L)
    val data = table(StructType(Seq(StructField("cell", StringType), StructField("age", LongType))), (0 until 500).flatMap(i => ages.map(age => Row(cell(i), age))))
    val spec = BinningSpec(Seq(0L, 18L, 40L, 65L, 100L))
    val keys = KeySet.fromDataFrame(table(StructType(Seq(StructField("cell", StringType))), (0 until 500).map(i => Row(cell(i))))) *
      KeySet.fromDict(Map("age_bin" -> spec.bins()))
    val truth = Map("[0, 18]" -> 2L, "(18, 40]" -> 1L, "(40, 65]" -> 0L, "(65, 100]" -> 2L)
    val query = QueryBuilder("t").binColumn("age", spec, "age_bin").groupBy(keys).count()
    assertNoise(session(budget, AddOneRow(), data), query, budget, Seq("cell", "age_bin"), "count", DiscreteLaplace(2))(key => truth(key.split('|')(1)))
  }

  test("histogram keeps AddOneRow: 1000 bins' counts have sigma^2 = 1/(2ρ) = 1 at RhoZCDP(0.5)") {
    val budget = RhoZCDPBudget(0.5)
    // 1000 cells (a CASE WHEN of 1000 bins is what Spark compiles in reasonable time): the KS threshold is 0.085
    // and the power check needs a distance of 0.147, which the discrete Gaussian's 0.19 passes.
    val bins = 1000
    // Value v = i + 1 falls in bin i ("[0, 1]", "(1, 2]", …); bins of even i get a second row.
    val data = table(StructType(Seq(StructField("v", LongType))), (0 until bins).flatMap(i => Seq.fill(if (i % 2 == 0) 2 else 1)(Row(i + 1L))))
    val spec = BinningSpec((0 to bins).map(_.toLong))
    val binIndex = spec.bins().map(_.toString).zipWithIndex.toMap
    val query = QueryBuilder("t").histogram("v", spec, "bin")
    assertNoise(session(budget, AddOneRow(), data), query, budget, Seq("bin"), "count", DiscreteGaussian(1), bins)(key =>
      if (binIndex(key) % 2 == 0) 2 else 1
    )
  }

  // ---- map family ---------------------------------------------------------------------------------------------

  test("map changes values, keeps AddOneRow: a sum of 2x clamped to [0, 10] has Laplace scale 10/ε = 5 at PureDP(2)") {
    val budget = PureDPBudget(2)
    val query = QueryBuilder("t")
      .map((row: Row) => Map("x2" -> row.getAs[Long]("x") * 2), Seq("x2" -> integer), augment = true)
      .groupBy(cellKeys()).sum("x2", 0L, 10L)
    assertNoise(session(budget, AddOneRow(), cellsWithX), query, budget, Seq("cell"), "x2_sum", DiscreteLaplace(5))(key => math.min(2L * (index(key) % 8), 10L))
  }

  /** Five rows per input row, all with k = the row's cell. */
  private val fiveCopies = (row: Row) => Seq.fill(5)(Map[String, Any]("k" -> row.getAs[String]("cell")))

  test("flat_map(max_rows = 1) under AddOneRow is AddMaxRows(1): Laplace scale 1 at ApproxDP(1, 1e-6)") {
    val budget = ApproxDPBudget(1, 1e-6)
    val query = QueryBuilder("t").flatMap(fiveCopies, Seq("k" -> varchar), 1).groupBy(cellKeys("k")).count()
    countNoise(session(budget, AddOneRow(), cellsWithX), query, budget, DiscreteLaplace(1), "k")(_ => 1)
  }

  test("flat_map(max_rows = 3) under AddMaxRows(2) is AddMaxRows(6): Laplace scale 6 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val query = QueryBuilder("t").flatMap(fiveCopies, Seq("k" -> varchar), 3).groupBy(cellKeys("k")).count()
    countNoise(session(budget, AddMaxRows(2), cellsWithX), query, budget, DiscreteLaplace(6), "k")(_ => 3)
  }

  test("flat_map(max_rows = 3) under AddOneRow, then a sum clamped to [0, 4]: L2 = 3·4, sigma^2 = 144/(2ρ) = 36 at RhoZCDP(2)") {
    val budget = RhoZCDPBudget(2)
    // Values 7, 2, 1, 9, 9: the first three are kept, clamped to 4 + 2 + 1 = 7.
    val values = (row: Row) => Seq(7L, 2L, 1L, 9L, 9L).map(v => Map[String, Any]("k" -> row.getAs[String]("cell"), "v" -> v))
    val query = QueryBuilder("t").flatMap(values, Seq("k" -> varchar, "v" -> integer), 3).groupBy(cellKeys("k")).sum("v", 0L, 4L)
    assertNoise(session(budget, AddOneRow(), cellsWithX), query, budget, Seq("k"), "v_sum", DiscreteGaussian(36))(_ => 7)
  }

  test("a grouping flat_map(max_rows = 3) under AddOneRow is AddMaxRowsInMaxGroups(g, 3, 1): grouped by g, sigma^2 = 3/(2ρ) = 1 at RhoZCDP(1.5)") {
    val budget = RhoZCDPBudget(1.5)
    // Row i gives g = c_i, c_(i+1), c_i; the repeat is dropped, so each g gets 2 rows.
    val neighbours = (row: Row) => {
      val i = index(row.getAs[String]("cell"))
      Seq(i, (i + 1) % Cells, i).map(j => Map[String, Any]("g" -> cell(j)))
    }
    val query = QueryBuilder("t").flatMap(neighbours, Seq("g" -> varchar), augment = true, grouping = true, maxRows = Some(3)).groupBy(cellKeys("g")).count()
    countNoise(session(budget, AddOneRow(), cellsWithX), query, budget, DiscreteGaussian(1), "g")(_ => 2)
  }

  test("flat_map_by_id keeps AddRowsWithID: with MaxRowsPerID(2) a count has Laplace scale 2 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val data = table(StructType(Seq(StructField("id", StringType), StructField("cell", StringType))), (0 until Cells).flatMap(i => Seq.fill(3)(Row(s"id$i", cell(i)))))
    val perId = (rows: Seq[Row]) => rows.map(row => Map[String, Any]("k" -> row.getAs[String]("cell")))
    val query = QueryBuilder("t").flatMapByID(perId, Seq("k" -> varchar)).enforce(MaxRowsPerID(2)).groupBy(cellKeys("k")).count()
    countNoise(session(budget, AddRowsWithID("id"), data), query, budget, DiscreteLaplace(2), "k")(_ => 2)
  }

  test("flat_map(max_rows = 2) under AddMaxRowsInMaxGroups(cell, 2, 3) is (cell, 2, 6): grouped by cell, sigma^2 = 2·6²/(2ρ) = 36 at RhoZCDP(1)") {
    val budget = RhoZCDPBudget(1)
    val query = QueryBuilder("t")
      .flatMap((_: Row) => Seq.fill(3)(Map[String, Any]("k" -> "new")), Seq("k" -> varchar), augment = true, grouping = false, maxRows = Some(2))
      .groupBy(cellKeys()).count()
    countNoise(session(budget, AddMaxRowsInMaxGroups("cell", 2, 3), cellsWithX), query, budget, DiscreteGaussian(36))(_ => 2)
  }

  // ---- joins --------------------------------------------------------------------------------------------------

  /** Private shops s_0 … s_666, one row each; public labels: s_j → c_(3j), c_(3j+1), c_(3j+2) (multiplicity 3). */
  private lazy val shops = table(StructType(Seq(StructField("shop", StringType))), (0 until (Cells + 2) / 3).map(j => Row(s"s$j")))
  private lazy val labelsOfShops = table(StructType(Seq(StructField("shop", StringType), StructField("label", StringType))), (0 until Cells).map(i => Row(s"s${i / 3}", cell(i))))
  private lazy val oneLabelPerShop = table(StructType(Seq(StructField("shop", StringType), StructField("label", StringType))), (0 until Cells).map(i => Row(s"s$i", cell(i))))

  test("join_public by name, key multiplicity 1, keeps AddOneRow: Laplace scale 1 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val data = table(StructType(Seq(StructField("shop", StringType))), (0 until Cells).map(i => Row(s"s$i")))
    val dp = new Session.Builder().withPrivacyBudget(budget).withPrivateDataframe("t", data, AddOneRow()).withPublicDataframe("labels", oneLabelPerShop).build()
    countNoise(dp, QueryBuilder("t").joinPublic("labels").groupBy(cellKeys("label")).count(), budget, DiscreteLaplace(1), "label")(_ => 1)
  }

  test("join_public by DataFrame, key multiplicity 3, makes AddOneRow AddMaxRows(3): Laplace scale 3 at PureDP(1)") {
    val budget = PureDPBudget(1)
    countNoise(session(budget, AddOneRow(), shops), QueryBuilder("t").joinPublic(labelsOfShops).groupBy(cellKeys("label")).count(), budget, DiscreteLaplace(3), "label")(_ => 1)
  }

  test("join_public by name, key multiplicity 3, under RhoZCDP(0.5): AddMaxRows(3), sigma^2 = 9") {
    val budget = RhoZCDPBudget(0.5)
    val dp = new Session.Builder().withPrivacyBudget(budget).withPrivateDataframe("t", shops, AddOneRow()).withPublicDataframe("labels", labelsOfShops).build()
    countNoise(dp, QueryBuilder("t").joinPublic("labels", Seq("shop")).groupBy(cellKeys("label")).count(), budget, DiscreteGaussian(9), "label")(_ => 1)
  }

  test("join_public with key multiplicity 3 under AddMaxRowsInMaxGroups(shop, 2, 1) is (shop, 2, 3): grouped by label, L1 = 2·3, Laplace scale 6 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val query = QueryBuilder("t").joinPublic(labelsOfShops).groupBy(cellKeys("label")).count()
    countNoise(session(budget, AddMaxRowsInMaxGroups("shop", 2, 1), shops), query, budget, DiscreteLaplace(6), "label")(_ => 1)
  }

  test("join_private of two ID tables keeps AddRowsWithID: with MaxRowsPerID(2) a count has Laplace scale 2 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val left = table(StructType(Seq(StructField("id", StringType), StructField("cell", StringType))), (0 until Cells).map(i => Row(s"id$i", cell(i))))
    val right = table(StructType(Seq(StructField("id", StringType), StructField("z", LongType))), (0 until Cells).flatMap(i => Seq(Row(s"id$i", 0L), Row(s"id$i", 1L))))
    val dp = new Session.Builder()
      .withPrivacyBudget(budget)
      .withIdSpace("people")
      .withPrivateDataframe("left", left, AddRowsWithID("id", Some("people")))
      .withPrivateDataframe("right", right, AddRowsWithID("id", Some("people")))
      .build()
    val query = QueryBuilder("left").joinPrivate(QueryBuilder("right")).enforce(MaxRowsPerID(2)).groupBy(cellKeys()).count()
    countNoise(dp, query, budget, DiscreteLaplace(2))(_ => 2)
  }

  /** Left: one row (k_i, c_i) per key; right: two rows (k_i, 0), (k_i, 1) per key, and a third for keys i ≡ 0 mod 4. */
  private def keyedTables(budget: PrivacyBudget, leftChange: ProtectedChange = AddOneRow()): Session = {
    val left = table(StructType(Seq(StructField("k", StringType), StructField("cell", StringType))), (0 until Cells).map(i => Row(s"k$i", cell(i))))
    val right = table(
      StructType(Seq(StructField("k", StringType), StructField("z", LongType))),
      (0 until Cells).flatMap(i => Seq(Row(s"k$i", 0L), Row(s"k$i", 1L)) ++ (if (i % 4 == 0) Seq(Row(s"k$i", 2L)) else Nil))
    )
    new Session.Builder().withPrivacyBudget(budget).withPrivateDataframe("left", left, leftChange).withPrivateDataframe("right", right, AddOneRow()).build()
  }

  test("join_private with DropExcess(1) and DropExcess(2) on AddOneRow tables is AddMaxRows(1·2·1 + 2·2·1 = 6): Laplace scale 6 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val query = QueryBuilder("left").joinPrivate(QueryBuilder("right"), TruncationStrategy.DropExcess(1), TruncationStrategy.DropExcess(2)).groupBy(cellKeys()).count()
    countNoise(keyedTables(budget), query, budget, DiscreteLaplace(6))(_ => 2)
  }

  test("join_private with DropNonUnique on both AddOneRow tables is AddMaxRows(1 + 1 = 2): Laplace scale 2 at ApproxDP(1, 1e-6)") {
    val budget = ApproxDPBudget(1, 1e-6)
    val query = QueryBuilder("left").joinPrivate(QueryBuilder("right"), TruncationStrategy.DropNonUnique(), TruncationStrategy.DropNonUnique()).groupBy(cellKeys()).count()
    countNoise(keyedTables(budget), query, budget, DiscreteLaplace(2))(_ => 0) // every right key has 2 or 3 rows: all dropped
  }

  test("join_private with DropExcess(1) on both, left AddMaxRows(2), right AddOneRow, is AddMaxRows(1·2·1 + 1·2·2 = 6): Laplace scale 6 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val query = QueryBuilder("left").joinPrivate(QueryBuilder("right"), TruncationStrategy.DropExcess(1), TruncationStrategy.DropExcess(1)).groupBy(cellKeys()).count()
    countNoise(keyedTables(budget, AddMaxRows(2)), query, budget, DiscreteLaplace(6))(_ => 1)
  }

  // ---- session features ---------------------------------------------------------------------------------------

  test("create_view of a flat_map(max_rows = 3) under AddOneRow is AddMaxRows(3): a count on the view has Laplace scale 3 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val dp = session(budget, AddOneRow(), cellsWithX)
    dp.createView(QueryBuilder("t").flatMap(fiveCopies, Seq("k" -> varchar), 3), "expanded", cache = false)
    countNoise(dp, QueryBuilder("expanded").groupBy(cellKeys("k")).count(), budget, DiscreteLaplace(3), "k")(_ => 3)
  }

  /** Each cell once in part "a" and once in part "b". */
  private lazy val parts: DataFrame = table(
    StructType(Seq(StructField("cell", StringType), StructField("part", StringType))),
    (0 until Cells).flatMap(i => Seq(Row(cell(i), "a"), Row(cell(i), "b")))
  )

  test("partition_and_create: a child of AddMaxRows(2) is AddMaxRows(2): Laplace scale 2 at PureDP(1)") {
    val budget = PureDPBudget(1)
    val dp = session(budget, AddMaxRows(2), parts)
    try {
      val children = dp.partitionAndCreate("t", budget, "part", Map("pa" -> "a", "pb" -> "b"))
      countNoise(children("pa"), QueryBuilder("pa").groupBy(cellKeys()).count(), budget, DiscreteLaplace(2))(_ => 1)
    } finally dp.stop()
  }

  test("partition_and_create on its grouping column: a child of AddMaxRowsInMaxGroups(part, 4, 3) is AddMaxRows(3·√4 = 6): sigma^2 = 36 at RhoZCDP(0.5)") {
    val budget = RhoZCDPBudget(0.5)
    val dp = session(budget, AddMaxRowsInMaxGroups("part", 4, 3), parts)
    try {
      val children = dp.partitionAndCreate("t", budget, "part", Map("pa" -> "a", "pb" -> "b"))
      countNoise(children("pa"), QueryBuilder("pa").groupBy(cellKeys()).count(), budget, DiscreteGaussian(36))(_ => 1)
    } finally dp.stop()
  }
}

/** What the row functions use: they run in executors, so they must not capture the suite. */
object TransformationNoiseSuite {

  /** Cells per test: the KS threshold at α = 1e-6 is 0.060, and a wrong scale ×/÷ 1.5 is rejected with
    * probability > 0.999 (NoiseStatistics checks this per test).
    */
  val Cells = 2000

  def cell(i: Int): String = f"c$i%04d"
  def index(cellName: String): Int = cellName.drop(1).toInt
}
