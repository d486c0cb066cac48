"""Compare sparkdp's exact discrete Laplace sampler with OpenDP's exact integer Laplace.

OpenDP side: ``opendp.measurements.make_laplace`` on ``vector_domain(atom_domain(T=int))`` with
``l1_distance(T=int)`` (OpenDP's exact discrete Laplace for integers, driven from Python as users call it),
applied to a vector of zeros; rate = vector length / CPU time of the call (``time.process_time``, best of
several repeats), so the figure is per core even when other processes share the machine.

sparkdp side: the single-threaded ``throughput`` bench (``benches/throughput.rs``), which prints one JSON
line per configuration with samples per CPU second of its process. Both sides are single-threaded and
timed in CPU seconds, so the ratio is per core.

Usage (from the repository root; the venv is the project's shared one with opendp==0.16.0):

    .venv/bin/python benches/opendp_compare.py            # builds + runs the Rust bench too
    .venv/bin/python benches/opendp_compare.py --rust-json rust.jsonl   # reuse saved output

Saved Rust output comes from:
    cargo bench -p sparkdp-native --bench throughput -- laplace > rust.jsonl
"""
import argparse
import json
import os
import subprocess
import sys
import time

SCALES = [1, 20, 1_000_000]


def opendp_rates(vector_length, repeats):
    import opendp.prelude as dp

    dp.enable_features("contrib")
    rates = {}
    for scale in SCALES:
        measurement = dp.m.make_laplace(
            dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=float(scale)
        )
        data = [0] * vector_length
        measurement(data[:1000])  # warm up
        best = float("inf")
        for _ in range(repeats):
            started = time.process_time()
            measurement(data)
            best = min(best, time.process_time() - started)
        rates[scale] = vector_length / best
    return rates


def rust_rates(rust_json):
    if rust_json:
        with open(rust_json) as handle:
            lines = handle.read().splitlines()
    else:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ)
        command = ["cargo", "bench", "-p", "sparkdp-native", "--bench", "throughput", "--", "laplace"]
        lines = subprocess.run(command, cwd=root, env=env, check=True, capture_output=True, text=True).stdout.splitlines()
    by_name = {}
    for line in lines:
        line = line.strip()
        if line.startswith("{"):
            record = json.loads(line)
            by_name[record["name"]] = record["samples_per_second"]
    names = {1: "laplace_scale_1", 20: "laplace_scale_20", 1_000_000: "laplace_scale_1e6"}
    return {scale: by_name[names[scale]] for scale in SCALES}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vector-length", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rust-json", help="saved output of the throughput bench (else it is run)")
    args = parser.parse_args()
    ours = rust_rates(args.rust_json)
    theirs = opendp_rates(args.vector_length, args.repeats)
    print(f"{'scale':>9} {'sparkdp samples/s':>18} {'OpenDP samples/s':>17} {'ratio':>7}")
    for scale in SCALES:
        print(f"{scale:>9} {ours[scale]:>18,.0f} {theirs[scale]:>17,.0f} {ours[scale] / theirs[scale]:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
