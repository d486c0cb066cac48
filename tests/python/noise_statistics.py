"""The one statistics helper of the noise-scale tests (Scala twin: NoiseStatistics.scala).

A test gets n independent noise draws from one evaluate (a keyset of n cells
whose true answers are known: noise = released - truth) and asks whether they
come from the exact distribution the expected scale implies: discrete Laplace
(P(k) ∝ exp(-|k|/b)) or discrete Gaussian (P(k) ∝ exp(-k^2/(2 sigma^2))), the
only two noise families the samplers draw.

The test (``fit``) is a Kolmogorov-Smirnov test of |noise| against the exact
distribution of |X| (a wrong scale moves the whole folded CDF one way), and a
second KS test of the signed noise (which also sees a shifted answer). Both use
the Dvoretzky-Kiefer-Wolfowitz inequality with Massart's constant,
P(sup|F_n - F| > t) <= 2 exp(-2 n t^2), valid for every distribution (discrete
ones included) and every n: no normal approximation. With the threshold
t = sqrt(ln(2/alpha)/(2n)) each statistic falsely fails with probability at
most ALPHA = 1e-6.

Power, checked by every test (``Fit.power_is_designed``): the folded CDFs of
the hypothesis and of the same family with scale x1.5 and /1.5 differ somewhere
by Delta (computed exactly, about 0.14-0.26); by the same inequality the draws
of a wrong scale of factor 1.5 are rejected with probability > 0.999 once
Delta >= t + sqrt(ln(2/0.001)/(2n)). With n = 2000 that needs Delta >= 0.104.

Breaking on purpose: the environment variable SPARKDP_TEST_NOISE_SCALE_FACTOR
(default 1) multiplies every hypothesis scale (b, or sigma), e.g. 1.5 or
0.6667; every noise test must then go red.

``moments`` and ``z_scores`` are the z-scores of the sample mean and mean
square (normal approximation, |z| < 6) that the older per-family noise tests
use.
"""
import math
import os
from collections import namedtuple

ALPHA = 1e-6
REQUIRED_POWER = 0.999
WRONG_SCALE_FACTOR = 1.5
HYPOTHESIS_SCALE_FACTOR = float(os.environ.get("SPARKDP_TEST_NOISE_SCALE_FACTOR", "1"))


class DiscreteLaplace(namedtuple("DiscreteLaplace", "scale")):
    """P(k) ∝ exp(-|k|/scale): the discrete Laplace of PureDP and ApproxDP."""

    def scaled_by(self, factor):
        return DiscreteLaplace(self.scale * factor)

    def weight(self, k):
        return math.exp(-abs(k) / self.scale)

    @property
    def tail(self):
        return int(70 * self.scale) + 2

    def describe(self):
        return "discrete Laplace of scale {:.4g}".format(self.scale)


class DiscreteGaussian(namedtuple("DiscreteGaussian", "sigma_squared")):
    """P(k) ∝ exp(-k^2/(2 sigma^2)): the discrete Gaussian of RhoZCDP."""

    def scaled_by(self, factor):
        return DiscreteGaussian(self.sigma_squared * factor * factor)

    def weight(self, k):
        return math.exp(-k * k / (2.0 * self.sigma_squared))

    @property
    def tail(self):
        return int(12 * math.sqrt(self.sigma_squared)) + 2

    def describe(self):
        return "discrete Gaussian of sigma^2 {:.4g}".format(self.sigma_squared)


def pmf(hypothesis):
    """{k: P(k)} for k in -tail..tail, normalised."""
    weights = {k: hypothesis.weight(k) for k in range(-hypothesis.tail, hypothesis.tail + 1)}
    total = math.fsum(weights.values())
    return {k: w / total for k, w in weights.items()}


def _cumulative(masses):
    total, out = 0.0, []
    for mass in masses:
        total += mass
        out.append(total)
    return out


def _folded_cdf(probabilities, up_to):
    """P(|X| <= k) for k = 0..up_to."""
    return _cumulative(
        probabilities.get(k, 0.0) + (probabilities.get(-k, 0.0) if k else 0.0) for k in range(up_to + 1))


def _signed_cdf(probabilities, up_to):
    """P(X <= k) for k = -up_to..up_to."""
    return _cumulative(probabilities.get(k, 0.0) for k in range(-up_to, up_to + 1))


def _empirical_cdf(values, points):
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return [x / len(values) for x in _cumulative(counts.get(point, 0) for point in points)]


def _sup_distance(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


def dkw_threshold(n, p):
    """sqrt(ln(2/p)/(2n)): the DKW-Massart deviation exceeded with probability at most p."""
    return math.sqrt(math.log(2 / p) / (2.0 * n))


class Fit(namedtuple("Fit", "hypothesis n folded_d signed_d threshold wrong_scale_distance "
                            "distance_needed mean_square expected_mean_square")):
    """One test's statistics; ``hypothesis`` already includes HYPOTHESIS_SCALE_FACTOR."""

    @property
    def fits(self):
        return self.folded_d <= self.threshold and self.signed_d <= self.threshold

    @property
    def power_is_designed(self):
        return self.wrong_scale_distance >= self.distance_needed

    def summary(self):
        return ("{} (hypothesis factor {}), n={}: KS(|noise|)={:.4f}, KS(noise)={:.4f}, threshold {:.4f} "
                "(alpha {}); mean square {:.3f} vs {:.3f}; distance to scale x/÷ {} {:.3f} (needed {:.3f})"
                ).format(self.hypothesis.describe(), HYPOTHESIS_SCALE_FACTOR, self.n, self.folded_d,
                         self.signed_d, self.threshold, ALPHA, self.mean_square, self.expected_mean_square,
                         WRONG_SCALE_FACTOR, self.wrong_scale_distance, self.distance_needed)


def fit(noise, expected):
    """Tests ``noise`` (one integer draw per cell) against ``expected`` (times HYPOTHESIS_SCALE_FACTOR)."""
    assert noise, "no noise draws"
    hypothesis = expected.scaled_by(HYPOTHESIS_SCALE_FACTOR)
    probabilities = pmf(hypothesis)
    up_to = max(hypothesis.tail, max(abs(k) for k in noise))
    folded_d = _sup_distance(_empirical_cdf([abs(k) for k in noise], range(up_to + 1)),
                             _folded_cdf(probabilities, up_to))
    signed_d = _sup_distance(_empirical_cdf(noise, range(-up_to, up_to + 1)),
                             _signed_cdf(probabilities, up_to))
    distances = []
    for factor in (WRONG_SCALE_FACTOR, 1 / WRONG_SCALE_FACTOR):
        wrong = hypothesis.scaled_by(factor)
        bound = max(up_to, wrong.tail)
        distances.append(_sup_distance(_folded_cdf(probabilities, bound), _folded_cdf(pmf(wrong), bound)))
    n = len(noise)
    return Fit(hypothesis, n, folded_d, signed_d, dkw_threshold(n, ALPHA), min(distances),
               dkw_threshold(n, ALPHA) + dkw_threshold(n, 1 - REQUIRED_POWER),
               math.fsum(k * k for k in noise) / n, moments(hypothesis)[0])


def assert_fits(noise, expected):
    """``fit`` with its two assertions (designed power, then the fit); prints and returns the Fit."""
    result = fit(noise, expected)
    print(result.summary())
    assert result.power_is_designed, result.summary()
    assert result.fits, result.summary()
    return result


def moments(hypothesis):
    """(E[X^2], E[X^4]) of the hypothesis, summed exactly over its support."""
    probabilities = pmf(hypothesis)
    return (math.fsum(p * k * k for k, p in probabilities.items()),
            math.fsum(p * k ** 4 for k, p in probabilities.items()))


def z_scores(samples, hypothesis):
    """z-scores of the sample mean and of the sample mean square of ``samples`` against ``hypothesis``."""
    second, fourth = moments(hypothesis)
    n = len(samples)
    mean_z = (math.fsum(samples) / n) / math.sqrt(second / n)
    square_z = (math.fsum(x * x for x in samples) / n - second) / math.sqrt((fourth - second ** 2) / n)
    return mean_z, square_z
