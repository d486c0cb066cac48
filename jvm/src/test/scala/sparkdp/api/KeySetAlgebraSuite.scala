package sparkdp.api

import scala.collection.immutable.ListMap

import org.apache.spark.sql.Row
import org.apache.spark.sql.functions.col
import org.scalatest.funsuite.AnyFunSuite

import sparkdp.{ColumnType, KeySet}
import sparkdp.system.TestSpark

/** KeySet algebra (issue 10): each operation against the same operation in plain Spark on the keys, and the errors. */
class KeySetAlgebraSuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark

  private def keys(keyset: KeySet): Set[Seq[Any]] = keyset.dataframe.collect().map(_.toSeq).toSet

  private lazy val ab = KeySet.fromDict(ListMap("a" -> Seq(1L, 2L, 3L), "b" -> Seq("x", "y")))
  private lazy val c = KeySet.fromDict(ListMap("c" -> Seq(true, false)))

  test("product has every combination, columns left then right; overlapping columns are refused") {
    spark
    val product = ab * c
    assert(product.columns == Seq("a", "b", "c") && product.size == 12)
    assert(keys(product) == (for (a <- Seq(1L, 2L, 3L); b <- Seq("x", "y"); c <- Seq(true, false)) yield Seq(a, b, c)).toSet)
    assert(intercept[IllegalArgumentException](ab * ab).getMessage.contains("overlapping columns [a, b]"))
  }

  test("projection keeps distinct keys in the asked order; unknown columns are named") {
    assert(ab("b").size == 2 && ab.select(Seq("b", "a")).columns == Seq("b", "a"))
    assert(intercept[IllegalArgumentException](ab("z")).getMessage.contains("no column [z]"))
  }

  test("join matches shared columns (null equal to null) and refuses keysets without a shared column or of other types") {
    val left = KeySet.fromTuples(Seq(("A", 1L), ("B", 2L), (null, 3L)), Seq("g", "x"))
    val right = KeySet.fromTuples(Seq(("A", "p"), ("A", "q"), (null, "r")), Seq("g", "y"))
    val joined = left.join(right)
    assert(joined.columns == Seq("g", "x", "y"))
    assert(keys(joined) == Set(Seq("A", 1L, "p"), Seq("A", 1L, "q"), Seq(null, 3L, "r")))
    assert(intercept[IllegalArgumentException](ab.join(c)).getMessage.contains("without a shared column"))
    val otherType = KeySet.fromDict(Map("a" -> Seq("1")))
    assert(intercept[IllegalArgumentException](ab.join(otherType)).getMessage.contains("column 'a' has type bigint in one and string"))
  }

  test("difference removes the keys whose projection is in the other keyset, nulls included") {
    val withNull = KeySet.fromTuples(Seq((1L, "x"), (2L, "y"), (3L, null)), Seq("a", "b"))
    val removed = withNull - KeySet.fromTuples(Seq(Tuple1(null), Tuple1("x")), Seq("b"))
    assert(keys(removed) == Set(Seq(2L, "y")))
    assert(intercept[IllegalArgumentException](ab - c).getMessage.contains("columns [c] that this keyset"))
  }

  test("union keeps each key once, aligns columns by name, and refuses other column sets") {
    val first = KeySet.fromTuples(Seq((1L, "x")), Seq("a", "b"))
    val second = KeySet.fromTuples(Seq(("y", 2L), ("x", 1L)), Seq("b", "a"))
    val union = first.union(second)
    assert(union.columns == Seq("a", "b") && keys(union) == Set(Seq(1L, "x"), Seq(2L, "y")))
    assert(intercept[IllegalArgumentException](first.union(c)).getMessage.contains("different columns"))
  }

  test("filter by a SQL string or a Column; size, columns and schema") {
    assert(ab.filter("a >= 2").size == 4 && ab.filter(col("b") === "x").size == 3)
    assert(ab.schema.keys.toSeq == Seq("a", "b") && ab.schema("a").columnType == ColumnType.Integer)
    assert(ab.dataframe.schema("a").dataType.simpleString == "bigint")
  }

  test("equality ignores column order and compares keys and types") {
    val ba = KeySet.fromDict(ListMap("b" -> Seq("y", "x"), "a" -> Seq(3L, 2L, 1L)))
    assert(ab == ba && ab.hashCode == ba.hashCode)
    assert(ab != ab.filter("a < 3"))
    assert(ab != KeySet.fromDict(ListMap("a" -> Seq("1", "2", "3"), "b" -> Seq("x", "y"))))
    assert(ab.dataframe.collect().toSeq.forall(_.isInstanceOf[Row]))
  }
}
