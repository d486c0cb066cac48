package sparkdp.system

import java.io.File
import java.nio.file.Files

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.functions.col
import org.apache.spark.sql.types.{DoubleType, LongType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._

/** End to end: the seed query through the Scala API on a local SparkSession, with the real native library
  * (needs the Rust kernels, privacy and sampler work merged).
  */
class SeedQuerySuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark
  private lazy val checkouts = Library.checkoutsDf(spark)
  private lazy val books = Library.booksDf(spark)
  private lazy val bookKeyset = KeySet.fromDataFrame(books.select("title", "author", "isbn"))

  private def seedQuery(keyset: KeySet, maxRowsPerId: Int = 20): Query =
    QueryBuilder("checkouts").enforce(MaxRowsPerID(maxRowsPerId)).groupby(keyset).count()

  private def withSession[T](budget: PrivacyBudget)(body: Session => T): T = {
    val session = Session.fromDataFrame(budget, "checkouts", checkouts, AddRowsWithID("member_id"))
    try body(session)
    finally session.stop()
  }

  private def countsByBook(result: DataFrame): Map[(String, String, String), Long] = {
    val rows = result.collect()
    val counts = rows.map(row => Library.bookKey(row) -> row.getAs[Long]("count")).toMap
    assert(counts.size == rows.length, "a key appears more than once")
    counts
  }

  private def epsilonOf(budget: PrivacyBudget): Double = budget match { case PureDPBudget(epsilon) => epsilon }

  test("seed query: exactly the keyset's keys, once each, as title, author, isbn, count (LongType)") {
    withSession(PureDPBudget(2)) { session =>
      val output = session.evaluate(seedQuery(bookKeyset), PureDPBudget(2))
      assert(output.columns.toSeq == Seq("title", "author", "isbn", "count"))
      assert(output.schema("count").dataType == LongType)
      // Moby Dick has checkouts but is not in the keyset; Ulysses is in the keyset without checkouts.
      assert(countsByBook(output).keySet == Library.seedCountsWithMax20.keySet)
      assert(session.privateSources == Seq("checkouts"))
    }
  }

  test("infinite budget: exact counts; MaxRowsPerID(20) keeps 20 of member 1's 100 checkouts of Dune") {
    withSession(PureDPBudget(Double.PositiveInfinity)) { session =>
      val output = session.evaluate(seedQuery(bookKeyset), PureDPBudget(Double.PositiveInfinity))
      assert(countsByBook(output) == Library.seedCountsWithMax20)
      assert(epsilonOf(session.remainingPrivacyBudget).isPosInfinity)
    }
  }

  test("infinite budget: MaxRowsPerID(2) caps every member's rows in total, across books") {
    withSession(PureDPBudget(Double.PositiveInfinity)) { session =>
      val counts = countsByBook(session.evaluate(seedQuery(bookKeyset, maxRowsPerId = 2), PureDPBudget(Double.PositiveInfinity)))
      // Members 1..5 keep 2, 2, 2, 2, 1 rows in keyset books (member 6's rows are outside the keyset).
      assert(counts.values.sum == 9L)
      assert(counts(("Beowulf", null, "isbn-5")) == 2L && counts(("Ulysses", "Joyce", "isbn-3")) == 0L)
      assert(counts(("Dune", "Herbert", "isbn-1")) >= 2L)
    }
  }

  test("column names with dots and spaces, empty data and an empty keyset work end to end") {
    val schema = StructType(Seq(StructField("member.id", StringType), StructField("book title", StringType)))
    def table(rows: Seq[Row]) = spark.createDataFrame(spark.sparkContext.parallelize(rows, 2), schema)
    val keys = KeySet.fromDataFrame(table(Seq(Row("x", "Dune"), Row("x", "Emma"), Row("x", "Ulysses"))).select("book title"))
    val query = QueryBuilder("t").enforce(MaxRowsPerID(2)).groupBy(keys).count("checkouts")
    val infinite = PureDPBudget(Double.PositiveInfinity)
    val session = Session.fromDataFrame(infinite, "t", table(Seq(Row("a", "Dune"), Row("a", "Dune"), Row("a", "Dune"), Row("b", "Emma"))), AddRowsWithID("member.id"))
    try {
      val result = session.evaluate(query, infinite)
      assert(result.columns.toSeq == Seq("book title", "checkouts"))
      val counts = result.collect().map(row => row.getString(0) -> row.getLong(1)).toMap
      assert(counts == Map("Dune" -> 2L, "Emma" -> 1L, "Ulysses" -> 0L))
    } finally session.stop()
    val emptyData = Session.fromDataFrame(infinite, "t", table(Seq.empty), AddRowsWithID("member.id"))
    try assert(emptyData.evaluate(query, infinite).collect().map(_.getLong(1)).toSeq == Seq(0L, 0L, 0L))
    finally emptyData.stop()
    val noKeys = KeySet.fromDataFrame(table(Seq.empty).select("book title"))
    val emptyKeyset = Session.fromDataFrame(infinite, "t", table(Seq(Row("a", "Dune"))), AddRowsWithID("member.id"))
    try assert(emptyKeyset.evaluate(QueryBuilder("t").enforce(MaxRowsPerID(2)).groupBy(noKeys).count(), infinite).count() == 0)
    finally emptyKeyset.stop()
  }

  /** The total count under MaxRowsPerID(`k`) at an infinite budget of a table whose IDs are `ids` (one item
    * for all rows, one key), against k times the number of IDs Spark's own groupBy sees.
    */
  private def countedAgainstSpark(ids: DataFrame, k: Int): (Long, Long) = {
    val table = ids.withColumn("item", org.apache.spark.sql.functions.lit("x"))
    val keys = KeySet.fromDataFrame(table.select("item").distinct())
    val infinite = PureDPBudget(Double.PositiveInfinity)
    val session = Session.fromDataFrame(infinite, "t", table, AddRowsWithID("id"))
    try {
      val counted = session.evaluate(QueryBuilder("t").enforce(MaxRowsPerID(k)).groupBy(keys).count(), infinite)
        .collect().map(_.getAs[Long]("count")).sum
      (counted, ids.groupBy(col("id")).count().count() * k)
    } finally session.stop()
  }

  test("ID identity is Spark's, end to end: struct(NaN), invalid UTF-8, -0.0, NaN and null IDs") {
    import org.apache.spark.sql.functions.{lit, struct, unhex, when}
    import spark.implicits._
    // Five rows of ID struct(NaN) are one person: MaxRowsPerID(1) keeps one row, not five.
    assert(countedAgainstSpark(spark.range(5).select(struct(lit(Double.NaN).as("x")).as("id")), 1) == ((1L, 1L)))
    // unhex('FF') and unhex('FE') as strings are two people (both U+FFFD as Java strings): 2 rows each kept.
    val invalidUtf8 = spark.range(6).select(unhex(when(col("id") % 2 === 0, lit("FF")).otherwise(lit("FE"))).cast(StringType).as("id"))
    assert(countedAgainstSpark(invalidUtf8, 2) == ((4L, 4L)))
    // Top level: -0.0 and 0.0 one ID, every NaN one ID, null one ID.
    val doubles = Seq[java.lang.Double](0.0, -0.0, -0.0, Double.NaN, java.lang.Double.longBitsToDouble(0x7ff8000000000001L), null, null)
      .toDF("id")
    assert(countedAgainstSpark(doubles, 1) == ((3L, 3L)))
  }

  /** `size` keys that no checkout has: true count 0, so the output is the noise itself. */
  private def absentKeys(size: Int): KeySet = KeySet.fromDataFrame(
    spark.createDataFrame(
      spark.sparkContext.parallelize((0 until size).map(i => Row(s"absent-$i", "nobody", s"none-$i")), 2),
      StructType(Seq("title", "author", "isbn").map(name => StructField(name, StringType)))
    )
  )

  private lazy val absentKeyset = absentKeys(500)

  private def noiseSamples(epsilon: Double, sessions: Int): Seq[Long] =
    (1 to sessions).flatMap { _ =>
      withSession(PureDPBudget(epsilon)) { session =>
        session.evaluate(seedQuery(absentKeyset), PureDPBudget(epsilon)).select("count").collect().map(_.getLong(0)).toSeq
      }
    }

  /** z-scores of the sample mean of x and of x² against discrete Laplace with scale `scale`
    * (pmf ∝ exp(-|x|/scale); Var = 2e^{-1/s}/(1-e^{-1/s})²), using the exact moments from the pmf.
    */
  private def discreteLaplaceZScores(samples: Seq[Long], scale: Double): (Double, Double) = {
    val p = math.exp(-1 / scale)
    val variance = 2 * p / ((1 - p) * (1 - p))
    val support = (-60 * scale).toLong to (60 * scale).toLong // p^|x| < e^-60 beyond
    val normaliser = (1 - p) / (1 + p)
    val fourthMoment = support.map(x => normaliser * math.pow(p, math.abs(x).toDouble) * math.pow(x.toDouble, 4)).sum
    val n = samples.length.toDouble
    val meanZ = (samples.map(_.toDouble).sum / n) / math.sqrt(variance / n)
    val meanSquare = samples.map(x => x.toDouble * x).sum / n
    val squareZ = (meanSquare - variance) / math.sqrt((fourthMoment - variance * variance) / n)
    (meanZ, squareZ)
  }

  /** The mean of x² is right-skewed (skewness ≈ 6.6/√n whatever the scale, ≈ 0.15 at n = 2000), so the normal
    * two-sided threshold for α = 1e-6 (4.89) would fail ≈ 5e-6 of the time. A second-order Edgeworth expansion
    * puts |z| ≥ 6 at ≈ 3e-8 at n = 2000; the mean's z (symmetric noise) is rarer still. Four fits below: a
    * false-failure rate ≈ 2e-7 for the test.
    */
  private val ZThreshold = 6.0

  /** (MaxRowsPerID, ε) pairs whose noise is fitted: the scale must be k/ε at each. ε = 2 and 0.5 catch a scale
    * with another power of ε (k/√ε is 14.1 and 28.3 there, z ≈ +20 and -10), k = 5 one that ignores k.
    */
  private val calibrationPoints = Seq((20, 1.0), (20, 2.0), (20, 0.5), (5, 1.0))

  test("noise: mean 0 and the variance of discrete Laplace at scale MaxRowsPerID/ε, at 3 ε and 2 k (α ≈ 2e-7)") {
    val keysPerQuery = 2000
    val keyset = absentKeys(keysPerQuery)
    // One session for all four queries: each query index draws independent noise (CONTRACTS.md, addNoise).
    val totalEpsilon = calibrationPoints.map(_._2).sum
    withSession(PureDPBudget(totalEpsilon)) { session =>
      calibrationPoints.foreach { case (maxRowsPerId, epsilon) =>
        val samples = session.evaluate(seedQuery(keyset, maxRowsPerId), PureDPBudget(epsilon))
          .select("count").collect().map(_.getLong(0)).toSeq
        assert(samples.length == keysPerQuery)
        val scale = maxRowsPerId / epsilon
        val (meanZ, squareZ) = discreteLaplaceZScores(samples, scale)
        val (_, halfScaleZ) = discreteLaplaceZScores(samples, scale / 2)
        val (_, doubleScaleZ) = discreteLaplaceZScores(samples, scale * 2)
        val summary = f"MaxRowsPerID($maxRowsPerId), ε=$epsilon: n=${samples.length}, " +
          f"mean=${samples.sum.toDouble / samples.length}%.3f, " +
          f"mean square=${samples.map(x => x.toDouble * x).sum / samples.length}%.1f for scale $scale%.1f; " +
          f"z(mean)=$meanZ%.2f, z(mean square)=$squareZ%.2f; against scale/2: $halfScaleZ%.2f, scale×2: $doubleScaleZ%.2f"
        info(summary)
        assert(math.abs(meanZ) < ZThreshold, summary)
        assert(math.abs(squareZ) < ZThreshold, summary)
        // The same samples reject half and double the scale, so the fit can fail.
        assert(halfScaleZ > ZThreshold && doubleScaleZ < -ZThreshold, summary)
      }
      assert(session.remainingPrivacyBudget == PureDPBudget(0))
    }
  }

  test("a result is stable when collected again; the same query evaluated again gets fresh noise") {
    withSession(PureDPBudget(10)) { session =>
      val first = session.evaluate(seedQuery(bookKeyset), PureDPBudget(1))
      val second = session.evaluate(seedQuery(bookKeyset), PureDPBudget(1))
      val firstCounts = countsByBook(first)
      assert(countsByBook(first) == firstCounts)
      assert(countsByBook(second) == countsByBook(second))
      // 5 cells at scale 20: all five equal by chance with probability ≈ 0.012^5.
      assert(countsByBook(second) != firstCounts)
      // The result is a scan of the stored table, not a recomputation.
      assert(first.inputFiles.nonEmpty && first.inputFiles.forall(_.contains(session.warehouse.databaseName)))
    }
  }

  test("two sessions draw independent noise: the noise depends on each session's own secret") {
    // Both evaluations are query 0 of their session, on the same data and keyset: only the secret differs.
    val first = noiseSamples(epsilon = 1.0, sessions = 1)
    val second = noiseSamples(epsilon = 1.0, sessions = 1)
    // 500 cells at scale 20 (P(equal) ≈ 0.025 each): ≥ 100 equal pairs has probability far below 1e-6.
    val equalCells = first.zip(second).count { case (a, b) => a == b }
    assert(first.length == 500 && equalCells < 100, s"$equalCells of 500 cells equal across sessions")
  }

  test("a -0.0 key in the data is counted under the keyset's 0.0, as Spark's equality says") {
    val schema = StructType(Seq(StructField("id", LongType), StructField("score", DoubleType)))
    def table(rows: Seq[Row]) = spark.createDataFrame(spark.sparkContext.parallelize(rows, 2), schema)
    val data = table(Seq(Row(1L, -0.0), Row(2L, -0.0), Row(3L, 0.0), Row(4L, Double.NaN), Row(5L, 1.5)))
    val keys = KeySet.fromDataFrame(table(Seq(Row(0L, 0.0), Row(0L, Double.NaN), Row(0L, 2.5))).select("score"))
    val infinite = PureDPBudget(Double.PositiveInfinity)
    val session = Session.fromDataFrame(infinite, "t", data, AddRowsWithID("id"))
    try {
      val counts = session.evaluate(QueryBuilder("t").enforce(MaxRowsPerID(1)).groupBy(keys).count(), infinite)
        .collect().map(row => row.getDouble(0).toString -> row.getLong(1)).toMap
      assert(counts == Map("0.0" -> 3L, "NaN" -> 1L, "2.5" -> 0L))
    } finally session.stop()
  }

  test("overspending raises InsufficientBudgetException with Tumult's message and charges nothing") {
    withSession(PureDPBudget(1)) { session =>
      session.evaluate(seedQuery(bookKeyset), PureDPBudget(0.6))
      assert(session.remainingPrivacyBudget == PureDPBudget(0.4))
      val error = intercept[InsufficientBudgetException](session.evaluate(seedQuery(bookKeyset), PureDPBudget(0.5)))
      assert(
        error.getMessage == "Cannot answer query without exceeding the Session privacy budget." +
          "\nRequested: ε=0.500\nRemaining: ε=0.400\nDifference: ε=0.100"
      )
      assert(session.remainingPrivacyBudget == PureDPBudget(0.4))
      // The remaining budget, rounded down, always fits.
      session.evaluate(seedQuery(bookKeyset), session.remainingPrivacyBudget)
      assert(epsilonOf(session.remainingPrivacyBudget) < 1e-15)
    }
  }

  test("as in Tumult, a request above the remaining budget by at most a billionth of it spends what remains") {
    withSession(PureDPBudget(1)) { session =>
      // Nine times the double 0.1 leaves slightly less than the double 0.1 (exactly); Tumult answers the tenth.
      (1 to 10).foreach(_ => session.evaluate(seedQuery(bookKeyset), PureDPBudget(0.1)))
      assert(session.remainingPrivacyBudget == PureDPBudget(0))
      intercept[InsufficientBudgetException](session.evaluate(seedQuery(bookKeyset), PureDPBudget(0.1)))
    }
    withSession(PureDPBudget(1)) { session =>
      // A millionth above is no rounding error: refused, nothing spent.
      intercept[InsufficientBudgetException](session.evaluate(seedQuery(bookKeyset), PureDPBudget(1.000001)))
      assert(session.remainingPrivacyBudget == PureDPBudget(1))
    }
  }

  test("a rejected query spends nothing and creates no database or table") {
    withSession(PureDPBudget(1)) { session =>
      val withYear = KeySet.fromDataFrame(books.select("title", "year"))
      val error = intercept[java.util.NoSuchElementException](session.evaluate(seedQuery(withYear), PureDPBudget(0.5)))
      assert(error.getMessage.contains("Column 'year' does not exist"))
      val longIsbn = KeySet.fromDataFrame(books.select(col("year").cast(LongType).as("isbn")))
      val typeError = intercept[IllegalArgumentException](session.evaluate(seedQuery(longIsbn), PureDPBudget(0.5)))
      assert(typeError.getMessage.contains("'isbn'") && typeError.getMessage.contains("bigint"))
      val unknown = intercept[IllegalArgumentException](
        session.evaluate(QueryBuilder("loans").enforce(MaxRowsPerID(1)).groupBy(bookKeyset).count(), PureDPBudget(0.5))
      )
      assert(unknown.getMessage == "Table 'loans' does not exist. Available tables are: checkouts")
      val unconstrained = intercept[UnsupportedQueryException](
        session.evaluate(QueryBuilder("checkouts").groupBy(bookKeyset).count(), PureDPBudget(0.5))
      )
      assert(unconstrained.getMessage.contains("MaxRowsPerID"))
      assert(session.remainingPrivacyBudget == PureDPBudget(1))
      // Nothing in the catalog (which may be persistent, e.g. Glue) or under the warehouse directory.
      val database = session.warehouse.databaseName
      assert(!spark.catalog.databaseExists(database), s"rejected queries created database $database")
      assert(!TestSpark.warehouseDir.list().exists(_.startsWith(database)))
    }
  }

  private def databaseDir(session: Session): File =
    new File(TestSpark.warehouseDir, session.warehouse.databaseName + ".db")

  test("stop() leaves no table or database behind, is idempotent, and ends the session") {
    val session = Session.fromDataFrame(PureDPBudget(2), "checkouts", checkouts, AddRowsWithID("member_id"))
    val output = session.evaluate(seedQuery(bookKeyset), PureDPBudget(1))
    session.evaluate(seedQuery(bookKeyset), PureDPBudget(1))
    val database = session.warehouse.databaseName
    assert(spark.catalog.listTables(database).count() == 2)
    assert(databaseDir(session).isDirectory)
    session.stop()
    session.stop()
    assert(!spark.catalog.databaseExists(database))
    assert(!spark.catalog.listDatabases().collect().exists(_.name == database))
    assert(!databaseDir(session).exists())
    assert(!TestSpark.warehouseDir.list().exists(_.startsWith(database)))
    intercept[Exception](output.collect()) // its files are gone
    val error = intercept[SessionStoppedException](session.evaluate(seedQuery(bookKeyset), PureDPBudget(0.1)))
    assert(error.getMessage == "This session is no longer active, and no new queries can be performed") // Tumult's text
  }

  test("bad input: a missing ID column, a negative or NaN budget are named") {
    val missingId = intercept[IllegalArgumentException](
      Session.fromDataFrame(PureDPBudget(1), "checkouts", checkouts, AddRowsWithID("patron_id"))
    )
    assert(missingId.getMessage.startsWith("Column 'patron_id' does not exist in this table, available columns are"))
    assert(intercept[IllegalArgumentException](PureDPBudget(-1)).getMessage.contains("epsilon of -1"))
    assert(intercept[IllegalArgumentException](PureDPBudget(Double.NaN)).getMessage.contains("epsilon of NaN"))
    withSession(PureDPBudget(1)) { session =>
      val zero = intercept[IllegalArgumentException](session.evaluate(seedQuery(bookKeyset), PureDPBudget(0)))
      assert(zero.getMessage.contains("non-zero privacy budget"))
    }
  }

  test("a failure computing the private data is not blamed on the warehouse; nothing is charged or left") {
    val failing = org.apache.spark.sql.functions.udf { (title: String) =>
      if (title == "Emma") throw new IllegalStateException(s"cannot parse title '$title'") else title
    }
    val badData = checkouts.withColumn("title", failing(col("title")))
    val session = Session.fromDataFrame(PureDPBudget(1), "checkouts", badData, AddRowsWithID("member_id"))
    try {
      val error = intercept[Exception](session.evaluate(seedQuery(bookKeyset), PureDPBudget(0.5)))
      assert(!error.isInstanceOf[WarehouseException], error.getMessage)
      assert(!error.getMessage.contains("spark.sql.warehouse.dir"), error.getMessage)
      assert(error.getMessage.contains("cannot parse title 'Emma'"), error.getMessage)
      assert(session.remainingPrivacyBudget == PureDPBudget(1))
      // On Spark 3.5 (adaptive execution) the data already fails while the query is compiled, before the
      // session's database exists; on 3.1 while the result is written, after.
      val database = session.warehouse.databaseName
      assert(!spark.catalog.databaseExists(database) || spark.catalog.listTables(database).count() == 0)
    } finally session.stop()
  }

  test("a warehouse that cannot be written gives a WarehouseException naming the setting; nothing is charged") {
    withSession(PureDPBudget(1)) { session =>
      val blocker = databaseDir(session) // a regular file where the session's database directory must go
      Files.write(blocker.toPath, Array[Byte](1))
      try {
        val error = intercept[WarehouseException](session.evaluate(seedQuery(bookKeyset), PureDPBudget(0.5)))
        assert(error.getMessage.contains("spark.sql.warehouse.dir=" + spark.conf.get("spark.sql.warehouse.dir")))
        assert(session.remainingPrivacyBudget == PureDPBudget(1))
      } finally Files.deleteIfExists(blocker.toPath)
      // Once the directory can be created, the session works again.
      session.evaluate(seedQuery(bookKeyset), PureDPBudget(0.5))
      assert(session.remainingPrivacyBudget == PureDPBudget(0.5))
    }
  }
}
