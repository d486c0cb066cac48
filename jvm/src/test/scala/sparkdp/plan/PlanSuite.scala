package sparkdp.plan

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions.{array, col, lit, row_number, struct, unhex, when}
import org.apache.spark.sql.types.{BinaryType, IntegerType, LongType, MapType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.bridge.{Int64Column, WireText}
import sparkdp.system.{Library, TestSpark}

/** The planner's Spark steps: fingerprints, truncation (against the window it replaced), partial counts
  * across chunks (the one test that calls Rust), and every validation that happens before Rust is asked for
  * the noise.
  */
class PlanSuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark

  private def frame(schema: StructType, rows: Seq[Row], partitions: Int = 2): DataFrame =
    spark.createDataFrame(spark.sparkContext.parallelize(rows, partitions), schema)

  private val pairSchema = StructType(Seq(StructField("a", StringType), StructField("b", StringType)))

  private val someKey: Array[Byte] = Array.tabulate[Byte](32)(i => (i * 7 + 1).toByte)
  private val otherKey: Array[Byte] = Array.tabulate[Byte](32)(i => (i * 13 + 5).toByte)

  private def context = EvaluationContext(someKey, otherKey, queryIndex = 0, budgetText = "pure:1")

  test("key fingerprints tell (null, x) from (x, null) and agree between two DataFrames") {
    val left = frame(pairSchema, Seq(Row(null, "x"), Row("x", null), Row("x", "x"), Row(null, null)))
    val right = frame(pairSchema, Seq(Row("x", "x"), Row(null, "x")), partitions = 1)
    val fingerprint = KeyFingerprint.of(pairSchema.fields.toSeq).as("fp")
    val leftFingerprints = left.select(col("a"), col("b"), fingerprint).collect()
    assert(leftFingerprints.map(_.getLong(2)).distinct.length == 4)
    val byKey = leftFingerprints.map(row => (Option(row.getString(0)), Option(row.getString(1))) -> row.getLong(2)).toMap
    right.select(col("a"), col("b"), fingerprint).collect().foreach { row =>
      assert(byKey((Option(row.getString(0)), Option(row.getString(1)))) == row.getLong(2))
    }
  }

  test("fingerprints of column names with dots refer to the named column") {
    val dotted = frame(StructType(Seq(StructField("a.b", StringType))), Seq(Row("x")), partitions = 1)
    assert(dotted.select(KeyFingerprint.of(dotted.schema.fields.toSeq)).collect().length == 1)
  }

  private val idRowsSchema = StructType(Seq(StructField("id", IntegerType), StructField("item", StringType)))

  /** ID 1 has 100 rows, each a distinct item; ID 2 has 3 rows; ID null has 7 rows. */
  private lazy val idRows = frame(
    idRowsSchema,
    (1 to 100).map(i => Row(1, s"item-$i")) ++ (1 to 3).map(i => Row(2, s"item-$i")) ++ (1 to 7).map(i => Row(null, s"n-$i")),
    partitions = 3
  )

  private def keptFingerprints(key: Array[Byte], max: Int): Seq[Long] =
    TruncateRowsPerID.keptFingerprints(idRows, "id", Seq("item"), max, key).collect().map(_.getLong(0)).toSeq.sorted

  test("MaxRowsPerID keeps min(rows, k) rows of each ID, null IDs forming one ID") {
    assert(keptFingerprints(someKey, 5).length == 5 + 3 + 5)
    assert(keptFingerprints(someKey, 1000).length == 100 + 3 + 7)
  }

  test("the rows kept are the same on re-evaluation, and depend on the key") {
    val first = keptFingerprints(someKey, 5)
    assert(keptFingerprints(someKey, 5) == first)
    // 5 of ID 1's 100 distinct rows: another key keeps the same 5 with probability 1/C(100,5) < 1e-7.
    assert(keptFingerprints(otherKey, 5) != first)
  }

  /** The selection the sort-free truncation replaced: a window ordered by (row hash, fingerprint) per ID. */
  private def keptByWindow(hashed: DataFrame, max: Int): Seq[Option[Long]] = {
    import TruncateRowsPerID.{FingerprintName, IdName, RowHashName}
    val rank = row_number().over(Window.partitionBy(col(IdName)).orderBy(col(RowHashName), col(FingerprintName)))
    sortedFingerprints(hashed.withColumn("rank", rank).where(col("rank") <= max).select(FingerprintName).collect())
  }

  private def sortedFingerprints(rows: Array[Row]): Seq[Option[Long]] =
    rows.toSeq.map(row => if (row.isNullAt(0)) None else Some(row.getLong(0))).sorted(Ordering.Option(Ordering.Long))

  test("the heap selection equals the window selection on random data with ties and null IDs and fingerprints") {
    val random = new scala.util.Random(20261129L)
    val hashedSchema = StructType(
      Seq(StructField("id", IntegerType), StructField("fp", LongType), StructField("row_hash", LongType))
    )
    // Hashes and fingerprints from small ranges tie often; fingerprints carry their ID (id * 100 + …), so equal
    // multisets of fingerprints mean the same rows were kept for every ID (null fingerprints aside).
    val hashedRows = Seq.fill(3000) {
      val id: Integer = if (random.nextInt(20) == 0) null else Integer.valueOf(random.nextInt(40))
      val fingerprint: java.lang.Long =
        if (random.nextInt(10) == 0) null else java.lang.Long.valueOf(Option(id).fold(-1)(_.intValue) * 100L + random.nextInt(4))
      Row(id, fingerprint, random.nextInt(6).toLong)
    }
    val hashed = frame(hashedSchema, hashedRows, partitions = 3)
      .withColumn("id", SparkIdentity.identity(col("id"), IntegerType))
    for (max <- Seq(1, 3, 50, Int.MaxValue)) {
      val kept = sortedFingerprints(TruncateRowsPerID.keptOfHashedRows(hashed, max).collect())
      assert(kept == keptByWindow(hashed, max), s"k = $max")
    }
    // The same through the real hashes, with duplicate rows (equal row hash and fingerprint) and null IDs.
    val tableRows = Seq.fill(2000) {
      val id: Integer = if (random.nextInt(15) == 0) null else Integer.valueOf(random.nextInt(60))
      Row(id, s"item-${random.nextInt(12)}")
    }
    val table = frame(idRowsSchema, tableRows, partitions = 3)
    val realHashed = TruncateRowsPerID.hashedRows(table, "id", Seq("id", "item"), someKey)
    for (max <- Seq(2, 20)) {
      val kept = sortedFingerprints(TruncateRowsPerID.keptFingerprints(table, "id", Seq("id", "item"), max, someKey).collect())
      assert(kept == keptByWindow(realHashed, max), s"k = $max")
    }
  }

  /** The number of rows MaxRowsPerID(k) keeps, k above every ID's row count: k per ID Spark's groupBy sees. */
  private def keptRowsPerIdOf(ids: DataFrame, k: Int): (Long, Long) = {
    val table = ids.withColumn("item", lit("x"))
    val kept = TruncateRowsPerID.keptFingerprints(table, "id", Seq("item"), k, someKey).count()
    (kept, ids.groupBy(col("id")).count().count() * k)
  }

  test("ID identity is Spark's: binary, ±0.0, NaN and null IDs, also nested in structs and arrays") {
    import spark.implicits._
    val binaryRows = (1 to 10).map(i => Row(Array[Byte](1, 2))) ++ (1 to 10).map(i => Row(Array[Byte](2, 1)))
    val binaries = frame(StructType(Seq(StructField("id", BinaryType))), binaryRows, partitions = 3)
    assert(keptRowsPerIdOf(binaries, 3) == ((6L, 6L)))
    // Two NaNs with different bits: Spark groups every NaN as one value.
    val otherNaN = java.lang.Double.longBitsToDouble(0x7ff8000000000001L)
    val doubles = Seq[java.lang.Double](0.0, -0.0, 0.0, -0.0, Double.NaN, otherNaN, Double.NaN, null, null, 1.0).toDF("id")
    assert(keptRowsPerIdOf(doubles, 1) == ((4L, 4L)))
    // Five rows of ID struct(NaN): one ID, one row kept (external Rows made five IDs of them).
    val nanStructs = spark.range(5).select(struct(lit(Double.NaN).as("x")).as("id"))
    assert(keptRowsPerIdOf(nanStructs, 1) == ((1L, 1L)))
    val nestedZeros = spark.range(6).select(
      struct(array(when(col("id") % 2 === 0, lit(0.0)).otherwise(lit(-0.0))).as("xs"), lit("a").as("s")).as("id")
    )
    assert(keptRowsPerIdOf(nestedZeros, 2) == ((2L, 2L)))
    val nanArrays = spark.range(4).select(array(lit(Double.NaN), lit(1.0)).as("id"))
    assert(keptRowsPerIdOf(nanArrays, 3) == ((3L, 3L)))
    val floats = Seq[java.lang.Float](0.0f, -0.0f, Float.NaN, Float.NaN).toDF("id")
    assert(keptRowsPerIdOf(floats, 1) == ((2L, 2L)))
  }

  test("ID identity is Spark's: distinct invalid UTF-8 strings are two IDs, not one") {
    // unhex('FF') and unhex('FE') cast to string: both decode to U+FFFD in Java, but Spark keeps them apart.
    val invalid = spark.range(6).select(
      unhex(when(col("id") % 2 === 0, lit("FF")).otherwise(lit("FE"))).cast(StringType).as("id")
    )
    assert(keptRowsPerIdOf(invalid, 1) == ((2L, 2L)))
    assert(keptRowsPerIdOf(invalid, 3) == ((6L, 6L)))
  }

  test("an ID with more rows than a chunk: k of them kept, counted across chunks") {
    val rowCount = LongChunks.RowsPerChunk + 4464 // 70 000
    val oneId = spark.range(rowCount).select(lit(7).as("id"), (col("id") % 7).cast(StringType).as("item"))
    def counts(max: Int): Map[Long, Long] = {
      val kept = TruncateRowsPerID.keptFingerprints(oneId, "id", Seq("item"), max, someKey)
      PartialCounts.countPerFingerprint(spark, kept, "fp", "n").collect().map(row => row.getLong(0) -> row.getLong(1)).toMap
    }
    val all = counts(Int.MaxValue)
    assert(all.size == 7 && all.values.forall(_ == rowCount / 7))
    val truncated = counts(LongChunks.RowsPerChunk + 1)
    assert(truncated.values.sum == LongChunks.RowsPerChunk + 1 && truncated.keySet == all.keySet)
  }

  test("the truncation key is read as four big-endian longs") {
    val key = Array.tabulate[Byte](32)(i => if (i % 8 == 7) 1.toByte else 0.toByte)
    assert(TruncateRowsPerID.truncationKeyWords(key) == Seq(1L, 1L, 1L, 1L))
  }

  test("a fingerprint collision between keyset keys is an error naming both keys, never a merge") {
    // Dune and Emma have the same length (4); Ulysses (7) has no partner once Beowulf (7) is left out.
    val keys = books.select("title").where(col("title") =!= "Beowulf")
    val error = intercept[IllegalArgumentException](
      KeysetFingerprints.withFingerprintOf(keys, "fp", org.apache.spark.sql.functions.length(col("title")).cast(LongType))
    )
    assert(error.getMessage.contains("(Dune)") && error.getMessage.contains("(Emma)"))
    val (withFingerprint, keysetSize) = KeysetFingerprints.withFingerprint(books.select("title"), "fp")
    assert(keysetSize == Library.books.length && withFingerprint.columns.toSeq == Seq("title", "fp"))
  }

  // --- validation -----------------------------------------------------------------------------------

  private lazy val checkouts = Library.checkoutsDf(spark)
  private lazy val books = Library.booksDf(spark)
  private lazy val tables = Map("checkouts" -> PrivateTable(checkouts, AddRowsWithID("member_id")))

  private def seedQuery(keyset: KeySet, max: Option[Int] = Some(20), sourceId: String = "checkouts", name: String = "count") = {
    val source = QueryBuilder(sourceId)
    max.fold(source)(k => source.enforce(MaxRowsPerID(k))).groupBy(keyset).count(name).queryExpr
  }

  private def compileError(queryExpr: QueryExpr, onTables: Map[String, PrivateTable] = tables): String =
    intercept[IllegalArgumentException](QueryCompiler.compile(queryExpr, onTables, context)).getMessage

  test("an unknown table is named, with the available ones (Tumult's wording)") {
    val message = compileError(seedQuery(KeySet.fromDataFrame(books.select("title")), sourceId = "loans"))
    assert(message == "Table 'loans' does not exist. Available tables are: checkouts")
  }

  test("a missing ID column is named, with the available columns") {
    val withoutId = Map("checkouts" -> PrivateTable(checkouts, AddRowsWithID("patron_id")))
    val message = compileError(seedQuery(KeySet.fromDataFrame(books.select("title"))), withoutId)
    assert(message.startsWith("Column 'patron_id' does not exist in this table, available columns are ['member_id'"))
  }

  test("a keyset column missing from the data is a NoSuchElementException naming it (Tumult's KeyError)") {
    val error = intercept[java.util.NoSuchElementException](
      QueryCompiler.compile(seedQuery(KeySet.fromDataFrame(books.select("title", "year"))), tables, context)
    )
    assert(error.getMessage.startsWith("Column 'year' does not exist in this table, available columns are ['member_id'"))
  }

  test("a keyset column of another type than the data's is named with both types") {
    val longIsbn = KeySet.fromDataFrame(books.select(col("year").cast(LongType).as("isbn")))
    val message = compileError(seedQuery(longIsbn))
    assert(message.contains("'isbn'") && message.contains("bigint") && message.contains("string"))
  }

  test("AddRowsWithID without a constraint is Rust's UnsupportedQueryException saying which one is needed") {
    val error = intercept[UnsupportedQueryException](
      QueryCompiler.compile(seedQuery(KeySet.fromDataFrame(books.select("title")), max = None), tables, context)
    )
    assert(error.getMessage.contains("MaxRowsPerID"), error.getMessage)
  }

  test("count's mechanism reaches the query tree; Gaussian under a pure DP budget is rejected (Tumult's message)") {
    val keys = KeySet.fromDataFrame(books.select("title"))
    val grouped = QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keys)
    assert(grouped.count().queryExpr.asInstanceOf[GroupByCount].mechanism == CountMechanism.Default)
    assert(grouped.count(null, "laplace").queryExpr == grouped.count("count", CountMechanism.Laplace).queryExpr)
    assert(grouped.count("n", "DEFAULT").queryExpr == grouped.count("n").queryExpr)
    val message = compileError(grouped.count("count", CountMechanism.Gaussian).queryExpr)
    assert(message.startsWith("Gaussian noise is only supported when using a RhoZCDP budget."))
  }

  test("an output column named like a keyset column is rejected") {
    val message = compileError(seedQuery(KeySet.fromDataFrame(books.select("title")), name = "title"))
    assert(message.contains("'title'"))
  }

  test("a map column in the data is named (it cannot be hashed)") {
    val withMap = checkouts.withColumn("tags", org.apache.spark.sql.functions.map(col("isbn"), col("title")))
    val mapTables = Map("checkouts" -> PrivateTable(withMap, AddRowsWithID("member_id")))
    val message = compileError(seedQuery(KeySet.fromDataFrame(books.select("title"))), mapTables)
    assert(message.contains("Column 'tags'") && message.contains("map"))
  }

  test("a map column in a keyset is named") {
    val mapSchema = StructType(Seq(StructField("m", MapType(StringType, StringType))))
    val error = intercept[IllegalArgumentException](
      KeySet.fromDataFrame(frame(mapSchema, Seq(Row(Map("a" -> "b"))), partitions = 1))
    )
    assert(error.getMessage.contains("Column 'm'"))
  }

  test("a native result without the expected column is an AnalyticsInternalException naming kernel and column") {
    val error = intercept[AnalyticsInternalException](
      PartialCounts.columnNamed(Seq(Int64Column("key", Array(1L), None)), "count", "countByKey")
    )
    assert(error.getMessage == "Native countByKey returned columns [key], without 'count'.")
    val budgetError = intercept[AnalyticsInternalException](WireText.budgetKind("rho:1"))
    assert(budgetError.getMessage.contains("'rho:1'"))
  }

  test("KeySet.fromDataFrame keeps distinct rows and the column order") {
    val keyset = KeySet.fromDataFrame(books.select("isbn", "title").union(books.select("isbn", "title")))
    assert(keyset.columns == Seq("isbn", "title"))
    assert(keyset.dataframe.count() == Library.books.length)
  }

  test("the transformation compiler keeps the change, the constraints in enforcement order and the descriptors") {
    val expr = QueryBuilder("checkouts").enforce(MaxGroupsPerID("isbn", 3)).enforce(MaxRowsPerGroupPerID("isbn", 2))
      .enforce(MaxRowsPerID(7)).queryExpr
    val prepared = transform.TransformationCompiler.prepare(expr, tables)
    assert(prepared.protectedChange == AddRowsWithID("member_id") && prepared.idColumn == Some("member_id"))
    assert(prepared.constraints == Seq(MaxGroupsPerID("isbn", 3), MaxRowsPerGroupPerID("isbn", 2), MaxRowsPerID(7)))
    assert(prepared.columns == checkouts.schema.fields.toSeq.map(f => transform.ColumnDescriptor(f.name, f.dataType, f.nullable)))
    val aggregationAsTable = intercept[IllegalArgumentException](
      transform.TransformationCompiler.prepare(seedQuery(KeySet.fromDataFrame(books.select("title"))), tables)
    )
    assert(aggregationAsTable.getMessage.contains("GroupByCount"))
    val notAggregated = intercept[IllegalArgumentException](QueryCompiler.compile(expr, tables, context))
    assert(notAggregated.getMessage.contains("must end with an aggregation"))
  }
}
