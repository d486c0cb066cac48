package sparkdp

import java.math.{BigDecimal => JBigDecimal, RoundingMode}
import java.time.format.DateTimeFormatter

import scala.collection.JavaConverters._

import sparkdp.ArgumentChecks.requireArgument

/** How `bin_column` assigns values to bins (Tumult's `BinningSpec`): bins between consecutive `binEdges`,
  * named `names` (Tumult's default names such as `[0, 18]`, `(18, 65]` when none are given). By default the
  * right edge of each bin is in the bin (`right`) and so are both outer edges (`includeBothEndpoints`).
  * Values outside the edges and nulls go to null, and NaN to `nanBin` (null when None).
  *
  * Edges are all integers (`Int`/`Long`, kept as `Long`), all doubles (`Float`/`Double`), all strings, all
  * `java.sql.Date` or all `java.sql.Timestamp` (Tumult refuses mixed types, ints with floats too); names are
  * all of one of these types (that is the binned column's type).
  *
  * The Scala default names follow Tumult's Python rules (`str` of integers, floats with the fewest digits
  * from 2 that keep the edges distinct, `repr` of strings, ISO dates and timestamps). Python's
  * `sparkdp.BinningSpec` computes its names itself, in Python, and always sends them here explicitly.
  *
  * Example:
  * {{{
  * val spec = BinningSpec(Seq(0, 18, 65))
  * spec.bins() == Seq("[0, 18]", "(18, 65]")
  * }}}
  */
final class BinningSpec private (
    val binEdges: Seq[Any],
    val names: Seq[Any],
    val right: Boolean,
    val includeBothEndpoints: Boolean,
    val nanBin: Option[Any]
) extends Serializable {

  /** For Java and py4j (Tumult's `BinningSpec(bin_edges, names=None, right=True, include_both_endpoints=True,
    * nan_bin=None)`): null `names` means the default names, null `nanBin` means NaN goes to null.
    *
    * Example (Java): `new BinningSpec(Arrays.asList(0, 18, 65), null, true, true, null)`
    */
  def this(
      binEdges: java.util.List[Object],
      names: java.util.List[Object],
      right: Boolean,
      includeBothEndpoints: Boolean,
      nanBin: Object
  ) = this(
    BinningSpec.checkedEdges(BinningSpec.listOrNull(binEdges)),
    BinningSpec.checkedNames(
      BinningSpec.checkedEdges(BinningSpec.listOrNull(binEdges)),
      Option(names).map(_.asScala.toSeq.map(RowwiseValues.normalized)),
      right,
      includeBothEndpoints
    ),
    right,
    includeBothEndpoints,
    Option(nanBin).map(RowwiseValues.normalized)
  )

  requireArgument(
    nanBin.forall(bin => names.isEmpty || BinningSpec.typeName(bin) == BinningSpec.typeName(names.head)),
    "NaN bin name must have the same type as other bin names"
  )

  /** The type of the column this spec can bin: `INTEGER`/`DECIMAL` (numbers), `VARCHAR`, `DATE` or
    * `TIMESTAMP` (Tumult's `input_type`).
    *
    * Example: `BinningSpec(Seq(0, 18)).inputType == ColumnType.Integer`
    */
  def inputType: ColumnType = BinningSpec.columnTypeOf(binEdges.head)

  /** The descriptor of the binned column (Tumult's `column_descriptor`): the names' type; nulls always
    * possible (out-of-range values); NaN or infinity only when a name (or `nanBin`) is one.
    *
    * Example: `BinningSpec(Seq(0, 18)).columnDescriptor == ColumnDescriptor(ColumnType.Varchar, allowNull = true)`
    */
  def columnDescriptor: ColumnDescriptor = {
    val all = names ++ nanBin.toSeq
    val doubles = all.collect { case d: Double => d }
    ColumnDescriptor(
      BinningSpec.columnTypeOf(names.head),
      allowNull = true,
      allowNan = doubles.exists(_.isNaN),
      allowInf = doubles.exists(_.isInfinite)
    )
  }

  /** Every bin name the binning can give, each once, in order of first appearance, then `nanBin`, then null
    * when `includeNull` (Tumult's `bins`).
    *
    * Example: `BinningSpec(Seq(0, 18, 65)).bins() == Seq("[0, 18]", "(18, 65]")`
    */
  def bins(includeNull: Boolean): Seq[Any] =
    (names ++ nanBin.toSeq ++ (if (includeNull) Seq(null) else Seq.empty)).distinct

  /** [[bins]] without null.
    *
    * Example: `BinningSpec(Seq(0, 18, 65)).bins() == Seq("[0, 18]", "(18, 65]")`
    */
  def bins(): Seq[Any] = bins(includeNull = false)

  override def equals(other: Any): Boolean = other match {
    case that: BinningSpec =>
      that.binEdges == binEdges && that.names == names && that.right == right &&
        that.includeBothEndpoints == includeBothEndpoints && that.nanBin == nanBin
    case _ => false
  }

  override def hashCode: Int = (binEdges, names, right, includeBothEndpoints, nanBin).hashCode

  /** Example: `BinningSpec(Seq(0, 5)).toString == "BinningSpec(bin_edges=[0, 5], names=('[0, 5]',), right=true, include_both_endpoints=true, nan_bin=None)"` */
  override def toString: String =
    s"BinningSpec(bin_edges=${binEdges.map(RowwiseValues.pythonRepr).mkString("[", ", ", "]")}, " +
      s"names=${names.map(RowwiseValues.pythonRepr).mkString("(", ", ", if (names.size == 1) ",)" else ")")}, " +
      s"right=$right, include_both_endpoints=$includeBothEndpoints, " +
      s"nan_bin=${nanBin.map(RowwiseValues.pythonRepr).getOrElse("None")})"
}

/** Makes binning specs.
  *
  * Example: `BinningSpec(Seq(0, 18, 65), right = false)`
  */
object BinningSpec {

  /** A spec with edges `binEdges` (sorted ascending, at least two) and `names` (one fewer than the edges;
    * None: Tumult's default names). Throws `IllegalArgumentException` with Tumult's messages for fewer than two
    * edges, unsorted or mixed edges, a wrong number of names, or a `nanBin` whose type differs from the names'.
    *
    * Example: `BinningSpec(Seq(0.0, 0.5, 1.0), names = Some(Seq("low", "high")), nanBin = Some("unknown"))`
    */
  def apply(
      binEdges: Seq[Any],
      names: Option[Seq[Any]] = None,
      right: Boolean = true,
      includeBothEndpoints: Boolean = true,
      nanBin: Option[Any] = None
  ): BinningSpec = {
    requireArgument(binEdges != null, "bin_edges must be a list of edges, not null.")
    requireArgument(names != null && nanBin != null, "names and nan_bin must be Some(...) or None, not null.")
    val edges = checkedEdges(binEdges.map(RowwiseValues.normalized))
    new BinningSpec(
      edges,
      checkedNames(edges, names.map(_.map(RowwiseValues.normalized)), right, includeBothEndpoints),
      right,
      includeBothEndpoints,
      nanBin.map(RowwiseValues.normalized)
    )
  }

  private def listOrNull(values: java.util.List[Object]): Seq[Any] = {
    requireArgument(values != null, "bin_edges must be a list of edges, not null.")
    values.asScala.toSeq.map(RowwiseValues.normalized)
  }

  private def typeName(value: Any): String = value match {
    case _: Long               => "int"
    case _: Double             => "float"
    case _: String             => "str"
    case _: java.sql.Date      => "date"
    case _: java.sql.Timestamp => "datetime"
    case null                  => "None"
    case other                 => other.getClass.getSimpleName
  }

  private def columnTypeOf(value: Any): ColumnType = value match {
    case _: Long               => ColumnType.Integer
    case _: Double             => ColumnType.Decimal
    case _: String             => ColumnType.Varchar
    case _: java.sql.Date      => ColumnType.Date
    case _: java.sql.Timestamp => ColumnType.Timestamp
    case other                 => ColumnType.Other(typeName(other))
  }

  private def checkedEdges(edges: Seq[Any]): Seq[Any] = {
    requireArgument(edges.size >= 2, "At least two bin edges must be provided")
    requireSameType(edges, "Invalid bin edges")
    requireArgument(
      edges.sliding(2).forall { case Seq(a, b) => less(a, b) },
      "Bin edges must be sorted in ascending order, with no duplicates"
    )
    edges
  }

  /** Tumult's `get_element_type(values, allow_none=False)` and `ColumnType(type)`, with its messages. */
  private def requireSameType(values: Seq[Any], what: String): Unit = {
    requireArgument(!values.contains(null), s"$what: None is not allowed")
    val kinds = values.map(typeName).distinct
    requireArgument(kinds.size == 1, s"$what: list contains elements of multiple types (${kinds.mkString(",")})")
    requireArgument(
      Set("int", "float", "str", "date", "datetime").contains(kinds.head),
      s"$what: unsupported type ${kinds.head}"
    )
  }

  private def less(a: Any, b: Any): Boolean = (a, b) match {
    case (x: Long, y: Long)                             => x < y
    case (x: Double, y: Double)                         => x < y
    case (x: String, y: String)                         => x.compareTo(y) < 0
    case (x: java.sql.Timestamp, y: java.sql.Timestamp) => x.before(y)
    case (x: java.sql.Date, y: java.sql.Date)           => x.toLocalDate.isBefore(y.toLocalDate)
    case _                                              => false
  }

  private def checkedNames(edges: Seq[Any], names: Option[Seq[Any]], right: Boolean, includeBoth: Boolean): Seq[Any] =
    names match {
      case None => defaultNames(edges, right, includeBoth)
      case Some(given) =>
        requireArgument(
          given.size == edges.size - 1,
          "Number of bin names must be one less than the number of bin edges"
        )
        requireSameType(given, "Invalid bin names")
        given
    }

  /** Tumult's `_default_bin_names`: `[a, b]` for the bin that holds both its edges, `(a, b]` / `[a, b)` for
    * the others.
    */
  private def defaultNames(edges: Seq[Any], right: Boolean, includeBoth: Boolean): Seq[String] = {
    val text = edgeTexts(edges)
    val bins = text.indices.init.map(i => (text(i), text(i + 1)))
    bins.zipWithIndex.map { case ((low, high), i) =>
      val closedLeft = !right || (includeBoth && i == 0)
      val closedRight = right || (includeBoth && i == bins.size - 1)
      s"${if (closedLeft) "[" else "("}$low, $high${if (closedRight) "]" else ")"}"
    }
  }

  /** Tumult's `_edges_as_str`, decided by the first edge's type. */
  private def edgeTexts(edges: Seq[Any]): Seq[String] = edges.head match {
    case _: Double =>
      val doubles = edges.collect { case d: Double => d }
      (2 until 17).iterator
        .map(precision => doubles.map(fixedPoint(_, precision)))
        .find(texts => texts.distinct.size == texts.size)
        .getOrElse(throw new IllegalStateException("Unable to generate distinct bin edges."))
    case _: java.sql.Timestamp =>
      val times = edges.collect { case t: java.sql.Timestamp => t.toLocalDateTime }
      val pattern =
        if (times.exists(_.getNano % 1000000 != 0)) "yyyy-MM-dd HH:mm:ss.SSSSSS"
        else if (times.exists(_.getNano != 0)) "yyyy-MM-dd HH:mm:ss.SSS"
        else if (times.exists(_.getSecond != 0)) "yyyy-MM-dd HH:mm:ss"
        else "yyyy-MM-dd HH:mm"
      times.map(DateTimeFormatter.ofPattern(pattern).format(_))
    case _: String => edges.map(RowwiseValues.pythonRepr)
    case _         => edges.map(_.toString)
  }

  /** Python's `f"{value:.{precision}f}"`: the exact binary value rounded half-to-even. */
  private def fixedPoint(value: Double, precision: Int): String =
    if (value.isNaN) "nan"
    else if (value.isInfinite) (if (value > 0) "inf" else "-inf")
    else {
      val text = new JBigDecimal(value).setScale(precision, RoundingMode.HALF_EVEN).toPlainString
      if (value < 0 || (value == 0.0 && 1.0 / value < 0)) (if (text.startsWith("-")) text else "-" + text) else text
    }
}
