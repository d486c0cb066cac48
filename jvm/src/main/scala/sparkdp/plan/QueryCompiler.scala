package sparkdp.plan

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.functions.{coalesce, col, lit}
import org.apache.spark.sql.types.StructField

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.bridge.Native
import sparkdp.{AddRowsWithID, Constraint, CountMechanism, EnforceConstraint, GroupByCount, KeySet, MaxRowsPerID, PrivateSource, QueryExpr}

/** Compiles a query expression into Spark DataFrame steps (Tumult's `QueryExprCompiler`): validate, truncate,
  * count per key fingerprint, join the keyset, add noise.
  *
  * Supported now: `GroupByCount(EnforceConstraint*(PrivateSource), keyset, name)` on a table protected by
  * AddRowsWithID with at least one MaxRowsPerID.
  */
private[sparkdp] object QueryCompiler {

  /** The lazy noisy result of `queryExpr` and the number of rows it must have (the keyset size).
    *
    * Throws `IllegalArgumentException` naming the table, column or constraint when the query does not fit the
    * data. The keyset's fingerprints are checked here (one Spark job over the public keyset). The private data
    * may be read here too: where adaptive query execution is on (Spark 3.2+ by default), turning the truncation
    * plan into an RDD runs its shuffle stage at once, so a failure in the private data (e.g. a failing UDF) can
    * surface from this call as Spark's own exception. Nothing is released or charged before the result is
    * stored and verified (`Session.evaluate`).
    *
    * Example:
    * {{{
    * val compiled = QueryCompiler.compile(query.queryExpr, Map("checkouts" -> table), context)
    * compiled.result.write.saveAsTable(...)
    * }}}
    */
  def compile(queryExpr: QueryExpr, tables: Map[String, PrivateTable], context: EvaluationContext): CompiledQuery =
    queryExpr match {
      case GroupByCount(child, keyset, outputColumn, mechanism) =>
        // The mechanism rules (e.g. Gaussian needs a zCDP budget) live in Rust's countNoise only.
        val (sourceId, constraints) = tableAndConstraints(child)
        val table = tables.getOrElse(
          sourceId,
          throw new IllegalArgumentException(
            s"Table '$sourceId' does not exist. Available tables are: ${tables.keys.toSeq.sorted.mkString(", ")}"
          )
        )
        compileGroupByCount(sourceId, table, constraints, keyset, outputColumn, mechanism, context)
      case other =>
        throw new IllegalArgumentException(
          s"A query must end with an aggregation such as count(); this one is $other."
        )
    }

  /** The source table and the constraints enforced on it, outermost last. */
  private def tableAndConstraints(queryExpr: QueryExpr): (String, Seq[Constraint]) = queryExpr match {
    case PrivateSource(sourceId) => (sourceId, Seq.empty)
    case EnforceConstraint(child, constraint) =>
      val (sourceId, constraints) = tableAndConstraints(child)
      (sourceId, constraints :+ constraint)
    case other =>
      throw new IllegalArgumentException(s"An aggregation's input must be a table (with constraints), not $other.")
  }

  private def compileGroupByCount(
      sourceId: String,
      table: PrivateTable,
      constraints: Seq[Constraint],
      keyset: KeySet,
      outputColumn: String,
      mechanism: CountMechanism,
      context: EvaluationContext
  ): CompiledQuery = {
    val data = table.dataframe
    val keyFields = keyset.dataframe.schema.fields.toSeq
    val keyColumns = keyFields.map(_.name)
    val idColumn = table.protectedChange match {
      case AddRowsWithID(idColumn, _) => idColumn
    }
    requireColumnExists(data, idColumn)
    requireArgument(
      keyColumns.nonEmpty,
      "The keyset has no columns; grouping by an empty keyset (a total count) is not supported yet."
    )
    keyFields.foreach(keyField => requireSameType(sourceId, data, keyField))
    requireArgument(
      !keyColumns.exists(_.equalsIgnoreCase(outputColumn)),
      s"The output column '$outputColumn' has the name of a keyset column; choose another name with count(name)."
    )
    data.schema.fields.foreach(field => HashableColumns.requireHashable(field, s"table '$sourceId'"))

    // Enforcing MaxRowsPerID(a) then MaxRowsPerID(b) keeps the first a, then the first b, rows in the same
    // per-ID order: the same rows as MaxRowsPerID(min(a, b)).
    val maxRowsPerId = constraints.collect { case MaxRowsPerID(max) => max }.reduceOption(_ min _).getOrElse(
      throw new IllegalArgumentException(
        s"A constraint on the number of rows contributed by each ID is needed to perform this query on table " +
          s"'$sourceId', which is protected by AddRowsWithID('$idColumn') (e.g. " +
          "QueryBuilder(\"" + sourceId + "\").enforce(MaxRowsPerID(20)))."
      )
    )
    val noiseSpec = Native.get.countNoise(
      context.budgetText,
      table.protectedChange.toChangeText,
      MaxRowsPerID(maxRowsPerId).toConstraintText,
      Native.columnsText(keyColumns),
      mechanism.name
    )

    val fingerprintColumn = HashableColumns.freshName("__sparkdp_fingerprint", keyColumns)
    val trueCountColumn = HashableColumns.freshName("__sparkdp_true_count", keyColumns)
    val (keysWithFingerprint, keysetSize) = KeysetFingerprints.withFingerprint(keyset.dataframe, fingerprintColumn)

    val keptFingerprints = TruncateRowsPerID.keptFingerprints(
      data,
      idColumn,
      keyColumns,
      maxRowsPerId,
      context.truncationKey
    )
    val countsPerFingerprint =
      PartialCounts.countPerFingerprint(data.sparkSession, keptFingerprints, fingerprintColumn, trueCountColumn)
    // Left join from the keyset: every keyset key exactly once (fingerprints are distinct), 0 where no row has
    // it, and no key the keyset lacks (releasing those would need a different mechanism).
    val trueCounts = keysWithFingerprint
      .join(countsPerFingerprint, Seq(fingerprintColumn), "left_outer")
      .select(
        keyColumns.map(HashableColumns.column) ++ Seq(
          col(fingerprintColumn),
          coalesce(col(trueCountColumn), lit(0L)).as(trueCountColumn)
        ): _*
      )
    val noisyCounts =
      NoisyCounts.addNoise(trueCounts, keyFields, outputColumn, context.noiseKey, context.queryIndex, noiseSpec)
    CompiledQuery(noisyCounts, keysetSize)
  }

  /** Tumult's message for a column the table lacks. */
  private def requireColumnExists(data: DataFrame, columnName: String): Unit =
    requireArgument(
      data.columns.contains(columnName),
      s"Column '$columnName' does not exist in this table, available columns are " +
        data.columns.map(name => s"'$name'").mkString("[", ", ", "]")
    )

  /** The keyset column must exist in the data with the same type: fingerprints of different types differ. */
  private def requireSameType(sourceId: String, data: DataFrame, keyField: StructField): Unit = {
    requireColumnExists(data, keyField.name)
    val dataType = data.schema(keyField.name).dataType
    requireArgument(
      dataType.catalogString == keyField.dataType.catalogString,
      s"Column '${keyField.name}' has type ${keyField.dataType.simpleString} in the keyset but " +
        s"${dataType.simpleString} in table '$sourceId'; cast one of them so the types match."
    )
  }
}
