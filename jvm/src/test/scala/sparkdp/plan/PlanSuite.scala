package sparkdp.plan

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.functions.{array, col, isnull, lit, struct, unhex, when, xxhash64}
import org.apache.spark.sql.types.{ArrayType, BinaryType, IntegerType, LongType, MapType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.bridge.{ArrowIpc, Int64Column, WireText}
import sparkdp.plan.measure.PartialAggregates
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
    val fingerprint = KeyFingerprint.of(pairSchema.fields.toSeq, someKey).as("fp")
    val leftFingerprints = left.select(col("a"), col("b"), fingerprint).collect()
    assert(leftFingerprints.map(_.getLong(2)).distinct.length == 4)
    val byKey = leftFingerprints.map(row => (Option(row.getString(0)), Option(row.getString(1))) -> row.getLong(2)).toMap
    right.select(col("a"), col("b"), fingerprint).collect().foreach { row =>
      assert(byKey((Option(row.getString(0)), Option(row.getString(1)))) == row.getLong(2))
    }
  }

  test("fingerprints are keyed: a pair colliding under Spark's public seed gets two fingerprints, per key") {
    // Found offline by a Pollard-rho search over 16-hex-digit strings: xxhash64(isnull(k), k) with Spark's seed
    // 42 is -8615897545740037589 for both, so an unkeyed fingerprint would count one's rows in the other's cell.
    val schema = StructType(Seq(StructField("k", StringType)))
    val pair = frame(schema, Seq(Row("08fddbe3e350a06f"), Row("4e783818c57654b8")), partitions = 1)
    val unkeyed = pair.select(xxhash64(isnull(col("k")), col("k"))).collect().map(_.getLong(0))
    assert(unkeyed.distinct.toSeq == Seq(-8615897545740037589L), "the pair collides without a key")
    def fingerprints(key: Array[Byte]) = pair.select(KeyFingerprint.of(schema.fields.toSeq, key)).collect().map(_.getLong(0)).toSeq
    assert(fingerprints(someKey).distinct.length == 2 && fingerprints(otherKey).distinct.length == 2)
    assert(fingerprints(someKey) != fingerprints(otherKey), "the fingerprint depends on the session's key")
  }

  test("array and struct keys with null elements are distinct keys, not a collision") {
    val arrays = StructType(Seq(StructField("tags", ArrayType(StringType, containsNull = true))))
    val arrayKeys = frame(arrays, Seq(Row(Seq("a")), Row(Seq("a", null)), Row(Seq(null, "a")), Row(Seq.empty[String]),
      Row(Seq(null)), Row(null)), partitions = 1)
    assert(KeysetFingerprints.withFingerprint(arrayKeys, "fp", someKey)._2 == 6)
    val pairs = StructType(Seq(StructField("p", pairSchema)))
    val structKeys = frame(pairs, Seq(Row(Row("a", null)), Row(Row(null, "a")), Row(Row(null, null)), Row(null)), partitions = 1)
    assert(KeysetFingerprints.withFingerprint(structKeys, "fp", someKey)._2 == 4)
  }

  test("fingerprints of column names with dots refer to the named column") {
    val dotted = frame(StructType(Seq(StructField("a.b", StringType))), Seq(Row("x")), partitions = 1)
    assert(dotted.select(KeyFingerprint.of(dotted.schema.fields.toSeq, someKey)).collect().length == 1)
  }

  private val idRowsSchema = StructType(Seq(StructField("id", IntegerType), StructField("item", StringType)))

  /** ID 1 has 100 rows, each a distinct item; ID 2 has 3 rows; ID null has 7 rows. */
  private lazy val idRows = frame(
    idRowsSchema,
    (1 to 100).map(i => Row(1, s"item-$i")) ++ (1 to 3).map(i => Row(2, s"item-$i")) ++ (1 to 7).map(i => Row(null, s"n-$i")),
    partitions = 3
  )

  /** The kept rows' fingerprints under MaxRowsPerID(`max`) (fused Rust pass), each as often as it is kept. */
  private def keptFingerprints(table: DataFrame, max: Int, key: Array[Byte]): Seq[Long] =
    PartialAggregates
      .countPerFingerprint(table, Some("id"), Seq(MaxRowsPerID(max)), KeyFingerprint.of(Seq(table.schema("item")), key), key, "fp", "n")
      .collect()
      .flatMap(row => Seq.fill(row.getLong(1).toInt)(row.getLong(0)))
      .toSeq
      .sorted

  private def keptFingerprints(key: Array[Byte], max: Int): Seq[Long] = keptFingerprints(idRows, max, key)

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

  /** The number of rows MaxRowsPerID(k) keeps, k above every ID's row count: k per ID Spark's groupBy sees. */
  private def keptRowsPerIdOf(ids: DataFrame, k: Int): (Long, Long) = {
    val table = ids.withColumn("item", lit("x"))
    (keptFingerprints(table, k, someKey).length.toLong, ids.groupBy(col("id")).count().count() * k)
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

  test("the truncation key is read as four big-endian longs") {
    val key = Array.tabulate[Byte](32)(i => if (i % 8 == 7) 1.toByte else 0.toByte)
    assert(TruncationHashes.truncationKeyWords(key) == Seq(1L, 1L, 1L, 1L))
  }

  test("a fingerprint collision between keyset keys is an error naming both keys, never a merge") {
    // Dune and Emma have the same length (4); Ulysses (7) has no partner once Beowulf (7) is left out.
    val keys = books.select("title").where(col("title") =!= "Beowulf")
    val error = intercept[IllegalArgumentException](
      KeysetFingerprints.withFingerprintOf(keys, "fp", org.apache.spark.sql.functions.length(col("title")).cast(LongType))
    )
    assert(error.getMessage.contains("(Dune)") && error.getMessage.contains("(Emma)"))
    val (withFingerprint, keysetSize) = KeysetFingerprints.withFingerprint(books.select("title"), "fp", someKey)
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
      ArrowIpc.columnNamed(Seq(Int64Column("key", Array(1L), None)), "count", "addNoise")
    )
    assert(error.getMessage == "Native addNoise returned columns [key], without 'count'.")
    val budgetError = intercept[AnalyticsInternalException](WireText.budgetKind("rho:1"))
    assert(budgetError.getMessage.contains("'rho:1'"))
  }

  test("KeySet.fromDataFrame keeps distinct rows and the column order") {
    val keyset = KeySet.fromDataFrame(books.select("isbn", "title").union(books.select("isbn", "title")))
    assert(keyset.columns == Seq("isbn", "title"))
    assert(keyset.dataframe.count() == Library.books.length)
  }

  test("the transformation compiler keeps the change, the constraints in force (simplified as Tumult's) and the descriptors") {
    val expr = QueryBuilder("checkouts").enforce(MaxGroupsPerID("isbn", 3)).enforce(MaxRowsPerGroupPerID("isbn", 2))
      .enforce(MaxRowsPerID(7)).queryExpr
    val prepared = transform.TransformationCompiler.prepare(expr, tables, context.compileInputs)
    assert(prepared.protectedChange == AddRowsWithID("member_id") && prepared.idColumn == Some("member_id"))
    assert(prepared.constraints == Seq(MaxRowsPerID(7), MaxGroupsPerID("isbn", 3), MaxRowsPerGroupPerID("isbn", 2)))
    assert(prepared.columns == checkouts.schema.fields.toSeq.map(f => transform.ColumnDescriptor(f.name, f.dataType, f.nullable)))
    val aggregationAsTable = intercept[IllegalArgumentException](
      transform.TransformationCompiler.prepare(seedQuery(KeySet.fromDataFrame(books.select("title"))), tables, context.compileInputs)
    )
    assert(aggregationAsTable.getMessage.contains("GroupByCount"))
    val notAggregated = intercept[IllegalArgumentException](QueryCompiler.compile(expr, tables, context))
    assert(notAggregated.getMessage.contains("must end with an aggregation"))
  }
}
