package sparkdp.system

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.types.{LongType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._

/** ANSI mode (`spark.sql.ansi.enabled`, on by default from Spark 4) gives the same answers as off (issue 12 #3):
  * every aggregation at an infinite budget, where the answer is exact, under both settings on the same data; and
  * a clamped sum of values near Long.MaxValue, whose clamping and adding happen in Rust's exact integers and so
  * never raise Spark's ANSI overflow error. Runs on every Spark line the build tests (3.1.1, 3.5, 4.1).
  */
class AnsiModeSuite extends AnyFunSuite {
  import AnsiModeSuite._

  private lazy val spark = TestSpark.spark
  private lazy val sales = Sales.dataframe(spark, Sales.kept(Sales.heavyRows))
  private lazy val shopKeyset = KeySet.fromDict(Map("shop" -> Sales.keysetShops))
  private val infinite = PureDPBudget(Double.PositiveInfinity)

  /** Runs `body` with ANSI mode set to `enabled`, restoring the session's setting afterwards. */
  private def withAnsi[T](enabled: Boolean)(body: => T): T = {
    val before = spark.conf.getOption(AnsiKey)
    spark.conf.set(AnsiKey, enabled.toString)
    try body
    finally before match {
      case Some(value) => spark.conf.set(AnsiKey, value)
      case None        => spark.conf.unset(AnsiKey)
    }
  }

  /** The rows of a result as sorted text (NaN is not equal to itself; text is). */
  private def answer(result: DataFrame): Seq[String] = result.collect().map(_.toString).toSeq.sorted

  test("on Spark 4 the suites run with ANSI mode on, its default") {
    assume(spark.version.startsWith("4"), s"Spark ${spark.version}: ANSI mode is off by default before Spark 4")
    assert(spark.conf.get(AnsiKey) == "true")
  }

  test("every aggregation gives the same exact answer with ANSI mode off and on") {
    // A representative few (each evaluate costs seconds): the count path, the integer and float sum paths
    // (clamping, lattice, shift) and a post-processed release (average).
    val queries: Seq[(String, QueryBuilder => Query)] = Seq(
      "count" -> (_.groupBy(shopKeyset).count()),
      "sum(int)" -> (_.groupBy(shopKeyset).sum("units", 0L, 100L)),
      "sum(double)" -> (_.sum("price", 0.0, 10.0)),
      "average" -> (_.groupBy(shopKeyset).average("units", 0L, 100L))
    )
    def answers(ansi: Boolean): Seq[(String, Seq[String])] = withAnsi(ansi) {
      val session = Session.fromDataFrame(infinite, "sales", sales, AddRowsWithID("member_id"))
      try queries.map { case (name, query) =>
        name -> answer(session.evaluate(query(QueryBuilder("sales").enforce(MaxRowsPerID(20))), infinite))
      }
      finally session.stop()
    }
    val off = answers(ansi = false)
    val on = answers(ansi = true)
    off.zip(on).foreach { case ((name, offRows), (_, onRows)) =>
      assert(offRows.nonEmpty, s"$name released nothing")
      assert(offRows == onRows, s"$name differs: ANSI off $offRows, ANSI on $onRows")
    }
  }

  test("a clamped sum near Long.MaxValue never raises an overflow, with ANSI mode off or on") {
    // Plain Spark overflows here: with ANSI on, sum() of these longs raises ARITHMETIC_OVERFLOW.
    val huge = spark.createDataFrame(
      spark.sparkContext.parallelize(HugeValues.zipWithIndex.map { case (v, i) => Row(i.toLong, v) }, 2),
      StructType(Seq(StructField("id", LongType, nullable = false), StructField("amount", LongType)))
    )
    withAnsi(enabled = true) {
      val plain = intercept[Exception](huge.selectExpr("sum(amount)").collect())
      assert(Iterator.iterate[Throwable](plain)(_.getCause).takeWhile(_ != null).exists { cause =>
        String.valueOf(cause.getMessage).toLowerCase.contains("overflow")
      }, s"plain Spark's sum did not overflow under ANSI: $plain")
    }
    for (ansi <- Seq(false, true)) withAnsi(ansi) {
      // The exact answer (Long.MaxValue - 1) fits a bigint although the unclamped sum does not.
      val infinite = PureDPBudget(Double.PositiveInfinity)
      val exactSession = Session.fromDataFrame(infinite, "huge", huge, AddOneRow())
      try {
        val exact = exactSession.evaluate(QueryBuilder("huge").sum("amount", 0L, ClampHigh), infinite)
        assert(exact.collect().toSeq.map(_.getLong(0)) == Seq(ExactClampedSum), s"ANSI $ansi")
      } finally exactSession.stop()
      // Clamped to [0, 2^62 - 1] (the largest bound the planner takes) the three values sum to 3 * (2^62 - 1),
      // beyond a bigint; it must come back as one bigint, not an exception.
      for (budget <- Seq(infinite, PureDPBudget(1000))) {
        val session = Session.fromDataFrame(budget, "huge", huge, AddOneRow())
        try {
          val released = session.evaluate(QueryBuilder("huge").sum("amount", 0L, LargestBound), budget)
          assert(released.schema.fields.map(_.dataType).toSeq == Seq(LongType))
          val rows = released.collect().toSeq
          assert(rows.length == 1, s"ANSI $ansi")
          // Exactly, the total saturates at Long.MaxValue (kernels/release/postprocess.rs); with noise (epsilon 1000;
          // epsilon 1 is refused as undrawable noise) it may come back below.
          if (budget == infinite) assert(rows.head.getLong(0) == Long.MaxValue, s"ANSI $ansi")
          info(s"ANSI $ansi, $budget: sum clamped to [0, 2^62 - 1] released ${rows.head}")
        } finally session.stop()
      }
    }
  }
}

object AnsiModeSuite {
  val AnsiKey = "spark.sql.ansi.enabled"

  /** Three values whose plain sum overflows a long. */
  val HugeValues: Seq[Long] = Seq(Long.MaxValue, Long.MaxValue - 10, Long.MaxValue / 2)

  /** Each value clamped to [0, ClampHigh] and summed: 3 * ClampHigh = Long.MaxValue - 1. */
  val ClampHigh: Long = Long.MaxValue / 3
  val ExactClampedSum: Long = 3 * ClampHigh

  /** The largest bound a sum's plan accepts (|bound| < 2^62). */
  val LargestBound: Long = (1L << 62) - 1
}
