package sparkdp

import java.sql.{Date, Timestamp}

import org.scalatest.funsuite.AnyFunSuite

/** BinningSpec's names, types and refusals against Tumult's own examples (its `test_binning_spec.py` and
  * docstrings). No Spark.
  */
class BinningSpecSuite extends AnyFunSuite {

  private def names(edges: Seq[Any], right: Boolean = true, both: Boolean = true): Seq[Any] =
    BinningSpec(edges, right = right, includeBothEndpoints = both).bins()

  test("integer edges: Tumult's names for each right / include_both_endpoints") {
    assert(names(Seq(0, 1, 2)) == Seq("[0, 1]", "(1, 2]"))
    assert(names(Seq(0, 1, 2), right = false) == Seq("[0, 1)", "[1, 2]"))
    assert(names(Seq(0, 1, 2), both = false) == Seq("(0, 1]", "(1, 2]"))
    assert(names(Seq(0, 1, 2), right = false, both = false) == Seq("[0, 1)", "[1, 2)"))
    assert(names(Seq(0, 5, 10, 15, 20)) == Seq("[0, 5]", "(5, 10]", "(10, 15]", "(15, 20]"))
    assert(names(Seq(0, 18, 65)) == Seq("[0, 18]", "(18, 65]"))
  }

  test("float edges: the fewest decimals from 2 that keep the edges apart, rounded as Python's format") {
    assert(names(Seq(0.0, 1.0, 2.0)) == Seq("[0.00, 1.00]", "(1.00, 2.00]"))
    assert(names(Seq(0.0, 0.1, 0.2)) == Seq("[0.00, 0.10]", "(0.10, 0.20]"))
    assert(names(Seq(0.0, 0.111111, 0.222222)) == Seq("[0.00, 0.11]", "(0.11, 0.22]"))
    assert(names(Seq(0.0, 0.000001, 0.000002)) == Seq("[0.000000, 0.000001]", "(0.000001, 0.000002]"))
    assert(names(Seq(0.0, 1.000001)) == Seq("[0.00, 1.00]"))
    assert(names(Seq(0.0, 0.999, 2.0)) == Seq("[0.00, 1.00]", "(1.00, 2.00]"))
    assert(names(Seq(0.0, 0.999, 1.0)) == Seq("[0.000, 0.999]", "(0.999, 1.000]"))
    assert(names(Seq(1.0, 10.0, 100.0)) == Seq("[1.00, 10.00]", "(10.00, 100.00]"))
  }

  test("string, date and timestamp edges: repr of strings, ISO dates, the shortest exact time spec") {
    assert(names(Seq("0", "1", "2")) == Seq("['0', '1']", "('1', '2']"))
    assert(names(Seq(Date.valueOf("2022-01-01"), Date.valueOf("2022-03-15")), both = false) ==
      Seq("(2022-01-01, 2022-03-15]"))
    def at(text: String) = Timestamp.valueOf(text)
    assert(names(Seq(at("2022-01-01 00:00:00"), at("2022-02-01 05:00:00"))) == Seq("[2022-01-01 00:00, 2022-02-01 05:00]"))
    assert(names(Seq(at("2022-01-01 00:00:00"), at("2022-02-01 05:30:15.02"))) ==
      Seq("[2022-01-01 00:00:00.000, 2022-02-01 05:30:15.020]"))
    assert(names(Seq(at("2022-01-01 00:00:00"), at("2022-02-01 05:30:15.000001"))) ==
      Seq("[2022-01-01 00:00:00.000000, 2022-02-01 05:30:15.000001]"))
  }

  test("bins(): names once each in order, then nan_bin, then null when asked; the descriptor of the output") {
    val spec = BinningSpec(Seq(0, 1, 2, 3), names = Some(Seq("low", "low", "high")), nanBin = Some("NaN"))
    assert(spec.bins() == Seq("low", "high", "NaN"))
    assert(spec.bins(includeNull = true) == Seq("low", "high", "NaN", null))
    assert(spec.inputType == ColumnType.Integer)
    assert(spec.columnDescriptor == ColumnDescriptor(ColumnType.Varchar, allowNull = true))
    val numbered = BinningSpec(Seq(0.0, 1.0, 2.0), names = Some(Seq(1.5, Double.PositiveInfinity)))
    assert(numbered.inputType == ColumnType.Decimal)
    assert(numbered.columnDescriptor == ColumnDescriptor(ColumnType.Decimal, allowNull = true, allowInf = true))
    assert(BinningSpec(Seq(0, 1, 2), nanBin = Some("['0', '1']")).bins() == Seq("[0, 1]", "(1, 2]", "['0', '1']"))
    assert(BinningSpec(Seq(0, 1, 2)).toString ==
      "BinningSpec(bin_edges=[0, 1, 2], names=('[0, 1]', '(1, 2]'), right=true, include_both_endpoints=true, nan_bin=None)")
  }

  test("the py4j constructor: null names are the default names; Integer edges are Longs") {
    val spec = new BinningSpec(java.util.Arrays.asList[Object](Integer.valueOf(0), Integer.valueOf(18)), null, true, true, null)
    assert(spec == BinningSpec(Seq(0L, 18L)))
    assert(spec.binEdges == Seq(0L, 18L))
    assert(spec.bins() == Seq("[0, 18]"))
  }

  test("Tumult's refusals, with its messages") {
    def refused(spec: => BinningSpec): String = intercept[IllegalArgumentException](spec).getMessage
    assert(refused(BinningSpec(Seq(0))) == "At least two bin edges must be provided")
    assert(refused(BinningSpec(Seq(2, 1))) == "Bin edges must be sorted in ascending order, with no duplicates")
    assert(refused(BinningSpec(Seq(1, 1))) == "Bin edges must be sorted in ascending order, with no duplicates")
    assert(refused(BinningSpec(Seq[Any](0, 1.5))) == "Invalid bin edges: list contains elements of multiple types (int,float)")
    assert(refused(BinningSpec(Seq(0, null))) == "Invalid bin edges: None is not allowed")
    assert(refused(BinningSpec(Seq(0, 1, 2), names = Some(Seq("a")))) ==
      "Number of bin names must be one less than the number of bin edges")
    assert(refused(BinningSpec(Seq(0, 1, 2), names = Some(Seq("a", 1)))) ==
      "Invalid bin names: list contains elements of multiple types (str,int)")
    assert(refused(BinningSpec(Seq(0, 1, 2), nanBin = Some(1))) == "NaN bin name must have the same type as other bin names")
  }
}
