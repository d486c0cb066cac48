package sparkdp.plan

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.functions.{col, count, countDistinct, lit}

/** The keyset with each key's fingerprint, checked for fingerprint collisions. */
private[sparkdp] object KeysetFingerprints {

  /** `keys` with the fingerprint column appended, and the number of keys. Two distinct keys with the same
    * fingerprint would have their counts merged by the fingerprint join, so a collision is an error (an
    * `IllegalArgumentException` naming both keys), never a silent merge. (A data key colliding with a keyset
    * key is not checked: it would move rows between cells, costing accuracy, not privacy — each row still
    * lands in at most one cell.)
    *
    * Example:
    * {{{
    * val (keysWithFingerprint, keysetSize) = KeysetFingerprints.withFingerprint(keyset.dataframe, "fp", truncationKey)
    * }}}
    */
  def withFingerprint(keys: DataFrame, fingerprintColumn: String, truncationKey: Array[Byte]): (DataFrame, Long) =
    withFingerprintOf(keys, fingerprintColumn, KeyFingerprint.of(keys.schema.fields.toSeq, truncationKey))

  /** [[withFingerprint]] with another fingerprint expression: lets a test provoke a collision.
    *
    * Example: `KeysetFingerprints.withFingerprintOf(keys, "fp", length(col("title")).cast("long"))`
    */
  private[plan] def withFingerprintOf(keys: DataFrame, fingerprintColumn: String, fingerprint: Column): (DataFrame, Long) = {
    val keysWithFingerprint = keys.withColumn(fingerprintColumn, fingerprint)
    val stats = keysWithFingerprint.agg(count(lit(1)), countDistinct(col(fingerprintColumn))).head()
    val keysetSize = stats.getLong(0)
    val distinctFingerprints = stats.getLong(1)
    if (distinctFingerprints != keysetSize) {
      val collidingFingerprint = keysWithFingerprint
        .groupBy(col(fingerprintColumn))
        .count()
        .where(col("count") > 1)
        .select(col(fingerprintColumn))
        .head()
        .getLong(0)
      val collidingKeys = keysWithFingerprint
        .where(col(fingerprintColumn) === collidingFingerprint)
        .drop(fingerprintColumn)
        .limit(2)
        .collect()
        .map(_.toSeq.mkString("(", ", ", ")"))
      throw new IllegalArgumentException(
        s"The keyset keys ${collidingKeys.mkString(" and ")} have the same 64-bit fingerprint " +
          s"($collidingFingerprint); sparkdp cannot count them apart. This is astronomically unlikely by chance: " +
          "please report it."
      )
    }
    (keysWithFingerprint, keysetSize)
  }
}
