//! Criterion benches of the exact samplers: samples per second (criterion's "thrpt", elements/s) for
//! discrete Laplace at scales 1, 20, 10^6 and discrete Gaussian at σ 1, 20, 10^6, plus the cost of a
//! keyed per-cell stream. Single-threaded, so the figures are per core.
//!
//! Run: `cargo bench -p sparkdp-native --bench samplers`
//! (append `-- laplace` to filter). For plain numbers and the OpenDP ratio see `benches/opendp_compare.py`.
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sparkdp::privacy::Rational;
use sparkdp::sample::{BitSource, DiscreteGaussian, DiscreteLaplace, SecretKey};
use std::time::Duration;

const SAMPLES_PER_ITERATION: u64 = 1_000;

fn key() -> SecretKey {
    SecretKey::from_bytes(&[1u8; 32]).expect("32 bytes")
}

fn discrete_laplace(c: &mut Criterion) {
    let mut group = c.benchmark_group("discrete_laplace");
    group.throughput(Throughput::Elements(SAMPLES_PER_ITERATION));
    for scale in [1u128, 20, 1_000_000] {
        let sampler = DiscreteLaplace::new(&Rational::from_integer(scale));
        let mut rng = key().cell_rng(0, 0);
        group.bench_with_input(BenchmarkId::new("scale", scale), &sampler, |b, sampler| {
            b.iter(|| {
                // One BitSource per batch, as a kernel noising a column would use it.
                let mut bits = BitSource::new(&mut rng);
                for _ in 0..SAMPLES_PER_ITERATION {
                    black_box(sampler.sample_from_bits(&mut bits).expect("sample"));
                }
            })
        });
    }
    group.finish();
}

fn discrete_gaussian(c: &mut Criterion) {
    let mut group = c.benchmark_group("discrete_gaussian");
    group.throughput(Throughput::Elements(SAMPLES_PER_ITERATION));
    for sigma in [1u128, 20, 1_000_000] {
        let sampler = DiscreteGaussian::new(&Rational::from_integer(sigma * sigma)).expect("sigma");
        let mut rng = key().cell_rng(0, 0);
        group.bench_with_input(BenchmarkId::new("sigma", sigma), &sampler, |b, sampler| {
            b.iter(|| {
                let mut bits = BitSource::new(&mut rng);
                for _ in 0..SAMPLES_PER_ITERATION {
                    black_box(sampler.sample_from_bits(&mut bits).expect("sample"));
                }
            })
        });
    }
    group.finish();
}

/// One noisy cell the way `addNoise` draws it: derive the cell's stream, draw one discrete Laplace.
fn keyed_cell(c: &mut Criterion) {
    let mut group = c.benchmark_group("keyed_cell");
    group.throughput(Throughput::Elements(SAMPLES_PER_ITERATION));
    let query_key = key().derive("noise").query_key(7);
    let sampler = DiscreteLaplace::new(&Rational::from_integer(20));
    group.bench_function("laplace_scale_20_one_stream_per_cell", |b| {
        b.iter(|| {
            for cell in 0..SAMPLES_PER_ITERATION as i64 {
                let mut rng = query_key.cell_rng(cell);
                black_box(sampler.sample(&mut rng).expect("sample"));
            }
        })
    });
    group.finish();
}

fn configured() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = configured(); targets = discrete_laplace, discrete_gaussian, keyed_cell }
criterion_main!(benches);
