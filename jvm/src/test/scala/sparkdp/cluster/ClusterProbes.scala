package sparkdp.cluster

import java.lang.management.ManagementFactory
import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Paths}

import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.apache.spark.sql.functions.{col, concat, lit}

import sparkdp._
import sparkdp.plan.{EvaluationContext, PrivateTable, QueryCompiler}

/** What one JVM says about itself: its process id, whether the sparkdp native library is mapped into it, and
  * where the sparkdp classes and library came from.
  */
final case class JvmReport(pid: Long, hasNativeLibraryMapped: Boolean, libraryLoadedFrom: String, classesFrom: String)

/** Code run by executors (and the driver) in the cluster suites, and their shared data and queries. */
object ClusterProbes {

  /** This JVM's report. Reads the process's memory map before touching the loader, so `hasNativeLibraryMapped`
    * says whether earlier work (a query's tasks) loaded the library, not this probe.
    */
  def report(): JvmReport = {
    val pid = ManagementFactory.getRuntimeMXBean.getName.takeWhile(_ != '@').toLong
    val maps = new String(Files.readAllBytes(Paths.get("/proc/self/maps")), StandardCharsets.UTF_8)
    val mapped = maps.linesIterator.exists(_.contains("libsparkdp"))
    val loadedFrom = sparkdp.bridge.NativeLoader.loadedFrom
    val classesFrom = classOf[sparkdp.bridge.Native].getProtectionDomain.getCodeSource.getLocation.toString
    JvmReport(pid, mapped, loadedFrom, classesFrom)
  }

  /** The reports of the executors that ran `tasks` probe tasks (each sleeping a little, so both get some). */
  def executorReports(spark: SparkSession, tasks: Int = 8): Seq[JvmReport] =
    spark.sparkContext.parallelize(0 until tasks, tasks).map { _ => Thread.sleep(200); report() }.collect().toSeq.distinct

  /** Synthetic checkouts: `rows` rows over 4 partitions; member `i % 300`, book `book-<i % 40>`, amount `i % 17`. */
  def checkouts(spark: SparkSession, rows: Long = 20000): DataFrame =
    spark
      .range(0, rows, 1, 4)
      .select(
        (col("id") % 300).cast("int").as("member_id"),
        concat(lit("book-"), (col("id") % 40).cast("string")).as("title"),
        (col("id") % 17).cast("int").as("amount")
      )

  /** The keyset: book-0 … book-44 (the last five have no checkouts). */
  def titles(spark: SparkSession): KeySet =
    KeySet.fromDataFrame(spark.range(0, 45, 1, 2).select(concat(lit("book-"), col("id").cast("string")).as("title")))

  /** A count per title under MaxRowsPerID(30). */
  def countQuery(spark: SparkSession): Query =
    QueryBuilder("checkouts").enforce(MaxRowsPerID(30)).groupBy(titles(spark)).count()

  /** A bounded sum of `amount` per title under MaxRowsPerID(30) (the release kernel's path). */
  def sumQuery(spark: SparkSession): Query =
    QueryBuilder("checkouts").enforce(MaxRowsPerID(30)).groupBy(titles(spark)).sum("amount", 0, 16)

  /** A session on [[checkouts]] protected by AddRowsWithID("member_id"). */
  def newSession(spark: SparkSession, budget: PrivacyBudget): Session =
    Session.fromDataFrame(budget, "checkouts", checkouts(spark), AddRowsWithID("member_id"))

  /** The rows of `result`, keyed by their first column (title), as strings, for exact comparison. */
  def byTitle(result: DataFrame): Map[String, Seq[Any]] = {
    val rows = result.collect().toSeq
    val keyed = rows.map((row: Row) => row.getString(0) -> row.toSeq.tail)
    require(keyed.map(_._1).distinct.size == rows.size, "a title appears twice")
    keyed.toMap
  }

  /** The values query `queryIndex` of `session` releases when nothing disturbs it: the same plan compiled with the
    * session's own keys (read by reflection: they are never exposed) and computed again, without the warehouse.
    */
  def undisturbedValues(session: Session, spark: SparkSession, query: Query, budget: PrivacyBudget, queryIndex: Long,
      sessionBudget: PrivacyBudget): Map[String, Seq[Any]] = {
    def key(suffix: String): Array[Byte] = {
      val field = classOf[Session].getDeclaredFields.find(_.getName.endsWith(suffix))
        .getOrElse(throw new NoSuchFieldException(s"Session has no field *$suffix"))
      field.setAccessible(true)
      field.get(session).asInstanceOf[Array[Byte]]
    }
    val charged = sparkdp.bridge.Native.get.budgetCharge(sessionBudget.toBudgetText, budget.toBudgetText)
    val tables = Map("checkouts" -> PrivateTable(checkouts(spark), AddRowsWithID("member_id")))
    val compiled = QueryCompiler.compile(query.queryExpr, tables, EvaluationContext(key("truncationKey"), key("noiseKey"), queryIndex, charged))
    byTitle(compiled.result)
  }
}
