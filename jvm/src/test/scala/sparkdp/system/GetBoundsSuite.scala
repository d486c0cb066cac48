package sparkdp.system

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.functions.{abs, ceil, col, greatest, isnan, least, lit, log2, when}
import org.apache.spark.sql.types.{DataType, DoubleType, LongType, StringType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.system.AggregationSuite.ChangeCase
import sparkdp.system.Sales.Sale

/** get_bounds end to end (Tumult's `GetBounds`): at an infinite budget equal to the bins computed by plain
  * Spark on the same (truncated) data, ungrouped and grouped, under every protected change and constraint;
  * Tumult's names, column order and types; null, NaN and ±inf dropped; errors with nothing spent; the whole
  * budget charged (ApproxDP's δ included, as Tumult); re-reading a result gives the same values.
  */
class GetBoundsSuite extends AnyFunSuite {
  import GetBoundsSuite._

  private lazy val spark = TestSpark.spark
  private lazy val sales = Sales.dataframe(spark, Sales.kept(Sales.heavyRows))
  private lazy val shopKeyset = KeySet.fromDict(Map("shop" -> Sales.keysetShops))
  private val idChange = AddRowsWithID("member_id")

  private val changeCases = Seq(
    ChangeCase("AddOneRow", AddOneRow(), Seq.empty, Sales.heavyRows),
    ChangeCase("AddMaxRows(2)", AddMaxRows(2), Seq.empty, Sales.heavyRows),
    ChangeCase("AddMaxRowsInMaxGroups(shop, 2, 3)", AddMaxRowsInMaxGroups("shop", 2, 3), Seq.empty, Sales.heavyRows),
    ChangeCase("AddRowsWithID + MaxRowsPerID(3)", idChange, Seq(MaxRowsPerID(3)), 3),
    ChangeCase(
      "AddRowsWithID + MaxGroupsPerID(shop, 2) + MaxRowsPerGroupPerID(shop, 2)",
      idChange,
      Seq(MaxGroupsPerID("shop", 2), MaxRowsPerGroupPerID("shop", 2)),
      2
    )
  )

  private def session(budget: PrivacyBudget, change: ProtectedChange): Session =
    Session.fromDataFrame(budget, "sales", sales, change)

  private def builder(changeCase: ChangeCase): QueryBuilder =
    changeCase.constraints.foldLeft(QueryBuilder("sales"))(_ enforce _)

  /** key ("" ungrouped) -> (upper, lower), checking Tumult's columns (upper before lower) and types, and that
    * re-reading the stored result gives the same rows.
    */
  private def released(result: DataFrame, grouped: Boolean, column: String, sparkType: DataType): Map[String, (Any, Any)] = {
    val expected = (if (grouped) Seq("shop" -> StringType) else Seq.empty) ++
      Seq(s"${column}_upper_bound" -> sparkType, s"${column}_lower_bound" -> sparkType)
    assert(result.schema.fields.map(f => f.name -> f.dataType).toSeq == expected)
    val rows = result.collect()
    val byKey = rows.map(row => (if (grouped) row.getString(0) else "") -> (row.get(row.length - 2), row.get(row.length - 1))).toMap
    assert(byKey.keySet == (if (grouped) Sales.keysetShops.toSet else Set("")))
    assert(result.collect().map(_.toString).toSet == rows.map(_.toString).toSet)
    byKey
  }

  /** The bounds Tumult's algorithm gives without noise, with the bins computed by plain Spark:
    * ⌈log2 |v|⌉ (0 → the lowest bin) clamped to [lowest, 100], integer bins above 62 dropped, null/NaN/±inf
    * dropped; the first bin whose prefix count reaches ⌊0.95·n⌋.
    */
  private def expectedBounds(kept: Seq[Sale], column: String, isInteger: Boolean, grouped: Boolean): Map[String, (Any, Any)] = {
    val lowest = if (isInteger) 0 else -100
    val highest = if (isInteger) 62 else 100
    val value = col(column).cast(DoubleType)
    val bin = when(value === 0.0, lit(lowest)).otherwise(greatest(lit(lowest), least(lit(100), ceil(log2(abs(value))).cast("int"))))
    val counts = Sales
      .dataframe(spark, kept)
      .where(value.isNotNull && !isnan(value) && abs(value) =!= Double.PositiveInfinity)
      .select((if (grouped) col("shop") else lit("")).as("key"), bin.as("bin"))
      .where(col("bin") <= highest)
      .groupBy("key", "bin")
      .count()
      .collect()
      .map(row => (row.getString(0), row.getInt(1)) -> row.getLong(2))
      .toMap
    val keys = if (grouped) Sales.keysetShops else Seq("")
    keys.map { key =>
      val n = counts.collect { case ((k, _), c) if k == key => c }.sum
      val threshold = 19 * n / 20
      val selected = (lowest to highest)
        .find(i => counts.collect { case ((k, b), c) if k == key && b <= i => c }.sum >= threshold)
        .getOrElse(highest)
      key -> (if (isInteger) ((1L << selected), -(1L << selected)) else (math.pow(2, selected), -math.pow(2, selected)))
    }.toMap
  }

  private val exactCases: Seq[(PrivacyBudget, ChangeCase)] =
    changeCases.map(PureDPBudget(Double.PositiveInfinity) -> _) ++
      Seq(RhoZCDPBudget(Double.PositiveInfinity) -> changeCases(3), ApproxDPBudget(Double.PositiveInfinity, 0) -> changeCases(0))

  for ((budget, changeCase) <- exactCases; grouped <- Seq(false, true)) {
    val shape = if (grouped) "grouped by shop" else "ungrouped"
    test(s"exact at $budget: get_bounds equals plain Spark's bins, ${changeCase.name}, $shape") {
      val dp = session(budget, changeCase.protectedChange)
      def grouping(base: QueryBuilder): AggregationMethods = if (grouped) base.groupBy(shopKeyset) else base
      val kept = Sales.kept(changeCase.heavyKept)
      try {
        val units = released(dp.evaluate(grouping(builder(changeCase)).getBounds("units"), budget), grouped, "units", LongType)
        assert(units == expectedBounds(kept, "units", isInteger = true, grouped))
        val prices = released(dp.evaluate(grouping(builder(changeCase)).getBounds("price"), budget), grouped, "price", DoubleType)
        assert(prices == expectedBounds(kept, "price", isInteger = false, grouped))
      } finally dp.stop()
    }
  }

  test("the ungrouped bounds of the sales data, by hand; custom names") {
    val budget = PureDPBudget(Double.PositiveInfinity)
    val dp = session(budget, AddOneRow())
    try {
      // units: 30 fives (bin 3), 10, 9 (bin 4), 3, 4 (bin 2), 200 (bin 8), -7, 6 (bin 3); null dropped.
      // n = 37, ⌊0.95·37⌋ = 35: prefix 2 at bin 2, 34 at bin 3, 36 at bin 4.
      val result = dp.evaluate(QueryBuilder("sales").getBounds("units", "low", "high"), budget)
      assert(result.columns.toSeq == Seq("high", "low"))
      assert(result.collect().map(row => (row.getLong(0), row.getLong(1))).toSeq == Seq((16L, -16L)))
    } finally dp.stop()
  }

  test("a finite budget is charged whole (ApproxDP's δ too, as Tumult); the noisy result re-reads the same") {
    for (budget <- Seq(PureDPBudget(1), ApproxDPBudget(1, 1e-6), RhoZCDPBudget(0.5))) {
      val dp = session(budget, idChange)
      try {
        val result = dp.evaluate(QueryBuilder("sales").enforce(MaxRowsPerID(3)).groupBy(shopKeyset).getBounds("price"), budget)
        val first = result.collect().map(_.toString).toSet
        assert(first.size == Sales.keysetShops.size)
        assert(result.collect().map(_.toString).toSet == first)
        result.collect().foreach { row =>
          val upper = row.getDouble(1)
          assert(row.getDouble(2) == -upper && upper > 0 && java.lang.Math.getExponent(upper) >= -100, row)
          assert(upper == math.pow(2, java.lang.Math.getExponent(upper)), row)
        }
        val zero = dp.remainingPrivacyBudget match {
          case PureDPBudget(epsilon)           => epsilon == 0
          case ApproxDPBudget(epsilon, delta)  => epsilon == 0 && delta == 0
          case RhoZCDPBudget(rho)              => rho == 0
        }
        assert(zero, dp.remainingPrivacyBudget)
      } finally dp.stop()
    }
  }

  private def assertRejected[E <: Throwable](budget: PrivacyBudget, change: ProtectedChange)(body: Session => Any)(
      messageCheck: String => Boolean
  )(implicit expected: scala.reflect.ClassTag[E]): Unit = {
    val dp = session(budget, change)
    try {
      val before = dp.remainingPrivacyBudget
      val error = intercept[E](body(dp))
      assert(messageCheck(error.getMessage), error.getMessage)
      assert(dp.remainingPrivacyBudget == before)
    } finally dp.stop()
  }

  test("errors are IAEs (UnsupportedQueryException without a constraint) with Tumult's text; nothing spent") {
    val budget = PureDPBudget(1)
    assertRejected[IllegalArgumentException](budget, AddOneRow())(_.evaluate(QueryBuilder("sales").getBounds("weight"), budget))(
      _ == "GetBounds query's measure column 'weight' does not exist in the table."
    )
    assertRejected[IllegalArgumentException](budget, AddOneRow())(_.evaluate(QueryBuilder("sales").getBounds("shop"), budget))(
      _ == "GetBounds query's measure column 'shop' has invalid type 'VARCHAR'. Expected types: 'INTEGER' or 'DECIMAL'."
    )
    assertRejected[IllegalArgumentException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").groupBy(shopKeyset).getBounds("shop"), budget)
    )(_ == "Column to aggregate must be a non-grouped column, not 'shop'.")
    assertRejected[IllegalArgumentException](budget, idChange)(
      _.evaluate(QueryBuilder("sales").enforce(MaxRowsPerID(2)).getBounds("member_id"), budget)
    )(_.contains("privacy ID column(member_id)"))
    assertRejected[UnsupportedQueryException](budget, idChange)(_.evaluate(QueryBuilder("sales").getBounds("units"), budget))(
      _ != null
    )
    assertRejected[IllegalArgumentException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").getBounds("units", "x", "x"), budget)
    )(_.contains("different names"))
    assertRejected[IllegalArgumentException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").groupBy(shopKeyset).getBounds("units", "shop", null), budget)
    )(_.contains("KeySet column"))
    assertRejected[IllegalArgumentException](budget, AddOneRow())(
      _.evaluate(QueryBuilder("sales").getBounds("units"), PureDPBudget(0))
    )(_ != null)
  }
}

object GetBoundsSuite
