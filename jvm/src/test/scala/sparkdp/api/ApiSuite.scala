package sparkdp.api

import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.bridge.WireText

/** Unit tests of the user API's validation and query-tree building (no Spark, no native library). */
class ApiSuite extends AnyFunSuite {

  test("PureDPBudget rejects a negative epsilon with Tumult's message naming the value") {
    val error = intercept[IllegalArgumentException](PureDPBudget(-1))
    assert(error.getMessage == "Epsilon must be non-negative. Cannot construct a PureDPBudget with epsilon of -1.")
  }

  test("PureDPBudget rejects NaN, naming the value") {
    val error = intercept[IllegalArgumentException](PureDPBudget(Double.NaN))
    assert(error.getMessage == "Epsilon must be a number. Cannot construct a PureDPBudget with epsilon of NaN.")
  }

  test("PureDPBudget accepts zero, positive values and +infinity; rejects -infinity and 1e300 (Rust: too large)") {
    assert(PureDPBudget(0).epsilon == 0.0)
    assert(PureDPBudget(2).epsilon == 2.0)
    assert(PureDPBudget(Double.PositiveInfinity).epsilon.isPosInfinity)
    val error = intercept[IllegalArgumentException](PureDPBudget(Double.NegativeInfinity))
    assert(error.getMessage.contains("-inf"), error.getMessage)
    assert(intercept[IllegalArgumentException](PureDPBudget(1e300)).getMessage.contains("1e300"))
  }

  test("MaxRowsPerID needs max >= 1 and names the value") {
    assert(MaxRowsPerID(1).max == 1)
    val error = intercept[IllegalArgumentException](MaxRowsPerID(0))
    assert(error.getMessage.contains("MaxRowsPerID") && error.getMessage.contains("0"))
    assert(WireText.constraint(MaxRowsPerID(20)) == "MaxRowsPerID:20")
  }

  test("AddRowsWithID: Java-style constructors, default id space, validation") {
    assert(new AddRowsWithID("member_id") == AddRowsWithID("member_id", None))
    assert(new AddRowsWithID("member_id", "members") == AddRowsWithID("member_id", Some("members")))
    assert(new AddRowsWithID("member_id", null: String) == AddRowsWithID("member_id"))
    assert(WireText.change(AddRowsWithID("member_id")) == "AddRowsWithID")
    val error = intercept[IllegalArgumentException](AddRowsWithID(""))
    assert(error.getMessage.contains("idColumn"))
  }

  test("QueryBuilder builds the expression tree, each step a new value") {
    val source = QueryBuilder("checkouts")
    val enforced = source.enforce(MaxRowsPerID(20))
    assert(source.queryExpr == PrivateSource("checkouts"))
    assert(enforced.queryExpr == EnforceConstraint(PrivateSource("checkouts"), MaxRowsPerID(20)))
    assert(new QueryBuilder("checkouts").queryExpr == source.queryExpr)
    val error = intercept[IllegalArgumentException](QueryBuilder(""))
    assert(error.getMessage.contains("sourceId"))
  }

  test("CountMechanism: Tumult's names, case-insensitive; an unknown name is named with the options") {
    assert(CountMechanism.fromName("default") == CountMechanism.Default)
    assert(CountMechanism.fromName("LAPLACE") == CountMechanism.Laplace)
    assert(CountMechanism.fromName("Gaussian") == CountMechanism.Gaussian)
    val error = intercept[IllegalArgumentException](CountMechanism.fromName("exponential"))
    assert(error.getMessage == """Unknown mechanism "exponential". Available options are "laplace", "gaussian", or "default".""")
  }

  test("ApproxDPBudget and RhoZCDPBudget: exact texts, infinite forms, Tumult's messages naming the value") {
    assert(ApproxDPBudget(1, 0.5).toBudgetText == "approx:1:1/2")
    assert(RhoZCDPBudget(0.25).toBudgetText == "zcdp:1/4")
    assert(RhoZCDPBudget(Double.PositiveInfinity).toBudgetText == "zcdp:inf")
    assert(ApproxDPBudget(Double.PositiveInfinity, 0).toBudgetText == "approx:inf:0")
    assert(intercept[IllegalArgumentException](RhoZCDPBudget(-2)).getMessage.contains("-2"))
    assert(intercept[IllegalArgumentException](ApproxDPBudget(1, 1.5)).getMessage.contains("1.5"))
    assert(intercept[IllegalArgumentException](ApproxDPBudget(Double.NaN, 0)).getMessage.contains("NaN"))
  }

  test("protected changes and constraints validate their numbers and name them") {
    assert(intercept[IllegalArgumentException](AddMaxRows(0)).getMessage.contains("0"))
    assert(intercept[IllegalArgumentException](AddMaxRowsInMaxGroups("isbn", 0, 1)).getMessage.contains("max_groups"))
    assert(intercept[IllegalArgumentException](AddMaxRowsInMaxGroups("isbn", 1, -1)).getMessage.contains("-1"))
    assert(intercept[IllegalArgumentException](MaxGroupsPerID("isbn", 0)).getMessage.contains("MaxGroupsPerID"))
    assert(intercept[IllegalArgumentException](MaxRowsPerGroupPerID("", 1)).getMessage.contains("grouping_column"))
  }

  test("an ungrouped count builds UngroupedCount, named `count` by default; the Java overload takes names") {
    val enforced = QueryBuilder("checkouts").enforce(MaxRowsPerID(2))
    assert(enforced.count().queryExpr == UngroupedCount(enforced.queryExpr, "count", CountMechanism.Default))
    assert(enforced.count(null, "GAUSSIAN").queryExpr == UngroupedCount(enforced.queryExpr, "count", CountMechanism.Gaussian))
    assert(enforced.count("n").queryExpr == UngroupedCount(enforced.queryExpr, "n", CountMechanism.Default))
  }
}
