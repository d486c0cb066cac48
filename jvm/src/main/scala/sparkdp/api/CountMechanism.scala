package sparkdp

import java.util.Locale

import sparkdp.ArgumentChecks.requireArgument

/** The noise mechanism of a count (Tumult's `CountMechanism`): `Default` lets sparkdp choose (discrete Laplace
  * under a pure DP budget), `Laplace` asks for discrete Laplace, `Gaussian` for discrete Gaussian, which needs
  * a zCDP budget.
  *
  * Example:
  * {{{
  * QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count("count", CountMechanism.Laplace)
  * }}}
  */
sealed trait CountMechanism {

  /** Tumult's lower-case name of the mechanism.
    *
    * Example: `CountMechanism.Laplace.name == "laplace"`
    */
  def name: String
}

/** The count mechanisms, and parsing of their names.
  *
  * Example: `CountMechanism.fromName("LAPLACE") == CountMechanism.Laplace`
  */
object CountMechanism {

  /** sparkdp chooses: discrete Laplace under a pure DP budget.
    *
    * Example: `groupBy(keyset).count("count", CountMechanism.Default)`
    */
  case object Default extends CountMechanism { override val name = "default" }

  /** Discrete Laplace (double-sided geometric) noise.
    *
    * Example: `groupBy(keyset).count("count", CountMechanism.Laplace)`
    */
  case object Laplace extends CountMechanism { override val name = "laplace" }

  /** Discrete Gaussian noise; needs a zCDP budget, so a pure DP evaluation rejects it.
    *
    * Example: `groupBy(keyset).count("count", CountMechanism.Gaussian)`
    */
  case object Gaussian extends CountMechanism { override val name = "gaussian" }

  private val all = Seq(Default, Laplace, Gaussian)

  /** The mechanism named `name`, case-insensitively (Tumult accepts the same strings). Throws
    * `IllegalArgumentException` with Tumult's message naming an unknown name.
    *
    * Example: `CountMechanism.fromName("gaussian") == CountMechanism.Gaussian`
    */
  def fromName(name: String): CountMechanism = {
    val found = Option(name).flatMap(given => all.find(_.name == given.toLowerCase(Locale.ROOT)))
    requireArgument(
      found.isDefined,
      s"""Unknown mechanism "$name". Available options are "laplace", "gaussian", or "default"."""
    )
    found.get
  }
}
