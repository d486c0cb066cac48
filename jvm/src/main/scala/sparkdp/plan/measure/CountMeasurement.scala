package sparkdp.plan.measure

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.functions.{coalesce, col, isnan, lit}
import org.apache.spark.sql.types.{DataType, DoubleType, FloatType, StructField}

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.{AnalyticsInternalException, CountMechanism, KeySet}
import sparkdp.bridge.{Native, PlannedMeasure, WireText}
import sparkdp.plan.{CompiledQuery, EvaluationContext, KeysetRows, HashableColumns, KeyFingerprint, KeysetFingerprints, NoisyCounts}
import sparkdp.plan.transform.PreparedTable

/** The Spark steps of a count (Tumult's `GroupByCount`), grouped by a keyset or ungrouped: validate, ask Rust
  * for the plan (the one privacy call), fingerprint the keyset, count the kept rows per fingerprint, join the
  * keyset (every key exactly once, 0 where absent), add Rust's noise.
  */
private[sparkdp] object CountMeasurement {

  /** The lazy noisy counts and the number of rows they must have (the keyset size; 1 ungrouped).
    *
    * Throws `java.util.NoSuchElementException` naming a keyset column the table lacks (Tumult's KeyError),
    * `IllegalArgumentException` naming the column or setting at fault (a keyset column of another type, an
    * output name that is a keyset column, a mechanism the budget does not allow), and
    * `sparkdp.UnsupportedQueryException` (from Rust) when an ID table lacks the constraint a count needs.
    *
    * Example:
    * {{{
    * val compiled = CountMeasurement.compile(prepared, Some(keyset), "count", CountMechanism.Default, context)
    * }}}
    *
    * @param table        the prepared table
    * @param keyset       the groups to report (None: one total row)
    * @param outputColumn the name of the count column
    * @param mechanism    the requested noise mechanism (Rust decides what it means for the budget)
    * @param context      keys, query index and the charged budget
    */
  def compile(
      table: PreparedTable,
      keyset: Option[KeySet],
      outputColumn: String,
      mechanism: CountMechanism,
      context: EvaluationContext
  ): CompiledQuery = {
    val keyFields = keyset.fold(Seq.empty[StructField])(_.dataframe.schema.fields.toSeq)
    val keyColumns = keyFields.map(_.name)
    val dataKeyFields = keyFields.map(keyField => matchingDataField(table, keyField))
    keyset.foreach(requireKeysTheTableCanHold(table, _))
    requireArgument(
      !keyColumns.exists(_.equalsIgnoreCase(outputColumn)),
      s"The output column '$outputColumn' has the name of a KeySet column; choose another name with count(name)."
    )
    table.idColumn.foreach { idColumn =>
      requireArgument(table.column(idColumn).isDefined, table.missingColumnMessage(idColumn))
      // The truncation hashes whole rows.
      table.dataframe.schema.fields.foreach(field => HashableColumns.requireHashable(field, s"table '${table.sourceId}'"))
    }

    val noise = plannedNoise(table, keyColumns, mechanism, context)

    val fingerprintColumn = HashableColumns.freshName("__sparkdp_fingerprint", keyColumns)
    val trueCountColumn = HashableColumns.freshName("__sparkdp_true_count", keyColumns)
    val (keysWithFingerprint, keysetSize) = keyset match {
      case Some(keys) if keyFields.nonEmpty => KeysetFingerprints.withFingerprint(keys.dataframe, fingerprintColumn, context.truncationKey)
      case Some(keys)                       => (keys.dataframe.withColumn(fingerprintColumn, UngroupedFingerprint), keys.dataframe.count())
      case None =>
        (table.dataframe.sparkSession.range(1).select(UngroupedFingerprint.as(fingerprintColumn)), 1L)
    }
    val dataFingerprint: Column = if (keyFields.isEmpty) UngroupedFingerprint else KeyFingerprint.of(dataKeyFields, context.truncationKey)
    val countsPerFingerprint = PartialAggregates.countPerFingerprint(
      table.dataframe,
      table.idColumn,
      table.constraints,
      dataFingerprint,
      context.truncationKey,
      fingerprintColumn,
      trueCountColumn
    )
    // Left join from the keyset: every keyset key exactly once (fingerprints are distinct), 0 where no row has
    // it, and no key the keyset lacks (releasing those would need a different mechanism).
    val trueCounts: DataFrame = keysWithFingerprint
      .join(countsPerFingerprint, Seq(fingerprintColumn), "left_outer")
      .select(
        keyColumns.map(HashableColumns.column) ++ Seq(
          col(fingerprintColumn),
          coalesce(col(trueCountColumn), lit(0L)).as(trueCountColumn)
        ): _*
      )
    val noisyCounts =
      NoisyCounts.addNoise(trueCounts, keyFields, outputColumn, context.noiseKey, context.queryIndex, noise)
    CompiledQuery(noisyCounts, KeysetRows(keysetSize))
  }

  /** Every row of an ungrouped count has this fingerprint (COMPILER_INTERFACES §3: "ungrouped: all 0"). */
  private val UngroupedFingerprint: Column = lit(0L)

  /** The noise of the count's one measure, from Rust's plan for the whole request: the one privacy call. */
  private def plannedNoise(
      table: PreparedTable,
      keyColumns: Seq[String],
      mechanism: CountMechanism,
      context: EvaluationContext
  ): String = {
    val request = WireText.countRequest(context.budgetText, table.protectedChange, table.constraints, keyColumns, mechanism, table.idDistance)
    val planText = Native.get.planMeasurement(request)
    WireText.plan(planText) match {
      // Measure 0 keys the noise stream as the query's own key (CONTRACTS.md, measure_query_key), which is
      // what addNoise draws from for a query index.
      case Seq(PlannedMeasure(0L, _, noise, _)) => noise
      case measures =>
        throw new AnalyticsInternalException(
          s"Native planMeasurement planned ${measures.length} measures for a count (expected measure 0 only): $planText"
        )
    }
  }

  /** Tumult Core's `GroupBy` check (`validate_column` of each key column against the table's descriptor): a key
    * null where the table's column holds no nulls (nulls replaced or dropped, or a non-nullable column), or a
    * NaN or infinity where it holds none, is an `IllegalArgumentException` (Python ValueError) with Tumult's
    * text, naming the column. One Spark job over the public keyset per column that needs the check.
    */
  private[measure] def requireKeysTheTableCanHold(table: PreparedTable, keyset: KeySet): Unit = {
    val keys = keyset.dataframe
    keys.schema.fields.foreach { keyField =>
      table.column(keyField.name).foreach { descriptor =>
        val key = keys.col("`" + keyField.name.replace("`", "``") + "`")
        def refuse(found: String, reason: String): Unit =
          throw new IllegalArgumentException(
            s"Column contains $found values. The KeySet has $reason in column '${keyField.name}', which table " +
              s"'${table.sourceId}' cannot hold (its $found values were dropped or replaced, or never allowed)."
          )
        if (keyField.nullable && !descriptor.isNullable && !keys.filter(key.isNull).limit(1).isEmpty) refuse("null", "a null")
        val isFloat = Set[DataType](FloatType, DoubleType).contains(keyField.dataType)
        if (isFloat && !descriptor.allowNan && !keys.filter(isnan(key)).limit(1).isEmpty) refuse("NaN", "a NaN")
        val infinite = key === lit(Double.PositiveInfinity) || key === lit(Double.NegativeInfinity)
        if (isFloat && !descriptor.allowInf && !keys.filter(infinite).limit(1).isEmpty) refuse("infinite", "an infinity")
      }
    }
  }

  /** The table's field for a keyset column: it must exist (else Tumult's KeyError) with the same type up to
    * integer and floating-point width (the fingerprint widens both sides alike).
    */
  private[measure] def matchingDataField(table: PreparedTable, keyField: StructField): StructField = {
    val descriptor = table.column(keyField.name).getOrElse(
      throw new java.util.NoSuchElementException(table.missingColumnMessage(keyField.name))
    )
    val dataField = StructField(descriptor.name, descriptor.dataType, descriptor.isNullable)
    HashableColumns.requireByteEquality(dataField, s"table '${table.sourceId}'")
    requireArgument(
      KeyFingerprint.hashedType(descriptor.dataType).catalogString ==
        KeyFingerprint.hashedType(keyField.dataType).catalogString,
      s"Column '${keyField.name}' has type ${keyField.dataType.simpleString} in the KeySet but " +
        s"${descriptor.dataType.simpleString} in table '${table.sourceId}'; cast one of them so the types match."
    )
    dataField
  }
}
