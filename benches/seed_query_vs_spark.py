#!/usr/bin/env python3
"""Time the seed query on sparkdp against plain Spark doing the same work, in one run, on the same data.

Variants (each forced the same way: ``df.write.format("noop")``, which computes every row and writes none):

* ``spark_fair``      the fair baseline (DESIGN.md, "Performance shape"): keep k rows per member_id with a
                      window (partition by member_id, order by a hash of the whole row, row_number <= k), group
                      by (title, author, isbn), count, right-join onto the keyset, 0 where no row.
* ``spark_fair_pq``   the same, but the result is written to a Parquet table and counted back, as sparkdp's
                      warehouse does (context: isolates the cost of storing the result).
* ``spark_narrow``    sparkdp's plan shape in plain Spark (context: what sparkdp's own steps cost on top):
                      only (id, key fingerprint, row hash) go through the window's shuffle and sort, counts
                      per fingerprint join the keyset's fingerprints, key columns come from the keyset.
* ``spark_notrunc``   group, count, right-join, no truncation (context only).
* ``probe_*``         (only when named in ``--variants``) pieces of sparkdp's first stage, for attribution:
                      ``probe_scan`` reads every column; ``probe_hash`` also computes (id, key fingerprint,
                      row hash); ``probe_shuffle`` also shuffles those by id.
* ``sparkdp``         ``Session.from_dataframe(PureDPBudget(2), ...)``, ``session.evaluate(QueryBuilder(...)
                      .enforce(MaxRowsPerID(k)).groupby(keyset).count(), budget)``, then the returned DataFrame
                      forced like the others. evaluate already writes the result to the session's warehouse and
                      reads it back; that is part of the timed product cost. A new Session per repetition;
                      ``stop()`` runs after the timer.

Data: N synthetic checkouts (default 10^6) by ~N/15 members (mildly skewed activity, so some members
exceed k), over ~10^4 books with a skewed popularity (book i drawn with density ~ i^(-2/3)); columns
member_id int, checkout_date date, title, author, isbn strings, as in the seed query. The keyset is the books
table (title, author, isbn), 1% of whose books are never checked out. Both are written once to Parquet in a
temporary directory and read back; by default the read-back DataFrames are NOT cached, so every timed run
scans the same Parquet files (warm OS page cache). ``--cache`` instead caches them in memory (materialized
before timing).

Every variant is warmed up (untimed; ``--warmups``, default 1), then the repetitions run round-robin
(A B C D, A B C D, ...) so that drifting machine load hits all variants alike. Reported: median and min wall
seconds, the ratio of each median (min) to the fair baseline's median (min), and the median CPU seconds the
Spark JVM burnt per run (all threads: tasks, JIT, GC, Rust; from /proc) -- on a shared machine the CPU figure
moves much less with other processes' load than wall time does. ``--stages`` also prints, for the last
repetition of each variant, the Spark jobs and stages it ran (wall time, summed task time, task CPU time,
input and shuffle bytes), read from the driver's status store; the Spark UI is not needed. Unless
``--no-check``, one more (untimed) sparkdp run is compared with the fair baseline's exact counts: same keys,
mean |difference| about the Laplace scale k / epsilon.

Usage (from the repository root, with build/sparkdp.jar built or copied):

    JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 .venv/bin/python benches/seed_query_vs_spark.py
    .venv/bin/python benches/seed_query_vs_spark.py --rows 10000000 --reps 3 --stages
    .venv/bin/python benches/seed_query_vs_spark.py --rows 100000 --reps 3     # quick smoke run

Timings are printed, never asserted. Set SPARKDP_JAR to use another jar.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "python"))

# pylint: disable=wrong-import-position
from pyspark.sql import SparkSession, Window  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from sparkdp import (  # noqa: E402
    AddRowsWithID,
    KeySet,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    Session,
)

KEY_COLUMNS = ["title", "author", "isbn"]
ADJECTIVES = ["Silent", "Crimson", "Hidden", "Last", "Broken", "Golden", "Distant"]
NOUNS = ["River", "Garden", "Kingdom", "Letters", "Winter", "Harbour", "Mirror", "Orchard", "Lantern",
         "Voyage", "Archive"]
FIRST_NAMES = ["Ada", "Bram", "Clara", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kofi",
               "Lena", "Mateo"]
LAST_NAMES = ["Abara", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "Gallo", "Haddad", "Ivanova",
              "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn"]


def sparkdp_jar_path():
    return os.environ.get("SPARKDP_JAR") or os.path.join(REPO_ROOT, "build", "sparkdp.jar")


def build_spark(args, warehouse_dir, need_jar):
    jar = sparkdp_jar_path()
    builder = SparkSession.builder
    if os.path.isfile(jar):
        builder = builder.config("spark.jars", jar)
    elif need_jar:
        sys.exit("sparkdp jar not found at {}: run `make jar` first (or set SPARKDP_JAR).".format(jar))
    for setting in args.conf:
        key, _, value = setting.partition("=")
        builder = builder.config(key, value)
    spark = (
        builder.master(args.master)
        .appName("sparkdp-bench-seed-query")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    return spark


# ---------------------------------------------------------------------------------------------------------
# Data


def book_columns(index):
    """(title, author, isbn) of book number `index` (a long Column); distinct indices give distinct keys."""
    def pick(words, position):
        return F.element_at(F.array(*[F.lit(w) for w in words]), (position % len(words)).cast("int") + 1)

    title = F.concat_ws(" ", F.lit("The"), pick(ADJECTIVES, index), pick(NOUNS, F.floor(index / 7)),
                        F.lit("of"), F.format_string("Volume %d", index))
    author = F.concat_ws(" ", pick(FIRST_NAMES, F.floor(index / 3)), pick(LAST_NAMES, F.floor(index / 39)))
    isbn = F.format_string("978%010d", (index * F.lit(7919) + F.lit(12345)) % F.lit(10 ** 10))
    return [title.alias("title"), author.alias("author"), isbn.alias("isbn")]


def generate(spark, rows, books, data_dir, files):
    """Writes checkouts.parquet and books.parquet under data_dir (deterministic for given sizes)."""
    members = max(1, rows // 15)
    checked_out_books = max(1, int(books * 0.99))
    # pow(u, 1.5): member m has density ~ m^(-1/3) (a few very active members, most near 10-15 rows);
    # pow(u, 3): book i has density ~ i^(-2/3) (popular books first).
    raw = spark.range(0, rows, 1, numPartitions=files).select(
        (F.pow(F.rand(11), 1.5) * members).cast("int").alias("member_id"),
        F.date_add(F.lit("2020-01-01").cast("date"), (F.rand(12) * 1461).cast("int")).alias("checkout_date"),
        (F.pow(F.rand(13), 3.0) * checked_out_books).cast("long").alias("book"),
    )
    checkouts = raw.select("member_id", "checkout_date", *book_columns(F.col("book")))
    checkouts.write.mode("overwrite").parquet(os.path.join(data_dir, "checkouts.parquet"))
    books_df = spark.range(0, books, 1, numPartitions=1).select(
        *book_columns(F.col("id")), (F.lit(1950) + F.col("id") % 75).cast("int").alias("publication_year"))
    books_df.write.mode("overwrite").parquet(os.path.join(data_dir, "books.parquet"))
    with open(os.path.join(data_dir, "SIZES"), "w") as handle:
        handle.write("{} {}\n".format(rows, books))


def load(spark, args, data_dir):
    """The checkouts and books DataFrames read back from Parquet (cached and materialized with --cache)."""
    sizes_file = os.path.join(data_dir, "SIZES")
    wanted = "{} {}".format(args.rows, args.books)
    if not (os.path.isfile(sizes_file) and open(sizes_file).read().strip() == wanted):
        started = time.perf_counter()
        generate(spark, args.rows, args.books, data_dir, args.files)
        print("generated {:,} checkouts, {:,} books in {:.1f} s under {}".format(
            args.rows, args.books, time.perf_counter() - started, data_dir))
    else:
        print("reusing data under {}".format(data_dir))
    checkouts = spark.read.parquet(os.path.join(data_dir, "checkouts.parquet"))
    books = spark.read.parquet(os.path.join(data_dir, "books.parquet"))
    if args.cache:
        checkouts = checkouts.cache()
        books = books.cache()
        checkouts.count()
        books.count()
    return checkouts, books


def describe(checkouts, books, k, data_dir):
    per_member = checkouts.groupBy("member_id").count()
    stats = per_member.agg(F.count(F.lit(1)), F.max("count"),
                           F.sum(F.greatest(F.col("count") - F.lit(k), F.lit(0)))).head()
    rows = checkouts.count()
    size = sum(os.path.getsize(os.path.join(dirpath, name))
               for dirpath, _, names in os.walk(os.path.join(data_dir, "checkouts.parquet")) for name in names)
    print("checkouts: {:,} rows, {:,} members (max {} rows, {:.1%} of rows beyond k={}), {:,} books in the "
          "keyset, {} input partitions, {:.0f} MiB of Parquet".format(
              rows, stats[0], stats[1], stats[2] / rows, k, books.count(),
              checkouts.rdd.getNumPartitions(), size / 2 ** 20))


# ---------------------------------------------------------------------------------------------------------
# Variants: each returns the DataFrame to force (a callable so that building it is inside the timer)


def fair_baseline(checkouts, books, k):
    row_hash = F.xxhash64(F.lit(0x5EED), *[F.col(c) for c in checkouts.columns])
    window = Window.partitionBy("member_id").orderBy(row_hash)
    truncated = checkouts.withColumn("__rank", F.row_number().over(window)).where(F.col("__rank") <= k)
    counts = truncated.groupBy(*KEY_COLUMNS).count()
    keyset = books.select(*KEY_COLUMNS).distinct()
    return counts.join(keyset, KEY_COLUMNS, "right").na.fill(0, ["count"])


def fingerprint():
    """The key fingerprint as sparkdp computes it (KeyFingerprint.scala)."""
    return F.xxhash64(*[c for name in KEY_COLUMNS for c in (F.isnull(F.col(name)), F.col(name))])


def narrow_rows(checkouts):
    """(id, key fingerprint, row hash): what sparkdp's first stage computes from each row."""
    row_hash = F.xxhash64(F.lit(0x5EED), *[F.col(c) for c in checkouts.columns])
    return checkouts.select(F.col("member_id").alias("id"), fingerprint().alias("fp"), row_hash.alias("h"))


def narrow_baseline(checkouts, books, k):
    """sparkdp's plan shape in plain Spark, without its RDD/Rust/warehouse steps: only (id, key fingerprint,
    row hash) -- 24 bytes a row -- go through the window's shuffle and sort; counts join the keyset by
    fingerprint and the key columns come back from the keyset."""
    narrow = narrow_rows(checkouts)
    window = Window.partitionBy("id").orderBy("h", "fp")
    kept = narrow.withColumn("__rank", F.row_number().over(window)).where(F.col("__rank") <= k)
    counts = kept.groupBy("fp").count()
    keyset = books.select(*KEY_COLUMNS).distinct().withColumn("fp", fingerprint())
    return keyset.join(counts, ["fp"], "left").na.fill(0, ["count"]).select(*KEY_COLUMNS, "count")


def no_truncation(checkouts, books):
    counts = checkouts.groupBy(*KEY_COLUMNS).count()
    keyset = books.select(*KEY_COLUMNS).distinct()
    return counts.join(keyset, KEY_COLUMNS, "right").na.fill(0, ["count"])


def force(df):
    df.write.format("noop").mode("overwrite").save()


class Runner:
    """Builds and forces each variant; keeps the sparkdp session of the last run for checks."""

    def __init__(self, spark, checkouts, books, k):
        self.spark = spark
        self.checkouts = checkouts
        self.books = books
        self.k = k
        self.pq_index = 0

    def spark_fair(self):
        force(fair_baseline(self.checkouts, self.books, self.k))

    def spark_fair_pq(self):
        self.pq_index += 1
        table = "bench_fair_{}".format(self.pq_index)
        fair_baseline(self.checkouts, self.books, self.k).write.format("parquet").saveAsTable(table)
        stored = self.spark.table(table)
        stored.count()
        force(stored)
        self.spark.sql("DROP TABLE {}".format(table))

    def spark_narrow(self):
        force(narrow_baseline(self.checkouts, self.books, self.k))

    def probe_scan(self):
        force(self.checkouts)

    def probe_hash(self):
        force(narrow_rows(self.checkouts))

    def probe_shuffle(self):
        partitions = int(self.spark.conf.get("spark.sql.shuffle.partitions"))
        force(narrow_rows(self.checkouts).repartition(partitions, "id"))

    def spark_notrunc(self):
        force(no_truncation(self.checkouts, self.books))

    def sparkdp(self, keep=False):
        budget = PureDPBudget(2)
        session = Session.from_dataframe(budget, "checkouts", self.checkouts,
                                         protected_change=AddRowsWithID("member_id"))
        keyset = KeySet.from_dataframe(self.books.select(*KEY_COLUMNS))
        output = session.evaluate(
            QueryBuilder("checkouts").enforce(MaxRowsPerID(self.k)).groupby(keyset).count(), budget)
        force(output)
        if keep:
            return session, output
        return session, None


VARIANTS = ["spark_fair", "spark_fair_pq", "spark_narrow", "spark_notrunc", "sparkdp"]
# Pieces of sparkdp's first stage, for attribution; run only when named in --variants.
PROBES = ["probe_scan", "probe_hash", "probe_shuffle"]
LABELS = {
    "spark_fair": "plain Spark, fair baseline (window truncation, noop sink)",
    "spark_fair_pq": "plain Spark, fair baseline + Parquet table write/read",
    "spark_narrow": "plain Spark, sparkdp's plan shape (24-byte rows through the window)",
    "spark_notrunc": "plain Spark, no truncation (group, count, join)",
    "probe_scan": "probe: scan all columns (noop sink)",
    "probe_hash": "probe: scan + (id, key fingerprint, row hash) (noop sink)",
    "probe_shuffle": "probe: scan + (id, fingerprint, row hash) + shuffle by id",
    "sparkdp": "sparkdp evaluate (incl. warehouse write) + force",
}


# ---------------------------------------------------------------------------------------------------------
# Stage accounting from the driver's status store (works with spark.ui.enabled=false)


class StageLog:
    def __init__(self, spark):
        self.jsc = spark.sparkContext._jsc.sc()  # pylint: disable=protected-access

    def _drain(self):
        try:
            self.jsc.listenerBus().waitUntilEmpty()
        except Exception:  # pylint: disable=broad-except
            time.sleep(1.0)

    def job_ids(self):
        self._drain()
        jobs = self.jsc.statusStore().jobsList(None)
        iterator = jobs.iterator()
        ids = set()
        while iterator.hasNext():
            ids.add(iterator.next().jobId())
        return ids

    def report(self, before_ids, title, elapsed):
        """Prints the jobs started since `before_ids` with their stages; `elapsed` is the run's wall time."""
        self._drain()
        store = self.jsc.statusStore()
        jobs = []
        iterator = store.jobsList(None).iterator()
        while iterator.hasNext():
            job = iterator.next()
            if job.jobId() not in before_ids:
                jobs.append(job)
        jobs.sort(key=lambda job: job.jobId())
        print("\n{} -- jobs and stages of the last repetition ({:.2f} s)".format(title, elapsed))
        print("  {:>5} {:>7} {:>8} {:>7} {:>8} {:>9} {:>9} {:>5}  {}".format(
            "stage", "wall s", "task s", "CPU s", "in MiB", "shufR MiB", "shufW MiB", "tasks", "call site"))
        total_task = 0.0
        total_cpu = 0.0
        first_start, last_end = None, None
        for job in jobs:
            submitted = job.submissionTime()
            completed = job.completionTime()
            if submitted.isDefined() and completed.isDefined():
                start, end = submitted.get().getTime(), completed.get().getTime()
                first_start = start if first_start is None else min(first_start, start)
                last_end = end if last_end is None else max(last_end, end)
                wall = (end - start) / 1000.0
            else:
                wall = float("nan")
            print("  job {} ({:.2f} s)".format(job.jobId(), wall))
            stage_iterator = job.stageIds().iterator()
            stage_ids = []
            while stage_iterator.hasNext():
                stage_ids.append(stage_iterator.next())
            for stage_id in sorted(stage_ids):
                try:
                    stage = store.lastStageAttempt(stage_id)
                except Exception:  # pylint: disable=broad-except
                    continue
                if str(stage.status()) == "SKIPPED" or not stage.submissionTime().isDefined():
                    continue
                stage_wall = (stage.completionTime().get().getTime()
                              - stage.submissionTime().get().getTime()) / 1000.0
                task = stage.executorRunTime() / 1000.0
                cpu = stage.executorCpuTime() / 1e9
                total_task += task
                total_cpu += cpu
                print("  {:>5} {:>7.2f} {:>8.2f} {:>7.2f} {:>8.1f} {:>9.1f} {:>9.1f} {:>5}  {}".format(
                    stage_id, stage_wall, task, cpu, stage.inputBytes() / 2 ** 20, stage.shuffleReadBytes() / 2 ** 20,
                    stage.shuffleWriteBytes() / 2 ** 20, stage.numTasks(), self._call_site(stage)))
        span = (last_end - first_start) / 1000.0 if first_start is not None else 0.0
        print("  summed task time {:.2f} s (task CPU {:.2f} s); first job start to last job end {:.2f} s; outside "
              "that span (driver: planning, catalog, py4j) {:.2f} s".format(total_task, total_cpu, span, elapsed - span))

    @staticmethod
    def _call_site(stage):
        """The stage's short call site, or the first sparkdp frame of its long one if it has one."""
        details = str(stage.details())
        for line in details.splitlines():
            line = line.strip()
            if line.startswith("sparkdp."):
                return line
        return str(stage.name())


class JvmCpu:
    """CPU seconds (user + system, all threads: tasks, JIT, GC, Rust) of the Spark driver JVM, from /proc."""

    def __init__(self, spark):
        jvm = spark.sparkContext._jvm  # pylint: disable=protected-access
        self.stat_path = "/proc/{}/stat".format(jvm.java.lang.ProcessHandle.current().pid())
        self.ticks = os.sysconf("SC_CLK_TCK")

    def seconds(self):
        with open(self.stat_path) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        return (int(fields[11]) + int(fields[12])) / float(self.ticks)


# ---------------------------------------------------------------------------------------------------------


def sanity_check(runner):
    """sparkdp's noisy counts against the fair baseline's exact counts: same keys, differences ~ noise."""
    session, output = runner.sparkdp(keep=True)
    exact = fair_baseline(runner.checkouts, runner.books, runner.k).withColumnRenamed("count", "exact")
    joined = output.join(exact, KEY_COLUMNS, "full_outer")
    stats = joined.agg(
        F.count(F.lit(1)), F.sum(F.col("count").isNull().cast("int")), F.sum(F.col("exact").isNull().cast("int")),
        F.sum("exact"), F.sum("count"), F.avg(F.abs(F.col("count") - F.col("exact")))).head()
    session.stop()
    print("check: {:,} keys ({} missing from sparkdp, {} missing from baseline); total kept rows exact {:,}, "
          "sparkdp noisy total {:,}; mean |sparkdp - exact| = {:.1f} (Laplace scale k/eps = {:.0f})".format(
              stats[0], stats[1], stats[2], stats[3], stats[4], stats[5], runner.k / 2.0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10 ** 6, help="checkout rows N (default 10^6)")
    parser.add_argument("--books", type=int, default=10 ** 4, help="books in the keyset (default 10^4)")
    parser.add_argument("--k", type=int, default=20, help="MaxRowsPerID (default 20)")
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions per variant (default 3)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of " +
                        ",".join(VARIANTS + PROBES) + " (default: all but the probes)")
    parser.add_argument("--warmups", type=int, default=1, help="untimed runs per variant first (default 1)")
    parser.add_argument("--cache", action="store_true", help="cache the input DataFrames in memory")
    parser.add_argument("--stages", action="store_true", help="print jobs/stages of each variant's last run")
    parser.add_argument("--no-check", action="store_true", help="skip the sparkdp-vs-exact sanity check")
    parser.add_argument("--data-dir", help="keep/reuse the generated Parquet here (default: a temp dir, "
                        "deleted at the end)")
    parser.add_argument("--files", type=int, default=8, help="Parquet files of checkouts (default 8)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="extra Spark setting, repeatable; e.g. "
                        "spark.sql.optimizer.windowGroupLimitThreshold=-1 turns off Spark 3.5's map-side "
                        "sort + partial row_number limit (WindowGroupLimit), as on Spark 3.1-3.4")
    args = parser.parse_args()
    variants = [name.strip() for name in args.variants.split(",") if name.strip()]
    unknown = [name for name in variants if name not in VARIANTS + PROBES]
    if unknown:
        sys.exit("unknown variants {}; choose from {}".format(unknown, VARIANTS + PROBES))

    scratch = tempfile.mkdtemp(prefix="sparkdp-bench-")
    data_dir = args.data_dir or os.path.join(scratch, "data")
    os.makedirs(data_dir, exist_ok=True)
    spark = build_spark(args, os.path.join(scratch, "warehouse"), "sparkdp" in variants)
    try:
        print("Spark {} master={} driver.memory={} shuffle.partitions={} AQE={} extra conf={} cores seen={} "
              "loadavg(1,5,15)={}".format(
                  spark.version, args.master, args.driver_memory, args.shuffle_partitions,
                  spark.conf.get("spark.sql.adaptive.enabled"), args.conf, os.cpu_count(),
                  " ".join("{:.2f}".format(x) for x in os.getloadavg())))
        checkouts, books = load(spark, args, data_dir)
        describe(checkouts, books, args.k, data_dir)
        print("input: {}".format("cached in memory" if args.cache else
                                 "not cached (each run scans the Parquet files)"))
        runner = Runner(spark, checkouts, books, args.k)
        stage_log = StageLog(spark) if args.stages else None

        jvm_cpu = JvmCpu(spark)
        cpu_times = {name: [] for name in variants}

        def run(name):
            """Wall seconds of one run; appends the JVM's CPU seconds of the run to cpu_times[name]."""
            cpu_started = jvm_cpu.seconds()
            started = time.perf_counter()
            if name == "sparkdp":
                session, _ = runner.sparkdp()
                elapsed = time.perf_counter() - started
                cpu_times[name].append(jvm_cpu.seconds() - cpu_started)
                session.stop()
                return elapsed
            getattr(runner, name)()
            elapsed = time.perf_counter() - started
            cpu_times[name].append(jvm_cpu.seconds() - cpu_started)
            return elapsed

        for _ in range(args.warmups):
            for name in variants:
                print("warm-up {}: {:.2f} s".format(name, run(name)))
        times = {name: [] for name in variants}
        for name in variants:
            del cpu_times[name][:]  # the warm-ups' are not kept
        for rep in range(args.reps):
            for name in variants:
                before = stage_log.job_ids() if (stage_log and rep == args.reps - 1) else None
                times[name].append(run(name))
                if before is not None:
                    stage_log.report(before, "{} ({})".format(name, LABELS[name]), times[name][-1])
            print("rep {}: {}  (loadavg 1 min {:.2f})".format(rep + 1, "  ".join(
                "{} {:.2f}".format(name, times[name][-1]) for name in variants), os.getloadavg()[0]))

        if not args.no_check and "sparkdp" in variants:
            sanity_check(runner)

        base = times.get("spark_fair")
        base_median = statistics.median(base) if base else None
        base_min = min(base) if base else None
        print("\nN = {:,} checkouts, {:,} keyset books, k = {}, {} repetitions, input {}, loadavg(1,5,15) now {}"
              .format(args.rows, args.books, args.k, args.reps, "cached" if args.cache else "not cached",
                      " ".join("{:.2f}".format(x) for x in os.getloadavg())))
        base_cpu = statistics.median(cpu_times["spark_fair"]) if base else None
        print("| variant | N | median s | min s | ratio to fair (median) | ratio to fair (min) "
              "| median JVM CPU s | CPU ratio to fair |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name in variants:
            median = statistics.median(times[name])
            fastest = min(times[name])
            cpu = statistics.median(cpu_times[name])
            ratio_median = "{:.2f}".format(median / base_median) if base_median else "-"
            ratio_min = "{:.2f}".format(fastest / base_min) if base_min else "-"
            ratio_cpu = "{:.2f}".format(cpu / base_cpu) if base_cpu else "-"
            print("| {} | {:,} | {:.2f} | {:.2f} | {} | {} | {:.2f} | {} |".format(
                LABELS[name], args.rows, median, fastest, ratio_median, ratio_min, cpu, ratio_cpu))
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
