package sparkdp.system

import org.apache.spark.sql.{Column, DataFrame, Row}
import org.apache.spark.sql.functions.{col, count, least, lit, sum}
import org.apache.spark.sql.types.{StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import scala.collection.immutable.ListMap

import sparkdp._
import sparkdp.bridge.{Native, WireText}

/** Count end to end under every budget type × protected change (with its constraints) × grouped / ungrouped:
  * exact at an infinite budget against plain Spark on the same data, the noise against the scale Rust's plan
  * reports, and every error with its exception type, a message naming the fault and the budget unchanged.
  */
class CountSuite extends AnyFunSuite {
  import CountSuite.ChangeCase

  private lazy val spark = TestSpark.spark
  private lazy val checkouts = Library.checkoutsDf(spark)

  /** isbn-3 (Ulysses) has no checkouts; isbn-9 (Moby Dick) has checkouts but is not a key. */
  private lazy val isbnKeyset = KeySet.fromDict(Map("isbn" -> Seq("isbn-1", "isbn-2", "isbn-3", "isbn-4", "isbn-5")))

  private val infiniteBudgets: Seq[PrivacyBudget] = Seq(
    PureDPBudget(Double.PositiveInfinity),
    ApproxDPBudget(Double.PositiveInfinity, 0),
    RhoZCDPBudget(Double.PositiveInfinity)
  )

  private val changeCases = Seq(
    ChangeCase("AddOneRow", AddOneRow(), Seq.empty, None, None),
    ChangeCase("AddMaxRows(3)", AddMaxRows(3), Seq.empty, None, None),
    ChangeCase("AddMaxRowsInMaxGroups(isbn, 2, 3)", AddMaxRowsInMaxGroups("isbn", 2, 3), Seq.empty, None, None),
    ChangeCase("AddRowsWithID + MaxRowsPerID(20)", AddRowsWithID("member_id"), Seq(MaxRowsPerID(20)), Some(20), Some(20)),
    ChangeCase("AddRowsWithID + MaxRowsPerID(2)", AddRowsWithID("member_id"), Seq(MaxRowsPerID(2)), None, Some(2)),
    // Two bounds: the rows of the second come from those the first kept (COMPILER_INTERFACES §3); 2 in all.
    ChangeCase("AddRowsWithID + MaxRowsPerID(5) + MaxRowsPerID(2)", AddRowsWithID("member_id"), Seq(MaxRowsPerID(5), MaxRowsPerID(2)), None, Some(2)),
    ChangeCase(
      "AddRowsWithID + MaxGroupsPerID(isbn, 2) + MaxRowsPerGroupPerID(isbn, 2)",
      AddRowsWithID("member_id"),
      Seq(MaxGroupsPerID("isbn", 2), MaxRowsPerGroupPerID("isbn", 2)),
      Some(2),
      None,
      boundGroupsUngrouped = true
    )
  )

  /** Plain Spark's counts per isbn of the keyset (0 where absent), truncated as the case says. */
  private def expectedGrouped(changeCase: ChangeCase): Map[String, Long] = {
    val perCell = checkouts.groupBy(col("member_id"), col("isbn")).agg(count(lit(1)).as("n"))
    val bounded = changeCase.perCellBound.fold(col("n"))(bound => least(col("n"), lit(bound.toLong)))
    val counts = perCell.groupBy("isbn").agg(sum(bounded).as("n")).collect().map(row => row.getString(0) -> row.getLong(1)).toMap
    isbnKeyset.dataframe.collect().map(_.getString(0)).map(isbn => isbn -> counts.getOrElse(isbn, 0L)).toMap
  }

  private def expectedTotal(changeCase: ChangeCase): Long = {
    val grouping: Seq[Column] = if (changeCase.boundGroupsUngrouped) Seq(col("member_id"), col("isbn")) else Seq(col("member_id"))
    val perId = checkouts.groupBy(grouping: _*).agg(count(lit(1)).as("n"))
    val bound = if (changeCase.boundGroupsUngrouped) changeCase.perCellBound else changeCase.perIdBound
    perId.agg(sum(bound.fold(col("n"))(b => least(col("n"), lit(b.toLong))))).head().getLong(0)
  }

  private def query(changeCase: ChangeCase): QueryBuilder =
    changeCase.constraints.foldLeft(QueryBuilder("checkouts"))(_ enforce _)

  private def session(budget: PrivacyBudget, change: ProtectedChange, data: DataFrame = checkouts): Session =
    Session.fromDataFrame(budget, "checkouts", data, change)

  for (budget <- infiniteBudgets; changeCase <- changeCases) {
    test(s"exact at ${budget}: ${changeCase.name}, grouped by isbn and ungrouped, against plain Spark") {
      val dp = session(budget, changeCase.protectedChange)
      try {
        if (changeCase.perCellBound.isDefined || changeCase.perIdBound.isEmpty) {
          val grouped = dp.evaluate(query(changeCase).groupBy(isbnKeyset).count(), budget)
          assert(grouped.columns.toSeq == Seq("isbn", "count"))
          val counts = grouped.collect().map(row => row.getString(0) -> row.getLong(1)).toMap
          assert(grouped.count() == counts.size, "a key appears more than once")
          assert(counts == expectedGrouped(changeCase))
        }
        val total = dp.evaluate(query(changeCase).count("rows"), budget)
        assert(total.columns.toSeq == Seq("rows"))
        assert(total.collect().map(_.getLong(0)).toSeq == Seq(expectedTotal(changeCase)))
      } finally dp.stop()
    }
  }

  test("rows of a key crafted to collide with a keyset key's public-seed fingerprint are not counted in its cell") {
    // xxhash64(isnull(k), k) under Spark's seed is the same for both strings (see PlanSuite); the fingerprint
    // is keyed with the session's secret, so the 5 rows of the crafted key stay out of the keyset key's count.
    val schema = StructType(Seq(StructField("k", StringType)))
    val rows = Seq.fill(2)(Row("08fddbe3e350a06f")) ++ Seq.fill(5)(Row("4e783818c57654b8"))
    val table = spark.createDataFrame(spark.sparkContext.parallelize(rows, 2), schema)
    val session = Session.fromDataFrame(PureDPBudget(Double.PositiveInfinity), "t", table, AddOneRow())
    try {
      val keyset = KeySet.fromDict(Map("k" -> Seq("08fddbe3e350a06f")))
      val result = session.evaluate(QueryBuilder("t").groupBy(keyset).count(), PureDPBudget(Double.PositiveInfinity))
      assert(result.collect().toSeq == Seq(Row("08fddbe3e350a06f", 2L)))
    } finally session.stop()
  }

  test("a result column Parquet cannot store is an IAE naming it at compile time; nothing spent, no database") {
    val table = spark.range(3).select(lit(null).as("k"))
    val session = Session.fromDataFrame(PureDPBudget(1), "t", table, AddOneRow())
    try {
      val keyset = KeySet.fromDataFrame(table.distinct())
      val error = intercept[IllegalArgumentException](session.evaluate(QueryBuilder("t").groupBy(keyset).count(), PureDPBudget(1)))
      assert(error.getMessage.startsWith("Column 'k' has type ") && error.getMessage.contains("cannot store"), error.getMessage)
      assert(session.remainingPrivacyBudget == PureDPBudget(1))
      assert(!spark.catalog.listDatabases().collect().exists(_.name == session.warehouse.databaseName))
    } finally session.stop()
  }

  test("KeySet.fromDict and fromTuples give the cross product / the tuples, typed from the values") {
    val crossed = KeySet.fromDict(ListMap("title" -> Seq("Dune", "Emma"), "n" -> Seq(1, null, 3)))
    assert(crossed.columns == Seq("title", "n"))
    assert(crossed.dataframe.schema.map(_.dataType.simpleString) == Seq("string", "bigint"))
    assert(crossed.dataframe.count() == 6)
    val tuples = KeySet.fromTuples(Seq(("Dune", "isbn-1"), ("Emma", "isbn-2"), ("Dune", "isbn-1")), Seq("title", "isbn"))
    assert(tuples.dataframe.collect().map(row => (row.getString(0), row.getString(1))).toSet ==
      Set(("Dune", "isbn-1"), ("Emma", "isbn-2")))
    val javaTuples = new java.util.ArrayList[java.util.List[Object]]()
    javaTuples.add(java.util.Arrays.asList[Object]("Dune", Integer.valueOf(1)))
    val fromJava = KeySet.fromTuples(javaTuples, java.util.Arrays.asList("title", "n"))
    assert(fromJava.dataframe.schema.map(_.dataType.simpleString) == Seq("string", "bigint"))
    val javaDict = new java.util.LinkedHashMap[String, java.util.List[Object]]()
    javaDict.put("b", java.util.Arrays.asList[Object]("x"))
    javaDict.put("a", java.util.Arrays.asList[Object](java.lang.Double.valueOf(1.5)))
    assert(KeySet.fromDict(javaDict).columns == Seq("b", "a"))
    val arity = intercept[IllegalArgumentException](KeySet.fromTuples(Seq(Tuple1("Dune")), Seq("title", "isbn")))
    assert(arity.getMessage.contains("(Dune)"))
    val mixed = intercept[IllegalArgumentException](KeySet.fromDict(Map("n" -> Seq(1, "one"))))
    assert(mixed.getMessage.contains("'n'") && mixed.getMessage.contains("bigint") && mixed.getMessage.contains("string"))
    val untyped = intercept[IllegalArgumentException](KeySet.fromDict(Map("n" -> Seq(null))))
    assert(untyped.getMessage.contains("'n'"))
  }

  test("an int column is grouped by a KeySet of (bigint) integers; the empty dict keyset counts all rows") {
    val infinite = PureDPBudget(Double.PositiveInfinity)
    val dp = session(infinite, AddOneRow())
    try {
      val byMember = dp.evaluate(QueryBuilder("checkouts").groupBy(KeySet.fromDict(Map("member_id" -> Seq(1, 4, 7)))).count(), infinite)
      assert(byMember.collect().map(row => row.getLong(0) -> row.getLong(1)).toMap == Map(1L -> 100L, 4L -> 2L, 7L -> 0L))
      val total = dp.evaluate(QueryBuilder("checkouts").groupBy(KeySet.fromDict(Map.empty[String, Seq[Any]])).count(), infinite)
      assert(total.collect().map(_.getLong(0)).toSeq == Seq(Library.checkouts.length.toLong))
    } finally dp.stop()
  }

  // --- errors: type, message naming the fault, budget unchanged ---------------------------------------

  /** Runs `body`, which must throw `E`, on a session of `budget`; checks the message and that nothing was spent
    * or stored.
    */
  private def assertRejected[E <: Throwable](budget: PrivacyBudget, change: ProtectedChange, data: DataFrame = checkouts)(
      body: Session => Any
  )(messageCheck: String => Boolean)(implicit expected: scala.reflect.ClassTag[E]): Unit = {
    val dp = session(budget, change, data)
    try {
      val before = dp.remainingPrivacyBudget
      val error = intercept[E](body(dp))
      assert(messageCheck(error.getMessage), error.getMessage)
      assert(dp.remainingPrivacyBudget == before)
      assert(!spark.catalog.databaseExists(dp.warehouse.databaseName), "a rejected query created the session database")
    } finally dp.stop()
  }

  private val idChange = AddRowsWithID("member_id")

  test("a constraint on a table not protected by AddRowsWithID is an IAE naming the constraint") {
    for (change <- Seq(AddOneRow(), AddMaxRows(2), AddMaxRowsInMaxGroups("isbn", 1, 1))) {
      assertRejected[IllegalArgumentException](PureDPBudget(1), change)(
        _.evaluate(QueryBuilder("checkouts").enforce(MaxRowsPerID(2)).count(), PureDPBudget(1))
      )(message => message.contains("MaxRowsPerID(2)") && message.contains("AddRowsWithID"))
    }
  }

  test("a constraint's grouping column that the table lacks, or that is the ID column, is an IAE naming it") {
    assertRejected[IllegalArgumentException](PureDPBudget(1), idChange)(
      _.evaluate(QueryBuilder("checkouts").enforce(MaxGroupsPerID("shelf", 1)).count(), PureDPBudget(1))
    )(message => message.contains("shelf") && message.contains("does not exist"))
    assertRejected[IllegalArgumentException](PureDPBudget(1), idChange)(
      _.evaluate(QueryBuilder("checkouts").enforce(MaxRowsPerGroupPerID("member_id", 1)).count(), PureDPBudget(1))
    )(message => message.contains("MaxRowsPerGroupPerID") && message.contains("cannot be the ID column"))
  }

  test("a KeySet column the table lacks is a NoSuchElementException naming it; a type mismatch an IAE") {
    assertRejected[java.util.NoSuchElementException](PureDPBudget(1), AddOneRow())(
      _.evaluate(QueryBuilder("checkouts").groupBy(KeySet.fromDict(Map("shelf" -> Seq("a")))).count(), PureDPBudget(1))
    )(_.startsWith("Column 'shelf' does not exist in this table"))
    assertRejected[IllegalArgumentException](PureDPBudget(1), AddOneRow())(
      _.evaluate(QueryBuilder("checkouts").groupBy(KeySet.fromDict(Map("isbn" -> Seq(1)))).count(), PureDPBudget(1))
    )(message => message.contains("'isbn'") && message.contains("bigint") && message.contains("string"))
    assertRejected[IllegalArgumentException](PureDPBudget(1), AddOneRow())(
      _.evaluate(QueryBuilder("checkouts").groupBy(isbnKeyset).count("isbn"), PureDPBudget(1))
    )(_.contains("'isbn'"))
  }

  test("an unknown table, and Gaussian noise under a pure or approx DP budget, are IAEs naming them") {
    assertRejected[IllegalArgumentException](PureDPBudget(1), AddOneRow())(
      _.evaluate(QueryBuilder("loans").count(), PureDPBudget(1))
    )(_ == "Table 'loans' does not exist. Available tables are: checkouts")
    for (budget <- Seq(PureDPBudget(1), ApproxDPBudget(1, 1e-6))) {
      assertRejected[IllegalArgumentException](budget, AddOneRow())(
        _.evaluate(QueryBuilder("checkouts").count("count", CountMechanism.Gaussian), budget)
      )(_.startsWith("Gaussian noise is only supported when using a RhoZCDP budget."))
    }
  }

  test("fromDataFrame names a grouping column of AddMaxRowsInMaxGroups that the table lacks") {
    val error = intercept[IllegalArgumentException](session(PureDPBudget(1), AddMaxRowsInMaxGroups("shelf", 1, 1)))
    assert(error.getMessage.startsWith("Column 'shelf' does not exist in this table"))
  }

  test("a per-query budget of another type than the session's is an IAE naming both; nothing is spent") {
    assertRejected[IllegalArgumentException](PureDPBudget(1), AddOneRow())(
      _.evaluate(QueryBuilder("checkouts").count(), ApproxDPBudget(0.5, 0))
    )(message => message.toLowerCase.contains("type") || message.contains("ApproxDP"))
    assertRejected[IllegalArgumentException](RhoZCDPBudget(1), AddOneRow())(
      _.evaluate(QueryBuilder("checkouts").count(), ApproxDPBudget(0.5, 0))
    )(message => message.toLowerCase.contains("type") || message.contains("ApproxDP"))
  }

  test("as in Tumult, a PureDPBudget(ε) query in an ApproxDP session spends ApproxDPBudget(ε, 0)") {
    val dp = session(ApproxDPBudget(1, 1e-6), AddOneRow())
    try {
      dp.evaluate(QueryBuilder("checkouts").count(), PureDPBudget(0.5))
      assert(dp.remainingPrivacyBudget == ApproxDPBudget(0.5, 1e-6))
    } finally dp.stop()
  }

  test("overspending is an InsufficientBudgetException with Tumult's text for every budget type") {
    for ((sessionBudget, request) <- Seq[(PrivacyBudget, PrivacyBudget)](
        (PureDPBudget(1), PureDPBudget(1.5)),
        (ApproxDPBudget(1, 1e-6), ApproxDPBudget(0.5, 1e-3)),
        (RhoZCDPBudget(0.5), RhoZCDPBudget(2))
      )) {
      assertRejected[InsufficientBudgetException](sessionBudget, AddOneRow())(
        _.evaluate(QueryBuilder("checkouts").count(), request)
      )(message =>
        message.startsWith("Cannot answer query without exceeding the Session privacy budget.") &&
          message.contains("Requested:") && message.contains("Remaining:") && message.contains("Difference:")
      )
    }
  }

  test("a zero budget of any type is refused before anything runs") {
    for (zero <- Seq[PrivacyBudget](PureDPBudget(0), ApproxDPBudget(0, 0), RhoZCDPBudget(0))) {
      val sessionBudget = zero match {
        case PureDPBudget(_)      => PureDPBudget(1)
        case ApproxDPBudget(_, _) => ApproxDPBudget(1, 1e-6)
        case RhoZCDPBudget(_)     => RhoZCDPBudget(1)
      }
      assertRejected[IllegalArgumentException](sessionBudget, AddOneRow())(
        _.evaluate(QueryBuilder("checkouts").count(), zero)
      )(_.contains("non-zero privacy budget"))
    }
  }

  test("remainingPrivacyBudget has the session's type and is what is left, rounded down") {
    for ((sessionBudget, request, left) <- Seq[(PrivacyBudget, PrivacyBudget, PrivacyBudget)](
        (PureDPBudget(2), PureDPBudget(0.5), PureDPBudget(1.5)),
        (ApproxDPBudget(2, 0.5), ApproxDPBudget(0.5, 0.25), ApproxDPBudget(1.5, 0.25)),
        (RhoZCDPBudget(2), RhoZCDPBudget(0.5), RhoZCDPBudget(1.5))
      )) {
      val dp = session(sessionBudget, AddOneRow())
      try {
        assert(dp.remainingPrivacyBudget == sessionBudget)
        dp.evaluate(QueryBuilder("checkouts").count(), request)
        assert(dp.remainingPrivacyBudget == left)
        // The rest, passed back, always fits.
        dp.evaluate(QueryBuilder("checkouts").count(), dp.remainingPrivacyBudget)
      } finally dp.stop()
    }
  }

  /** The budget is accepted and the query answered, or the budget refused with an IAE naming epsilon. */
  private def acceptedOrRefusedUpFront(epsilon: Double): Unit =
    try {
      val dp = session(PureDPBudget(epsilon), AddOneRow())
      try dp.evaluate(QueryBuilder("checkouts").count(), PureDPBudget(epsilon))
      finally dp.stop()
    } catch {
      // Named by its value, or (the smallest double, rounded down to no budget at all) Tumult's zero-budget text.
      case refused: IllegalArgumentException =>
        val message = refused.getMessage.toLowerCase
        assert(message.contains("epsilon") || message.contains("non-zero privacy budget"), message)
    }

  test("huge budgets are refused up front naming epsilon; a session of 1e12 can spend 1e-12") {
    Seq(1e300, Double.MaxValue).foreach(acceptedOrRefusedUpFront)
    val dp = session(PureDPBudget(1e12), AddOneRow())
    try {
      dp.evaluate(QueryBuilder("checkouts").count(), PureDPBudget(1e-12))
      dp.remainingPrivacyBudget match {
        case PureDPBudget(epsilon) => assert(epsilon <= 1e12 && epsilon > 1e12 * 0.999)
        case other                 => fail(s"expected a PureDPBudget, got $other")
      }
    } finally dp.stop()
  }

  test("tiny budgets (ε = 1e-23) are answered or refused up front, never an ArithmeticException") {
    // Rust refuses a noise scale whose draws would not fit a 64-bit count (IAE naming epsilon, at compile).
    Seq(1e-23, Double.MinPositiveValue).foreach(acceptedOrRefusedUpFront)
  }

  test("an ID table counted without a constraint is an UnsupportedQueryException naming MaxRowsPerID") {
    assertRejected[UnsupportedQueryException](PureDPBudget(1), idChange)(
      _.evaluate(QueryBuilder("checkouts").groupBy(isbnKeyset).count(), PureDPBudget(1))
    )(_.contains("MaxRowsPerID"))
  }

  private def rustNoise(request: String): String = Native.get.planMeasurement(request)

  /** The exact second and fourth moments of the integer distribution with unnormalised pmf `weight`. */
  private def moments(weight: Long => Double, support: Long): (Double, Double) = {
    val xs = -support to support
    val total = xs.map(weight).sum
    (xs.map(x => weight(x) * x * x).sum / total, xs.map(x => weight(x) * math.pow(x.toDouble, 4)).sum / total)
  }

  /** z-scores of the sample mean and mean square against a symmetric distribution with the given moments. */
  private def zScores(samples: Seq[Long], variance: Double, fourthMoment: Double): (Double, Double) = {
    val n = samples.length.toDouble
    val meanZ = (samples.map(_.toDouble).sum / n) / math.sqrt(variance / n)
    val squareZ = (samples.map(x => x.toDouble * x).sum / n - variance) / math.sqrt((fourthMoment - variance * variance) / n)
    (meanZ, squareZ)
  }

  /** The noise text's (kind, scale b or σ²) as doubles. */
  private def noiseParameter(noise: String): (String, Double) = noise.split(':').toSeq match {
    case Seq(kind @ ("laplace" | "gaussian"), number) => (kind, Native.get.numberToDouble(number, false))
    case other                                          => fail(s"unexpected noise $other")
  }

  /** (variance, fourth moment) of discrete Laplace (pmf ∝ exp(-|x|/b)) or discrete Gaussian (∝ exp(-x²/2σ²)). */
  private def noiseMoments(kind: String, parameter: Double): (Double, Double) =
    if (kind == "laplace") moments(x => math.exp(-math.abs(x) / parameter), (60 * parameter).toLong + 10)
    else moments(x => math.exp(-(x.toDouble * x) / (2 * parameter)), (12 * math.sqrt(parameter)).toLong + 10)

  private val noiseKeys = 8000
  private lazy val absentKeyset = KeySet.fromDataFrame(
    spark.createDataFrame(
      spark.sparkContext.parallelize((0 until noiseKeys).map(i => Row(s"none-$i")), 2),
      StructType(Seq(StructField("isbn", StringType)))
    )
  )

  /** With n = 8000 the mean square's skewness (≈ 6.6/√n for Laplace, less for Gaussian) is ≈ 0.07, so |z| ≥ 6
    * has probability ≈ 1e-8 per statistic: a false-failure rate below 1e-7 for the 6 checks. Against scale × 1.2
    * (variance × 1.44) the same samples give |z(mean square)| ≈ 12 (Laplace) to 19 (Gaussian).
    */
  private val ZThreshold = 6.0

  /** Scale multiplier of the hypothesis; 1.0. Set to 1.2 once to see the test go red. */
  private val hypothesisScaleFactor = 1.0

  for (budget <- Seq[PrivacyBudget](PureDPBudget(1), ApproxDPBudget(1, 1e-6), RhoZCDPBudget(0.5))) {
    test(s"noise at $budget has the scale of Rust's plan (n = $noiseKeys, |z| < $ZThreshold)") {
      val constraints = Seq(MaxRowsPerID(3))
      val planned = rustNoise(
        WireText.countRequest(budget.toBudgetText, idChange, constraints, Seq("isbn"), CountMechanism.Default, "1")
      )
      val noise = WireText.plan(planned).head.noise
      val dp = session(budget, idChange)
      try {
        val samples = dp.evaluate(QueryBuilder("checkouts").enforce(MaxRowsPerID(3)).groupBy(absentKeyset).count(), budget)
          .select("count").collect().map(_.getLong(0)).toSeq
        assert(samples.length == noiseKeys)
        val (kind, parameter) = noiseParameter(noise)
        // Laplace's parameter is the scale; Gaussian's is σ², the square of its scale.
        val hypothesis = if (kind == "laplace") parameter * hypothesisScaleFactor else parameter * hypothesisScaleFactor * hypothesisScaleFactor
        val (variance, fourthMoment) = noiseMoments(kind, hypothesis)
        val (meanZ, squareZ) = zScores(samples, variance, fourthMoment)
        val summary = f"$budget, plan noise $noise, hypothesis $kind $hypothesis%.3f: n=${samples.length}, " +
          f"mean square=${samples.map(x => x.toDouble * x).sum / samples.length}%.2f vs $variance%.2f; " +
          f"z(mean)=$meanZ%.2f, z(mean square)=$squareZ%.2f"
        info(summary)
        assert(math.abs(meanZ) < ZThreshold, summary)
        assert(math.abs(squareZ) < ZThreshold, summary)
      } finally dp.stop()
    }
  }
}

object CountSuite {

  /** A protected change, the constraints a count under it needs, and the true counts plain Spark gives for it:
    * per (ID, isbn) cell at most `perCellBound` rows when grouped by isbn, per ID at most `perIdBound` rows
    * when ungrouped. Library's data make these the exact truncated counts whichever rows the keyed hash keeps:
    * the one ID above 20 rows (member 1) has a single isbn, and no member has more than 2 isbns.
    */
  final case class ChangeCase(
      name: String,
      protectedChange: ProtectedChange,
      constraints: Seq[Constraint],
      perCellBound: Option[Int],
      perIdBound: Option[Int],
      boundGroupsUngrouped: Boolean = false
  )
}
