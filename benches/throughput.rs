//! Plain samples-per-second figures for the exact samplers, one line of JSON per configuration, for
//! `benches/opendp_compare.py` (which divides them by OpenDP's rate). Run:
//! `cargo bench -p sparkdp-native --bench throughput`.
//! Single-threaded, so the figures are per core. Uses a keyed ChaCha20 stream (`SecretKey::cell_rng`),
//! the same generator production uses.
use sparkdp::privacy::Rational;
use sparkdp::sample::{DiscreteGaussian, DiscreteLaplace, SecretKey};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn rate(mut draw: impl FnMut() -> i64) -> f64 {
    // Warm up, then time batches until at least one second has passed.
    for _ in 0..100_000 {
        black_box(draw());
    }
    let started = Instant::now();
    let mut count: u64 = 0;
    while started.elapsed() < Duration::from_secs(1) {
        for _ in 0..100_000 {
            black_box(draw());
        }
        count += 100_000;
    }
    count as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    // `cargo bench` passes "--bench"; any other argument is a filter on the configuration name.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let key = SecretKey::from_bytes(&[1u8; 32]).expect("32 bytes");
    let configurations: [(&str, u128); 6] = [
        ("laplace_scale_1", 1),
        ("laplace_scale_20", 20),
        ("laplace_scale_1e6", 1_000_000),
        ("gaussian_sigma_1", 1),
        ("gaussian_sigma_20", 20),
        ("gaussian_sigma_1e6", 1_000_000),
    ];
    for (name, parameter) in configurations {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let mut rng = key.cell_rng(0, 0);
        let samples_per_second = if name.starts_with("laplace") {
            let sampler = DiscreteLaplace::new(&Rational::from_integer(parameter));
            rate(|| sampler.sample(&mut rng).expect("sample"))
        } else {
            let sampler = DiscreteGaussian::new(&Rational::from_integer(parameter * parameter)).expect("sigma");
            rate(|| sampler.sample(&mut rng).expect("sample"))
        };
        println!("{{\"name\": \"{name}\", \"samples_per_second\": {samples_per_second:.0}}}");
    }
}
