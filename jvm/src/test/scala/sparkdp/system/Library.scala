package sparkdp.system

import java.sql.Date

import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.apache.spark.sql.types.{DateType, IntegerType, StringType, StructField, StructType}

/** Small deterministic library data, built in the test: checkouts (member_id, checkout_date, title, author,
  * isbn) and books (title, author, isbn, year).
  */
object Library {

  val checkoutsSchema: StructType = StructType(
    Seq(
      StructField("member_id", IntegerType),
      StructField("checkout_date", DateType),
      StructField("title", StringType),
      StructField("author", StringType),
      StructField("isbn", StringType)
    )
  )

  val booksSchema: StructType = StructType(
    Seq(
      StructField("title", StringType),
      StructField("author", StringType),
      StructField("isbn", StringType),
      StructField("year", IntegerType)
    )
  )

  /** (title, author, isbn, year). Ulysses has no checkouts; Beowulf's author is null. */
  val books: Seq[(String, String, String, Int)] = Seq(
    ("Dune", "Herbert", "isbn-1", 1965),
    ("Emma", "Austen", "isbn-2", 1815),
    ("Ulysses", "Joyce", "isbn-3", 1922),
    ("Persuasion", "Austen", "isbn-4", 1817),
    ("Beowulf", null, "isbn-5", 1000)
  )

  private val dune = ("Dune", "Herbert", "isbn-1")
  private val emma = ("Emma", "Austen", "isbn-2")
  private val persuasion = ("Persuasion", "Austen", "isbn-4")
  private val beowulf = ("Beowulf", null, "isbn-5")
  private val mobyDick = ("Moby Dick", "Melville", "isbn-9") // not in the keyset

  /** (member, book) pairs: member 1 borrowed Dune 100 times; member 6 borrowed a book outside the keyset. */
  val checkouts: Seq[(Int, (String, String, String))] =
    Seq.fill(100)(1 -> dune) ++
      Seq(2 -> dune, 2 -> dune, 2 -> emma) ++
      Seq(3 -> dune, 3 -> persuasion, 3 -> persuasion, 3 -> persuasion) ++
      Seq(4 -> beowulf, 4 -> beowulf) ++
      Seq(5 -> emma) ++
      Seq(6 -> mobyDick, 6 -> mobyDick)

  /** The true counts of the seed query with MaxRowsPerID(20), per (title, author, isbn). */
  val seedCountsWithMax20: Map[(String, String, String), Long] = Map(
    ("Dune", "Herbert", "isbn-1") -> (20L + 2 + 1),
    ("Emma", "Austen", "isbn-2") -> 2L,
    ("Ulysses", "Joyce", "isbn-3") -> 0L,
    ("Persuasion", "Austen", "isbn-4") -> 3L,
    ("Beowulf", null, "isbn-5") -> 2L
  )

  def checkoutsDf(spark: SparkSession): DataFrame = {
    val rows = checkouts.zipWithIndex.map { case ((member, (title, author, isbn)), i) =>
      Row(member, Date.valueOf(java.time.LocalDate.of(2024, 1, 1).plusDays(i.toLong)), title, author, isbn)
    }
    spark.createDataFrame(spark.sparkContext.parallelize(rows, 3), checkoutsSchema)
  }

  def booksDf(spark: SparkSession): DataFrame =
    spark.createDataFrame(
      spark.sparkContext.parallelize(books.map { case (t, a, i, y) => Row(t, a, i, y) }, 2),
      booksSchema
    )

  /** (title, author, isbn) of a result row. */
  def bookKey(row: Row): (String, String, String) =
    (row.getAs[String]("title"), row.getAs[String]("author"), row.getAs[String]("isbn"))
}
