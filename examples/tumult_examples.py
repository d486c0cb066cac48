#!/usr/bin/env python3
"""Tumult Analytics' own documented examples, run on sparkdp.

The examples of Tumult's ``QueryBuilder.count``, ``QueryBuilder.groupby``,
``QueryBuilder.sum``, ``QueryBuilder.average``, ``QueryBuilder.median`` and
``QueryBuilder.enforce`` docstrings (tmlt/analytics/query_builder.py), with only
the import line changed (``from tmlt.analytics import ...`` ->
``from sparkdp import ...``) and the data built without pandas. Each result is
printed next to the answer Tumult documents; the script exits with status 1 if
one differs. Tumult's ``enforce`` example builds its session with
``Session.Builder``, which sparkdp does not have yet: it uses
``Session.from_dataframe`` with the same protected change instead.

Run from anywhere: ``python examples/tumult_examples.py`` (needs the jar, as
examples/seed_query.py does).
"""

import os
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "python"))

# pylint: disable=wrong-import-position
from pyspark.sql import SparkSession  # noqa: E402

from sparkdp import (  # noqa: E402  (Tumult: from tmlt.analytics import ...)
    AddOneRow,
    AddRowsWithID,
    KeySet,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    Session,
)


def build_spark(warehouse_dir):
    """Starts a small local SparkSession with the sparkdp jar."""
    jar = os.environ.get("SPARKDP_JAR") or os.path.join(REPO_ROOT, "build", "sparkdp.jar")
    if not os.path.isfile(jar):
        sys.exit("sparkdp jar not found at {}: run `make jar` first.".format(jar))
    return (
        SparkSession.builder.master("local[2]")
        .appName("sparkdp-tumult-examples")
        .config("spark.jars", jar)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def rows_of(answer):
    """The answer's rows as sorted tuples (Tumult's examples sort before printing)."""
    return sorted(tuple(row) for row in answer.collect())


def columns_and_rows(answer):
    """The answer's column names and sorted rows."""
    return answer.columns, rows_of(answer)


def run_examples(spark):
    """Runs each example; returns (name, got, documented) triples."""
    results = []
    my_private_data = spark.createDataFrame(
        [["0", 1, 0], ["1", 0, 1], ["1", 2, 1]], ["A", "B", "X"])

    # QueryBuilder.count and QueryBuilder.groupby
    budget = PureDPBudget(float("inf"))
    sess = Session.from_dataframe(
        privacy_budget=budget,
        source_id="my_private_data",
        dataframe=my_private_data,
        protected_change=AddOneRow(),
    )
    query = QueryBuilder("my_private_data").count()
    answer = sess.evaluate(query, PureDPBudget(float("inf")))
    results.append(("count", rows_of(answer), [(3,)]))

    groupby_keys = KeySet.from_dict({"A": ["0", "1"]})
    query = QueryBuilder("my_private_data").groupby(groupby_keys).count()
    answer = sess.evaluate(query, PureDPBudget(float("inf")))
    results.append(("groupby exact domain", rows_of(answer), [("0", 1), ("1", 2)]))

    groupby_keys = KeySet.from_dict({"A": ["0", "2"]})
    query = QueryBuilder("my_private_data").groupby(groupby_keys).count()
    answer = sess.evaluate(query, PureDPBudget(float("inf")))
    results.append(("groupby omitted and added values", rows_of(answer), [("0", 1), ("2", 0)]))

    groupby_keys = KeySet.from_dict({"A": ["0", "1"], "B": [0, 1, 2]})
    query = QueryBuilder("my_private_data").groupby(groupby_keys).count()
    answer = sess.evaluate(query, PureDPBudget(float("inf")))
    results.append(("groupby multi-column domain", rows_of(answer), [
        ("0", 0, 0), ("0", 1, 1), ("0", 2, 0), ("1", 0, 1), ("1", 1, 0), ("1", 2, 1)]))

    groupby_keys = KeySet.from_tuples([("0", 1), ("0", 2), ("1", 0), ("1", 2)], ["A", "B"])
    query = QueryBuilder("my_private_data").groupby(groupby_keys).count()
    answer = sess.evaluate(query, PureDPBudget(float("inf")))
    results.append(("groupby structural zeros", rows_of(answer), [
        ("0", 1, 1), ("0", 2, 0), ("1", 0, 1), ("1", 2, 1)]))

    # QueryBuilder.sum, QueryBuilder.average and QueryBuilder.median
    query = QueryBuilder("my_private_data").sum(column="B", low=0, high=2)
    answer = sess.evaluate(query, PureDPBudget(float("inf")))
    results.append(("sum", columns_and_rows(answer), (["B_sum"], [(3,)])))
    query = QueryBuilder("my_private_data").average(column="B", low=0, high=2)
    answer = sess.evaluate(query, PureDPBudget(float("inf")))
    results.append(("average", columns_and_rows(answer), (["B_average"], [(1.0,)])))
    # Tumult documents 1.221197, one draw: at an infinite budget its median is
    # drawn from the best intervals between order statistics of B = 0, 1, 2
    # (bounds 0 and 5), [0, 1) and [1, 2), both 0.5 from the middle. sparkdp's
    # exact sampler answers a point of them too (plan.rs: the smallest one), so
    # the example checks [0, 2).
    query = QueryBuilder("my_private_data").median(column="B", low=0, high=5, name="median_B")
    answer = sess.evaluate(query, PureDPBudget(float("inf")))
    (median_row,) = answer.collect()
    results.append(("median in [0, 2)", (answer.columns, 0 <= median_row[0] < 2),
                    (["median_B"], True)))
    sess.stop()

    # QueryBuilder.enforce (Tumult builds this session with Session.Builder)
    my_private_data = spark.createDataFrame(
        [["0", 1, 0], ["1", 0, 1], ["1", 2, 1]], ["id", "B", "X"])
    sess = Session.from_dataframe(
        privacy_budget=PureDPBudget(float("inf")),
        source_id="my_private_data",
        dataframe=my_private_data,
        protected_change=AddRowsWithID("id", "a"),
    )
    query = QueryBuilder("my_private_data").enforce(MaxRowsPerID(2)).count()
    answer = sess.evaluate(query, sess.remaining_privacy_budget)
    results.append(("enforce MaxRowsPerID(2)", rows_of(answer), [(3,)]))
    query = QueryBuilder("my_private_data").enforce(MaxRowsPerID(1)).count()
    answer = sess.evaluate(query, sess.remaining_privacy_budget)
    results.append(("enforce MaxRowsPerID(1)", rows_of(answer), [(2,)]))
    sess.stop()
    return results


def main():
    """Runs the examples and prints each answer beside Tumult's."""
    with tempfile.TemporaryDirectory(prefix="sparkdp-warehouse-") as warehouse_dir:
        spark = build_spark(warehouse_dir)
        spark.sparkContext.setLogLevel("WARN")
        try:
            results = run_examples(spark)
        finally:
            spark.stop()
    mismatches = 0
    for name, got, documented in results:
        same = got == documented
        mismatches += 0 if same else 1
        print("{:<36} {}  sparkdp: {}  Tumult: {}".format(
            name, "same" if same else "DIFFERENT", got, documented))
    print("{} of {} examples give Tumult's documented answer".format(
        len(results) - mismatches, len(results)))
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
