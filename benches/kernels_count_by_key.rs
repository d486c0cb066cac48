//! Throughput of the partial-count and noise kernels on batches of the size that crosses the JNI edge
//! (4096 rows), against a plain `HashMap` (SipHash) count as the in-process baseline.
//!
//! Run: `cargo bench -p sparkdp-native --bench kernels_count_by_key`. Numbers only; no assertions.
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use sparkdp::kernels::edge_ops::{add_noise_ipc, count_by_key_ipc};
use sparkdp::kernels::{add_noise, count_by_key, ipc};
use sparkdp::privacy::{NoiseSpec, Rational};
use sparkdp::sample::SecretKey;

const BATCH_ROWS: usize = 4096;
const BATCHES: usize = 64;

fn key_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("key", DataType::Int64, true)]))
}

/// `BATCHES` batches of `BATCH_ROWS` keys drawn from `distinct_keys` random 64-bit fingerprints,
/// about 1% null.
fn key_batches(distinct_keys: usize) -> Vec<RecordBatch> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let pool: Vec<i64> = (0..distinct_keys).map(|_| rng.next_u64() as i64).collect();
    (0..BATCHES)
        .map(|_| {
            let keys: Vec<Option<i64>> = (0..BATCH_ROWS)
                .map(|_| {
                    let draw = rng.next_u64();
                    (draw % 100 != 0).then(|| pool[(draw >> 8) as usize % distinct_keys])
                })
                .collect();
            let column: ArrayRef = Arc::new(Int64Array::from(keys));
            RecordBatch::try_new(key_schema(), vec![column]).expect("batch")
        })
        .collect()
}

fn sip_hash_count(batches: &[RecordBatch]) -> HashMap<Option<i64>, i64> {
    let mut counts = HashMap::new();
    for batch in batches {
        let keys = batch.column(0).as_primitive::<Int64Type>();
        for row in 0..keys.len() {
            *counts
                .entry(keys.is_valid(row).then(|| keys.value(row)))
                .or_insert(0) += 1;
        }
    }
    counts
}

fn bench_count_by_key(c: &mut Criterion) {
    let mut group = c.benchmark_group("count_by_key");
    group.throughput(Throughput::Elements((BATCH_ROWS * BATCHES) as u64));
    for distinct_keys in [100, 10_000, 200_000] {
        let batches = key_batches(distinct_keys);
        group.bench_with_input(
            BenchmarkId::new("kernel", distinct_keys),
            &batches,
            |b, batches| b.iter(|| count_by_key(&key_schema(), black_box(batches)).expect("count")),
        );
        group.bench_with_input(
            BenchmarkId::new("siphash_baseline", distinct_keys),
            &batches,
            |b, batches| b.iter(|| sip_hash_count(black_box(batches))),
        );
        let stream = ipc::write_stream(&key_schema(), &batches).expect("write");
        group.bench_with_input(
            BenchmarkId::new("ipc_in_and_out", distinct_keys),
            &stream,
            |b, stream| b.iter(|| count_by_key_ipc(black_box(stream)).expect("count")),
        );
    }
    group.finish();
}

fn bench_add_noise(c: &mut Criterion) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Int64, false),
        Field::new("value", DataType::Int64, false),
    ]));
    let keys: Vec<i64> = (0..BATCH_ROWS as i64)
        .map(|i| i.wrapping_mul(0x9E37_79B9))
        .collect();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(keys)),
            Arc::new(Int64Array::from(vec![1000i64; BATCH_ROWS])),
        ],
    )
    .expect("batch");
    let secret = SecretKey::from_bytes(&[7u8; 32]).expect("secret");
    let mut group = c.benchmark_group("add_noise");
    group.throughput(Throughput::Elements(BATCH_ROWS as u64));
    let specs = [
        ("none", NoiseSpec::NoNoise),
        (
            "laplace_10",
            NoiseSpec::DiscreteLaplace {
                scale: Rational::from_integer(10),
            },
        ),
        (
            "gaussian_100",
            NoiseSpec::DiscreteGaussian {
                sigma_squared: Rational::from_integer(100),
            },
        ),
    ];
    for (name, spec) in specs {
        group.bench_function(name, |b| {
            b.iter(|| {
                add_noise(
                    &schema,
                    std::slice::from_ref(&batch),
                    &secret,
                    1,
                    black_box(&spec),
                )
                .expect("noise")
            })
        });
    }
    let stream = ipc::write_stream(&schema, std::slice::from_ref(&batch)).expect("write");
    group.bench_function("laplace_10_ipc_in_and_out", |b| {
        b.iter(|| add_noise_ipc(black_box(&stream), &[7u8; 32], 1, "laplace:10").expect("noise"))
    });
    group.finish();
}

criterion_group!(benches, bench_count_by_key, bench_add_noise);
criterion_main!(benches);
