package sparkdp.api

import org.apache.spark.sql.functions.lit
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.system.{Library, TestSpark}

/** Session.Builder and the session's table introspection (issue 10). */
class SessionBuilderSuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark
  private lazy val checkouts = Library.checkoutsDf(spark)
  private lazy val books = Library.booksDf(spark)

  test("a session of two private ID tables in one ID space and a public table answers queries on each") {
    val holds = checkouts.select("member_id", "isbn").withColumn("kind", lit("hold"))
    val session = new Session.Builder()
      .withPrivacyBudget(PureDPBudget(Double.PositiveInfinity))
      .withIdSpace("members")
      .withPrivateDataframe("checkouts", checkouts, new AddRowsWithID("member_id", "members"))
      .withPrivateDataframe("holds", holds, new AddRowsWithID("member_id", "members"))
      .withPublicDataframe("books", books)
      .build()
    try {
      // Tumult lists its input domain reversed (Session.privateSources).
      assert(session.privateSources == Seq("holds", "checkouts") && session.publicSources == Seq("books"))
      assert(session.publicSourceDataframes("books").count() == books.count())
      assert(session.getIdColumn("holds").contains("member_id") && session.getIdSpace("holds").contains("members"))
      assert(session.getGroupingColumn("holds").isEmpty)
      assert(session.getColumnTypes("holds") == Map("member_id" -> ColumnType.Integer, "isbn" -> ColumnType.Varchar, "kind" -> ColumnType.Varchar))
      assert(session.getSchema("books").keys.toSeq == books.columns.toSeq)
      val count = session.evaluate(QueryBuilder("holds").enforce(MaxRowsPerID(1000)).count(), PureDPBudget(Double.PositiveInfinity))
      assert(count.collect().head.getLong(0) == checkouts.count())
      val text = session.describe()
      assert(text.contains("Private table 'holds', protected by AddRowsWithID") && text.contains("Public table 'books'"))
      session.addPublicDataframe("more_books", books)
      assert(session.publicSources == Seq("books", "more_books"))
      assert(intercept[IllegalArgumentException](session.addPublicDataframe("holds", books)).getMessage == "Table 'holds' already exists.")
      intercept[NoSuchElementException](session.getSchema("nope"))
      intercept[NoSuchElementException](session.getIdColumn("books"))
    } finally session.stop()
  }

  test("the Builder refuses what Tumult refuses, naming it") {
    def builder = new Session.Builder().withPrivacyBudget(PureDPBudget(1))
    assert(intercept[IllegalArgumentException](new Session.Builder().withPrivateDataframe("t", checkouts, AddOneRow()).build())
      .getMessage.contains("privacy budget"))
    assert(intercept[IllegalArgumentException](builder.build()).getMessage.contains("at least one private source"))
    assert(intercept[IllegalArgumentException](builder.withPrivateDataframe("t", checkouts, AddOneRow())
      .withPublicDataframe("t", books)).getMessage == "Table 't' already exists.")
    val twoIdTablesWithoutSpace = builder
      .withPrivateDataframe("a", checkouts, AddRowsWithID("member_id"))
      .withPrivateDataframe("b", checkouts, AddRowsWithID("member_id"))
    assert(intercept[IllegalArgumentException](twoIdTablesWithoutSpace.build()).getMessage.contains("several ID tables"))
    val undeclared = builder.withIdSpace("x")
      .withPrivateDataframe("a", checkouts, new AddRowsWithID("member_id", "members"))
      .withPrivateDataframe("b", checkouts, new AddRowsWithID("member_id", "x"))
    assert(intercept[IllegalArgumentException](undeclared.build()).getMessage.contains("ID space 'members'"))
  }
}
