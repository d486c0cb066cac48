//! Throughput of the fused truncation kernel (`kernels/truncate.rs`) on input shaped like the seed query:
//! 10^6 rows in batches of 16384, ~66,000 distinct IDs (16-byte `UnsafeRow` bytes of a one-field struct
//! holding an int: an 8-byte null bitset, then an 8-byte slot), a random `row_hash`, `fp` drawn from 10^4
//! keys, `MaxRowsPerID(20)`.
//!
//! Run: `cargo bench -p sparkdp-native --bench truncate`. Criterion reports wall-clock rows/s for
//! * `ipc_edge`: what one Spark task does: `truncationOpen`, one `truncationOffer` per IPC stream of one
//!   batch (decode included), `truncationFinish` (encode included);
//! * `kernel`: `TruncationState::new` / `offer` / `finish` on decoded batches.
//!
//! Then one JSON line per configuration with `rows_per_cpu_second` (per CPU second of this process: a
//! per-core figure that does not drop when other processes share the machine) and `rows_per_wall_second`.
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, BinaryArray, Int64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use criterion::{criterion_group, Criterion, Throughput};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use sparkdp::kernels::edge_ops::{truncation_finish, truncation_offer, truncation_open};
use sparkdp::kernels::ipc;
use sparkdp::kernels::truncate::TruncationState;
use sparkdp::privacy::sensitivity::Constraint;

const ROWS: usize = 1_000_000;
const BATCH_ROWS: usize = 16_384;
const DISTINCT_IDS: usize = 66_000;
const DISTINCT_FPS: usize = 10_000;
const MAX_ROWS_PER_ID: u64 = 20;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Binary, false),
        Field::new("row_hash", DataType::Int64, false),
        Field::new("fp", DataType::Int64, true),
    ]))
}

/// `UnsafeRow` bytes of the struct `(value: int)`: null bitset 0, then the int in a little-endian 8-byte slot.
fn id_bytes(value: i32) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[8..12].copy_from_slice(&value.to_le_bytes());
    bytes
}

fn seed_query_batches() -> Vec<RecordBatch> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let ids: Vec<[u8; 16]> = (0..DISTINCT_IDS)
        .map(|_| id_bytes(rng.next_u32() as i32))
        .collect();
    let fps: Vec<i64> = (0..DISTINCT_FPS).map(|_| rng.next_u64() as i64).collect();
    let mut batches = Vec::new();
    let mut left = ROWS;
    while left > 0 {
        let rows = left.min(BATCH_ROWS);
        left -= rows;
        let id_column: BinaryArray = (0..rows)
            .map(|_| Some(ids[rng.next_u64() as usize % DISTINCT_IDS].as_slice()))
            .collect();
        let hashes: Int64Array = (0..rows).map(|_| rng.next_u64() as i64).collect();
        let fp_column: Int64Array = (0..rows)
            .map(|_| Some(fps[rng.next_u64() as usize % DISTINCT_FPS]))
            .collect();
        let columns: Vec<ArrayRef> =
            vec![Arc::new(id_column), Arc::new(hashes), Arc::new(fp_column)];
        batches.push(RecordBatch::try_new(schema(), columns).expect("batch"));
    }
    batches
}

/// One IPC stream of one batch per `truncationOffer`, as the Scala side sends them.
fn streams(batches: &[RecordBatch]) -> Vec<Vec<u8>> {
    batches
        .iter()
        .map(|batch| ipc::write_stream(&schema(), std::slice::from_ref(batch)).expect("write"))
        .collect()
}

fn run_edge(streams: &[Vec<u8>]) -> Vec<u8> {
    let handle = truncation_open(&format!("MaxRowsPerID:{MAX_ROWS_PER_ID}"), "").expect("open");
    for stream in streams {
        truncation_offer(handle, black_box(stream)).expect("offer");
    }
    truncation_finish(handle).expect("finish")
}

fn run_kernel(batches: &[RecordBatch]) -> RecordBatch {
    let mut state =
        TruncationState::new(&[Constraint::MaxRowsPerID(MAX_ROWS_PER_ID)], &[]).expect("new");
    state.offer(&schema(), black_box(batches)).expect("offer");
    state.finish().expect("finish")
}

fn bench_truncate(c: &mut Criterion) {
    let batches = seed_query_batches();
    let streams = streams(&batches);
    let mut group = c.benchmark_group("truncate_seed_query");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("ipc_edge", |b| b.iter(|| run_edge(&streams)));
    group.bench_function("kernel", |b| b.iter(|| run_kernel(&batches)));
    group.finish();
}

/// CPU seconds this process has used (user + system), from /proc/self/stat (clock ticks of 1/100 s).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

/// Repeats `pass` (one pass = `ROWS` rows) for at least 4 CPU seconds: (rows per CPU s, rows per wall s).
fn rate(mut pass: impl FnMut()) -> (f64, f64) {
    pass();
    let started = Instant::now();
    let cpu_started = process_cpu_seconds();
    let mut passes = 0u32;
    while process_cpu_seconds() - cpu_started < 4.0 {
        pass();
        passes += 1;
    }
    let cpu = process_cpu_seconds() - cpu_started;
    let rows = f64::from(passes) * ROWS as f64;
    (rows / cpu, rows / started.elapsed().as_secs_f64())
}

fn report_cpu_rates() {
    let batches = seed_query_batches();
    let streams = streams(&batches);
    let configurations: [(&str, &mut dyn FnMut()); 2] = [
        ("ipc_edge", &mut || {
            black_box(run_edge(&streams));
        }),
        ("kernel", &mut || {
            black_box(run_kernel(&batches));
        }),
    ];
    for (name, pass) in configurations {
        let (per_cpu, per_wall) = rate(pass);
        println!(
            "{{\"bench\":\"truncate_seed_query\",\"configuration\":\"{name}\",\"rows_per_cpu_second\":{per_cpu:.0},\"rows_per_wall_second\":{per_wall:.0}}}"
        );
    }
}

criterion_group!(benches, bench_truncate);

fn main() {
    // `cargo bench --bench truncate -- cpu` prints only the CPU-second figures.
    let cpu_only = std::env::args().skip(1).any(|a| a == "cpu");
    if !cpu_only {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    report_cpu_rates();
}
