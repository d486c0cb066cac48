//! Shared machinery of the statistical tests: replayable seeds, the suite's significance level, and the
//! f64 reference distributions and tail probabilities (floats are fine here: they only judge samples).
#![allow(dead_code)] // each test file uses a subset
use rand_chacha::ChaCha20Rng;
use rand_core::{OsRng, RngCore, SeedableRng};

/// Family-wise false-failure rate of the whole statistical suite (all files in `native/tests/`):
/// with every sampler correct, some check fails with probability at most this (Bonferroni).
pub const FAMILY_FALSE_FAILURE_RATE: f64 = 1e-5;
/// Number of checks in the suite; each check uses α = FAMILY_FALSE_FAILURE_RATE / SUITE_CHECKS.
/// Keep it an upper bound on the checks the files below make (update it when adding one):
/// discrete_laplace_distribution.rs 19, discrete_gaussian_distribution.rs 19, bernoulli_and_uniform.rs 20,
/// float_lattice_noise_distribution.rs 6, bounds_release_distribution.rs 2 (66 in all).
pub const SUITE_CHECKS: u32 = 66;
/// Significance level of one check.
pub const ALPHA_PER_CHECK: f64 = FAMILY_FALSE_FAILURE_RATE / SUITE_CHECKS as f64;
/// Draws per goodness-of-fit / moment test.
pub const DRAWS: usize = 1_000_000;

/// The seed of a run: `SPARKDP_TEST_SEED=<u64>` replays a failure, `SPARKDP_TEST_SEED=random` draws one
/// from the OS (nightly, unseeded runs); otherwise the fixed `default_seed` (CI is reproducible).
pub fn run_seed(default_seed: u64) -> u64 {
    match std::env::var("SPARKDP_TEST_SEED") {
        Ok(text) if text == "random" => OsRng.next_u64(),
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("SPARKDP_TEST_SEED ({text}) must be a u64 or 'random'")),
        Err(_) => default_seed,
    }
}

/// The test-only seeded generator: ChaCha20 seeded from a u64, the same construction as the library's
/// `sample::rng::insecure_seeded_rng_for_tests` (which integration tests cannot see without the
/// `insecure-test-seed` feature).
pub fn seeded_rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// ln Γ(a) for a > 0: Stirling's series after shifting the argument above 10 with Γ(a+1) = aΓ(a)
/// (absolute error below 1e-13 in the range the tests use).
pub fn ln_gamma(a: f64) -> f64 {
    let mut shift = 0.0;
    let mut x = a;
    while x < 10.0 {
        shift += x.ln();
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let series = inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)));
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series - shift
}

/// Upper regularized incomplete gamma Q(a, x) = Γ(a, x)/Γ(a): power series of P below a + 1, Legendre's
/// continued fraction (modified Lentz evaluation) above.
pub fn upper_incomplete_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let log_prefactor = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut n = 1.0;
        while term > sum * 1e-17 {
            term *= x / (a + n);
            sum += term;
            n += 1.0;
        }
        return 1.0 - sum * log_prefactor.exp();
    }
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let i = i as f64;
        let an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    log_prefactor.exp() * h
}

/// P(χ²_df ≥ statistic).
pub fn chi_square_p_value(statistic: f64, degrees_of_freedom: usize) -> f64 {
    upper_incomplete_gamma(degrees_of_freedom as f64 / 2.0, statistic / 2.0)
}

/// P(|N(0,1)| ≥ |z|) = Q(1/2, z²/2).
pub fn two_sided_normal_p_value(z: f64) -> f64 {
    upper_incomplete_gamma(0.5, z * z / 2.0)
}

/// A probability mass function on the integers, tabulated on [low, high] (the mass outside is in the
/// two tail fields), with the bins a chi-square test uses.
pub struct ReferencePmf {
    pub low: i64,
    pub masses: Vec<f64>,
    pub mass_below: f64,
    pub mass_above: f64,
}

impl ReferencePmf {
    /// Discrete Laplace with the given scale: P(x) = (1−q)/(1+q)·q^|x|, q = e^{−1/scale};
    /// P(X > m) = q^(m+1)/(1+q) for m ≥ 0.
    pub fn discrete_laplace(scale: f64) -> Self {
        let q = (-1.0 / scale).exp();
        let half_width = (40.0 * scale).ceil().max(40.0) as i64;
        let masses = (-half_width..=half_width)
            .map(|x| (1.0 - q) / (1.0 + q) * q.powi(x.unsigned_abs() as i32))
            .collect();
        let tail = q.powi(half_width as i32 + 1) / (1.0 + q);
        ReferencePmf {
            low: -half_width,
            masses,
            mass_below: tail,
            mass_above: tail,
        }
    }

    /// Discrete Gaussian with variance parameter σ²: P(x) ∝ e^{−x²/(2σ²)}, normalised over |x| ≤ 40σ
    /// (the mass outside is below e^{−800}).
    pub fn discrete_gaussian(sigma: f64) -> Self {
        let half_width = (40.0 * sigma).ceil().max(40.0) as i64;
        let weights: Vec<f64> = (-half_width..=half_width)
            .map(|x| (-(x as f64).powi(2) / (2.0 * sigma * sigma)).exp())
            .collect();
        let total: f64 = weights.iter().sum();
        let masses = weights.iter().map(|w| w / total).collect();
        ReferencePmf {
            low: -half_width,
            masses,
            mass_below: 0.0,
            mass_above: 0.0,
        }
    }

    pub fn mean(&self) -> f64 {
        self.moment_about(0.0, 1)
    }

    pub fn moment_about(&self, center: f64, power: i32) -> f64 {
        self.masses
            .iter()
            .enumerate()
            .map(|(i, p)| p * ((self.low + i as i64) as f64 - center).powi(power))
            .sum()
    }

    /// Bins of consecutive integers, each with expected count at least `min_expected` (greedy from the left;
    /// the first bin also takes everything below, the last everything above). Returns (upper bounds
    /// inclusive, expected probability) per bin.
    pub fn bins(&self, draws: usize, min_expected: f64) -> Vec<(i64, f64)> {
        let mut bins: Vec<(i64, f64)> = Vec::new();
        let mut accumulated = self.mass_below;
        for (i, p) in self.masses.iter().enumerate() {
            accumulated += p;
            if accumulated * draws as f64 >= min_expected {
                bins.push((self.low + i as i64, accumulated));
                accumulated = 0.0;
            }
        }
        accumulated += self.mass_above;
        match bins.last_mut() {
            Some(last) => {
                last.0 = i64::MAX;
                last.1 += accumulated;
            }
            None => bins.push((i64::MAX, accumulated)),
        }
        bins
    }
}

/// Summary statistics of integer samples (f64 accumulation is ample for 10^6 draws of these sizes).
pub struct Moments {
    pub count: usize,
    pub mean: f64,
    pub variance: f64,
}

pub fn moments(samples: &[i64]) -> Moments {
    let count = samples.len();
    let mean = samples.iter().map(|&x| x as f64).sum::<f64>() / count as f64;
    let variance = samples
        .iter()
        .map(|&x| (x as f64 - mean).powi(2))
        .sum::<f64>()
        / (count as f64 - 1.0);
    Moments {
        count,
        mean,
        variance,
    }
}

/// Chi-square goodness of fit of `samples` against `reference`, at α = ALPHA_PER_CHECK. Panics with a
/// replayable message (seed, n, statistic, worst bin's observed and expected counts) on failure.
pub fn assert_fits(label: &str, seed: u64, samples: &[i64], reference: &ReferencePmf) {
    let bins = reference.bins(samples.len(), 50.0_f64.max(samples.len() as f64 / 400.0));
    assert_chi_square(label, "chi-square goodness of fit", seed, samples, &bins);
}

/// Chi-square test of `samples` against `bins` (upper edge inclusive, expected probability; the last
/// edge is i64::MAX) at α = ALPHA_PER_CHECK. Panics with a replayable message (seed, n, statistic, worst
/// bin's observed and expected counts) naming `test_name` on failure.
fn assert_chi_square(
    label: &str,
    test_name: &str,
    seed: u64,
    samples: &[i64],
    bins: &[(i64, f64)],
) {
    let n = samples.len();
    let mut observed = vec![0u64; bins.len()];
    let uppers: Vec<i64> = bins.iter().map(|b| b.0).collect();
    for &x in samples {
        observed[uppers.partition_point(|&upper| upper < x)] += 1;
    }
    let mut statistic = 0.0;
    let mut worst = (0usize, 0.0f64);
    for (i, (&(_, p), &o)) in bins.iter().zip(&observed).enumerate() {
        let expected = p * n as f64;
        let contribution = (o as f64 - expected).powi(2) / expected;
        if contribution > worst.1 {
            worst = (i, contribution);
        }
        statistic += contribution;
    }
    let degrees_of_freedom = bins.len() - 1;
    let p_value = chi_square_p_value(statistic, degrees_of_freedom);
    let (worst_bin, _) = worst;
    assert!(
        p_value >= ALPHA_PER_CHECK,
        "{label}: {test_name} failed (seed {seed}, replay with SPARKDP_TEST_SEED={seed}): n = {n}, \
         {} bins, χ² = {statistic:.1}, p = {p_value:.3e} < α = {ALPHA_PER_CHECK:.3e}; worst bin ≤ {}: observed {}, expected {:.1}",
        bins.len(),
        bins[worst_bin].0,
        observed[worst_bin],
        bins[worst_bin].1 * n as f64,
    );
}

/// Two-sided z-test that an estimate equals `expected` given its standard error, at α = ALPHA_PER_CHECK.
pub fn assert_close(
    label: &str,
    seed: u64,
    n: usize,
    observed: f64,
    expected: f64,
    standard_error: f64,
) {
    let z = (observed - expected) / standard_error;
    let p_value = two_sided_normal_p_value(z);
    assert!(
        p_value >= ALPHA_PER_CHECK,
        "{label}: failed (seed {seed}, replay with SPARKDP_TEST_SEED={seed}): n = {n}, observed {observed}, \
         expected {expected}, standard error {standard_error}, z = {z:.2}, p = {p_value:.3e} < α = {ALPHA_PER_CHECK:.3e}"
    );
}

/// Mean and variance of `samples` against a distribution with the given mean, variance and fourth
/// central moment (standard errors √(σ²/n) and √((μ₄ − σ⁴)/n)). Two checks.
pub fn assert_moments(
    label: &str,
    seed: u64,
    samples: &[i64],
    mean: f64,
    variance: f64,
    fourth_central: f64,
) {
    let m = moments(samples);
    let n = m.count as f64;
    assert_close(
        &format!("{label} mean"),
        seed,
        m.count,
        m.mean,
        mean,
        (variance / n).sqrt(),
    );
    assert_close(
        &format!("{label} variance"),
        seed,
        m.count,
        m.variance,
        variance,
        ((fourth_central - variance * variance) / n).sqrt(),
    );
}

/// Frequency of `successes` in `n` Bernoulli trials against p0 (normal approximation, two-sided).
pub fn assert_frequency(label: &str, seed: u64, n: usize, successes: u64, p0: f64) {
    let p_hat = successes as f64 / n as f64;
    let standard_error = (p0 * (1.0 - p0) / n as f64).sqrt();
    let z = (p_hat - p0) / standard_error;
    let p_value = two_sided_normal_p_value(z);
    assert!(
        p_value >= ALPHA_PER_CHECK,
        "{label}: frequency test failed (seed {seed}, replay with SPARKDP_TEST_SEED={seed}): n = {n}, k = {successes}, \
         p̂ = {p_hat}, p0 = {p0}, z = {z:.2}, p = {p_value:.3e} < α = {ALPHA_PER_CHECK:.3e}"
    );
}

/// Discrete Laplace moments in closed form: X = G₁ − G₂ for iid geometrics with ratio q = e^{−1/scale}, so
/// Var = 2q/(1−q)² and μ₄ = 2κ₄(G) + 3Var² with κ₄(G) = q(1+4q+q²)/(1−q)⁴. Returns (variance, μ₄).
pub fn discrete_laplace_moments(scale: f64) -> (f64, f64) {
    let q = (-1.0 / scale).exp();
    let one_minus_q = -(-1.0 / scale).exp_m1();
    let variance = 2.0 * q / one_minus_q.powi(2);
    let kappa4 = q * (1.0 + 4.0 * q + q * q) / one_minus_q.powi(4);
    (variance, 2.0 * kappa4 + 3.0 * variance * variance)
}

/// P(X ≤ x) for the discrete Laplace with scale t: with q = e^{−1/t}, P(X ≥ m) = q^m/(1+q) for m ≥ 1, so
/// F(x) = q^{−x}/(1+q) for x < 0 and 1 − q^{x+1}/(1+q) for x ≥ 0 (exact formulas, evaluated in f64 to
/// about 1e-15 absolute).
pub fn discrete_laplace_cdf(scale: f64, x: i64) -> f64 {
    let q = (-1.0 / scale).exp();
    if x < 0 {
        (x as f64 / scale).exp() / (1.0 + q)
    } else {
        1.0 - (-(x as f64 + 1.0) / scale).exp() / (1.0 + q)
    }
}

/// Φ(z), the standard normal CDF, from Q(1/2, z²/2) = P(|N| ≥ |z|).
pub fn normal_cdf(z: f64) -> f64 {
    let two_sided_tail = upper_incomplete_gamma(0.5, z * z / 2.0);
    if z < 0.0 {
        two_sided_tail / 2.0
    } else {
        1.0 - two_sided_tail / 2.0
    }
}

/// P(X ≤ x) for the discrete Gaussian with σ ≥ 100, as Φ((x + 1/2)/σ): by Euler–Maclaurin the midpoint
/// sum of the density differs from the integral by at most about 1/(24σ²) (and the normalising
/// constant from σ√(2π) by e^{−2π²σ²}), far below what 10^6 draws can see.
pub fn discrete_gaussian_cdf(sigma: f64, x: i64) -> f64 {
    normal_cdf((x as f64 + 0.5) / sigma)
}

/// Chi-square goodness of fit at α = ALPHA_PER_CHECK with `bin_count` (nearly) equiprobable bins whose
/// edges are quantiles of `cdf`: edge j is the smallest integer x with cdf(x) ≥ j/bin_count (binary
/// search on [−search_radius, search_radius]); each bin's expected probability is the CDF difference
/// across it, so discreteness does not bias the test. Panics with a replayable message on failure.
pub fn assert_fits_cdf(
    label: &str,
    seed: u64,
    samples: &[i64],
    cdf: impl Fn(i64) -> f64,
    search_radius: i64,
    bin_count: usize,
) {
    let mut uppers: Vec<i64> = Vec::new();
    for j in 1..bin_count {
        let target = j as f64 / bin_count as f64;
        let (mut low, mut high) = (-search_radius, search_radius);
        while low < high {
            let middle = low + (high - low) / 2;
            if cdf(middle) >= target {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        if uppers.last() != Some(&low) {
            uppers.push(low);
        }
    }
    uppers.push(i64::MAX);
    let mut bins = Vec::with_capacity(uppers.len());
    let mut previous = 0.0;
    for upper in uppers {
        let cumulative = if upper == i64::MAX { 1.0 } else { cdf(upper) };
        bins.push((upper, cumulative - previous));
        previous = cumulative;
    }
    assert_chi_square(label, "quantile-binned chi-square", seed, samples, &bins);
}

/// Bins of the quantile chi-square tests: 1000 bins of expected count 1000 at 10^6 draws.
pub const QUANTILE_BINS: usize = 1000;

/// Quantile-binned chi-square against the discrete Laplace with `scale`, then its mean (0) and variance:
/// 3 checks.
pub fn assert_discrete_laplace_quantile_fit(label: &str, seed: u64, samples: &[i64], scale: f64) {
    assert_fits_cdf(
        label,
        seed,
        samples,
        |x| discrete_laplace_cdf(scale, x),
        (60.0 * scale) as i64,
        QUANTILE_BINS,
    );
    let (variance, fourth) = discrete_laplace_moments(scale);
    assert_moments(label, seed, samples, 0.0, variance, fourth);
}

/// Quantile-binned chi-square against the discrete Gaussian with `sigma` (≥ 100, see
/// [`discrete_gaussian_cdf`]), then its mean (0) and variance σ² (μ₄ = 3σ⁴): 3 checks.
pub fn assert_discrete_gaussian_quantile_fit(label: &str, seed: u64, samples: &[i64], sigma: f64) {
    assert_fits_cdf(
        label,
        seed,
        samples,
        |x| discrete_gaussian_cdf(sigma, x),
        (40.0 * sigma) as i64,
        QUANTILE_BINS,
    );
    let variance = sigma * sigma;
    assert_moments(
        label,
        seed,
        samples,
        0.0,
        variance,
        3.0 * variance * variance,
    );
}
