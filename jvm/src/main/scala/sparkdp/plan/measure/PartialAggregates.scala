package sparkdp.plan.measure

import org.apache.spark.sql.{Column, DataFrame, Row}
import org.apache.spark.sql.functions.{col, sum}
import org.apache.spark.sql.types.{LongType, StructField, StructType}

import sparkdp.{AnalyticsInternalException, Constraint}
import sparkdp.bridge.{MeasurementPlanText, TruncationKernel, WireText}
import sparkdp.plan.{HashableColumns, SparkIdentity, TruncationHashes}

/** The true aggregates of a measurement per key fingerprint, after the table's constraints are enforced.
  *
  * One Rust pass per partition does the truncation and the partial aggregation (COMPILER_INTERFACES §3,
  * "Truncation kernel batches"; ../shared/DESIGN.md "Data path of a grouped aggregation"): only (ID identity,
  * fingerprint, row hash, grouping identities and hashes) are selected from each row and, for an ID table,
  * shuffled by ID; Rust keeps what the constraints allow and emits one partial count per fingerprint; Spark
  * sums the partials. IDs and grouping values are told apart by their `SparkIdentity` bytes, never by hashes
  * (hashes only order); why the selection is stable and why the hashes are keyed: `TruncationHashes`.
  *
  * The rows were already truncated where the program enforced each constraint (`ConstraintPlacement`), and the
  * constraints given here are the ones in force after the transformations (Rust's propagation), which those
  * rows satisfy: this truncation then keeps every row. It stays as the enforcement the sensitivity relies on.
  */
private[sparkdp] object PartialAggregates {

  /** One row per fingerprint among the rows the constraints keep: `fingerprintColumn` (Long, nullable) and
    * `countColumn` (Long, the number of kept rows with it).
    *
    * Enforcement (COMPILER_INTERFACES §3 semantics): per ID, each constraint in order on the rows the previous
    * left: `MaxRowsPerID(k)` keeps the k smallest (row hash, fingerprint); `MaxGroupsPerID(c, g)` the rows of
    * the g values of c with the smallest (group hash, value); `MaxRowsPerGroupPerID(c, r)` per value of c the r
    * smallest (row hash, fingerprint). Selection depends only on the ID's own rows (the stability argument of
    * `TruncationHashes`). Without an ID column there are no constraints (the compiler refuses them) and every
    * row counts.
    *
    * Example:
    * {{{
    * val counts = PartialAggregates.countPerFingerprint(
    *   checkoutsDf, Some("member_id"), Seq(MaxRowsPerID(20)), KeyFingerprint.of(keyFields, truncationKey), truncationKey, "fp", "n")
    * }}}
    *
    * @param table             the private table
    * @param idColumn          its ID column (AddRowsWithID), or None
    * @param constraints       the constraints in enforcement order (empty without an ID column)
    * @param fingerprint       the group-by key fingerprint, a column of `table` (`lit(0L)` when ungrouped)
    * @param truncationKey     the session's 32-byte truncation key
    * @param fingerprintColumn the name of the output fingerprint column
    * @param countColumn       the name of the output count column
    */
  def countPerFingerprint(
      table: DataFrame,
      idColumn: Option[String],
      constraints: Seq[Constraint],
      fingerprint: Column,
      truncationKey: Array[Byte],
      fingerprintColumn: String,
      countColumn: String
  ): DataFrame = {
    val (arranged, layout) = kernelInput(table, idColumn, constraints, fingerprint, Seq.empty, truncationKey)
    val constraintsText = WireText.constraints(constraints)
    val groupingColumnsText = WireText.columns(groupingColumnsOf(constraints))
    // queryExecution.toRdd: rows in Spark's internal form, whose identity bytes TruncationKernel reads; no
    // external Row per input row.
    val partials = arranged.queryExecution.toRdd.mapPartitions { rows =>
      TruncationKernel
        .partialCounts(rows, layout, constraintsText, groupingColumnsText, SparkIdentity.bytesAt)
        .map { case (isNullFingerprint, fp, count) => Row(if (isNullFingerprint) null else fp, count) }
    }
    val partialSchema = StructType(
      Seq(StructField(fingerprintColumn, LongType, nullable = true), StructField(countColumn, LongType, nullable = false))
    )
    table.sparkSession
      .createDataFrame(partials, partialSchema)
      .groupBy(col(fingerprintColumn))
      .agg(sum(col(countColumn)).as(countColumn))
  }

  /** The partial rows of an aggregation plan (COMPILER_INTERFACES §5.1 step 2), one Rust pass per partition,
    * NOT merged across partitions (the release merges them): `fingerprintColumn` (Long, nullable) then
    * `partialColumns` (Long, not null), as Rust's `truncationFinish` returns them.
    *
    * Example:
    * {{{
    * val partials = PartialAggregates.partialsPerFingerprint(checkoutsDf, Some("member_id"), Seq(MaxRowsPerID(20)),
    *   lit(0L), Seq(col("pages").cast("long") -> MeasureValueType.Int64), truncationKey, plan, "fp")
    * }}}
    *
    * @param values the measure columns `value_<j>` (expressions over `table`) and their Arrow types
    */
  def partialsPerFingerprint(
      table: DataFrame,
      idColumn: Option[String],
      constraints: Seq[Constraint],
      fingerprint: Column,
      values: Seq[(Column, TruncationKernel.MeasureValueType)],
      truncationKey: Array[Byte],
      plan: MeasurementPlanText,
      fingerprintColumn: String
  ): DataFrame = {
    val (arranged, layout) = kernelInput(table, idColumn, constraints, fingerprint, values, truncationKey)
    val constraintsText = WireText.constraints(constraints)
    val groupingColumnsText = WireText.columns(groupingColumnsOf(constraints))
    val partialText = plan.partial
    val partialColumns = plan.partialColumns
    val partials = arranged.queryExecution.toRdd.mapPartitions { rows =>
      TruncationKernel
        .partials(rows, layout, constraintsText, groupingColumnsText, partialText, partialColumns, SparkIdentity.bytesAt)
        .map { case (fp, partial) => Row.fromSeq(fp.map(Long.box).orNull +: partial.toSeq) }
    }
    val schema = StructType(
      StructField(fingerprintColumn, LongType, nullable = true) +:
        partialColumns.map(name => StructField(name, LongType, nullable = false))
    )
    table.sparkSession.createDataFrame(partials, schema)
  }

  /** The kernel's input rows (TruncationKernel's layout: id, fp, row_hash, (group_key_i, group_hash_i)*,
    * value_j*; only fp and the values without IDs: no constraint to order rows for, and no row hash, which a
    * map column would not allow), shuffled by ID for an ID table.
    */
  private def kernelInput(
      table: DataFrame,
      idColumn: Option[String],
      constraints: Seq[Constraint],
      fingerprint: Column,
      values: Seq[(Column, TruncationKernel.MeasureValueType)],
      truncationKey: Array[Byte]
  ): (DataFrame, TruncationKernel.Layout) = {
    if (idColumn.isEmpty && constraints.nonEmpty) {
      throw new AnalyticsInternalException(s"Constraints $constraints reached a table without an ID column.")
    }
    val groupingColumns = groupingColumnsOf(constraints)
    val valueColumns = values.zipWithIndex.map { case ((value, _), j) => value.as(s"value_$j") }
    val groupColumns = groupingColumns.zipWithIndex.flatMap { case (column, i) =>
      val identity = SparkIdentity.identity(HashableColumns.column(column), table.schema(column).dataType)
      // The group's hash covers its normalised identity, so values Spark deems equal get one hash.
      Seq(identity.as(groupValueName(i)), TruncationHashes.groupHash(identity, truncationKey).as(groupHashName(i)))
    }
    val hashed = idColumn match {
      case Some(id) =>
        table.select(
          Seq(
            TruncationHashes.idOf(table, id).as(IdName),
            fingerprint.as(FingerprintName),
            TruncationHashes.rowHash(table, truncationKey).as(RowHashName)
          ) ++ groupColumns ++ valueColumns: _*
        )
      case None => table.select(fingerprint.as(FingerprintName) +: valueColumns: _*)
    }
    // Hash partitioning on the ID's identity puts every row of an ID in one partition (AQE may coalesce
    // partitions, never split one). A table without IDs needs no shuffle: no constraint applies to it, and
    // each partition's partial counts are merged below.
    val arranged = if (idColumn.isDefined) hashed.repartition(col(IdName)) else hashed
    val layout = TruncationKernel.Layout(hasId = idColumn.isDefined, groupingColumns = groupingColumns.size, values.map(_._2))
    (arranged, layout)
  }

  /** The distinct grouping columns of `constraints`, first appearance first (what `group_<i>` means). */
  private def groupingColumnsOf(constraints: Seq[Constraint]): Seq[String] =
    constraints.flatMap(_.groupingColumnOption).distinct

  private val IdName = "id"
  private val FingerprintName = "fp"
  private val RowHashName = "row_hash"
  private def groupValueName(i: Int) = s"group_key_$i"
  private def groupHashName(i: Int) = s"group_hash_$i"
}
