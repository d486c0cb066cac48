package sparkdp

import org.scalatest.funsuite.AnyFunSuite

/** The aggregation builder methods (no Spark): Tumult's default names, both bound overloads, the py4j forms,
  * the mechanism enums, get_groups and suppress.
  */
class AggregationApiSuite extends AnyFunSuite {

  private val source = PrivateSource("sales")
  private val ungrouped = QueryBuilder("sales")

  /** The empty KeySet (KeySet.fromDict needs an active SparkSession). */
  private def emptyKeyset: KeySet = {
    sparkdp.system.TestSpark.spark
    KeySet.fromDict(Map.empty[String, Seq[Any]])
  }

  test("default output names are Tumult's, with the bounds as the user gave them") {
    assert(ungrouped.sum("units", 0L, 100L).queryExpr ==
      GroupByBoundedSum(source, None, "units", IntegerBound(0), IntegerBound(100), "units_sum", SumMechanism.Default))
    assert(ungrouped.sum("price", 0.0, 2.5).queryExpr ==
      GroupByBoundedSum(source, None, "price", FloatBound(0.0), FloatBound(2.5), "price_sum", SumMechanism.Default))
    assert(ungrouped.average("units", 0, 100).queryExpr.asInstanceOf[GroupByBoundedAverage].outputColumn == "units_average")
    assert(ungrouped.variance("units", 0, 100).queryExpr.asInstanceOf[GroupByBoundedVariance].outputColumn == "units_variance")
    assert(ungrouped.stdev("units", 0, 100).queryExpr.asInstanceOf[GroupByBoundedStdev].outputColumn == "units_stdev")
    assert(ungrouped.median("units", 0, 100).queryExpr ==
      GroupByQuantile(source, None, "units", 0.5, IntegerBound(0), IntegerBound(100), "units_median"))
    assert(ungrouped.min("units", 0.0, 1.0).queryExpr.asInstanceOf[GroupByQuantile].quantile == 0.0)
    assert(ungrouped.max("units", 0.0, 1.0).queryExpr.asInstanceOf[GroupByQuantile].outputColumn == "units_max")
    assert(ungrouped.quantile("units", 0.6, 0L, 9L).queryExpr.asInstanceOf[GroupByQuantile].outputColumn == "units_quantile(0.6)")
    assert(ungrouped.countDistinct().queryExpr == GroupByCountDistinct(source, None, Seq.empty, "count_distinct"))
    assert(ungrouped.countDistinct(Seq("a", "b")).queryExpr.asInstanceOf[GroupByCountDistinct].outputColumn ==
      "count_distinct(a, b)")
  }

  test("the quantile's default name prints the quantile as Python's repr does") {
    val repr = AggregationMethods.pythonRepr _
    assert(Seq(0.5, 0.0, 1.0, 0.25, 0.1, 1e-5, 0.0001, 0.999, 1e16, 123.0).map(repr) ==
      Seq("0.5", "0.0", "1.0", "0.25", "0.1", "1e-05", "0.0001", "0.999", "1e+16", "123.0"))
    assert(repr(Double.NaN) == "nan" && repr(Double.NegativeInfinity) == "-inf" && repr(-0.0) == "-0.0")
  }

  test("grouped forms carry the keyset; the py4j forms take null names and mechanism names") {
    val keyset = emptyKeyset
    val grouped = QueryBuilder("sales").groupBy(keyset)
    assert(grouped.sum("units", 0L, 9L, null, "LAPLACE").queryExpr ==
      GroupByBoundedSum(source, Some(keyset), "units", IntegerBound(0), IntegerBound(9), "units_sum", SumMechanism.Laplace))
    assert(grouped.average("units", 0.0, 9.0, "avg", "gaussian").queryExpr ==
      GroupByBoundedAverage(source, Some(keyset), "units", FloatBound(0), FloatBound(9), "avg", AverageMechanism.Gaussian))
    assert(grouped.countDistinct(java.util.Arrays.asList("a"), null, "default").queryExpr ==
      GroupByCountDistinct(source, Some(keyset), Seq("a"), "count_distinct(a)", CountDistinctMechanism.Default))
    assert(ungrouped.countDistinct(null: java.util.List[String], "n", "laplace").queryExpr ==
      GroupByCountDistinct(source, None, Seq.empty, "n", CountDistinctMechanism.Laplace))
    val unknown = intercept[IllegalArgumentException](ungrouped.stdev("units", 0L, 9L, null, "exponential"))
    assert(unknown.getMessage == """Unknown mechanism "exponential". Available options are "laplace", "gaussian", or "default".""")
    for (name <- Seq("default", "laplace", "gaussian")) {
      assert(CountDistinctMechanism.fromName(name).name == name && VarianceMechanism.fromName(name.toUpperCase).name == name)
      assert(StdevMechanism.fromName(name).name == name && SumMechanism.fromName(name).name == name)
      assert(AverageMechanism.fromName(name).name == name)
    }
  }

  test("get_groups on the ungrouped builder; suppress on a grouped count only") {
    assert(ungrouped.getGroups().queryExpr == GetGroups(source, Seq.empty))
    assert(ungrouped.getGroups(null: java.util.List[String]).queryExpr == GetGroups(source, Seq.empty))
    assert(ungrouped.getGroups(java.util.Arrays.asList("shop")).queryExpr == GetGroups(source, Seq("shop")))
    val keyset = emptyKeyset
    val count: GroupbyCountQuery = QueryBuilder("sales").groupBy(keyset).count()
    val suppressed = count.suppress(10)
    assert(suppressed.queryExpr == SuppressAggregates(GroupByCount(source, keyset, "count"), 10.0))
    assert(count == Query(GroupByCount(source, keyset, "count")))
  }
}
