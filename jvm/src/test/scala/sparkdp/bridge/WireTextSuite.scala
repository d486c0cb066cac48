package sparkdp.bridge

import org.scalatest.funsuite.AnyFunSuite

import sparkdp._

/** The text forms of docs/COMPILER_INTERFACES.md §2 as Scala builds and reads them (no Spark). */
class WireTextSuite extends AnyFunSuite {

  test("protected changes: every kind, the grouping column length-prefixed in UTF-8 bytes") {
    assert(WireText.change(AddOneRow()) == "AddOneRow")
    assert(WireText.change(AddMaxRows(3)) == "AddMaxRows:3")
    assert(WireText.change(AddMaxRowsInMaxGroups("isbn", 2, 5)) == "AddMaxRowsInMaxGroups:2:5:4:isbn")
    assert(WireText.change(AddMaxRowsInMaxGroups("é;x", 1, 1)) == "AddMaxRowsInMaxGroups:1:1:4:é;x")
    assert(WireText.change(AddRowsWithID("member_id", Some("members"))) == "AddRowsWithID")
  }

  test("constraints in enforcement order; columns; the empty forms") {
    val constraints = Seq(MaxGroupsPerID("isbn", 3), MaxRowsPerGroupPerID("isbn", 2), MaxRowsPerID(20), MaxRowsPerID(5))
    assert(WireText.constraints(constraints) == "MaxGroupsPerID:3:4:isbn;MaxRowsPerGroupPerID:2:4:isbn;MaxRowsPerID:20;MaxRowsPerID:5")
    assert(WireText.constraints(Seq.empty) == "")
    assert(WireText.columns(Seq("title", "a:b;c")) == "5:title;5:a:b;c")
    assert(WireText.columns(Seq.empty) == "")
  }

  test("constraints texts read back (propagateConstraints' result), column names by UTF-8 byte length") {
    val constraints = Seq(MaxRowsPerID(6), MaxGroupsPerID("é;x:1", 3), MaxRowsPerGroupPerID("a\nb", 2))
    assert(WireText.parseConstraints(WireText.constraints(constraints)) == constraints)
    assert(WireText.parseConstraints("") == Seq.empty)
    for (malformed <- Seq("MaxRowsPerID", "MaxRowsPerID:x", "MaxRowsPerID:1;", "MaxGroupsPerID:1:9:ab", "Other:1", "MaxRowsPerID:99999999999"))
      intercept[AnalyticsInternalException](WireText.parseConstraints(malformed))
    assert(WireText.enforceRequest(Seq(MaxRowsPerID(4)), MaxRowsPerID(2)) == "enforce\nMaxRowsPerID:4\nMaxRowsPerID:2")
    assert(WireText.privateJoinConstraintsRequest(Seq("id"), Seq(MaxRowsPerID(2)), Nil) == "join_private\n2:id\nMaxRowsPerID:2\n")
  }

  test("a count request has one line per key") {
    val request = WireText.countRequest("zcdp:1/2", AddRowsWithID("id"), Seq(MaxRowsPerID(2)), Seq("isbn"), CountMechanism.Gaussian, "1")
    assert(
      request.split('\n').toSeq == Seq(
        "aggregation=count",
        "budget=zcdp:1/2",
        "change=AddRowsWithID",
        "constraints=MaxRowsPerID:2",
        "groupby=4:isbn",
        "mechanism=gaussian"
      )
    )
  }

  test("a plan's measure lines are read in order; a malformed one is an internal error naming it") {
    val plan = "measure=0:count;noise=laplace:10;budget=pure:2\nmeasure=1:sum;noise=none;budget=approx:inf:0"
    assert(
      WireText.plan(plan) == Seq(
        PlannedMeasure(0, "count", "laplace:10", "pure:2"),
        PlannedMeasure(1, "sum", "none", "approx:inf:0")
      )
    )
    for (bad <- Seq("measure=x:count;noise=none;budget=pure:1", "noise=none", "measure=0:count;budget=pure:1")) {
      val error = intercept[AnalyticsInternalException](WireText.plan(bad))
      assert(error.getMessage.contains(bad))
    }
  }

  test("budget kinds, zero budgets, and budgets rebuilt from Rust's doubles") {
    assert(WireText.budgetKind("approx:1:0") == "approx")
    assert(WireText.isZeroBudget("pure:0") && WireText.isZeroBudget("approx:0:0") && WireText.isZeroBudget("zcdp:0"))
    assert(!WireText.isZeroBudget("approx:0:1/2") && !WireText.isZeroBudget("pure:inf"))
    assert(WireText.budgetOfKind("approx:1:1/2", Array(1.0, 0.5)) == ApproxDPBudget(1, 0.5))
    assert(WireText.budgetOfKind("zcdp:1/2", Array(0.5)) == RhoZCDPBudget(0.5))
    intercept[AnalyticsInternalException](WireText.budgetOfKind("pure:1", Array(1.0, 2.0)))
    intercept[AnalyticsInternalException](WireText.budgetKind("pure"))
  }
}
