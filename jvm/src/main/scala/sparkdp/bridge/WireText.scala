package sparkdp.bridge

import java.nio.charset.StandardCharsets

import sparkdp.{AddMaxRows, AddMaxRowsInMaxGroups, AddOneRow, AddRowsWithID, AnalyticsInternalException, ApproxDPBudget, Constraint, CountMechanism, MaxGroupsPerID, MaxRowsPerGroupPerID, MaxRowsPerID, PrivacyBudget, ProtectedChange, PureDPBudget, RhoZCDPBudget}

/** The text forms that cross the JNI edge (docs/CONTRACTS.md, docs/COMPILER_INTERFACES.md §2): the only Scala
  * file that builds or parses them, mirroring Rust's `privacy/text.rs`. No privacy decision is made here: a
  * budget's number comes from Rust (`budgetFromDoubles`), and a plan's noise is only read.
  */
private[sparkdp] object WireText {

  /** The exact budget text of `budget`, made by Rust from the user's doubles (IAE naming the setting and value
    * when Rust refuses them).
    *
    * Example: `WireText.budget(PureDPBudget(0.5)) == "pure:1/2"`
    */
  def budget(budget: PrivacyBudget): String = budget match {
    case PureDPBudget(epsilon)          => Native.get.budgetFromDoubles(PureKind, epsilon, 0.0)
    case ApproxDPBudget(epsilon, delta) => Native.get.budgetFromDoubles(ApproxKind, epsilon, delta)
    case RhoZCDPBudget(rho)             => Native.get.budgetFromDoubles(ZcdpKind, rho, 0.0)
  }

  /** The budget text's kind, as `budgetFromDoubles` names it: `"pure"`, `"approx"` or `"zcdp"`.
    *
    * Example: `WireText.budgetKind("approx:1:1/1000") == "approx"`
    */
  def budgetKind(budgetText: String): String = {
    val kind = budgetText.takeWhile(_ != ':')
    if (!Seq(PureKind, ApproxKind, ZcdpKind).contains(kind) || kind.length == budgetText.length) {
      throw new AnalyticsInternalException(s"Not a budget text: '$budgetText'.")
    }
    kind
  }

  /** Whether the budget text spends nothing at all (every component 0): Tumult refuses such a query.
    *
    * Example: `WireText.isZeroBudget("approx:0:0")`
    */
  def isZeroBudget(budgetText: String): Boolean =
    budgetText.substring(budgetKind(budgetText).length + 1).split(':').forall(_ == "0")

  /** The user-facing budget of the kind of `budgetText` with the values Rust's `budgetToDoubles` gave for it.
    *
    * Example: `WireText.budgetOfKind("zcdp:1/2", Array(0.5)) == RhoZCDPBudget(0.5)`
    */
  def budgetOfKind(budgetText: String, values: Array[Double]): PrivacyBudget = {
    val kind = budgetKind(budgetText)
    val expectedValues = if (kind == ApproxKind) 2 else 1
    if (values.length != expectedValues) {
      throw new AnalyticsInternalException(
        s"budgetToDoubles gave ${values.length} values for '$budgetText', expected $expectedValues."
      )
    }
    kind match {
      case PureKind   => PureDPBudget(values(0))
      case ApproxKind => ApproxDPBudget(values(0), values(1))
      case _          => RhoZCDPBudget(values(0))
    }
  }

  private val PureKind = "pure"
  private val ApproxKind = "approx"
  private val ZcdpKind = "zcdp"

  /** The protected change text.
    *
    * Example: `WireText.change(AddMaxRowsInMaxGroups("isbn", 2, 3)) == "AddMaxRowsInMaxGroups:2:3:4:isbn"`
    */
  def change(protectedChange: ProtectedChange): String = protectedChange match {
    case AddOneRow()                                       => "AddOneRow"
    case AddMaxRows(maxRows)                               => s"AddMaxRows:$maxRows"
    case AddMaxRowsInMaxGroups(column, maxGroups, maxRows) => s"AddMaxRowsInMaxGroups:$maxGroups:$maxRows:${this.column(column)}"
    case AddRowsWithID(_, _)                               => "AddRowsWithID"
  }

  /** One constraint's text.
    *
    * Example: `WireText.constraint(MaxGroupsPerID("isbn", 5)) == "MaxGroupsPerID:5:4:isbn"`
    */
  def constraint(constraint: Constraint): String = constraint match {
    case MaxRowsPerID(max)                 => s"MaxRowsPerID:$max"
    case MaxGroupsPerID(column, max)       => s"MaxGroupsPerID:$max:${this.column(column)}"
    case MaxRowsPerGroupPerID(column, max) => s"MaxRowsPerGroupPerID:$max:${this.column(column)}"
  }

  /** The constraints text, in enforcement order (`""` for none).
    *
    * Example: `WireText.constraints(Seq(MaxRowsPerID(2), MaxRowsPerID(5))) == "MaxRowsPerID:2;MaxRowsPerID:5"`
    */
  def constraints(constraints: Seq[Constraint]): String = constraints.map(constraint).mkString(";")

  /** A column name, length-prefixed by its UTF-8 byte count (so it may contain `:` or `;`).
    *
    * Example: `WireText.column("a;b") == "3:a;b"`
    */
  def column(name: String): String = s"${name.getBytes(StandardCharsets.UTF_8).length}:$name"

  /** A columns text (an aggregation's groupby columns, `""` = ungrouped).
    *
    * Example: `WireText.columns(Seq("title", "isbn")) == "5:title;4:isbn"`
    */
  def columns(names: Seq[String]): String = names.map(column).mkString(";")

  /** The request of `Native.planMeasurement` for a count: one `key=value` line each.
    *
    * Example:
    * {{{
    * WireText.countRequest("pure:1", AddOneRow(), Seq.empty, Seq("title"), CountMechanism.Default) ==
    *   "aggregation=count\nbudget=pure:1\nchange=AddOneRow\nconstraints=\ngroupby=5:title\nmechanism=default"
    * }}}
    */
  def countRequest(
      budgetText: String,
      protectedChange: ProtectedChange,
      constraints: Seq[Constraint],
      groupbyColumns: Seq[String],
      mechanism: CountMechanism
  ): String =
    Seq(
      "aggregation=count",
      s"budget=$budgetText",
      s"change=${change(protectedChange)}",
      s"constraints=${this.constraints(constraints)}",
      s"groupby=${columns(groupbyColumns)}",
      s"mechanism=${mechanism.name}"
    ).mkString("\n")

  /** The measures of a plan text, in release order.
    *
    * Example: `WireText.plan("measure=0:count;noise=laplace:10;budget=pure:2") ==
    * Seq(PlannedMeasure(0, "count", "laplace:10", "pure:2"))`
    */
  def plan(planText: String): Seq[PlannedMeasure] =
    planText.split('\n').toSeq.filter(_.nonEmpty).map { line =>
      val malformed = new AnalyticsInternalException(s"Native planMeasurement returned a malformed line: '$line'.")
      if (!line.startsWith(MeasurePrefix)) throw malformed
      val body = line.substring(MeasurePrefix.length)
      val noiseAt = body.lastIndexOf(NoiseKey)
      val budgetAt = body.lastIndexOf(BudgetKey)
      val indexEnd = body.indexOf(':')
      if (indexEnd <= 0 || noiseAt < indexEnd || budgetAt < noiseAt) throw malformed
      val measureIndex =
        try java.lang.Long.parseUnsignedLong(body.substring(0, indexEnd))
        catch { case _: NumberFormatException => throw malformed }
      PlannedMeasure(
        measureIndex,
        body.substring(indexEnd + 1, noiseAt),
        body.substring(noiseAt + NoiseKey.length, budgetAt),
        body.substring(budgetAt + BudgetKey.length)
      )
    }

  private val MeasurePrefix = "measure="
  private val NoiseKey = ";noise="
  private val BudgetKey = ";budget="
}

/** One released measure of a plan: its index (keys the noise stream), name, noise text and budget share.
  *
  * Example: `PlannedMeasure(0, "count", "laplace:10", "pure:2")`
  */
private[sparkdp] final case class PlannedMeasure(measureIndex: Long, name: String, noise: String, budget: String)
