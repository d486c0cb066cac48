package sparkdp.system

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.functions.{col, count, least, lit, sum, when}
import org.apache.spark.sql.types.{IntegerType, LongType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.plan.{CompileInputs, PrivateTable}
import sparkdp.plan.transform.TransformationCompiler

/** join_public and join_private end to end: at an infinite budget the answers equal plain Spark joins of the same
  * data (null keys matching, as Tumult's joins), the joined table's rows, columns and protected change are as
  * Tumult's, DropExcess keeps the same rows whatever the row order, a public join's key multiplicity m multiplies
  * a count's noise scale by m, and every error is an IAE naming the fault, raised with nothing spent or stored.
  */
class JoinSuite extends AnyFunSuite {
  private lazy val spark = TestSpark.spark
  private val infinite = PureDPBudget(Double.PositiveInfinity)

  private def table(schema: StructType, rows: Seq[Row]): DataFrame =
    spark.createDataFrame(spark.sparkContext.parallelize(rows, 2), schema)

  /** orders(order_id, shop, amount): shop "a" 3 orders, "b" 2, "c" 1, null 2. */
  private lazy val orders = table(
    StructType(Seq(StructField("order_id", IntegerType), StructField("shop", StringType), StructField("amount", LongType))),
    Seq(Row(1, "a", 10L), Row(2, "a", 20L), Row(3, "a", 30L), Row(4, "b", 5L), Row(5, "b", 7L), Row(6, "c", 1L), Row(7, null, 2L), Row(8, null, 3L))
  )

  /** shops(shop, region, amount): "a" twice (multiplicity 2), "b" once, "d" once, null once; `amount` clashes. */
  private lazy val shops = table(
    StructType(Seq(StructField("shop", StringType), StructField("region", StringType), StructField("amount", LongType))),
    Seq(Row("a", "north", 0L), Row("a", "south", 0L), Row("b", "north", 0L), Row("d", "east", 0L), Row(null, "west", 0L))
  )

  /** returns(order_id, reason): order 1 returned twice (non-unique), orders 4 and 6 once, order 9 unknown. */
  private lazy val returns = table(
    StructType(Seq(StructField("order_id", IntegerType), StructField("reason", StringType))),
    Seq(Row(1, "late"), Row(1, "broken"), Row(4, "late"), Row(6, "size"), Row(9, "late"))
  )

  private lazy val regions = KeySet.fromDict(Map("region" -> Seq("north", "south", "east", "west")))

  private def ordersSession(budget: PrivacyBudget, change: ProtectedChange = AddOneRow()): Session =
    new Session.Builder()
      .withPrivacyBudget(budget)
      .withPrivateDataframe("orders", orders, change)
      .withPrivateDataframe("returns", returns, AddOneRow())
      .withPublicDataframe("shops", shops)
      .build()

  /** Plain Spark's join of orders and shops on shop, nulls matching. */
  private def plainPublicJoin(how: String): DataFrame =
    orders.as("o").join(shops.as("s"), col("o.shop") <=> col("s.shop"), how)

  private def countsByRegion(result: DataFrame): Map[String, Long] =
    result.collect().map(row => row.getString(0) -> row.getLong(1)).toMap

  private def plainCountsByRegion(joined: DataFrame): Map[String, Long] = {
    val counts = joined.groupBy(col("s.region")).agg(count(lit(1))).collect().map(row => Option(row.getString(0)) -> row.getLong(1)).toMap
    Seq("north", "south", "east", "west").map(region => region -> counts.getOrElse(Some(region), 0L)).toMap
  }

  for (how <- Seq("inner", "left"); byName <- Seq(true, false)) {
    test(s"join_public ($how, public table ${if (byName) "by name" else "as a DataFrame"}) at an infinite budget equals plain Spark") {
      val dp = ordersSession(infinite)
      try {
        val builder = QueryBuilder("orders")
        val joined =
          if (byName) builder.joinPublic("shops", Seq("shop"), how) else builder.joinPublic(shops, Seq("shop"), how)
        val total = dp.evaluate(joined.count(), infinite).head().getLong(0)
        assert(total == plainPublicJoin(how).count())
        assert(total == (if (how == "inner") 10L else 11L)) // a: 3·2, b: 2·1, null: 2·1 (+ c unmatched when left)
        assert(countsByRegion(dp.evaluate(joined.groupBy(regions).count(), infinite)) == plainCountsByRegion(plainPublicJoin(how)))
      } finally dp.stop()
    }
  }

  private def prepare(expr: QueryExpr, tables: Map[String, PrivateTable], publicTables: Map[String, DataFrame] = Map("shops" -> shops)) =
    TransformationCompiler.prepare(expr, tables, CompileInputs(publicTables, new Array[Byte](32)))

  test("join_public's columns, rows, descriptors and protected change are Tumult's") {
    val tables = Map("orders" -> PrivateTable(orders, AddMaxRows(2)))
    val inner = prepare(JoinPublic(PrivateSource("orders"), Left("shops"), None, "inner"), tables.updated("orders", PrivateTable(orders.drop("amount"), AddMaxRows(2))))
    // Natural join on the one common column; multiplicity 2 doubles AddMaxRows(2).
    assert(inner.dataframe.columns.toSeq == Seq("shop", "order_id", "region", "amount"))
    assert(inner.protectedChange == AddMaxRows(4))
    val clashing = prepare(JoinPublic(PrivateSource("orders"), Left("shops"), Some(Seq("shop")), "left"), tables)
    assert(clashing.dataframe.columns.toSeq == Seq("shop", "order_id", "amount_left", "region", "amount_right"))
    assert(clashing.columns.map(_.name) == clashing.dataframe.columns.toSeq)
    // A left join's public columns may be null; its join column is the private table's.
    assert(clashing.column("region").exists(_.isNullable) && clashing.column("amount_right").exists(_.isNullable))
    val rows = clashing.dataframe.collect().map(_.toSeq).toSeq.sortBy(_.toString)
    val plain = plainPublicJoin("left").select(col("o.shop"), col("o.order_id"), col("o.amount"), col("s.region"), col("s.amount"))
      .collect().map(_.toSeq).toSeq.sortBy(_.toString)
    assert(rows == plain)
    // An ID table keeps AddRowsWithID (the ID column renamed if it clashes) and its constraints.
    val idTables = Map("orders" -> PrivateTable(orders, AddRowsWithID("amount")))
    val withIds = prepare(EnforceConstraint(JoinPublic(PrivateSource("orders"), Left("shops"), Some(Seq("shop")), "inner"), MaxRowsPerID(3)), idTables)
    assert(withIds.protectedChange == AddRowsWithID("amount_left"))
    assert(withIds.constraints == Seq(MaxRowsPerID(3)))
    // AddMaxRowsInMaxGroups: rows per group multiplied, groups kept.
    val grouped = prepare(JoinPublic(PrivateSource("orders"), Left("shops"), Some(Seq("shop")), "inner"), Map("orders" -> PrivateTable(orders, AddMaxRowsInMaxGroups("order_id", 2, 3))))
    assert(grouped.protectedChange == AddMaxRowsInMaxGroups("order_id", 2, 6))
  }

  /** Two ID tables of one ID space: checkouts(member_id, isbn) and holds(member_id, branch), null IDs included. */
  private lazy val checkouts = table(
    StructType(Seq(StructField("member_id", IntegerType), StructField("isbn", StringType))),
    Seq(Row(1, "i1"), Row(1, "i2"), Row(2, "i1"), Row(3, "i3"), Row(null, "i4"))
  )
  private lazy val holds = table(
    StructType(Seq(StructField("member_id", IntegerType), StructField("branch", StringType))),
    Seq(Row(1, "main"), Row(1, "east"), Row(1, "west"), Row(3, "main"), Row(4, "main"), Row(null, "east"))
  )

  private def libraryBuilder(budget: PrivacyBudget, holdsSpace: String = "members") =
    new Session.Builder()
      .withPrivacyBudget(budget)
      .withIdSpace("members")
      .withIdSpace("staff")
      .withPrivateDataframe("checkouts", checkouts, AddRowsWithID("member_id", Some("members")))
      .withPrivateDataframe("holds", holds, AddRowsWithID("member_id", Some(holdsSpace)))

  test("join_private of two ID tables in one ID space at an infinite budget equals plain Spark (null IDs match)") {
    val dp = libraryBuilder(infinite).build()
    try {
      val joined = QueryBuilder("checkouts").joinPrivate(QueryBuilder("holds")).enforce(MaxRowsPerID(100))
      val total = dp.evaluate(joined.count(), infinite).head().getLong(0)
      val plain = checkouts.as("c").join(holds.as("h"), col("c.member_id") <=> col("h.member_id")).count()
      assert(total == plain)
      assert(total == 6 + 1 + 1) // member 1: 2·3, member 3: 1·1, null: 1·1
      val branches = KeySet.fromDict(Map("branch" -> Seq("main", "east", "west")))
      val byBranch = countsOf(dp.evaluate(joined.groupBy(branches).count(), infinite))
      assert(byBranch == Map("main" -> 3L, "east" -> 3L, "west" -> 2L))
    } finally dp.stop()
  }

  test("truncation strategies given for ID tables are ignored with Tumult's warning") {
    import scala.collection.JavaConverters._
    val dp = libraryBuilder(infinite).build()
    try {
      val ignored = QueryBuilder("checkouts")
        .joinPrivate(QueryBuilder("holds"), TruncationStrategy.DropExcess(1), TruncationStrategy.DropNonUnique())
        .enforce(MaxRowsPerID(100))
      assert(dp.evaluate(ignored.count(), infinite).head().getLong(0) == 6 + 1 + 1)
      assert(dp.drainWarnings().asScala.toSeq == Seq(sparkdp.SessionWarning(
        "UserWarning",
        "When joining with IDs, truncation strategies are not required. Provided truncation parameters will be ignored."
      )))
      dp.evaluate(QueryBuilder("checkouts").joinPrivate(QueryBuilder("holds")).enforce(MaxRowsPerID(100)).count(), infinite)
      assert(dp.drainWarnings().isEmpty)
    } finally dp.stop()
  }

  private def countsOf(result: DataFrame): Map[String, Long] = result.collect().map(row => row.getString(0) -> row.getLong(1)).toMap

  test("join_private with DropExcess and DropNonUnique at an infinite budget equals plain Spark on the truncated tables") {
    val dp = ordersSession(infinite)
    try {
      val joined = QueryBuilder("orders").joinPrivate(QueryBuilder("returns"), TruncationStrategy.DropExcess(2), TruncationStrategy.DropNonUnique())
      val total = dp.evaluate(joined.count(), infinite).head().getLong(0)
      // orders has one row per order_id (DropExcess(2) keeps all); returns keeps orders 4, 6, 9 (order 1 is not unique).
      val uniqueReturns = returns.groupBy("order_id").agg(count(lit(1)).as("n")).where(col("n") === 1)
      assert(total == orders.join(uniqueReturns, Seq("order_id")).count())
      assert(total == 2)
      // DropExcess(1) on returns keeps one of order 1's returns: orders 1, 4, 6 match.
      val excess = QueryBuilder("orders").joinPrivate(QueryBuilder("returns"), TruncationStrategy.DropExcess(1), TruncationStrategy.DropExcess(1), Seq("order_id"))
      assert(dp.evaluate(excess.count(), infinite).head().getLong(0) == 3)
    } finally dp.stop()
  }

  test("DropExcess keeps the same rows by keyed hash whatever the row order and partitioning") {
    val many = table(
      StructType(Seq(StructField("k", IntegerType), StructField("v", IntegerType))),
      (0 until 400).map(i => Row(i % 7, i))
    )
    val other = table(StructType(Seq(StructField("k", IntegerType), StructField("w", StringType))), (0 until 7).map(k => Row(k, s"w$k")))
    val expr = JoinPrivate(PrivateSource("many"), PrivateSource("other"), Some(TruncationStrategy.DropExcess(3)), Some(TruncationStrategy.DropExcess(1)), None)
    def keptRows(data: DataFrame, key: Array[Byte]) =
      TransformationCompiler.prepare(expr, Map("many" -> PrivateTable(data, AddOneRow()), "other" -> PrivateTable(other, AddOneRow())), CompileInputs(Map.empty, key))
        .dataframe.collect().map(row => (row.getInt(0), row.getInt(1))).toSet
    val key = Array.tabulate[Byte](32)(_.toByte)
    val first = keptRows(many, key)
    assert(first.size == 21 && first.groupBy(_._1).values.forall(_.size == 3))
    assert(keptRows(many.repartition(5).sortWithinPartitions(col("v").desc), key) == first)
    // Another session's key keeps (almost surely) other rows: the choice is keyed, not by value or order.
    assert(keptRows(many, Array.fill[Byte](32)(7)) != first)
    val prepared = TransformationCompiler.prepare(expr, Map("many" -> PrivateTable(many, AddOneRow()), "other" -> PrivateTable(other, AddOneRow())), CompileInputs(Map.empty, key))
    // τ_l·s_r·d_r + τ_r·s_l·d_l = 3·2·1 + 1·2·1
    assert(prepared.protectedChange == AddMaxRows(8))
  }

  // --- errors: IAE naming the fault, nothing spent, nothing stored -------------------------------------

  private def assertRejected(dp: Session, query: Query)(messageCheck: String => Boolean): Unit =
    try {
      val before = dp.remainingPrivacyBudget
      val error = intercept[IllegalArgumentException](dp.evaluate(query, PureDPBudget(1)))
      assert(messageCheck(error.getMessage), error.getMessage)
      assert(dp.remainingPrivacyBudget == before)
      assert(!spark.catalog.databaseExists(dp.warehouse.databaseName), "a rejected query created the session database")
    } finally dp.stop()

  test("a private join between ID spaces is refused before any data is read") {
    assertRejected(libraryBuilder(PureDPBudget(2), holdsSpace = "staff").build(), QueryBuilder("checkouts").joinPrivate(QueryBuilder("holds")).enforce(MaxRowsPerID(2)).count())(
      message => message.contains("same ID space") && message.contains("'members'") && message.contains("'staff'")
    )
  }

  test("an ID join not on the ID column, or IDs on one side only, is refused") {
    // checkouts gains a branch column from a public table, so both sides share `branch`, which is not the ID.
    val branchOfIsbn = table(StructType(Seq(StructField("isbn", StringType), StructField("branch", StringType))), Seq(Row("i1", "main")))
    assertRejected(libraryBuilder(PureDPBudget(2)).build(), QueryBuilder("checkouts").joinPublic(branchOfIsbn).joinPrivate(QueryBuilder("holds"), Seq("branch")).enforce(MaxRowsPerID(2)).count())(
      message => message.contains("must join on the ID column 'member_id'") && message.contains("[branch]")
    )
    val mixed = libraryBuilder(PureDPBudget(2)).withPrivateDataframe("orders", orders, AddOneRow()).build()
    assertRejected(mixed, QueryBuilder("orders").joinPrivate(QueryBuilder("checkouts"), TruncationStrategy.DropNonUnique(), TruncationStrategy.DropNonUnique()).count())(
      message => message.contains("same type of protected change")
    )
  }

  test("a private join without IDs and without truncation strategies is refused with Tumult's message") {
    assertRejected(ordersSession(PureDPBudget(2)), QueryBuilder("orders").joinPrivate(QueryBuilder("returns")).count())(
      message => message.contains("When joining without IDs, truncation strategies are required")
    )
  }

  test("an unknown public table, a missing join column and mismatched types are IAEs naming them") {
    assertRejected(ordersSession(PureDPBudget(2)), QueryBuilder("orders").joinPublic("nowhere").count())(
      message => message.contains("There is no public source with the identifier nowhere") && message.contains("shops")
    )
    assertRejected(ordersSession(PureDPBudget(2)), QueryBuilder("orders").joinPublic("shops", Seq("region")).count())(
      message => message.contains("Join columns must be common to both tables") && message.contains("'region'") && message.contains("left table")
    )
    val typed = shops.withColumn("shop", when(col("shop") === "a", 1).otherwise(2))
    assertRejected(ordersSession(PureDPBudget(2)), QueryBuilder("orders").joinPublic(typed, Seq("shop")).count())(
      message => message.contains("identical types") && message.contains("'shop'") && message.contains("VARCHAR") && message.contains("INTEGER")
    )
    val disjoint = shops.select(col("region"))
    assertRejected(ordersSession(PureDPBudget(2)), QueryBuilder("orders").joinPublic(disjoint).count())(
      _.contains("Tables have no common columns to join on")
    )
  }

  test("join arguments are checked when the query is built, with Tumult's messages") {
    assert(intercept[IllegalArgumentException](QueryBuilder("orders").joinPublic("shops", Seq("shop"), "outer")).getMessage ==
      "Invalid join type 'outer': must be 'inner' or 'left'")
    assert(intercept[IllegalArgumentException](QueryBuilder("orders").joinPublic("shops", Seq.empty[String])).getMessage ==
      "Provided join columns must not be empty")
    assert(intercept[IllegalArgumentException](QueryBuilder("orders").joinPublic("shops", Seq("a", "a"))).getMessage ==
      "Join columns must be distinct")
    assert(intercept[IllegalArgumentException](TruncationStrategy.DropExcess(0)).getMessage.contains("max_rows"))
  }

  // --- noise: a public join with key multiplicity m multiplies a count's scale by m --------------------

  private val noiseKeys = 8000

  /** Scale multiplier of the hypothesis; 1.0. Set to 1/3 once (the scale without the join's stability) to see
    * the test go red.
    */
  private val hypothesisScaleFactor = 1.0

  /** With n = 8000, |z| ≥ 6 of the mean square has probability ≈ 1e-8 (its skewness is ≈ 0.07): a false-failure
    * rate below 1e-7 for the 2 checks. Against the scale of a join counted as stability 1 (scale 1 instead of 3,
    * variance ÷ 9) the mean square's z is far beyond 6.
    */
  private val ZThreshold = 6.0

  test(s"a public join with largest key multiplicity 3 triples a count's Laplace scale (n = $noiseKeys, |z| < $ZThreshold)") {
    // The public table maps each of 3 'labels' to the keyset column; no private row matches a keyset key, so every
    // released count is pure noise, of scale m/ε = 3 under PureDP(1) and AddOneRow.
    val privateRows = table(StructType(Seq(StructField("shop", StringType))), Seq(Row("x"), Row("y")))
    val publicRows = table(
      StructType(Seq(StructField("shop", StringType), StructField("label", StringType))),
      Seq(Row("x", "l1"), Row("x", "l2"), Row("x", "l3"), Row("y", "l1"))
    )
    val keys = KeySet.fromDataFrame(
      spark.createDataFrame(spark.sparkContext.parallelize((0 until noiseKeys).map(i => Row(s"none-$i")), 2), StructType(Seq(StructField("label", StringType))))
    )
    val dp = Session.fromDataFrame(PureDPBudget(1), "events", privateRows, AddOneRow())
    try {
      val samples = dp.evaluate(QueryBuilder("events").joinPublic(publicRows).groupBy(keys).count(), PureDPBudget(1))
        .select("count").collect().map(_.getLong(0)).toSeq
      assert(samples.length == noiseKeys)
      val scale = 3.0 * hypothesisScaleFactor
      // Discrete Laplace with pmf ∝ exp(-|x|/b): z-scores against its exact second and fourth moments.
      val (variance, _) = NoiseStatistics.moments(NoiseStatistics.DiscreteLaplace(scale))
      val meanSquare = samples.map(x => x.toDouble * x).sum / samples.length
      val (meanZ, squareZ) = NoiseStatistics.zScores(samples, NoiseStatistics.DiscreteLaplace(scale))
      val summary = f"hypothesis Laplace scale $scale%.3f: n=$noiseKeys, mean square=$meanSquare%.2f vs $variance%.2f; z(mean)=$meanZ%.2f, z(mean square)=$squareZ%.2f"
      info(summary)
      assert(math.abs(meanZ) < ZThreshold, summary)
      assert(math.abs(squareZ) < ZThreshold, summary)
    } finally dp.stop()
  }
}
