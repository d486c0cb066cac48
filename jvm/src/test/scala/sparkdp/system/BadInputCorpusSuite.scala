package sparkdp.system

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.types._
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.bridge.{ArrowIpc, Int64Column, Native}

/** The bad-input corpus of the Scala API and the JNI edge (issue 11 #8; the Python half is
  * `tests/python/test_bad_input_corpus.py`, 160 cases). Each case is one thing a Scala caller (or a buggy
  * wrapper) can hand sparkdp: nulls, NaN/negative/infinite settings, unknown tables and columns, absurd
  * bounds, keysets that do not fit, malformed Arrow bytes, stale handles and garbage texts at the JNI edge.
  * For each: the named exception with a message naming the fault, the sessions' remaining budgets unchanged,
  * no table left in a sparkdp database, and a JVM that still answers.
  */
class BadInputCorpusSuite extends AnyFunSuite {
  import BadInputCorpusSuite.Case

  private lazy val spark = TestSpark.spark
  private lazy val native = Native.get

  private lazy val items: DataFrame = spark.createDataFrame(
    spark.sparkContext.parallelize(Seq(
      org.apache.spark.sql.Row(1L, "a", 2.5, 3),
      org.apache.spark.sql.Row(2L, "b", Double.NaN, 1),
      org.apache.spark.sql.Row(3L, "a", null, null)
    )),
    StructType(Seq(
      StructField("id", LongType),
      StructField("shop", StringType),
      StructField("price", DoubleType),
      StructField("qty", IntegerType)
    ))
  )
  private lazy val session = Session.fromDataFrame(PureDPBudget(1), "items", items, AddOneRow())
  private lazy val idSession = Session.fromDataFrame(PureDPBudget(1), "people", items, AddRowsWithID("id"))

  private val cases = scala.collection.mutable.ArrayBuffer.empty[Case]

  private def bad[E <: Throwable](name: String, words: String*)(action: => Any)(implicit error: Manifest[E]): Unit =
    cases += Case(name, error.runtimeClass.asInstanceOf[Class[_ <: Throwable]], words, () => action)

  private def evaluate(query: => Query, budget: PrivacyBudget = PureDPBudget(0.1)): Any = session.evaluate(query, budget).collect()
  private def evaluateIds(query: => Query): Any = idSession.evaluate(query, PureDPBudget(0.1)).collect()
  private def shops: KeySet = KeySet.fromDict(Map("shop" -> Seq("a", "b")))

  // ---- Budgets, protected changes, constraints: Scala's value checks ----------------------------------------
  for (value <- Seq(-1.0, Double.NaN, Double.NegativeInfinity, -1e-300))
    bad[IllegalArgumentException](s"PureDPBudget($value)", "psilon")(PureDPBudget(value))
  for ((eps, delta) <- Seq((1.0, -0.5), (1.0, 2.0), (1.0, Double.NaN), (Double.NaN, 0.0), (-2.0, 0.0)))
    bad[IllegalArgumentException](s"ApproxDPBudget($eps, $delta)")(ApproxDPBudget(eps, delta))
  for (value <- Seq(-1.0, Double.NaN))
    bad[IllegalArgumentException](s"RhoZCDPBudget($value)", "ho")(RhoZCDPBudget(value))
  bad[IllegalArgumentException]("AddMaxRows(0)")(AddMaxRows(0))
  bad[IllegalArgumentException]("AddMaxRowsInMaxGroups(null, 1, 1)")(AddMaxRowsInMaxGroups(null, 1, 1))
  bad[IllegalArgumentException]("AddRowsWithID(null)")(AddRowsWithID(null: String))
  bad[IllegalArgumentException]("MaxRowsPerID(-1)")(MaxRowsPerID(-1))
  bad[IllegalArgumentException]("MaxGroupsPerID(null, 1)")(MaxGroupsPerID(null, 1))

  // ---- Nulls where the API wants a value -------------------------------------------------------------------
  bad[IllegalArgumentException]("fromDataFrame: null budget")(Session.fromDataFrame(null, "t", items, AddOneRow()))
  bad[IllegalArgumentException]("fromDataFrame: null source id")(Session.fromDataFrame(PureDPBudget(1), null, items, AddOneRow()))
  bad[IllegalArgumentException]("fromDataFrame: null dataframe")(Session.fromDataFrame(PureDPBudget(1), "t", null, AddOneRow()))
  bad[IllegalArgumentException]("fromDataFrame: null protected change")(Session.fromDataFrame(PureDPBudget(1), "t", items, null))
  bad[IllegalArgumentException]("QueryBuilder(null)")(QueryBuilder(null))
  bad[IllegalArgumentException]("enforce(null)")(QueryBuilder("items").enforce(null))
  bad[IllegalArgumentException]("groupBy(null)")(QueryBuilder("items").groupBy(null))
  bad[IllegalArgumentException]("evaluate: null query")(session.evaluate(null, PureDPBudget(0.1)))
  bad[IllegalArgumentException]("evaluate: null budget")(session.evaluate(QueryBuilder("items").count(), null))
  bad[IllegalArgumentException]("sum: null column")(QueryBuilder("items").sum(null, 0L, 1L))
  bad[IllegalArgumentException]("count: empty name")(QueryBuilder("items").count(""))

  // ---- Queries ---------------------------------------------------------------------------------------------
  bad[IllegalArgumentException]("unknown table", "nowhere")(evaluate(QueryBuilder("nowhere").count()))
  bad[java.util.NoSuchElementException]("KeySet column the table lacks", "region")(
    evaluate(QueryBuilder("items").groupBy(KeySet.fromDict(Map("region" -> Seq("x")))).count()))
  bad[IllegalArgumentException]("evaluate: budget of another type")(evaluate(QueryBuilder("items").count(), RhoZCDPBudget(0.1)))
  bad[InsufficientBudgetException]("evaluate: more than remains", "Requested")(evaluate(QueryBuilder("items").count(), PureDPBudget(5)))
  bad[IllegalArgumentException]("Gaussian count under PureDP", "aussian")(
    evaluate(QueryBuilder("items").count("count", CountMechanism.Gaussian)))
  bad[IllegalArgumentException]("constraint on a table without IDs", "AddRowsWithID")(
    evaluate(QueryBuilder("items").enforce(MaxRowsPerID(2)).count()))
  bad[UnsupportedQueryException]("ID table counted without a constraint", "MaxRowsPerID")(evaluateIds(QueryBuilder("people").count()))
  bad[IllegalArgumentException]("sum: unknown column", "weight")(evaluate(QueryBuilder("items").sum("weight", 0L, 1L)))
  bad[IllegalArgumentException]("sum: string column", "shop")(evaluate(QueryBuilder("items").sum("shop", 0L, 1L)))
  bad[IllegalArgumentException]("sum: low > high", "ower bound")(evaluate(QueryBuilder("items").sum("price", 5.0, 1.0)))
  bad[IllegalArgumentException]("average: NaN bound")(evaluate(QueryBuilder("items").average("price", Double.NaN, 1.0)))
  bad[IllegalArgumentException]("variance: infinite bound")(evaluate(QueryBuilder("items").variance("price", 0.0, Double.PositiveInfinity)))
  bad[IllegalArgumentException]("stdev: bounds 1e300")(evaluate(QueryBuilder("items").stdev("price", -1e300, 1e300)))
  bad[IllegalArgumentException]("sum: grouped by its own column", "shop")(evaluate(QueryBuilder("items").groupBy(shops).sum("shop", 0L, 1L)))
  bad[IllegalArgumentException]("quantile 1.5", "uantile")(evaluate(QueryBuilder("items").quantile("price", 1.5, 0.0, 1.0)))
  bad[IllegalArgumentException]("quantile NaN", "uantile")(evaluate(QueryBuilder("items").quantile("price", Double.NaN, 0.0, 1.0)))
  bad[IllegalArgumentException]("count_distinct: unknown column", "weight")(evaluate(QueryBuilder("items").countDistinct(Seq("weight"))))
  bad[IllegalArgumentException]("get_groups under PureDP", "ApproxDP")(evaluate(QueryBuilder("items").getGroups(Seq("shop"))))

  // ---- The JNI edge: malformed Arrow bytes, stale handles, garbage texts -------------------------------------
  private val notArrow = Seq(
    "empty" -> Array.emptyByteArray,
    "8 bytes" -> Array[Byte](1, 2, 3, 4, 5, 6, 7, 8),
    "continuation marker with a huge length" -> Array[Byte](-1, -1, -1, -1, 127, 127, 127, 127),
    "a valid stream cut in half" -> {
      val valid = ArrowIpc.encode(Seq(Int64Column("key", Array(1L, 2L, 3L), None)))
      valid.take(valid.length / 2)
    }
  )
  for ((what, bytes) <- notArrow) {
    bad[IllegalArgumentException](s"countByKey: $what", "IPC")(native.countByKey(bytes))
    bad[IllegalArgumentException](s"truncationOffer: $what", "IPC") {
      val handle = native.truncationOpen("", "")
      try native.truncationOffer(handle, bytes) finally native.truncationClose(handle)
    }
  }
  bad[IllegalArgumentException]("truncationOffer: a stale handle", "handle")(native.truncationOffer(987654321L, Array.emptyByteArray))
  bad[IllegalArgumentException]("truncationFinish: a negative handle", "handle")(native.truncationFinish(-5L))
  bad[IllegalArgumentException]("releaseFinish: handle 0", "handle")(native.releaseFinish(0L))
  bad[IllegalArgumentException]("truncationOpen: garbage constraints", "MaxRowsPerID:x")(native.truncationOpen("MaxRowsPerID:x", ""))
  bad[IllegalArgumentException]("planMeasurement: garbage", "aggregation")(native.planMeasurement("aggregation"))
  bad[IllegalArgumentException]("planMeasurement: a key twice", "more than once")(
    native.planMeasurement("aggregation=count\naggregation=count"))
  bad[IllegalArgumentException]("budgetCharge: garbage budget")(native.budgetCharge("pure:one", "pure:1"))
  bad[IllegalArgumentException]("releaseOpen: a short secret", "secret")(native.releaseOpen("measure=0:count", Array[Byte](1, 2), 0L))
  bad[IllegalArgumentException]("releaseOpen: a negative query index", "queryIndex")(
    native.releaseOpen("measure=0:count", new Array[Byte](32), -1L))

  test("the corpus has at least 40 cases (with the Python half, more than 200)") {
    assert(cases.size >= 40, cases.size)
    assert(cases.map(_.name).distinct.size == cases.size, "case names must be unique")
  }

  private def sparkdpTables(): Seq[String] =
    spark.catalog.listDatabases().collect().map(_.name).filter(_.startsWith("sparkdp_")).toSeq
      .flatMap(db => spark.catalog.listTables(db).collect().map(t => s"$db.${t.name}")).sorted

  for (c <- cases) test(s"bad input: ${c.name}") {
    val budgets = (session.remainingPrivacyBudget, idSession.remainingPrivacyBudget)
    val tables = sparkdpTables()
    val thrown = intercept[Throwable](c.action())
    assert(c.error.isInstance(thrown), s"expected ${c.error.getName}, got $thrown")
    val message = String.valueOf(thrown.getMessage)
    c.words.foreach(word => assert(message.contains(word), s"the message does not name '$word': $message"))
    assert((session.remainingPrivacyBudget, idSession.remainingPrivacyBudget) == budgets)
    assert(sparkdpTables() == tables)
  }

  test("after the corpus the JVM and the sessions still answer, with the whole budget left") {
    assert(session.remainingPrivacyBudget == PureDPBudget(1))
    assert(session.evaluate(QueryBuilder("items").count(), PureDPBudget(0.5)).count() == 1)
  }
}

object BadInputCorpusSuite {

  /** One bad input: `action` must throw `error` with every string of `words` in its message. */
  private final case class Case(name: String, error: Class[_ <: Throwable], words: Seq[String], action: () => Any)
}
