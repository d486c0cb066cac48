package sparkdp.system

/** The one statistics helper of the noise-scale tests (Python twin: `tests/python/noise_statistics.py`).
  *
  * A test gets n independent noise draws from one evaluate (a keyset of n cells whose true answers are known,
  * noise = released − truth) and asks whether they come from the exact distribution the expected scale
  * implies: discrete Laplace (P(k) ∝ exp(−|k|/b)) or discrete Gaussian (P(k) ∝ exp(−k²/(2σ²))), the only two
  * noise families the samplers draw.
  *
  * **The test** ([[fit]]) is a Kolmogorov–Smirnov test of |noise| against the exact distribution of |X| (folded:
  * a wrong scale moves the whole folded CDF one way, so folding doubles the distance a wrong scale makes), and
  * a second KS test of the signed noise (which also sees a shifted or lopsided answer). Both use the
  * Dvoretzky–Kiefer–Wolfowitz inequality with Massart's constant, P(sup|F̂ₙ − F| > t) ≤ 2·exp(−2nt²), which
  * holds for every distribution, discrete ones included, and every n: no normal approximation. With the
  * threshold t = sqrt(ln(2/α)/(2n)) each statistic falsely fails with probability at most α = 1e-6.
  *
  * **Power, checked by every test** ([[Fit.powerIsDesigned]]): the folded CDFs of the hypothesis and of the same
  * family with scale ×1.5 and ÷1.5 differ somewhere by Δ (computed exactly, ≈ 0.14–0.26); by the same
  * inequality the draws of a wrong scale of factor 1.5 are rejected with probability > 0.999 once
  * Δ ≥ t + sqrt(ln(2/0.001)/(2n)). With n = 2000 that needs Δ ≥ 0.104.
  *
  * **Breaking on purpose**: the environment variable `SPARKDP_TEST_NOISE_SCALE_FACTOR` (default 1) multiplies
  * every hypothesis scale (b, or σ), e.g. `1.5` or `0.6667`; every noise test must then go red.
  *
  * [[moments]] and [[zScores]] are the z-scores of the sample mean and mean square (normal approximation,
  * |z| < 6) that the older per-family noise tests use.
  */
object NoiseStatistics {

  /** False-failure probability of each KS statistic. */
  val Alpha = 1e-6

  /** Probability above which a wrong scale of factor [[WrongScaleFactor]] must be rejected. */
  val RequiredPower = 0.999

  /** The wrong scale a test must be able to tell from the right one. */
  val WrongScaleFactor = 1.5

  /** Test-only knob to break every noise test at once: 1.0 unless `SPARKDP_TEST_NOISE_SCALE_FACTOR` is set. */
  val HypothesisScaleFactor: Double = sys.env.get("SPARKDP_TEST_NOISE_SCALE_FACTOR").map(_.toDouble).getOrElse(1.0)

  /** The exact distribution of one cell's noise. */
  sealed trait Hypothesis {

    /** The same family with its scale (b or σ) times `factor`. */
    def scaledBy(factor: Double): Hypothesis

    /** An unnormalised P(k). */
    def weight(k: Long): Double

    /** A bound beyond which the mass is below 1e-30. */
    def tail: Long

    def describe: String
  }

  /** P(k) ∝ exp(−|k|/scale): the discrete Laplace (two-sided geometric) of PureDP and ApproxDP. */
  final case class DiscreteLaplace(scale: Double) extends Hypothesis {
    require(scale > 0, s"scale ($scale) must be positive")
    def scaledBy(factor: Double): Hypothesis = DiscreteLaplace(scale * factor)
    def weight(k: Long): Double = math.exp(-math.abs(k.toDouble) / scale)
    def tail: Long = (70 * scale).toLong + 2
    def describe: String = f"discrete Laplace of scale $scale%.4g"
  }

  /** P(k) ∝ exp(−k²/(2σ²)): the discrete Gaussian of RhoZCDP. */
  final case class DiscreteGaussian(sigmaSquared: Double) extends Hypothesis {
    require(sigmaSquared > 0, s"sigmaSquared ($sigmaSquared) must be positive")
    def scaledBy(factor: Double): Hypothesis = DiscreteGaussian(sigmaSquared * factor * factor)
    def weight(k: Long): Double = math.exp(-k.toDouble * k / (2 * sigmaSquared))
    def tail: Long = (12 * math.sqrt(sigmaSquared)).toLong + 2
    def describe: String = f"discrete Gaussian of sigma^2 $sigmaSquared%.4g"
  }

  /** P(k) for k in −tail..tail, normalised. */
  def pmf(hypothesis: Hypothesis): Map[Long, Double] = {
    val support = -hypothesis.tail to hypothesis.tail
    val weights = support.map(k => k -> hypothesis.weight(k))
    val total = weights.map(_._2).sum
    weights.map { case (k, w) => k -> w / total }.toMap
  }

  /** P(|X| ≤ k) for k = 0..upTo. */
  private def foldedCdf(probabilities: Map[Long, Double], upTo: Long): IndexedSeq[Double] =
    (0L to upTo).map(k => probabilities.getOrElse(k, 0.0) + (if (k == 0) 0.0 else probabilities.getOrElse(-k, 0.0)))
      .scanLeft(0.0)(_ + _).tail

  /** P(X ≤ k) for k = −upTo..upTo. */
  private def signedCdf(probabilities: Map[Long, Double], upTo: Long): IndexedSeq[Double] =
    (-upTo to upTo).map(k => probabilities.getOrElse(k, 0.0)).scanLeft(0.0)(_ + _).tail

  /** The empirical CDF of `values` at each of `points` (sorted). */
  private def empiricalCdf(values: Seq[Long], points: Seq[Long]): IndexedSeq[Double] = {
    val sorted = values.sorted.toIndexedSeq
    var below = 0
    points.map { point =>
      while (below < sorted.length && sorted(below) <= point) below += 1
      below.toDouble / sorted.length
    }.toIndexedSeq
  }

  private def supDistance(a: Seq[Double], b: Seq[Double]): Double = a.zip(b).map { case (x, y) => math.abs(x - y) }.max

  /** sqrt(ln(2/p)/(2n)): the DKW–Massart deviation exceeded with probability at most p. */
  def dkwThreshold(n: Int, p: Double): Double = math.sqrt(math.log(2 / p) / (2.0 * n))

  /** One test's statistics; `hypothesis` already includes [[HypothesisScaleFactor]]. */
  final case class Fit(
      hypothesis: Hypothesis,
      n: Int,
      foldedD: Double,
      signedD: Double,
      threshold: Double,
      wrongScaleDistance: Double,
      distanceNeeded: Double,
      meanSquare: Double,
      expectedMeanSquare: Double
  ) {

    /** Both KS statistics within the α threshold. */
    def fits: Boolean = foldedD <= threshold && signedD <= threshold

    /** A wrong scale of factor 1.5 either way would be rejected with probability > [[RequiredPower]]. */
    def powerIsDesigned: Boolean = wrongScaleDistance >= distanceNeeded

    def summary: String =
      f"${hypothesis.describe} (hypothesis factor $HypothesisScaleFactor), n=$n: KS(|noise|)=$foldedD%.4f, " +
        f"KS(noise)=$signedD%.4f, threshold $threshold%.4f (alpha $Alpha); " +
        f"mean square $meanSquare%.3f vs $expectedMeanSquare%.3f; " +
        f"distance to scale x/÷ $WrongScaleFactor $wrongScaleDistance%.3f (needed $distanceNeeded%.3f)"
  }

  /** Tests `noise` (one draw per cell) against `expected` (times [[HypothesisScaleFactor]]). */
  def fit(noise: Seq[Long], expected: Hypothesis): Fit = {
    require(noise.nonEmpty, "no noise draws")
    val hypothesis = expected.scaledBy(HypothesisScaleFactor)
    val probabilities = pmf(hypothesis)
    val upTo = math.max(hypothesis.tail, noise.map(math.abs).max)
    val folded = foldedCdf(probabilities, upTo)
    val foldedD = supDistance(empiricalCdf(noise.map(math.abs), 0L to upTo), folded)
    val signedD = supDistance(empiricalCdf(noise, -upTo to upTo), signedCdf(probabilities, upTo))
    val wrongScaleDistance = Seq(WrongScaleFactor, 1 / WrongScaleFactor).map { factor =>
      val wrong = hypothesis.scaledBy(factor)
      val bound = math.max(upTo, wrong.tail)
      supDistance(foldedCdf(probabilities, bound), foldedCdf(pmf(wrong), bound))
    }.min
    val n = noise.length
    Fit(
      hypothesis,
      n,
      foldedD,
      signedD,
      dkwThreshold(n, Alpha),
      wrongScaleDistance,
      dkwThreshold(n, Alpha) + dkwThreshold(n, 1 - RequiredPower),
      noise.map(x => x.toDouble * x).sum / n,
      moments(hypothesis)._1
    )
  }

  /** (E[X²], E[X⁴]) of the hypothesis, summed exactly over its support. */
  def moments(hypothesis: Hypothesis): (Double, Double) = {
    val probabilities = pmf(hypothesis)
    (
      probabilities.map { case (k, p) => p * k * k }.sum,
      probabilities.map { case (k, p) => p * math.pow(k.toDouble, 4) }.sum
    )
  }

  /** z-scores of the sample mean and of the sample mean square of `samples` against `hypothesis`. */
  def zScores(samples: Seq[Long], hypothesis: Hypothesis): (Double, Double) = {
    val (second, fourth) = moments(hypothesis)
    val n = samples.length.toDouble
    val meanZ = (samples.map(_.toDouble).sum / n) / math.sqrt(second / n)
    val squareZ = (samples.map(x => x.toDouble * x).sum / n - second) / math.sqrt((fourth - second * second) / n)
    (meanZ, squareZ)
  }
}
