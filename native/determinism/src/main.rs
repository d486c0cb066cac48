//! Prints one digest line per sampler, each over a few thousand draws from fixed keyed streams (a fixed
//! secret, query index, measure index and cell key, as in a release). A cell's noise must depend only on
//! those inputs, never on the CPU: scripts/check_determinism_aarch64.sh runs this binary natively on
//! x86_64 and under qemu-user on aarch64 and fails unless every line is the same.
//!
//! The digest is FNV-1a 64 over the samples' little-endian bytes: a checksum for equality, not a MAC.

use rand_core::RngCore;
use sparkdp::privacy::{ExtRational, Rational};
use sparkdp::sample::{
    sample_bernoulli_exp_minus, sample_quantile_index, DiscreteGaussian, DiscreteLaplace,
    QuantileCell, SecretKey,
};

/// Draws per cell and cells per sampler: enough to cover the samplers' rejection loops and rare
/// branches (large values, repeated rejections) many times over, small enough for qemu (< 10 s).
const DRAWS_PER_CELL: usize = 64;
const CELLS: i64 = 64;

struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn rational(num: u128, den: u128) -> Rational {
    Rational::new(num, den).expect("non-zero denominator")
}

/// Digest of `draw` applied DRAWS_PER_CELL times to each cell stream of measure `measure` in query 3.
fn digest_cells(
    key: &SecretKey,
    measure: u64,
    mut draw: impl FnMut(&mut dyn RngCore) -> Vec<u8>,
) -> u64 {
    let mut digest = Fnv64::new();
    let query = key.measure_query_key(3, measure);
    for cell in -CELLS / 2..CELLS / 2 {
        let mut rng = query.cell_rng(cell.wrapping_mul(0x9e37_79b9_7f4a_7c15_u64 as i64));
        for _ in 0..DRAWS_PER_CELL {
            digest.add(&draw(&mut rng));
        }
    }
    digest.0
}

fn main() {
    let key = SecretKey::from_bytes(&[42u8; 32]).expect("32 bytes");
    let mut lines: Vec<(String, u64)> = Vec::new();

    lines.push((
        "chacha20 cell stream u64".into(),
        digest_cells(&key, 0, |rng| rng.next_u64().to_le_bytes().to_vec()),
    ));
    for (num, den) in [
        (1u128, 3u128),
        (1, 1),
        (20, 1),
        (1_000_000_007, 3),
        (1 << 50, 7),
    ] {
        let laplace = DiscreteLaplace::new(&rational(num, den));
        lines.push((
            format!("discrete laplace scale {num}/{den}"),
            digest_cells(&key, 1, |rng| {
                laplace.sample(rng).expect("laplace").to_le_bytes().to_vec()
            }),
        ));
    }
    for (num, den) in [(1u128, 4u128), (2, 1), (400, 1), (1 << 90, 3)] {
        let gaussian = DiscreteGaussian::new(&rational(num, den)).expect("gaussian sigma^2");
        lines.push((
            format!("discrete gaussian sigma^2 {num}/{den}"),
            digest_cells(&key, 2, |rng| {
                gaussian
                    .sample(rng)
                    .expect("gaussian")
                    .to_le_bytes()
                    .to_vec()
            }),
        ));
    }
    for (num, den) in [(1u128, 2u128), (7, 3), (50, 1)] {
        let x = rational(num, den);
        lines.push((
            format!("bernoulli exp(-{num}/{den})"),
            digest_cells(&key, 3, |rng| {
                vec![u8::from(
                    sample_bernoulli_exp_minus(rng, &x).expect("bernoulli"),
                )]
            }),
        ));
    }
    let cell = QuantileCell::new(&[(-5, 3), (0, 10), (2, 1), (40, 7)]).expect("quantile cell");
    for (rate_num, rate_den) in [(1u128, 10u128), (2, 1)] {
        let rate = ExtRational::Finite(rational(rate_num, rate_den));
        lines.push((
            format!("quantile index rate {rate_num}/{rate_den}"),
            digest_cells(&key, 4, |rng| {
                sample_quantile_index(rng, &cell, -100, 100, &rational(1, 2), &rate)
                    .expect("quantile")
                    .to_le_bytes()
                    .to_vec()
            }),
        ));
    }

    for (name, digest) in lines {
        println!("{digest:016x}  {name}");
    }
}
