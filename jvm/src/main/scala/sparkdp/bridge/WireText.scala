package sparkdp.bridge

import java.nio.charset.StandardCharsets

import sparkdp.{AddMaxRows, AddMaxRowsInMaxGroups, AddOneRow, AddRowsWithID, AnalyticsInternalException, ApproxDPBudget, ClampBound, Constraint, CountMechanism, FloatBound, IntegerBound, MaxGroupsPerID, MaxRowsPerGroupPerID, MaxRowsPerID, PrivacyBudget, ProtectedChange, PureDPBudget, RhoZCDPBudget, TruncationStrategy}

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

  /** A flat map's text for `Native.flatMapChange` (Rust `privacy/stability/flat_map.rs`): `flat_map:<m|none>`,
    * `grouping_flat_map:<m|none>:<column>` (grouping column given) or, for `flat_map_by_id`, `flat_map_by_id`.
    *
    * Example: `WireText.flatMap(Some(3), Some("g")) == "grouping_flat_map:3:1:g"`
    */
  def flatMap(maxRows: Option[Int], groupingColumn: Option[String]): String = {
    val rows = maxRows.map(_.toString).getOrElse("none")
    groupingColumn match {
      case Some(grouping) => s"grouping_flat_map:$rows:${column(grouping)}"
      case None           => s"flat_map:$rows"
    }
  }

  /** The text of `flat_map_by_id` for `Native.flatMapChange`. */
  val FlatMapByID = "flat_map_by_id"

  /** Reads a protected change text that Rust returned; `AddRowsWithID` (whose text has no column) becomes
    * `idChange`, the input table's change.
    *
    * Example: `WireText.parseChange("AddMaxRows:3", AddOneRow()) == AddMaxRows(3)`
    */
  def parseChange(text: String, idChange: ProtectedChange): ProtectedChange = {
    def malformed = new AnalyticsInternalException(s"Native returned a malformed protected change: '$text'.")
    def int(digits: String): Int =
      try digits.toInt
      catch { case _: NumberFormatException => throw malformed }
    if (text == "AddOneRow") AddOneRow()
    else if (text == "AddRowsWithID") idChange match {
      case id: AddRowsWithID => id
      case _                 => throw malformed
    }
    else if (text == "AddMaxRows:0") AddMaxRows.noChange // a flat map with max_rows = 0
    else if (text.startsWith("AddMaxRows:")) AddMaxRows(int(text.stripPrefix("AddMaxRows:")))
    else if (text.startsWith("AddMaxRowsInMaxGroups:")) {
      text.stripPrefix("AddMaxRowsInMaxGroups:").split(":", 3) match {
        case Array(groups, rows, columnText) =>
          parseColumns(columnText, text) match {
            case Seq(grouping) => AddMaxRowsInMaxGroups(grouping, int(groups), int(rows))
            case _             => throw malformed
          }
        case _ => throw malformed
      }
    } else throw malformed
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

  /** Reads `Native.planPartition`'s answer (views and partition_and_create, COMPILER_INTERFACES §6.4): the
    * parent's charge, each child's budget, the child's protected change, which is the parent's own
    * (`partitionedChange`, whose ID column text Rust does not see), `AddOneRow` or `AddMaxRows:<k>`, the
    * child's ID distance (text, passed on as it is) and, for an ID table, the `MaxGroupsPerID` bound to
    * enforce before splitting.
    *
    * Example: `WireText.partitionPlan("charge=pure:1\nchild_budget=pure:1\nchild_change=AddMaxRows:6\nchild_id_distance=1", change)`
    */
  def partitionPlan(planText: String, partitionedChange: ProtectedChange): PartitionPlanText = {
    val values = planText.split('\n').toSeq.map { line =>
      val equals = line.indexOf('=')
      if (equals < 0) throw new AnalyticsInternalException(s"Malformed partition plan line '$line' in: $planText")
      line.substring(0, equals) -> line.substring(equals + 1)
    }.toMap
    def value(key: String): String =
      values.getOrElse(key, throw new AnalyticsInternalException(s"Partition plan lacks '$key=': $planText"))
    val childChangeText = value("child_change")
    val childChange =
      if (childChangeText == change(partitionedChange)) partitionedChange
      else if (childChangeText == "AddOneRow") AddOneRow()
      else if (childChangeText.startsWith("AddMaxRows:")) {
        val maxRows = BigInt(childChangeText.stripPrefix("AddMaxRows:"))
        if (maxRows > Int.MaxValue) {
          throw new IllegalArgumentException(
            s"The partitions of this table would protect AddMaxRows($maxRows), more rows than AddMaxRows can hold " +
              s"(at most ${Int.MaxValue}); partition a table with a smaller max_groups or max_rows_per_group."
          )
        }
        AddMaxRows(maxRows.toInt)
      } else throw new AnalyticsInternalException(s"Partition plan has an unexpected child change: $planText")
    val maxGroupsPerID = values.get("max_groups_per_id").map { text =>
      val max = BigInt(text)
      // Rust's bound comes from a MaxGroupsPerID the user gave (an Int); anything else is a bug.
      if (max < 1 || max > Int.MaxValue) throw new AnalyticsInternalException(s"Partition plan has a bad max_groups_per_id: $planText")
      max.toInt
    }
    PartitionPlanText(value("charge"), value("child_budget"), childChange, value("child_id_distance"), maxGroupsPerID)
  }

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
      mechanism: CountMechanism,
      idDistance: String
  ): String =
    (Seq(
      "aggregation=count",
      s"budget=$budgetText",
      s"change=${change(protectedChange)}",
      s"constraints=${this.constraints(constraints)}",
      s"groupby=${columns(groupbyColumns)}",
      s"mechanism=${mechanism.name}"
    ) ++ idDistanceLine(idDistance)).mkString("\n")

  /** The optional `id_distance=` line of a request (§6.4): none for distance 1, so plain requests keep their text. */
  private def idDistanceLine(idDistance: String): Seq[String] =
    if (idDistance == "1") Seq.empty else Seq(s"id_distance=$idDistance")

  /** The request of `Native.planMeasurement` for an aggregation other than count (COMPILER_INTERFACES §5.2):
    * only the keys the aggregation takes.
    *
    * Example:
    * {{{
    * WireText.measurementRequest(MeasurementRequest("sum", "pure:1", AddOneRow(), Seq.empty, Seq.empty,
    *   Some("default"), Some(MeasureColumnText("pages", isInteger = true, IntegerBound(0), IntegerBound(9))), None)) ==
    *   "aggregation=sum\nbudget=pure:1\nchange=AddOneRow\nconstraints=\ngroupby=\nmechanism=default\n" +
    *   "column=5:pages\ncolumn_type=int\nlow=0\nhigh=9"
    * }}}
    */
  def measurementRequest(request: MeasurementRequest): String = {
    val common = Seq(
      s"aggregation=${request.aggregation}",
      s"budget=${request.budgetText}",
      s"change=${change(request.protectedChange)}",
      s"constraints=${constraints(request.constraints)}",
      s"groupby=${columns(request.groupbyColumns)}"
    )
    val mechanism = request.mechanism.map(name => s"mechanism=$name").toSeq
    val measure = request.measure.toSeq.flatMap { measure =>
      Seq(
        s"column=${column(measure.name)}",
        s"column_type=${if (measure.isInteger) "int" else "float"}",
        s"low=${bound(measure.low, measure.isInteger)}",
        s"high=${bound(measure.high, measure.isInteger)}"
      )
    }
    val quantile = request.quantile.map(q => s"quantile=${java.lang.Double.toString(q)}").toSeq
    // get_bounds: the column and its type, no bounds (§5.5).
    val boundsColumn = request.boundsColumn.toSeq.flatMap { case (name, isInteger) =>
      Seq(s"column=${column(name)}", s"column_type=${if (isInteger) "int" else "float"}")
    }
    (common ++ mechanism ++ measure ++ quantile ++ boundsColumn ++ idDistanceLine(request.idDistance)).mkString("\n")
  }

  /** A bound's text: an integer as the user gave it for an integer column; otherwise the double's Java repr
    * ("1.5", "1.0E10", "NaN", "Infinity"), which Rust parses exactly.
    */
  private def bound(value: ClampBound, isIntegerColumn: Boolean): String = value match {
    case IntegerBound(integer) if isIntegerColumn => integer.toString
    case IntegerBound(integer)                    => java.lang.Double.toString(integer.toDouble)
    case FloatBound(float)                        => java.lang.Double.toString(float)
  }

  /** An aggregation plan (COMPILER_INTERFACES §5.3): its measures, the partial's text and columns, the output
    * types; the whole text is kept to pass to `releaseOpen`.
    *
    * Example:
    * {{{
    * WireText.measurementPlan("measure=0:sum;noise=laplace:9;budget=pure:1\npartial=...\n" +
    *   "partial_columns=5:count;6:sum_hi;6:sum_lo\noutputs=bigint\nrelease=sum").partialColumns ==
    *   Seq("count", "sum_hi", "sum_lo")
    * }}}
    */
  def measurementPlan(planText: String): MeasurementPlanText = {
    val lines = planText.split('\n').toSeq.filter(_.nonEmpty)
    def single(key: String): String = lines.filter(_.startsWith(s"$key=")) match {
      case Seq(line) => line.substring(key.length + 1)
      case found =>
        throw new AnalyticsInternalException(
          s"Native planMeasurement returned ${found.length} '$key=' lines (expected one): $planText"
        )
    }
    val measures = plan(lines.filter(_.startsWith(MeasurePrefix)).mkString("\n"))
    val outputs = single("outputs").split(',').toSeq.map {
      case "bigint" => PlannedOutput.Int64
      case "double" => PlannedOutput.Float64
      case other    => throw new AnalyticsInternalException(s"Native planMeasurement returned output type '$other': $planText")
    }
    MeasurementPlanText(planText, measures, single("partial"), parseColumns(single("partial_columns"), planText), outputs)
  }

  /** Reads a columns text (`5:title;4:isbn`): each name is length-prefixed by its UTF-8 byte count. */
  private def parseColumns(text: String, context: String): Seq[String] = {
    val bytes = text.getBytes(StandardCharsets.UTF_8)
    val names = Seq.newBuilder[String]
    var at = 0
    def malformed = new AnalyticsInternalException(s"Malformed columns text '$text' in: $context")
    while (at < bytes.length) {
      val colon = bytes.indexOf(':'.toByte, at)
      if (colon <= at) throw malformed
      val length =
        try new String(bytes, at, colon - at, StandardCharsets.UTF_8).toInt
        catch { case _: NumberFormatException => throw malformed }
      val end = colon + 1 + length
      if (length < 0 || end > bytes.length || (end < bytes.length && bytes(end) != ';'.toByte)) throw malformed
      names += new String(bytes, colon + 1, length, StandardCharsets.UTF_8)
      at = if (end < bytes.length) end + 1 else end
    }
    names.result()
  }

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

  // ---- Joins (issue 10): the request and result of Native.joinStability.

  /** The `joinStability` request of a public join: the input's change and the public table's largest join-key
    * multiplicity (public data, counted by Scala; Rust turns it into a stability).
    *
    * Example: `WireText.publicJoinRequest(AddMaxRows(2), 3) == "public\nAddMaxRows:2\n3"`
    */
  def publicJoinRequest(input: ProtectedChange, maxJoinKeyMultiplicity: Long): String =
    s"public\n${change(input)}\n$maxJoinKeyMultiplicity"

  /** The `joinStability` request of a private join: each side's change and truncation strategy.
    *
    * Example: `WireText.privateJoinRequest(AddOneRow(), Some(DropExcess(2)), AddOneRow(), None) ==
    * "private\nAddOneRow\nDropExcess:2\nAddOneRow\nnone"`
    */
  def privateJoinRequest(
      left: ProtectedChange,
      leftStrategy: Option[TruncationStrategy],
      right: ProtectedChange,
      rightStrategy: Option[TruncationStrategy]
  ): String =
    s"private\n${change(left)}\n${truncationStrategy(leftStrategy)}\n${change(right)}\n${truncationStrategy(rightStrategy)}"

  private def truncationStrategy(strategy: Option[TruncationStrategy]): String = strategy match {
    case None                                      => "none"
    case Some(TruncationStrategy.DropExcess(rows)) => s"DropExcess:$rows"
    case Some(TruncationStrategy.DropNonUnique())  => "DropNonUnique"
  }

  // ---- Constraint placement (issue 10): the requests and result of Native.propagateConstraints.

  /** The `propagateConstraints` request of `enforce(enforced)` on a table with constraints `inForce`.
    *
    * Example: `WireText.enforceRequest(Seq(MaxRowsPerID(4)), MaxRowsPerID(2)) == "enforce\nMaxRowsPerID:4\nMaxRowsPerID:2"`
    */
  def enforceRequest(inForce: Seq[Constraint], enforced: Constraint): String =
    s"enforce\n${constraints(inForce)}\n${constraint(enforced)}"

  /** The `propagateConstraints` request of an (augmenting) flat map, or of flat_map_by_id when `byId`.
    *
    * Example: `WireText.flatMapConstraintsRequest(Seq(MaxRowsPerID(2)), byId = false) == "flat_map\nMaxRowsPerID:2"`
    */
  def flatMapConstraintsRequest(inForce: Seq[Constraint], byId: Boolean): String =
    s"${if (byId) "flat_map_by_id" else "flat_map"}\n${constraints(inForce)}"

  /** The `propagateConstraints` request of a public join (constraints already named as in the joined table).
    *
    * Example: `WireText.publicJoinConstraintsRequest(3, Seq(MaxRowsPerID(2))) == "join_public\n3\nMaxRowsPerID:2"`
    */
  def publicJoinConstraintsRequest(maxJoinKeyMultiplicity: Long, inForce: Seq[Constraint]): String =
    s"join_public\n$maxJoinKeyMultiplicity\n${constraints(inForce)}"

  /** The `propagateConstraints` request of a private join of two ID tables (both sides' constraints already
    * named as in the joined table).
    *
    * Example: `WireText.privateJoinConstraintsRequest(Seq("id"), Seq(MaxRowsPerID(2)), Nil) == "join_private\n2:id\nMaxRowsPerID:2\n"`
    */
  def privateJoinConstraintsRequest(joinColumns: Seq[String], left: Seq[Constraint], right: Seq[Constraint]): String =
    s"join_private\n${columns(joinColumns)}\n${constraints(left)}\n${constraints(right)}"

  /** Reads a constraints text (`propagateConstraints`' result): the inverse of [[constraints]]. Column names
    * are read by their UTF-8 byte length, so they may hold `:`, `;` or newlines.
    *
    * Example: `WireText.parseConstraints("MaxRowsPerID:2;MaxGroupsPerID:5:4:isbn") == Seq(MaxRowsPerID(2), MaxGroupsPerID("isbn", 5))`
    */
  def parseConstraints(text: String): Seq[Constraint] = {
    def malformed = new AnalyticsInternalException(s"Native returned a malformed constraints text: '$text'.")
    val bytes = text.getBytes(StandardCharsets.UTF_8)
    var at = 0
    def until(stops: Set[Char]): String = {
      val start = at
      while (at < bytes.length && !stops.contains(bytes(at).toChar)) at += 1
      new String(bytes, start, at - start, StandardCharsets.UTF_8)
    }
    def expect(char: Char): Unit = {
      if (at >= bytes.length || bytes(at).toChar != char) throw malformed
      at += 1
    }
    def int(digits: String): Int =
      if (digits.nonEmpty && digits.forall(_.isDigit)) {
        try digits.toInt
        catch { case _: NumberFormatException => throw malformed }
      } else throw malformed
    def groupingColumn(): String = {
      expect(':')
      val length = int(until(Set(':')))
      expect(':')
      if (at + length > bytes.length) throw malformed
      val name = new String(bytes, at, length, StandardCharsets.UTF_8)
      at += length
      name
    }
    val parsed = Seq.newBuilder[Constraint]
    while (at < bytes.length) {
      if (at > 0) expect(';')
      val kind = until(Set(':'))
      expect(':')
      val max = int(until(Set(':', ';')))
      parsed += (kind match {
        case "MaxRowsPerID"         => MaxRowsPerID(max)
        case "MaxGroupsPerID"       => MaxGroupsPerID(groupingColumn(), max)
        case "MaxRowsPerGroupPerID" => MaxRowsPerGroupPerID(groupingColumn(), max)
        case _                      => throw malformed
      })
    }
    parsed.result()
  }

  /** Reads `joinStability`'s result. Its `AddRowsWithID` carries no column: the caller's `idChange` is returned;
    * an `AddMaxRowsInMaxGroups`' grouping column is `groupingColumn` (the caller knows its name after the join).
    *
    * Example: `WireText.joinedChange("AddMaxRows:6", AddOneRow(), None) == AddMaxRows(6)`
    */
  def joinedChange(text: String, input: ProtectedChange, groupingColumn: Option[String]): ProtectedChange = {
    def malformed = new AnalyticsInternalException(s"Native joinStability returned a malformed change: '$text'.")
    def int(digits: String) =
      try digits.toInt
      catch { case _: NumberFormatException => throw malformed }
    text.split(":", 4).toSeq match {
      case Seq("AddOneRow")                => AddOneRow()
      case Seq("AddMaxRows", rows)         => AddMaxRows(int(rows))
      case Seq("AddMaxRowsInMaxGroups", groups, rows, _) =>
        AddMaxRowsInMaxGroups(groupingColumn.getOrElse(throw malformed), int(groups), int(rows))
      case Seq("AddRowsWithID") =>
        input match {
          case idChange: AddRowsWithID => idChange
          case _                       => throw malformed
        }
      case _ => throw malformed
    }
  }
}

/** One released measure of a plan: its index (keys the noise stream), name, noise text and budget share.
  *
  * Example: `PlannedMeasure(0, "count", "laplace:10", "pure:2")`
  */
private[sparkdp] final case class PlannedMeasure(measureIndex: Long, name: String, noise: String, budget: String)

/** What an aggregation's request says about its measure column (COMPILER_INTERFACES §5.2).
  *
  * Example: `MeasureColumnText("pages", isInteger = true, IntegerBound(0), IntegerBound(900))`
  */
private[sparkdp] final case class MeasureColumnText(name: String, isInteger: Boolean, low: ClampBound, high: ClampBound)

/** A `planMeasurement` request for an aggregation other than count (`boundsColumn`: get_bounds's column and whether
  * it is an integer column).
  *
  * Example: `MeasurementRequest("count_distinct", "pure:1", AddOneRow(), Seq.empty, Seq("isbn"), Some("default"), None, None)`
  */
private[sparkdp] final case class MeasurementRequest(
    aggregation: String,
    budgetText: String,
    protectedChange: ProtectedChange,
    constraints: Seq[Constraint],
    groupbyColumns: Seq[String],
    mechanism: Option[String],
    measure: Option[MeasureColumnText],
    quantile: Option[Double],
    idDistance: String,
    boundsColumn: Option[(String, Boolean)] = None
)

/** The type of one released column `out_<i>`.
  *
  * Example: `PlannedOutput.Float64`
  */
private[sparkdp] sealed trait PlannedOutput

private[sparkdp] object PlannedOutput {
  case object Int64 extends PlannedOutput
  case object Float64 extends PlannedOutput
}

/** A parsed aggregation plan: the whole text (for `releaseOpen`), its measures, the partial text (for
  * `truncationOpenPartial`), the partial batch's columns after `fp`, and the output types.
  *
  * Example: `WireText.measurementPlan(Native.get.planMeasurement(request)).outputs == Seq(PlannedOutput.Float64)`
  */
private[sparkdp] final case class MeasurementPlanText(
    text: String,
    measures: Seq[PlannedMeasure],
    partial: String,
    partialColumns: Seq[String],
    outputs: Seq[PlannedOutput]
)

/** `Native.planPartition`'s answer, read (see `WireText.partitionPlan`).
  *
  * Example: `PartitionPlanText("pure:3/4", "pure:3/4", AddOneRow())`
  */
private[sparkdp] final case class PartitionPlanText(
    parentChargeText: String,
    childBudgetText: String,
    childChange: ProtectedChange,
    childIdDistance: String,
    maxGroupsPerID: Option[Int]
)
