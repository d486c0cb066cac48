//! Plain samples-per-second figures for the exact samplers, one line of JSON per configuration, for
//! `benches/opendp_compare.py` (which divides them by OpenDP's rate). Run:
//! `cargo bench -p sparkdp-native --bench throughput`.
//! Single-threaded; `samples_per_second` is per CPU second of this process (per core, robust to other
//! processes sharing the machine), `samples_per_wall_second` is the plain wall-clock rate. Uses a keyed ChaCha20 stream (`SecretKey::cell_rng`),
//! the same generator production uses.
use sparkdp::privacy::Rational;
use sparkdp::sample::{DiscreteGaussian, DiscreteLaplace, SecretKey};
use std::hint::black_box;
use std::time::Instant;

/// CPU seconds this process has used (user + system), from /proc/self/stat (Linux; clock ticks of
/// 1/100 s). Rates per CPU second are per-core figures even when other processes share the cores.
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
    let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

/// (samples per CPU second, samples per wall second).
fn rate(mut draw: impl FnMut() -> i64) -> (f64, f64) {
    for _ in 0..100_000 {
        black_box(draw());
    }
    let started = Instant::now();
    let cpu_started = process_cpu_seconds();
    let mut count: u64 = 0;
    while process_cpu_seconds() - cpu_started < 2.0 {
        for _ in 0..100_000 {
            black_box(draw());
        }
        count += 100_000;
    }
    let cpu = process_cpu_seconds() - cpu_started;
    (
        count as f64 / cpu,
        count as f64 / started.elapsed().as_secs_f64(),
    )
}

fn main() {
    // `cargo bench` passes "--bench"; any other argument is a filter on the configuration name.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
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
        let (samples_per_cpu_second, samples_per_wall_second) = if name.starts_with("laplace") {
            let sampler = DiscreteLaplace::new(&Rational::from_integer(parameter));
            rate(|| sampler.sample(&mut rng).expect("sample"))
        } else {
            let sampler = DiscreteGaussian::new(&Rational::from_integer(parameter * parameter))
                .expect("sigma");
            rate(|| sampler.sample(&mut rng).expect("sample"))
        };
        println!(
            "{{\"name\": \"{name}\", \"samples_per_second\": {samples_per_cpu_second:.0}, \"samples_per_wall_second\": {samples_per_wall_second:.0}}}"
        );
    }
}
