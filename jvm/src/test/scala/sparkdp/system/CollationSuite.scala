package sparkdp.system

import org.apache.spark.sql.DataFrame
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._

/** Spark 4 string collations (issue 12): a key, ID or grouping column whose collation makes different strings
  * equal (UTF8_LCASE, UNICODE_CI, ...) is refused with an error naming the column and the collation, and nothing
  * is spent; Spark would group "a" and "A" as one key, sparkdp's hashes of the bytes as two. Explicit
  * UTF8_BINARY (byte equality, the default) is accepted. Cancelled on Spark 3, which has no collations.
  */
class CollationSuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark

  /** (member_id, city, units) with `city` in `collation`. */
  private def visits(collation: String): DataFrame =
    spark
      .sql("SELECT * FROM VALUES (1, 'Paris', 3), (2, 'PARIS', 4), (3, 'Lyon', 5) AS t(member_id, city, units)")
      .selectExpr("member_id", s"city COLLATE $collation AS city", "units")

  private def requireSpark4(): Unit =
    assume(spark.version.startsWith("4"), s"Spark ${spark.version} has no string collations")

  private def refused(collation: String, change: ProtectedChange, query: QueryBuilder => Query, column: String): Unit = {
    val budget = PureDPBudget(1)
    val session = Session.fromDataFrame(budget, "visits", visits(collation), change)
    try {
      val error = intercept[IllegalArgumentException](session.evaluate(query(QueryBuilder("visits")), budget))
      assert(error.getMessage.contains(s"Column '$column'"), error.getMessage)
      assert(error.getMessage.contains(s"collation $collation"), error.getMessage)
      assert(session.remainingPrivacyBudget == budget, "a refused query spent budget")
    } finally session.stop()
  }

  test("a keyset built from a UTF8_LCASE column is refused, naming the column") {
    requireSpark4()
    val error = intercept[IllegalArgumentException](KeySet.fromDataFrame(visits("UTF8_LCASE").select("city").distinct()))
    assert(error.getMessage.contains("Column 'city'") && error.getMessage.contains("collation UTF8_LCASE"), error.getMessage)
  }

  test("a group-by on a UTF8_LCASE data column is refused, naming the column; nothing is spent") {
    requireSpark4()
    val keyset = KeySet.fromDict(Map("city" -> Seq("Paris", "Lyon")))
    refused("UTF8_LCASE", AddOneRow(), _.groupBy(keyset).count(), "city")
  }

  test("get_groups on a UNICODE_CI column is refused") {
    requireSpark4()
    refused("UNICODE_CI", AddRowsWithID("member_id"), _.enforce(MaxRowsPerID(1)).getGroups(Seq("city")), "city")
  }

  test("an ID table with a collated column is refused (its rows are hashed by their bytes)") {
    requireSpark4()
    refused("UTF8_LCASE", AddRowsWithID("member_id"), _.enforce(MaxRowsPerID(1)).sum("units", 0L, 10L), "city")
  }

  test("a count_distinct over a collated column is refused") {
    requireSpark4()
    refused("UTF8_LCASE", AddOneRow(), _.countDistinct(Seq("city")), "city")
  }

  test("an explicit UTF8_BINARY column (byte equality) is grouped as usual") {
    requireSpark4()
    val budget = PureDPBudget(Double.PositiveInfinity)
    val session = Session.fromDataFrame(budget, "visits", visits("UTF8_BINARY"), AddOneRow())
    try {
      val keyset = KeySet.fromDict(Map("city" -> Seq("Paris", "PARIS", "Lyon")))
      val counts = session.evaluate(QueryBuilder("visits").groupBy(keyset).count(), budget)
        .collect().map(row => row.getString(0) -> row.getLong(1)).toMap
      assert(counts == Map("Paris" -> 1L, "PARIS" -> 1L, "Lyon" -> 1L))
    } finally session.stop()
  }
}
