"""Round-robin timing of (plain Spark, sparkdp) pairs in one Spark application, shared by the pair benches.

A runner object has one method per variant, named ``spark_<pair>`` and ``sparkdp_<pair>``; a sparkdp method
returns its Session (stopped after the timer, so the timing holds only the evaluate and the forced result).
Warm-ups run every variant first, then the repetitions run round-robin, so slow drifts in the machine's load
hit both sides of a pair alike. Timings are printed, never asserted.
"""
import os
import statistics
import time


def time_pairs(runner, pairs, reps, warmups, jvm_cpu):
    """Median wall seconds and median Spark-JVM CPU seconds of each variant: ``{variant: (wall, cpu)}``."""
    variants = [v for p in pairs for v in ("spark_" + p, "sparkdp_" + p)]
    walls = {v: [] for v in variants}
    cpus = {v: [] for v in variants}

    def run(name, keep):
        cpu_started, started = jvm_cpu.seconds(), time.perf_counter()
        session = getattr(runner, name)()
        wall, cpu = time.perf_counter() - started, jvm_cpu.seconds() - cpu_started
        if session is not None:
            session.stop()
        if keep:
            walls[name].append(wall)
            cpus[name].append(cpu)
        return wall

    for _ in range(warmups):
        for name in variants:
            print("warm-up {}: {:.2f} s".format(name, run(name, False)), flush=True)
    for rep in range(reps):
        print("rep {}: {}".format(rep + 1, "  ".join(
            "{} {:.2f}".format(name, run(name, True)) for name in variants)), flush=True)
    return {v: (statistics.median(walls[v]), statistics.median(cpus[v])) for v in variants}


def print_pair_table(title, rows, reps, pairs, medians):
    """The markdown table of sparkdp's ratio to its plain-Spark twin, pair by pair."""
    print("\nN = {:,}, {} repetitions, loadavg now {}".format(
        rows, reps, " ".join("{:.2f}".format(x) for x in os.getloadavg())))
    print("| {} | N | plain Spark median s (JVM CPU s) | sparkdp median s (JVM CPU s) | ratio wall | ratio CPU |".format(
        title))
    print("|---|---:|---:|---:|---:|---:|")
    for pair in pairs:
        (bw, bc), (ow, oc) = medians["spark_" + pair], medians["sparkdp_" + pair]
        print("| {} | {:,} | {:.2f} ({:.2f}) | {:.2f} ({:.2f}) | {:.2f} | {:.2f} |".format(
            pair, rows, bw, bc, ow, oc, ow / bw, oc / max(bc, 1e-9)))
