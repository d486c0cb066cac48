package sparkdp.bridge

import org.scalatest.funsuite.AnyFunSuite

import sparkdp._

/** The request and plan additions of COMPILER_INTERFACES §5.2 / §5.3 as Scala builds and reads them. */
class MeasurementWireTextSuite extends AnyFunSuite {

  test("a sum request: the measure keys after the common ones; integer bounds as given for an int column") {
    val request = MeasurementRequest("sum", "pure:1", AddRowsWithID("id"), Seq(MaxRowsPerID(2)), Seq("shop"), Some("laplace"),
      Some(MeasureColumnText("units", isInteger = true, IntegerBound(-3), IntegerBound(100))), None, "1")
    assert(WireText.measurementRequest(request).split('\n').toSeq == Seq(
      "aggregation=sum", "budget=pure:1", "change=AddRowsWithID", "constraints=MaxRowsPerID:2", "groupby=4:shop",
      "mechanism=laplace", "column=5:units", "column_type=int", "low=-3", "high=100"))
  }

  test("float columns and float bounds use Java's double repr; quantile and get_groups take their keys only") {
    val quantile = MeasurementRequest("quantile", "zcdp:1", AddOneRow(), Seq.empty, Seq.empty, Some("default"),
      Some(MeasureColumnText("price", isInteger = false, IntegerBound(0), FloatBound(1e10))), Some(0.5), "1")
    assert(WireText.measurementRequest(quantile).split('\n').toSeq.drop(5) == Seq(
      "mechanism=default", "column=5:price", "column_type=float", "low=0.0", "high=1.0E10", "quantile=0.5"))
    val intColumnFloatBounds = MeasurementRequest("average", "pure:1", AddOneRow(), Seq.empty, Seq.empty, Some("default"),
      Some(MeasureColumnText("units", isInteger = true, FloatBound(0.5), FloatBound(Double.NaN))), None, "1")
    assert(WireText.measurementRequest(intColumnFloatBounds).contains("low=0.5\nhigh=NaN"))
    val getGroups = MeasurementRequest("get_groups", "approx:1:1/100000", AddOneRow(), Seq.empty, Seq("a", "b"), Some("default"), None, None, "1")
    assert(WireText.measurementRequest(getGroups) ==
      "aggregation=get_groups\nbudget=approx:1:1/100000\nchange=AddOneRow\nconstraints=\ngroupby=1:a;1:b\nmechanism=default")
  }

  test("a plan: measures, partial, partial columns (length-prefixed), outputs; malformed plans are internal errors") {
    val text = "measure=0:sum;noise=laplace:9;budget=pure:1/2\nmeasure=1:count;noise=laplace:3;budget=pure:1/2\n" +
      "partial=moments:int:0:9:0:0:sq\npartial_columns=5:count;6:sum_hi;6:sum_lo;3:a;b\noutputs=double\nrelease=average"
    val plan = WireText.measurementPlan(text)
    assert(plan.text == text)
    assert(plan.measures == Seq(PlannedMeasure(0, "sum", "laplace:9", "pure:1/2"), PlannedMeasure(1, "count", "laplace:3", "pure:1/2")))
    assert(plan.partial == "moments:int:0:9:0:0:sq")
    assert(plan.partialColumns == Seq("count", "sum_hi", "sum_lo", "a;b"))
    assert(plan.outputs == Seq(PlannedOutput.Float64))
    assert(WireText.measurementPlan(text.replace("outputs=double", "outputs=bigint,double")).outputs ==
      Seq(PlannedOutput.Int64, PlannedOutput.Float64))
    for (broken <- Seq(text.replace("outputs=double", "outputs=int"), text.replace("partial=moments", "x=moments"),
      text.replace("5:count", "9:count"), text + "\noutputs=double")) {
      intercept[AnalyticsInternalException](WireText.measurementPlan(broken))
    }
  }

  test("a child's ID distance (§6.4) is one more line, only when it is not 1; the partition plan carries it") {
    val sum = MeasurementRequest("sum", "pure:1", AddRowsWithID("id"), Seq(MaxRowsPerID(2)), Seq("shop"), Some("laplace"),
      Some(MeasureColumnText("units", isInteger = true, IntegerBound(-3), IntegerBound(100))), None, "2")
    assert(WireText.measurementRequest(sum).split('\n').toSeq.last == "id_distance=2")
    assert(!WireText.measurementRequest(sum.copy(idDistance = "1")).contains("id_distance"))
    val count = WireText.countRequest("zcdp:1", AddRowsWithID("id"), Seq(MaxRowsPerID(2)), Seq("isbn"), CountMechanism.Default, "6")
    assert(count.split('\n').toSeq.last == "id_distance=6")
    val ids = AddRowsWithID("member", Some("people"))
    val plan = WireText.partitionPlan(
      "charge=pure:1\nchild_budget=pure:1\nchild_change=AddRowsWithID\nchild_id_distance=2\nmax_groups_per_id=2",
      ids
    )
    assert(plan == PartitionPlanText("pure:1", "pure:1", ids, "2", Some(2)))
    val rows = WireText.partitionPlan("charge=pure:1\nchild_budget=pure:1\nchild_change=AddMaxRows:6\nchild_id_distance=1", AddOneRow())
    assert(rows == PartitionPlanText("pure:1", "pure:1", AddMaxRows(6), "1", None))
    // What Rust answers through JNI (the ID column and space are the parent's, put back by Scala).
    val planned = WireText.partitionPlan(
      Native.get.planPartition("pure:2", "pure:1", "AddRowsWithID", "3", "MaxGroupsPerID:2:6:region", "region"),
      ids
    )
    assert(planned == PartitionPlanText("pure:1", "pure:1", ids, "6", Some(2)))
  }
}
