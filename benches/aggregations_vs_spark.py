#!/usr/bin/env python3
"""Time grouped sum, average and median on sparkdp against their plain-Spark twins, in one run, on the same data.

Data: N synthetic purchases (default 10^6): ``shop`` (int, 10^4 shops with skewed popularity, 1% of the
keyset's shops never appear), ``amount`` (int, 0..1200, clamped to [0, 1000] by the queries), ``price``
(double, log-normal-ish, clamped to [0, 500]). Written once to Parquet and read back (not cached), so every
timed run scans the same files. The private table is protected with ``AddOneRow`` (no truncation: this
bench measures the aggregation path; the seed-query bench measures truncation).

Pairs (each forced the same way, ``write.format("noop")``):

* ``spark_sum``     groupBy(shop).sum(clamped amount), right-join the keyset, 0 where absent.
* ``sparkdp_sum``   ``QueryBuilder("purchases").groupby(keyset).sum("amount", 0, 1000)``.
* ``spark_avg``     groupBy(shop).avg(clamped price), right-join the keyset.
* ``sparkdp_avg``   ``...groupby(keyset).average("price", 0.0, 500.0)``.
* ``spark_median``  groupBy(shop) exact ``percentile(clamped price, 0.5)``, right-join the keyset.
* ``sparkdp_median`` ``...groupby(keyset).median("price", 0.0, 500.0)``.

Each sparkdp run is a fresh ``Session.from_dataframe(PureDPBudget(1), ...)`` (evaluate writes the result to
the session's warehouse and reads it back: part of the product cost); ``stop()`` runs after the timer.
Warm-ups first, then repetitions round-robin. Reported per pair: median wall seconds and the median CPU
seconds of the Spark JVM (all threads, from /proc), and sparkdp's ratio to its twin. Timings are printed,
never asserted.

    JAVA_HOME=$(cat .tools/java17-home) .venv/bin/python benches/aggregations_vs_spark.py --rows 1000000
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "python"))
sys.path.insert(0, os.path.join(REPO_ROOT, "benches"))

# pylint: disable=wrong-import-position
from pyspark.sql import functions as F  # noqa: E402

from pair_timing import print_pair_table, time_pairs  # noqa: E402
from seed_query_vs_spark import JvmCpu, build_spark  # noqa: E402
from sparkdp import AddOneRow, KeySet, PureDPBudget, QueryBuilder, Session  # noqa: E402

PAIRS = ["sum", "avg", "median"]


def generate(spark, rows, shops, data_dir, files):
    appearing = max(1, int(shops * 0.99))
    purchases = spark.range(0, rows, 1, numPartitions=files).select(
        (F.pow(F.rand(21), 3.0) * appearing).cast("int").alias("shop"),
        (F.rand(22) * 1200).cast("int").alias("amount"),
        F.exp(F.randn(23) + F.lit(3.0)).alias("price"),
    )
    purchases.write.mode("overwrite").parquet(os.path.join(data_dir, "purchases.parquet"))
    spark.range(0, shops, 1, numPartitions=1).select(F.col("id").cast("int").alias("shop")) \
        .write.mode("overwrite").parquet(os.path.join(data_dir, "shops.parquet"))


class Runner:
    def __init__(self, purchases, shops):
        self.purchases = purchases
        self.shops = shops
        self.keyset = KeySet.from_dataframe(shops)

    # Plain Spark twins.
    def _spark(self, aggregate):
        grouped = self.purchases.groupBy("shop").agg(aggregate.alias("value"))
        return grouped.join(self.shops, ["shop"], "right")

    def spark_sum(self):
        clamped = F.least(F.greatest(F.col("amount"), F.lit(0)), F.lit(1000))
        self._spark(F.sum(clamped)).na.fill(0, ["value"]).write.format("noop").mode("overwrite").save()

    def spark_avg(self):
        clamped = F.least(F.greatest(F.col("price"), F.lit(0.0)), F.lit(500.0))
        self._spark(F.avg(clamped)).write.format("noop").mode("overwrite").save()

    def spark_median(self):
        clamped = F.least(F.greatest(F.col("price"), F.lit(0.0)), F.lit(500.0))
        grouped = self.purchases.select("shop", clamped.alias("value_in")).groupBy("shop") \
            .agg(F.expr("percentile(value_in, 0.5)").alias("value"))
        grouped.join(self.shops, ["shop"], "right").write.format("noop").mode("overwrite").save()

    # sparkdp.
    def _sparkdp(self, build):
        session = Session.from_dataframe(PureDPBudget(1), "purchases", self.purchases, protected_change=AddOneRow())
        query = build(QueryBuilder("purchases").groupby(self.keyset))
        session.evaluate(query, PureDPBudget(1)).write.format("noop").mode("overwrite").save()
        return session

    def sparkdp_sum(self):
        return self._sparkdp(lambda q: q.sum("amount", 0, 1000))

    def sparkdp_avg(self):
        return self._sparkdp(lambda q: q.average("price", 0.0, 500.0))

    def sparkdp_median(self):
        return self._sparkdp(lambda q: q.median("price", 0.0, 500.0))


def main_over_purchases(description, pair_names, make_runner, title, scratch_prefix):
    """The command line of the benches over the purchases data: parse the options, write the data once, time
    the chosen pairs of ``make_runner(spark, purchases, shops)`` and print the table."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=10 ** 6)
    parser.add_argument("--shops", type=int, default=10 ** 4)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--warmups", type=int, default=1)
    parser.add_argument("--pairs", default=",".join(pair_names),
                        help="comma-separated subset of " + ",".join(pair_names))
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    pairs = [p.strip() for p in args.pairs.split(",") if p.strip()]

    scratch = tempfile.mkdtemp(prefix=scratch_prefix)
    data_dir = os.path.join(scratch, "data")
    os.makedirs(data_dir)
    spark = build_spark(args, os.path.join(scratch, "warehouse"), True)
    try:
        started = time.perf_counter()
        generate(spark, args.rows, args.shops, data_dir, args.files)
        print("Spark {} generated {:,} purchases over {:,} shops in {:.1f} s; loadavg {}".format(
            spark.version, args.rows, args.shops, time.perf_counter() - started,
            " ".join("{:.2f}".format(x) for x in os.getloadavg())))
        purchases = spark.read.parquet(os.path.join(data_dir, "purchases.parquet"))
        shops = spark.read.parquet(os.path.join(data_dir, "shops.parquet"))
        runner = make_runner(spark, purchases, shops)
        medians = time_pairs(runner, pairs, args.reps, args.warmups, JvmCpu(spark))
        print_pair_table(title, args.rows, args.reps, pairs, medians)
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    main_over_purchases(__doc__.splitlines()[0], PAIRS, lambda spark, purchases, shops: Runner(purchases, shops),
                        "aggregation", "sparkdp-bench-agg-")


if __name__ == "__main__":
    main()
