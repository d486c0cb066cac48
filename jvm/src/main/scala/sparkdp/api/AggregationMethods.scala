package sparkdp

import sparkdp.compat.CollectionConverters._

/** The aggregations other than count, shared by [[QueryBuilder]] (ungrouped: one row) and
  * [[GroupedQueryBuilder]] (one row per key of its keyset), with Tumult's default output names. Each has a
  * Scala form (`name` and mechanism optional) and, for py4j, a form taking the name (null = default) and the
  * mechanism's name as strings. Bounds come as two `Long`s (integers) or two `Double`s.
  *
  * Example: `QueryBuilder("checkouts").groupBy(keyset).sum("pages", 0L, 900L)`
  */
trait AggregationMethods {

  /** The table the aggregation reads. */
  protected def aggregatedExpr: QueryExpr

  /** The keyset grouped by, None when ungrouped. */
  protected def keysetOption: Option[KeySet]

  /** The number of distinct rows (Tumult's `count_distinct()`), in a column named `count_distinct`.
    *
    * Example: `QueryBuilder("checkouts").countDistinct()`
    */
  def countDistinct(): Query = countDistinct(Seq.empty[String])

  /** The number of distinct combinations of `columns` (all columns when empty), in a column named
    * `count_distinct(<columns joined by ", ">)` (`count_distinct` when empty).
    *
    * Example: `QueryBuilder("checkouts").countDistinct(Seq("member_id"))`
    */
  def countDistinct(columns: Seq[String]): Query = countDistinct(columns, null)

  /** [[countDistinct]] in a column named `name` (null: the default name).
    *
    * Example: `QueryBuilder("checkouts").countDistinct(Seq("member_id"), "members")`
    */
  def countDistinct(columns: Seq[String], name: String): Query =
    countDistinct(columns, name, CountDistinctMechanism.Default)

  /** [[countDistinct]] with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").countDistinct(Seq("member_id"), "members", CountDistinctMechanism.Laplace)`
    */
  def countDistinct(columns: Seq[String], name: String, mechanism: CountDistinctMechanism): Query = {
    val counted = Option(columns).getOrElse(Seq.empty)
    val defaultName = if (counted.isEmpty) "count_distinct" else counted.mkString("count_distinct(", ", ", ")")
    Query(GroupByCountDistinct(aggregatedExpr, keysetOption, counted, Option(name).getOrElse(defaultName), mechanism))
  }

  /** For py4j (Tumult's `count_distinct(columns=None, name=None, mechanism="default")`): null columns or name
    * mean the defaults; `mechanism` is a name, case-insensitive.
    *
    * Example (Java): `builder.countDistinct(java.util.Arrays.asList("member_id"), null, "laplace")`
    */
  def countDistinct(columns: java.util.List[String], name: String, mechanism: String): Query =
    countDistinct(AggregationMethods.toSeq(columns), name, CountDistinctMechanism.fromName(mechanism))

  /** The sum of `column` clamped to [low, high], in a column named `<column>_sum` (Tumult's `sum`).
    *
    * Example: `QueryBuilder("checkouts").sum("pages", 0L, 900L)`
    */
  def sum(column: String, low: Long, high: Long): Query = sum(column, low, high, null: String)

  /** The sum of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").sum("pages", 0L, 900L, "pages_sum")`
    */
  def sum(column: String, low: Long, high: Long, name: String): Query = sum(column, low, high, name, SumMechanism.Default)

  /** The sum of `column` clamped to [low, high], with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").sum("pages", 0L, 900L, null, SumMechanism.Laplace)`
    */
  def sum(column: String, low: Long, high: Long, name: String, mechanism: SumMechanism): Query =
    Query(GroupByBoundedSum(aggregatedExpr, keysetOption, column, IntegerBound(low), IntegerBound(high), AggregationMethods.nameOr(name, column, "sum"), mechanism))

  /** For py4j: `name` null means the default; `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `builder.sum("pages", 0L, 900L, null, "laplace")`
    */
  def sum(column: String, low: Long, high: Long, name: String, mechanism: String): Query =
    sum(column, low, high, name, SumMechanism.fromName(mechanism))

  /** The sum of `column` clamped to [low, high], in a column named `<column>_sum` (Tumult's `sum`).
    *
    * Example: `QueryBuilder("checkouts").sum("pages", 0.0, 900.0)`
    */
  def sum(column: String, low: Double, high: Double): Query = sum(column, low, high, null: String)

  /** The sum of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").sum("pages", 0.0, 900.0, "pages_sum")`
    */
  def sum(column: String, low: Double, high: Double, name: String): Query = sum(column, low, high, name, SumMechanism.Default)

  /** The sum of `column` clamped to [low, high], with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").sum("pages", 0.0, 900.0, null, SumMechanism.Laplace)`
    */
  def sum(column: String, low: Double, high: Double, name: String, mechanism: SumMechanism): Query =
    Query(GroupByBoundedSum(aggregatedExpr, keysetOption, column, FloatBound(low), FloatBound(high), AggregationMethods.nameOr(name, column, "sum"), mechanism))

  /** For py4j: `name` null means the default; `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `builder.sum("pages", 0.0, 900.0, null, "laplace")`
    */
  def sum(column: String, low: Double, high: Double, name: String, mechanism: String): Query =
    sum(column, low, high, name, SumMechanism.fromName(mechanism))

  /** The average of `column` clamped to [low, high], in a column named `<column>_average` (Tumult's `average`).
    *
    * Example: `QueryBuilder("checkouts").average("pages", 0L, 900L)`
    */
  def average(column: String, low: Long, high: Long): Query = average(column, low, high, null: String)

  /** The average of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").average("pages", 0L, 900L, "pages_average")`
    */
  def average(column: String, low: Long, high: Long, name: String): Query = average(column, low, high, name, AverageMechanism.Default)

  /** The average of `column` clamped to [low, high], with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").average("pages", 0L, 900L, null, AverageMechanism.Laplace)`
    */
  def average(column: String, low: Long, high: Long, name: String, mechanism: AverageMechanism): Query =
    Query(GroupByBoundedAverage(aggregatedExpr, keysetOption, column, IntegerBound(low), IntegerBound(high), AggregationMethods.nameOr(name, column, "average"), mechanism))

  /** For py4j: `name` null means the default; `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `builder.average("pages", 0L, 900L, null, "laplace")`
    */
  def average(column: String, low: Long, high: Long, name: String, mechanism: String): Query =
    average(column, low, high, name, AverageMechanism.fromName(mechanism))

  /** The average of `column` clamped to [low, high], in a column named `<column>_average` (Tumult's `average`).
    *
    * Example: `QueryBuilder("checkouts").average("pages", 0.0, 900.0)`
    */
  def average(column: String, low: Double, high: Double): Query = average(column, low, high, null: String)

  /** The average of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").average("pages", 0.0, 900.0, "pages_average")`
    */
  def average(column: String, low: Double, high: Double, name: String): Query = average(column, low, high, name, AverageMechanism.Default)

  /** The average of `column` clamped to [low, high], with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").average("pages", 0.0, 900.0, null, AverageMechanism.Laplace)`
    */
  def average(column: String, low: Double, high: Double, name: String, mechanism: AverageMechanism): Query =
    Query(GroupByBoundedAverage(aggregatedExpr, keysetOption, column, FloatBound(low), FloatBound(high), AggregationMethods.nameOr(name, column, "average"), mechanism))

  /** For py4j: `name` null means the default; `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `builder.average("pages", 0.0, 900.0, null, "laplace")`
    */
  def average(column: String, low: Double, high: Double, name: String, mechanism: String): Query =
    average(column, low, high, name, AverageMechanism.fromName(mechanism))

  /** The variance of `column` clamped to [low, high], in a column named `<column>_variance` (Tumult's `variance`).
    *
    * Example: `QueryBuilder("checkouts").variance("pages", 0L, 900L)`
    */
  def variance(column: String, low: Long, high: Long): Query = variance(column, low, high, null: String)

  /** The variance of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").variance("pages", 0L, 900L, "pages_variance")`
    */
  def variance(column: String, low: Long, high: Long, name: String): Query = variance(column, low, high, name, VarianceMechanism.Default)

  /** The variance of `column` clamped to [low, high], with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").variance("pages", 0L, 900L, null, VarianceMechanism.Laplace)`
    */
  def variance(column: String, low: Long, high: Long, name: String, mechanism: VarianceMechanism): Query =
    Query(GroupByBoundedVariance(aggregatedExpr, keysetOption, column, IntegerBound(low), IntegerBound(high), AggregationMethods.nameOr(name, column, "variance"), mechanism))

  /** For py4j: `name` null means the default; `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `builder.variance("pages", 0L, 900L, null, "laplace")`
    */
  def variance(column: String, low: Long, high: Long, name: String, mechanism: String): Query =
    variance(column, low, high, name, VarianceMechanism.fromName(mechanism))

  /** The variance of `column` clamped to [low, high], in a column named `<column>_variance` (Tumult's `variance`).
    *
    * Example: `QueryBuilder("checkouts").variance("pages", 0.0, 900.0)`
    */
  def variance(column: String, low: Double, high: Double): Query = variance(column, low, high, null: String)

  /** The variance of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").variance("pages", 0.0, 900.0, "pages_variance")`
    */
  def variance(column: String, low: Double, high: Double, name: String): Query = variance(column, low, high, name, VarianceMechanism.Default)

  /** The variance of `column` clamped to [low, high], with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").variance("pages", 0.0, 900.0, null, VarianceMechanism.Laplace)`
    */
  def variance(column: String, low: Double, high: Double, name: String, mechanism: VarianceMechanism): Query =
    Query(GroupByBoundedVariance(aggregatedExpr, keysetOption, column, FloatBound(low), FloatBound(high), AggregationMethods.nameOr(name, column, "variance"), mechanism))

  /** For py4j: `name` null means the default; `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `builder.variance("pages", 0.0, 900.0, null, "laplace")`
    */
  def variance(column: String, low: Double, high: Double, name: String, mechanism: String): Query =
    variance(column, low, high, name, VarianceMechanism.fromName(mechanism))

  /** The standard deviation of `column` clamped to [low, high], in a column named `<column>_stdev` (Tumult's `stdev`).
    *
    * Example: `QueryBuilder("checkouts").stdev("pages", 0L, 900L)`
    */
  def stdev(column: String, low: Long, high: Long): Query = stdev(column, low, high, null: String)

  /** The standard deviation of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").stdev("pages", 0L, 900L, "pages_stdev")`
    */
  def stdev(column: String, low: Long, high: Long, name: String): Query = stdev(column, low, high, name, StdevMechanism.Default)

  /** The standard deviation of `column` clamped to [low, high], with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").stdev("pages", 0L, 900L, null, StdevMechanism.Laplace)`
    */
  def stdev(column: String, low: Long, high: Long, name: String, mechanism: StdevMechanism): Query =
    Query(GroupByBoundedStdev(aggregatedExpr, keysetOption, column, IntegerBound(low), IntegerBound(high), AggregationMethods.nameOr(name, column, "stdev"), mechanism))

  /** For py4j: `name` null means the default; `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `builder.stdev("pages", 0L, 900L, null, "laplace")`
    */
  def stdev(column: String, low: Long, high: Long, name: String, mechanism: String): Query =
    stdev(column, low, high, name, StdevMechanism.fromName(mechanism))

  /** The standard deviation of `column` clamped to [low, high], in a column named `<column>_stdev` (Tumult's `stdev`).
    *
    * Example: `QueryBuilder("checkouts").stdev("pages", 0.0, 900.0)`
    */
  def stdev(column: String, low: Double, high: Double): Query = stdev(column, low, high, null: String)

  /** The standard deviation of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").stdev("pages", 0.0, 900.0, "pages_stdev")`
    */
  def stdev(column: String, low: Double, high: Double, name: String): Query = stdev(column, low, high, name, StdevMechanism.Default)

  /** The standard deviation of `column` clamped to [low, high], with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").stdev("pages", 0.0, 900.0, null, StdevMechanism.Laplace)`
    */
  def stdev(column: String, low: Double, high: Double, name: String, mechanism: StdevMechanism): Query =
    Query(GroupByBoundedStdev(aggregatedExpr, keysetOption, column, FloatBound(low), FloatBound(high), AggregationMethods.nameOr(name, column, "stdev"), mechanism))

  /** For py4j: `name` null means the default; `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `builder.stdev("pages", 0.0, 900.0, null, "laplace")`
    */
  def stdev(column: String, low: Double, high: Double, name: String, mechanism: String): Query =
    stdev(column, low, high, name, StdevMechanism.fromName(mechanism))

  /** The `quantile` (in [0, 1]) of `column` clamped to [low, high], in a column named
    * `<column>_quantile(<quantile as Python prints it>)` (Tumult's `quantile`).
    *
    * Example: `QueryBuilder("checkouts").quantile("pages", 0.25, 0L, 900L)`
    */
  def quantile(column: String, quantile: Double, low: Long, high: Long): Query =
    this.quantile(column, quantile, low, high, null)

  /** The `quantile` of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").quantile("pages", 0.25, 0L, 900L, "pages_q1")`
    */
  def quantile(column: String, quantile: Double, low: Long, high: Long, name: String): Query = {
    val defaultName = s"${column}_quantile(${AggregationMethods.pythonRepr(quantile)})"
    Query(GroupByQuantile(aggregatedExpr, keysetOption, column, quantile, IntegerBound(low), IntegerBound(high), Option(name).getOrElse(defaultName)))
  }

  /** The median of `column` clamped to [low, high] (the 0.5 quantile), in a column named `<column>_median`.
    *
    * Example: `QueryBuilder("checkouts").median("pages", 0L, 900L)`
    */
  def median(column: String, low: Long, high: Long): Query = median(column, low, high, null)

  /** The median of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").median("pages", 0L, 900L, "pages_median")`
    */
  def median(column: String, low: Long, high: Long, name: String): Query =
    quantile(column, 0.5, low, high, AggregationMethods.nameOr(name, column, "median"))

  /** The min of `column` clamped to [low, high] (the 0.0 quantile), in a column named `<column>_min`.
    *
    * Example: `QueryBuilder("checkouts").min("pages", 0L, 900L)`
    */
  def min(column: String, low: Long, high: Long): Query = min(column, low, high, null)

  /** The min of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").min("pages", 0L, 900L, "pages_min")`
    */
  def min(column: String, low: Long, high: Long, name: String): Query =
    quantile(column, 0.0, low, high, AggregationMethods.nameOr(name, column, "min"))

  /** The max of `column` clamped to [low, high] (the 1.0 quantile), in a column named `<column>_max`.
    *
    * Example: `QueryBuilder("checkouts").max("pages", 0L, 900L)`
    */
  def max(column: String, low: Long, high: Long): Query = max(column, low, high, null)

  /** The max of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").max("pages", 0L, 900L, "pages_max")`
    */
  def max(column: String, low: Long, high: Long, name: String): Query =
    quantile(column, 1.0, low, high, AggregationMethods.nameOr(name, column, "max"))

  /** The `quantile` (in [0, 1]) of `column` clamped to [low, high], in a column named
    * `<column>_quantile(<quantile as Python prints it>)` (Tumult's `quantile`).
    *
    * Example: `QueryBuilder("checkouts").quantile("pages", 0.25, 0.0, 900.0)`
    */
  def quantile(column: String, quantile: Double, low: Double, high: Double): Query =
    this.quantile(column, quantile, low, high, null)

  /** The `quantile` of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").quantile("pages", 0.25, 0.0, 900.0, "pages_q1")`
    */
  def quantile(column: String, quantile: Double, low: Double, high: Double, name: String): Query = {
    val defaultName = s"${column}_quantile(${AggregationMethods.pythonRepr(quantile)})"
    Query(GroupByQuantile(aggregatedExpr, keysetOption, column, quantile, FloatBound(low), FloatBound(high), Option(name).getOrElse(defaultName)))
  }

  /** The median of `column` clamped to [low, high] (the 0.5 quantile), in a column named `<column>_median`.
    *
    * Example: `QueryBuilder("checkouts").median("pages", 0.0, 900.0)`
    */
  def median(column: String, low: Double, high: Double): Query = median(column, low, high, null)

  /** The median of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").median("pages", 0.0, 900.0, "pages_median")`
    */
  def median(column: String, low: Double, high: Double, name: String): Query =
    quantile(column, 0.5, low, high, AggregationMethods.nameOr(name, column, "median"))

  /** The min of `column` clamped to [low, high] (the 0.0 quantile), in a column named `<column>_min`.
    *
    * Example: `QueryBuilder("checkouts").min("pages", 0.0, 900.0)`
    */
  def min(column: String, low: Double, high: Double): Query = min(column, low, high, null)

  /** The min of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").min("pages", 0.0, 900.0, "pages_min")`
    */
  def min(column: String, low: Double, high: Double, name: String): Query =
    quantile(column, 0.0, low, high, AggregationMethods.nameOr(name, column, "min"))

  /** The max of `column` clamped to [low, high] (the 1.0 quantile), in a column named `<column>_max`.
    *
    * Example: `QueryBuilder("checkouts").max("pages", 0.0, 900.0)`
    */
  def max(column: String, low: Double, high: Double): Query = max(column, low, high, null)

  /** The max of `column` clamped to [low, high], in a column named `name` (null: the default).
    *
    * Example: `QueryBuilder("checkouts").max("pages", 0.0, 900.0, "pages_max")`
    */
  def max(column: String, low: Double, high: Double, name: String): Query =
    quantile(column, 1.0, low, high, AggregationMethods.nameOr(name, column, "max"))

  /** Approximate bounds of `column` (Tumult's `get_bounds`), in columns `<column>_lower_bound` and
    * `<column>_upper_bound`: bigint for an integer column, double for a float column.
    *
    * Example: `QueryBuilder("checkouts").getBounds("pages")`
    */
  def getBounds(column: String): Query = getBounds(column, null, null)

  /** Approximate bounds of `column`, in columns `lowerBoundColumn` and `upperBoundColumn` (null: the defaults
    * `<column>_lower_bound` / `<column>_upper_bound`).
    *
    * Example: `QueryBuilder("checkouts").getBounds("pages", "low", "high")`
    */
  def getBounds(column: String, lowerBoundColumn: String, upperBoundColumn: String): Query =
    Query(
      GetBounds(
        aggregatedExpr,
        keysetOption,
        column,
        AggregationMethods.nameOr(lowerBoundColumn, column, "lower_bound"),
        AggregationMethods.nameOr(upperBoundColumn, column, "upper_bound")
      )
    )
}

private[sparkdp] object AggregationMethods {

  /** `name`, or Tumult's default `<column>_<suffix>` when it is null.
    *
    * Example: `AggregationMethods.nameOr(null, "pages", "sum") == "pages_sum"`
    */
  def nameOr(name: String, column: String, suffix: String): String = Option(name).getOrElse(s"${column}_$suffix")

  /** A py4j list as a Seq; null is empty.
    *
    * Example: `AggregationMethods.toSeq(null) == Seq.empty`
    */
  def toSeq(columns: java.util.List[String]): Seq[String] = Option(columns).fold(Seq.empty[String])(_.asScala.toList)

  /** `value` as Python's `repr(float)` writes it (Tumult's default quantile name is an f-string of it):
    * the shortest digits that read back as `value`, positional for decimal exponents in [-4, 16), else
    * `d.ddde-05` style; `nan`, `inf`, `-inf`.
    *
    * Example: `AggregationMethods.pythonRepr(0.5) == "0.5"`, `pythonRepr(1e-5) == "1e-05"`, `pythonRepr(1.0) == "1.0"`
    */
  def pythonRepr(value: Double): String =
    if (value.isNaN) "nan"
    else if (value.isInfinite) (if (value > 0) "inf" else "-inf")
    else if (value == 0.0) (if (1.0 / value < 0) "-0.0" else "0.0")
    else {
      // Java's Double.toString digits are the shortest that round-trip (JDK 19+; earlier JDKs may add a digit
      // in rare cases, never for the quantiles users type).
      val decimal = new java.math.BigDecimal(java.lang.Double.toString(value)).stripTrailingZeros()
      val digits = decimal.unscaledValue().abs().toString
      val exponent = digits.length - 1 - decimal.scale() // value = d.ddd × 10^exponent
      val sign = if (value < 0) "-" else ""
      if (exponent >= -4 && exponent < 16) {
        val plain = decimal.abs().toPlainString
        sign + (if (plain.contains('.')) plain else plain + ".0")
      } else {
        val mantissa = if (digits.length == 1) digits else s"${digits.head}.${digits.tail}"
        val exponentText = f"${if (exponent < 0) "-" else "+"}${math.abs(exponent)}%02d"
        s"$sign${mantissa}e$exponentText"
      }
    }
}
