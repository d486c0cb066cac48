package sparkdp

import java.util.Locale

import sparkdp.ArgumentChecks.requireArgument

/** The noise mechanisms of the aggregations other than count (Tumult's `CountDistinctMechanism`,
  * `SumMechanism`, `AverageMechanism`, `VarianceMechanism`, `StdevMechanism`). Each has the same three values as
  * [[CountMechanism]]: `Default` lets Rust choose per budget type and column type (Tumult's rules), `Laplace`
  * asks for Laplace-family noise, `Gaussian` for Gaussian noise (refused under a pure DP budget, by Rust).
  *
  * Example: `QueryBuilder("checkouts").sum("pages", 0L, 1000L, "pages_sum", SumMechanism.Laplace)`
  */
sealed trait AggregationMechanism {

  /** Tumult's lower-case name of the mechanism; the `mechanism=` value of the plan request.
    *
    * Example: `SumMechanism.Gaussian.name == "gaussian"`
    */
  def name: String
}

/** Parses mechanism names for the mechanism enums, with Tumult's message for an unknown one. */
private[sparkdp] object MechanismNames {

  /** The element of `all` named `name` (case-insensitive), or an IAE with Tumult's text.
    *
    * Example: `MechanismNames.find(SumMechanism.values, "LAPLACE") == SumMechanism.Laplace`
    */
  def find[M <: AggregationMechanism](all: Seq[M], name: String): M = {
    val found = Option(name).flatMap(given => all.find(_.name == given.toLowerCase(Locale.ROOT)))
    requireArgument(
      found.isDefined,
      s"""Unknown mechanism "$name". Available options are "laplace", "gaussian", or "default"."""
    )
    found.get
  }
}

/** count_distinct's mechanism (Tumult's `CountDistinctMechanism`).
  *
  * Example: `CountDistinctMechanism.fromName("gaussian") == CountDistinctMechanism.Gaussian`
  */
sealed trait CountDistinctMechanism extends AggregationMechanism

/** The values of [[CountDistinctMechanism]] and parsing of their names. */
object CountDistinctMechanism {
  case object Default extends CountDistinctMechanism { override val name = "default" }
  case object Laplace extends CountDistinctMechanism { override val name = "laplace" }
  case object Gaussian extends CountDistinctMechanism { override val name = "gaussian" }

  /** Example: `CountDistinctMechanism.values.map(_.name) == Seq("default", "laplace", "gaussian")` */
  val values: Seq[CountDistinctMechanism] = Seq(Default, Laplace, Gaussian)

  /** The mechanism named `name`, case-insensitively; IAE with Tumult's message otherwise.
    *
    * Example: `CountDistinctMechanism.fromName("Laplace") == CountDistinctMechanism.Laplace`
    */
  def fromName(name: String): CountDistinctMechanism = MechanismNames.find(values, name)
}

/** sum's mechanism (Tumult's `SumMechanism`).
  *
  * Example: `SumMechanism.fromName("laplace") == SumMechanism.Laplace`
  */
sealed trait SumMechanism extends AggregationMechanism

/** The values of [[SumMechanism]] and parsing of their names. */
object SumMechanism {
  case object Default extends SumMechanism { override val name = "default" }
  case object Laplace extends SumMechanism { override val name = "laplace" }
  case object Gaussian extends SumMechanism { override val name = "gaussian" }

  /** Example: `SumMechanism.values.head == SumMechanism.Default` */
  val values: Seq[SumMechanism] = Seq(Default, Laplace, Gaussian)

  /** Example: `SumMechanism.fromName("GAUSSIAN") == SumMechanism.Gaussian` */
  def fromName(name: String): SumMechanism = MechanismNames.find(values, name)
}

/** average's mechanism (Tumult's `AverageMechanism`).
  *
  * Example: `AverageMechanism.fromName("default") == AverageMechanism.Default`
  */
sealed trait AverageMechanism extends AggregationMechanism

/** The values of [[AverageMechanism]] and parsing of their names. */
object AverageMechanism {
  case object Default extends AverageMechanism { override val name = "default" }
  case object Laplace extends AverageMechanism { override val name = "laplace" }
  case object Gaussian extends AverageMechanism { override val name = "gaussian" }

  /** Example: `AverageMechanism.values.size == 3` */
  val values: Seq[AverageMechanism] = Seq(Default, Laplace, Gaussian)

  /** Example: `AverageMechanism.fromName("laplace") == AverageMechanism.Laplace` */
  def fromName(name: String): AverageMechanism = MechanismNames.find(values, name)
}

/** variance's mechanism (Tumult's `VarianceMechanism`).
  *
  * Example: `VarianceMechanism.fromName("default") == VarianceMechanism.Default`
  */
sealed trait VarianceMechanism extends AggregationMechanism

/** The values of [[VarianceMechanism]] and parsing of their names. */
object VarianceMechanism {
  case object Default extends VarianceMechanism { override val name = "default" }
  case object Laplace extends VarianceMechanism { override val name = "laplace" }
  case object Gaussian extends VarianceMechanism { override val name = "gaussian" }

  /** Example: `VarianceMechanism.values.size == 3` */
  val values: Seq[VarianceMechanism] = Seq(Default, Laplace, Gaussian)

  /** Example: `VarianceMechanism.fromName("laplace") == VarianceMechanism.Laplace` */
  def fromName(name: String): VarianceMechanism = MechanismNames.find(values, name)
}

/** stdev's mechanism (Tumult's `StdevMechanism`).
  *
  * Example: `StdevMechanism.fromName("default") == StdevMechanism.Default`
  */
sealed trait StdevMechanism extends AggregationMechanism

/** The values of [[StdevMechanism]] and parsing of their names. */
object StdevMechanism {
  case object Default extends StdevMechanism { override val name = "default" }
  case object Laplace extends StdevMechanism { override val name = "laplace" }
  case object Gaussian extends StdevMechanism { override val name = "gaussian" }

  /** Example: `StdevMechanism.values.size == 3` */
  val values: Seq[StdevMechanism] = Seq(Default, Laplace, Gaussian)

  /** Example: `StdevMechanism.fromName("laplace") == StdevMechanism.Laplace` */
  def fromName(name: String): StdevMechanism = MechanismNames.find(values, name)
}
