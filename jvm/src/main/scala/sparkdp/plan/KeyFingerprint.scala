package sparkdp.plan

import org.apache.spark.sql.Column
import org.apache.spark.sql.functions.{isnull, xxhash64}

/** The 64-bit fingerprint of a group-by key, computed by the same Spark expression on the data and on the
  * keyset so that equal keys get equal fingerprints.
  */
private[sparkdp] object KeyFingerprint {

  /** `xxhash64(isnull(c1), c1, isnull(c2), c2, …)` over the key columns, in keyset order.
    *
    * Spark's hash skips null arguments, so without the `isnull` flags the keys (null, "a") and ("a", null)
    * would hash alike. Equal fingerprints also need equal column types (xxhash64 of the int 5 and of the long
    * 5 differ), which the compiler checks before using this.
    *
    * Example: `df.select(KeyFingerprint.of(Seq("title", "author", "isbn")).as("fp"))`
    */
  def of(keyColumns: Seq[String]): Column = {
    require(keyColumns.nonEmpty, "a key fingerprint needs at least one column")
    xxhash64(keyColumns.flatMap { name =>
      val keyColumn = HashableColumns.column(name)
      Seq(isnull(keyColumn), keyColumn)
    }: _*)
  }
}
