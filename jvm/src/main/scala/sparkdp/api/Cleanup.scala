package sparkdp

import sparkdp.compat.CollectionConverters._

import org.apache.spark.sql.SparkSession

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.warehouse.SessionWarehouse

/** Removes what sessions that died left behind (Python: `sparkdp.cleanup(older_than=...)`).
  *
  * A session keeps its results in a database of its own under `spark.sql.warehouse.dir`; `stop()` drops it, and so
  * does a hook when the JVM exits normally. A driver that is killed, or a Glue job that times out, leaves the
  * database in the catalog (in Glue's Data Catalog, for good). `cleanup` drops the sparkdp databases created more
  * than `olderThan` ago that no session of this JVM still uses. Choose `olderThan` longer than any job that may
  * still be running elsewhere against the same catalog: their databases are not distinguishable from dead ones.
  *
  * Example:
  * {{{
  * val dropped: Seq[String] = Cleanup.cleanup(spark, java.time.Duration.ofDays(1))
  * }}}
  */
object Cleanup {

  /** The names of the databases dropped, sorted. Throws `IllegalArgumentException` for a negative `olderThan` and
    * `WarehouseException` naming a database that cannot be dropped.
    */
  def cleanup(spark: SparkSession, olderThan: java.time.Duration): Seq[String] = {
    requireArgument(spark != null, "spark must be a SparkSession, not null.")
    requireArgument(olderThan != null && !olderThan.isNegative, s"olderThan must be a duration of zero or more, not $olderThan.")
    SessionWarehouse.cleanup(spark, olderThan.toMillis)
  }

  /** py4j form of [[cleanup]]: `olderThanMillis` in milliseconds; the names as a Java list. */
  def cleanupOlderThanMillis(spark: SparkSession, olderThanMillis: Long): java.util.List[String] =
    cleanup(spark, java.time.Duration.ofMillis(olderThanMillis)).asJava
}
