package sparkdp.system

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.types.{DoubleType, LongType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.bridge.{MeasureColumnText, MeasurementRequest, Native, WireText}
import sparkdp.system.Sales.Sale

/** Every aggregation other than count, end to end: at an infinite budget equal to plain computation on the
  * same (truncated) data, ungrouped and grouped, under every protected change and constraint; Tumult's names
  * and types; nulls, NaN and infinities as Tumult treats them; errors with nothing spent; sum's noise against
  * the plan's scale; re-reading a result gives the same values.
  */
class AggregationSuite extends AnyFunSuite {
  import AggregationSuite._

  private lazy val spark = TestSpark.spark
  private lazy val sales = Sales.dataframe(spark, Sales.kept(Sales.heavyRows))
  private lazy val shopKeyset = KeySet.fromDict(Map("shop" -> Sales.keysetShops))

  private val idChange = AddRowsWithID("member_id")

  private val changeCases = Seq(
    ChangeCase("AddOneRow", AddOneRow(), Seq.empty, Sales.heavyRows),
    ChangeCase("AddMaxRows(2)", AddMaxRows(2), Seq.empty, Sales.heavyRows),
    ChangeCase("AddMaxRowsInMaxGroups(shop, 2, 3)", AddMaxRowsInMaxGroups("shop", 2, 3), Seq.empty, Sales.heavyRows),
    ChangeCase("AddRowsWithID + MaxRowsPerID(20)", idChange, Seq(MaxRowsPerID(20)), 20),
    ChangeCase("AddRowsWithID + MaxRowsPerID(3)", idChange, Seq(MaxRowsPerID(3)), 3),
    ChangeCase(
      "AddRowsWithID + MaxGroupsPerID(shop, 2) + MaxRowsPerGroupPerID(shop, 2)",
      idChange,
      Seq(MaxGroupsPerID("shop", 2), MaxRowsPerGroupPerID("shop", 2)),
      2
    )
  )

  /** Every change case at an infinite pure DP budget; two at an infinite zCDP budget (Gaussian-by-default
    * mechanisms), to keep the suite's run time modest.
    */
  private val exactCases: Seq[(PrivacyBudget, ChangeCase)] =
    changeCases.map(PureDPBudget(Double.PositiveInfinity) -> _) ++
      Seq(changeCases(0), changeCases(3)).map(RhoZCDPBudget(Double.PositiveInfinity) -> _)

  private def session(budget: PrivacyBudget, change: ProtectedChange, data: DataFrame = sales): Session =
    Session.fromDataFrame(budget, "sales", data, change)

  private def builder(changeCase: ChangeCase): QueryBuilder =
    changeCase.constraints.foldLeft(QueryBuilder("sales"))(_ enforce _)

  /** (shop or "" when ungrouped) -> the released value, checking the output columns and their Spark types. */
  private def released(result: DataFrame, grouped: Boolean, name: String, sparkType: org.apache.spark.sql.types.DataType): Map[String, Any] = {
    val expectedFields = (if (grouped) Seq(StructField("shop", StringType)) else Seq.empty) :+ StructField(name, sparkType)
    assert(result.schema.fields.map(f => (f.name, f.dataType)).toSeq == expectedFields.map(f => (f.name, f.dataType)))
    val rows = result.collect()
    val byKey = rows.map(row => (if (grouped) row.getString(0) else "") -> row.get(row.length - 1)).toMap
    assert(byKey.size == rows.length, "a key appears more than once")
    assert(byKey.keySet == (if (grouped) Sales.keysetShops.toSet else Set("")))
    // Re-reading the stored result gives the same values (no noise is drawn again).
    // Compared as text: NaN (a variance of fewer than 2 values, as Tumult's) is not equal to itself.
    assert(result.collect().map(_.toString).toSet == rows.map(_.toString).toSet)
    byKey
  }

  /** The kept rows per key: by shop for the keyset's shops, or all rows under "". */
  private def cells(kept: Seq[Sale], grouped: Boolean): Map[String, Seq[Sale]] =
    if (grouped) Sales.keysetShops.map(shop => shop -> kept.filter(_.shop == shop)).toMap else Map("" -> kept)

  for ((budget, changeCase) <- exactCases; grouped <- Seq(false, true)) {
    val shape = if (grouped) "grouped by shop" else "ungrouped"
    test(s"exact at $budget: every aggregation, ${changeCase.name}, $shape") {
      val dp = session(budget, changeCase.protectedChange)
      def run(query: QueryBuilder => Query): DataFrame = dp.evaluate(query(builder(changeCase)), budget)
      def grouping(base: QueryBuilder): AggregationMethods = if (grouped) base.groupBy(shopKeyset) else base
      val expectedCells = cells(Sales.kept(changeCase.heavyKept), grouped)
      try {
        // sum: bigint for an integer column (nulls dropped, values clamped), double for a float column (null
        // and NaN dropped, ±inf clamped).
        val unitsSum = released(run(b => grouping(b).sum("units", 0L, 100L)), grouped, "units_sum", LongType)
        expectedCells.foreach { case (key, rows) => assert(unitsSum(key) == clampedUnits(rows).sum, key) }
        val priceSum = released(run(b => grouping(b).sum("price", 0.0, 20.0)), grouped, "price_sum", DoubleType)
        expectedCells.foreach { case (key, rows) => assertClose(priceSum(key), clampedPrices(rows).sum, key) }

        val average = released(run(b => grouping(b).average("units", 0L, 100L)), grouped, "units_average", DoubleType)
        expectedCells.foreach { case (key, rows) =>
          val values = clampedUnits(rows).map(_.toDouble)
          if (values.isEmpty) assertWithin(average(key), 0, 100, key) else assertClose(average(key), values.sum / values.size, key)
        }
        val variance = released(run(b => grouping(b).variance("price", 0.0, 20.0)), grouped, "price_variance", DoubleType)
        val stdev = released(run(b => grouping(b).stdev("price", 0.0, 20.0)), grouped, "price_stdev", DoubleType)
        expectedCells.foreach { case (key, rows) =>
          val values = clampedPrices(rows)
          if (values.size >= 2) {
            val expected = math.min(sampleVariance(values), 20.0 * 20.0 / 4)
            assertClose(variance(key), expected, key)
            assertClose(stdev(key), math.sqrt(expected), key)
          }
        }

        val median = released(run(b => grouping(b).median("units", 0L, 100L)), grouped, "units_median", DoubleType)
        val q = released(run(b => grouping(b).quantile("price", 0.25, 0.0, 20.0)), grouped, "price_quantile(0.25)", DoubleType)
        val min = released(run(b => grouping(b).min("units", 0L, 100L, "lowest")), grouped, "lowest", DoubleType)
        expectedCells.foreach { case (key, rows) =>
          assertQuantile(median(key), clampedUnits(rows).map(_.toDouble), 0.5, 0, 100, key)
          // Tumult drops null, NaN and ±inf before a quantile.
          val finitePrices = rows.flatMap(s => Option(s.price)).map(_.doubleValue).filter(p => !p.isNaN && !p.isInfinite)
          assertQuantile(q(key), finitePrices.map(p => math.max(0.0, math.min(20.0, p))), 0.25, 0, 20, key)
          assertQuantile(min(key), clampedUnits(rows).map(_.toDouble), 0.0, 0, 100, key)
        }

        val distinctUnits = released(run(b => grouping(b).countDistinct(Seq("units"))), grouped, "count_distinct(units)", LongType)
        val distinctRows = released(run(b => grouping(b).countDistinct()), grouped, "count_distinct", LongType)
        expectedCells.foreach { case (key, rows) =>
          // Nulls are values (Tumult's CountDistinct counts distinct rows, nulls included).
          assert(distinctUnits(key) == rows.map(_.units).distinct.size.toLong, key)
          assert(distinctRows(key) == rows.map(s => (s.member, s.shop, s.units, Option(s.price).map(p => if (p.isNaN) "NaN" else p.toString))).distinct.size.toLong, key)
        }
      } finally dp.stop()
    }
  }

  test("grouped count suppress keeps the keys whose noisy count is at least the threshold; re-reading agrees") {
    val budget = PureDPBudget(Double.PositiveInfinity)
    val dp = session(budget, AddOneRow())
    try {
      val counts = QueryBuilder("sales").groupBy(shopKeyset).count()
      val suppressed = dp.evaluate(counts.suppress(3), budget)
      assert(suppressed.columns.toSeq == Seq("shop", "count"))
      // a: 32 rows, b: 3, c: 2, d: 0.
      val rows = suppressed.collect().map(row => row.getString(0) -> row.getLong(1)).toMap
      assert(rows == Map("a" -> 32L, "b" -> 3L))
      assert(suppressed.collect().map(row => row.getString(0) -> row.getLong(1)).toMap == rows)
      assert(dp.evaluate(counts.suppress(-1.5), budget).count() == 4)
    } finally dp.stop()
  }

  test("ungrouped count suppress (Tumult's ungrouped count is a GroupbyCountQuery too): one row or none") {
    val budget = PureDPBudget(Double.PositiveInfinity)
    val dp = session(budget, AddOneRow())
    try {
      val rows = sales.count()
      val total: GroupbyCountQuery = QueryBuilder("sales").count()
      val kept = dp.evaluate(total.suppress(rows.toDouble), budget)
      assert(kept.columns.toSeq == Seq("count") && kept.collect().map(_.getLong(0)).toSeq == Seq(rows))
      assert(dp.evaluate(total.suppress(rows + 0.5), budget).count() == 0)
    } finally dp.stop()
  }

  test("get_groups at an infinite budget releases the groups of the data, with the grouping columns only") {
    val budget = ApproxDPBudget(Double.PositiveInfinity, 1e-6)
    val dp = session(budget, AddOneRow())
    try {
      val shops = dp.evaluate(QueryBuilder("sales").getGroups(Seq("shop")), budget)
      assert(shops.columns.toSeq == Seq("shop"))
      assert(shops.collect().map(_.getString(0)).toSet == Set("a", "b", "c", "z"))
      val pairs = dp.evaluate(QueryBuilder("sales").getGroups(Seq("shop", "member_id")), budget)
      assert(pairs.schema.fields.map(f => (f.name, f.dataType.simpleString)).toSeq == Seq("shop" -> "string", "member_id" -> "int"))
      assert(pairs.collect().map(row => (row.getString(0), row.getInt(1))).toSet ==
        Sales.kept(1).map(s => (s.shop, s.member)).toSet)
      assert(pairs.collect().length == pairs.count())
    } finally dp.stop()
  }

  // --- errors: the exception, a message naming the fault, nothing spent, no table --------------------------

  private def assertRejected[E <: Throwable](budget: PrivacyBudget, change: ProtectedChange)(body: Session => Any)(
      messageCheck: String => Boolean
  )(implicit expected: scala.reflect.ClassTag[E]): Unit = {
    val dp = session(budget, change)
    try {
      val before = dp.remainingPrivacyBudget
      val error = intercept[E](body(dp))
      assert(messageCheck(error.getMessage), error.getMessage)
      assert(dp.remainingPrivacyBudget == before)
      assert(!spark.catalog.databaseExists(dp.warehouse.databaseName), "a rejected query created the session database")
    } finally dp.stop()
  }

  test("an unknown or non-numeric measure column is an IAE with Tumult's text; so is an unknown count_distinct column") {
    val budget = PureDPBudget(1)
    assertRejected[IllegalArgumentException](budget, AddOneRow())(_.evaluate(QueryBuilder("sales").sum("weight", 0L, 1L), budget))(
      _ == "GroupByBoundedSum query's measure column 'weight' does not exist in the table."
    )
    assertRejected[IllegalArgumentException](budget, AddOneRow())(_.evaluate(QueryBuilder("sales").average("shop", 0L, 1L), budget))(
      _ == "GroupByBoundedAverage query's measure column 'shop' has invalid type 'VARCHAR'. Expected types: 'INTEGER' or 'DECIMAL'."
    )
    assertRejected[IllegalArgumentException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").groupBy(shopKeyset).median("shop", 0L, 1L), budget)
    )(_ == "Column to aggregate must be a non-grouped column, not 'shop'.")
    assertRejected[IllegalArgumentException](budget, idChange)(
      _.evaluate(QueryBuilder("sales").enforce(MaxRowsPerID(2)).stdev("member_id", 0L, 1L), budget)
    )(_.contains("privacy ID column(member_id)"))
    assertRejected[IllegalArgumentException](budget, AddOneRow())(_.evaluate(QueryBuilder("sales").countDistinct(Seq("weight")), budget))(
      _.startsWith("Column 'weight' does not exist in this table")
    )
    assertRejected[IllegalArgumentException](budget, AddOneRow())(_.evaluate(QueryBuilder("sales").getGroups(Seq("weight")), budget))(
      _ == "Nonexistent columns in get_groups query: {'weight'}"
    )
    assertRejected[java.util.NoSuchElementException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").groupBy(KeySet.fromDict(Map("region" -> Seq("x")))).sum("units", 0L, 1L), budget)
    )(_.startsWith("Column 'region' does not exist in this table"))
  }

  test("Rust's refusals (low > high, quantile 1.5, Gaussian under PureDP) are IAEs; nothing spent") {
    val budget = PureDPBudget(1)
    assertRejected[IllegalArgumentException](budget, AddOneRow())(_.evaluate(QueryBuilder("sales").sum("units", 10L, 1L), budget))(
      message => message.contains("10") && message.contains("1")
    )
    assertRejected[IllegalArgumentException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").quantile("units", 1.5, 0L, 10L), budget)
    )(_.contains("1.5"))
    assertRejected[IllegalArgumentException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").sum("units", 0L, 10L, null, SumMechanism.Gaussian), budget)
    )(_.contains("Gaussian"))
    assertRejected[IllegalArgumentException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").average("price", 0.0, Double.PositiveInfinity), budget)
    )(_.toLowerCase.contains("inf"))
  }

  // --- noise: sum's cells of an absent keyset are pure noise, against the plan's calibrated scale ---------

  private val noiseKeys = 8000
  private lazy val absentKeyset = KeySet.fromDataFrame(
    spark.createDataFrame(
      spark.sparkContext.parallelize((0 until noiseKeys).map(i => Row(s"none-$i")), 2),
      StructType(Seq(StructField("shop", StringType)))
    )
  )

  /** |z| ≥ 6 has probability ≈ 1e-8 per statistic at n = 8000 (CountSuite's argument); 10 checks. */
  private val ZThreshold = 6.0

  /** Scale multiplier of the hypothesis; 1.0. Set to 1.2 once to see the tests go red. */
  private val hypothesisScaleFactor = 1.0

  private val sumNoiseCases: Seq[(PrivacyBudget, SumMechanism)] = Seq(
    PureDPBudget(1) -> SumMechanism.Default,
    PureDPBudget(1) -> SumMechanism.Laplace,
    ApproxDPBudget(1, 1e-6) -> SumMechanism.Default,
    RhoZCDPBudget(0.5) -> SumMechanism.Default,
    RhoZCDPBudget(0.5) -> SumMechanism.Laplace
  )

  for ((budget, mechanism) <- sumNoiseCases) {
    test(s"sum noise at $budget with $mechanism has the scale of Rust's plan (n = $noiseKeys, |z| < $ZThreshold)") {
      val constraints = Seq(MaxRowsPerID(3))
      val request = MeasurementRequest("sum", budget.toBudgetText, idChange, constraints, Seq("shop"), Some(mechanism.name),
        Some(MeasureColumnText("units", isInteger = true, IntegerBound(0), IntegerBound(10))), None, "1")
      val plan = WireText.measurementPlan(Native.get.planMeasurement(WireText.measurementRequest(request)))
      val noise = plan.measures.head.noise
      val dp = session(budget, idChange)
      try {
        val query = QueryBuilder("sales").enforce(MaxRowsPerID(3)).groupBy(absentKeyset).sum("units", 0L, 10L, null, mechanism)
        val samples = dp.evaluate(query, budget).select("units_sum").collect().map(_.getLong(0)).toSeq
        assert(samples.length == noiseKeys)
        val (kind, parameter) = NoiseMoments.parameter(noise)
        val hypothesis =
          if (kind == "laplace") parameter * hypothesisScaleFactor else parameter * hypothesisScaleFactor * hypothesisScaleFactor
        val (variance, fourthMoment) = NoiseMoments.of(kind, hypothesis)
        val (meanZ, squareZ) = NoiseMoments.zScores(samples, variance, fourthMoment)
        val summary = f"$budget $mechanism, plan noise $noise, hypothesis $kind $hypothesis%.3f: n=${samples.length}, " +
          f"mean square=${samples.map(x => x.toDouble * x).sum / samples.length}%.2f vs $variance%.2f; " +
          f"z(mean)=$meanZ%.2f, z(mean square)=$squareZ%.2f"
        info(summary)
        assert(math.abs(meanZ) < ZThreshold, summary)
        assert(math.abs(squareZ) < ZThreshold, summary)
      } finally dp.stop()
    }
  }
}

object AggregationSuite {

  /** A protected change, its constraints, and how many of member 1's 30 identical rows they keep. */
  final case class ChangeCase(name: String, protectedChange: ProtectedChange, constraints: Seq[Constraint], heavyKept: Int)

  def clampedUnits(rows: Seq[Sale]): Seq[Long] =
    rows.flatMap(s => Option(s.units)).map(u => math.max(0L, math.min(100L, u.longValue)))

  /** Tumult's sum/average/variance/stdev of a float column: null and NaN dropped, ±inf clamped. */
  def clampedPrices(rows: Seq[Sale]): Seq[Double] =
    rows.flatMap(s => Option(s.price)).map(_.doubleValue).filterNot(_.isNaN).map(p => math.max(0.0, math.min(20.0, p)))

  def sampleVariance(values: Seq[Double]): Double = {
    val mean = values.sum / values.size
    values.map(v => (v - mean) * (v - mean)).sum / (values.size - 1)
  }

  def assertClose(actual: Any, expected: Double, key: String): Unit = {
    val value = actual.asInstanceOf[Double]
    assert(math.abs(value - expected) <= 1e-6 * math.max(1.0, math.abs(expected)), s"$key: $value vs $expected")
  }

  def assertWithin(actual: Any, low: Double, high: Double, key: String): Unit = {
    val value = actual.asInstanceOf[Double]
    assert(value >= low && value <= high, s"$key: $value not in [$low, $high]")
  }

  /** The released quantile lies in (the closure of) a stretch of [low, high] between adjacent order
    * statistics whose rank is closest to q·n: the exponential mechanism's utility −|#{v ≤ p} − q·n| is constant
    * on each stretch [v_(j), v_(j+1)), and at an infinite budget only the best stretches can be drawn. With
    * distinct values this is the usual "between the order statistics around rank q·n"; with ties it is exact
    * where that rule is not. An empty cell's quantile is anywhere in [low, high].
    */
  def assertQuantile(actual: Any, values: Seq[Double], q: Double, low: Double, high: Double, key: String): Unit = {
    assertWithin(actual, low, high, key)
    if (values.nonEmpty) {
      val n = values.size
      val distinct = values.distinct.sorted
      // (start, end, #{v <= p} on the stretch)
      val stretches = (if (distinct.head > low) Seq((low, distinct.head, 0)) else Seq.empty) ++
        distinct.indices.map { j =>
          val end = if (j + 1 < distinct.size) distinct(j + 1) else high
          (distinct(j), end, values.count(_ <= distinct(j)))
        }
      val utility = (rank: Int) => -math.abs(rank - q * n)
      val best = stretches.map(s => utility(s._3)).max
      val value = actual.asInstanceOf[Double]
      assert(
        stretches.exists { case (start, end, rank) => utility(rank) == best && value >= start - 1e-9 && value <= end + 1e-9 },
        s"$key: $value is in no best stretch of $stretches for q=$q (n=$n)"
      )
    }
  }
}

/** Moments of the discrete Laplace and discrete Gaussian noise, and z-scores of samples against them (as
  * CountSuite's noise test).
  */
object NoiseMoments {

  /** The noise text's (kind, scale b or σ²) as doubles. */
  def parameter(noise: String): (String, Double) = noise.split(':').toSeq match {
    case Seq(kind @ ("laplace" | "gaussian"), number) => (kind, Native.get.numberToDouble(number, false))
    case other                                          => throw new AssertionError(s"unexpected noise $other")
  }

  /** (variance, fourth moment) of discrete Laplace (pmf ∝ exp(-|x|/b)) or discrete Gaussian (∝ exp(-x²/2σ²)). */
  def of(kind: String, parameter: Double): (Double, Double) =
    if (kind == "laplace") moments(x => math.exp(-math.abs(x) / parameter), (60 * parameter).toLong + 10)
    else moments(x => math.exp(-(x.toDouble * x) / (2 * parameter)), (12 * math.sqrt(parameter)).toLong + 10)

  private def moments(weight: Long => Double, support: Long): (Double, Double) = {
    val xs = -support to support
    val total = xs.map(weight).sum
    (xs.map(x => weight(x) * x * x).sum / total, xs.map(x => weight(x) * math.pow(x.toDouble, 4)).sum / total)
  }

  /** z-scores of the sample mean and mean square against a symmetric distribution with the given moments. */
  def zScores(samples: Seq[Long], variance: Double, fourthMoment: Double): (Double, Double) = {
    val n = samples.length.toDouble
    val meanZ = (samples.map(_.toDouble).sum / n) / math.sqrt(variance / n)
    val squareZ = (samples.map(x => x.toDouble * x).sum / n - variance) / math.sqrt((fourthMoment - variance * variance) / n)
    (meanZ, squareZ)
  }
}
