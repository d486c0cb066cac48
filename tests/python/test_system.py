"""System tests: the Python API end to end against the built jar (local Spark).

Every test here uses the session-scoped ``spark`` fixture, which FAILS if
``build/sparkdp.jar`` is missing (run ``make jar``).
"""

import math
import os
import subprocess
import sys

import pytest
from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

from conftest import JAR_PATH, REPO_ROOT
from sparkdp import (
    AddRowsWithID,
    AnalyticsInternalError,
    CountMechanism,
    KeySet,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    Session,
)
from sparkdp import _java

KEY_COLUMNS = ["title", "author", "isbn"]
SMALL_SCHEMA = StructType(
    [
        StructField("member_id", IntegerType()),
        StructField("title", StringType()),
        StructField("author", StringType()),
        StructField("isbn", StringType()),
    ]
)


def _seed_query(keyset, max_rows_per_id=20):
    return (
        QueryBuilder("checkouts")
        .enforce(MaxRowsPerID(max_rows_per_id))
        .groupby(keyset)
        .count()
    )


def _book_keyset(books_df):
    return KeySet.from_dataframe(books_df.select(*KEY_COLUMNS))


@pytest.fixture(scope="module")
def small_checkouts(spark):
    """Member 1 borrows book A 100 times, member 2 book B 3 times, member 3 B 25 times."""
    rows = (
        [(1, "A", "Ann", "1")] * 100
        + [(2, "B", "Bo", "2")] * 3
        + [(3, "B", "Bo", "2")] * 25
    )
    return spark.createDataFrame(rows, SMALL_SCHEMA)


def _keyset_of(spark, keys):
    return KeySet.from_dataframe(
        spark.createDataFrame(keys, StructType(SMALL_SCHEMA.fields[1:]))
    )


# ---------------------------------------------------------------- seed query


def test_seed_query_one_row_per_keyset_key(spark, checkouts_df, books_df):
    budget = PureDPBudget(2)
    session = Session.from_dataframe(budget, "checkouts", checkouts_df,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        assert session.private_sources == ["checkouts"]
        keyset = _book_keyset(books_df)
        output = session.evaluate(_seed_query(keyset), budget)

        assert output.columns == KEY_COLUMNS + ["count"]
        assert isinstance(output.schema["count"].dataType, (IntegerType, LongType))
        rows = output.collect()
        expected_keys = {tuple(r) for r in books_df.select(*KEY_COLUMNS).collect()}
        output_keys = [tuple(r[c] for c in KEY_COLUMNS) for r in rows]
        assert len(output_keys) == len(expected_keys) == 300
        assert set(output_keys) == expected_keys  # all keys in, none outside
        assert all(isinstance(r["count"], int) for r in rows)
        assert session.remaining_privacy_budget == PureDPBudget(0)
    finally:
        session.stop()


def test_custom_count_column_name(spark, small_checkouts):
    session = Session.from_dataframe(PureDPBudget(float("inf")), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        query = (QueryBuilder("checkouts").enforce(MaxRowsPerID(20))
                 .groupby(_keyset_of(spark, [("A", "Ann", "1")])).count(name="checkouts"))
        output = session.evaluate(query, PureDPBudget(float("inf")))
        assert output.columns == KEY_COLUMNS + ["checkouts"]
    finally:
        session.stop()


def test_infinite_budget_truncates_to_max_rows_per_id(spark, small_checkouts):
    session = Session.from_dataframe(PureDPBudget(float("inf")), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        keyset = _keyset_of(spark, [("A", "Ann", "1"), ("B", "Bo", "2"), ("C", "Cy", "3")])
        output = session.evaluate(_seed_query(keyset), PureDPBudget(float("inf")))
        counts = {r["title"]: r["count"] for r in output.collect()}
        # A: one member, 100 rows, capped at 20. B: 3 + min(25, 20). C: absent.
        assert counts == {"A": 20, "B": 23, "C": 0}
        assert session.remaining_privacy_budget.is_infinite
    finally:
        session.stop()


def test_keyset_dataframe_has_one_row_per_distinct_key(spark):
    """Tumult's KeySet.dataframe(): duplicates of the source DataFrame appear once."""
    keys = [("A", "Ann", "1"), ("A", "Ann", "1"), ("B", "Bo", "2")]
    keyset = _keyset_of(spark, keys)
    assert keyset.dataframe().columns == KEY_COLUMNS
    assert sorted(tuple(r) for r in keyset.dataframe().collect()) == [
        ("A", "Ann", "1"), ("B", "Bo", "2")]


def test_count_mechanism_forwarded_gaussian_rejected_under_pure_dp(spark, small_checkouts):
    """Tumult's count(mechanism=...): LAPLACE works; GAUSSIAN needs zCDP and spends nothing."""
    session = Session.from_dataframe(PureDPBudget(float("inf")), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        grouped = (QueryBuilder("checkouts").enforce(MaxRowsPerID(20))
                   .groupby(_keyset_of(spark, [("A", "Ann", "1")])))
        output = session.evaluate(grouped.count(mechanism=CountMechanism.LAPLACE),
                                  PureDPBudget(float("inf")))
        assert [tuple(r) for r in output.collect()] == [("A", "Ann", "1", 20)]
        with pytest.raises(ValueError, match="RhoZCDP"):
            session.evaluate(grouped.count(name="n", mechanism="gaussian"), PureDPBudget(1))
        assert session.remaining_privacy_budget.is_infinite
    finally:
        session.stop()


# ---------------------------------------------------------------- noise


def _discrete_laplace_moments(scale):
    """Exact variance and 4th moment of P(k) ∝ exp(-|k|/scale), summed numerically."""
    q = math.exp(-1.0 / scale)
    variance = 2 * q / (1 - q) ** 2
    normalizer = (1 - q) / (1 + q)
    fourth_moment = 2 * normalizer * math.fsum(
        k ** 4 * q ** k for k in range(1, int(200 * scale) + 1)
    )
    return variance, fourth_moment


def _variance_z_score(draws, scale):
    """z of mean(k^2) against its mean (the variance) under discrete Laplace(scale)."""
    variance, fourth_moment = _discrete_laplace_moments(scale)
    mean_square = math.fsum(k * k for k in draws) / len(draws)
    standard_error = math.sqrt((fourth_moment - variance ** 2) / len(draws))
    return (mean_square - variance) / standard_error, mean_square, variance


# |z| threshold for the mean of k^2. That mean is right-skewed (skewness about
# 6.6 / sqrt(n) whatever the scale), so the normal two-sided threshold for
# 1e-6 (4.89) fails about 5e-6 of the time at n = 2000 (7e-6 at n = 1200).
# A second-order Edgeworth expansion puts |z| >= 6 at about 3e-8 at n = 2000.
# The same threshold as SeedQuerySuite (jvm/src/test/.../SeedQuerySuite.scala).
_Z_THRESHOLD = 6.0


def test_noise_has_discrete_laplace_scale_20_over_epsilon(spark, small_checkouts):
    """2 sessions x 1000 keys absent from the data -> 2000 pure noise draws.

    With MaxRowsPerID(20) under AddRowsWithID and epsilon = 2 the scale is
    20 / 2 = 10: P(k) ∝ exp(-|k|/10), variance 2e^{-1/s}/(1-e^{-1/s})² ≈ 199.8.
    The statistic mean(k²) (true mean 0) is compared with that variance by a
    z-test with |z| < 6. Its false-failure rate is about 3e-8 (second-order
    Edgeworth expansion: mean(k²) is skewed, so the normal approximation
    understates the upper tail). Half the scale (variance ≈ 49.8) gives
    z ≈ -15 and double (≈ 799.8) z ≈ +60, so either fails it; the same data
    is also checked to reject those two scales.
    """
    epsilon = 2
    scale = 20 / epsilon
    keyset = _keyset_of(
        spark, [("absent-{:04d}".format(i), "Nobody", "none") for i in range(1000)]
    )
    draws = []
    for _ in range(2):
        session = Session.from_dataframe(PureDPBudget(epsilon), "checkouts", small_checkouts,
                                         protected_change=AddRowsWithID("member_id"))
        try:
            output = session.evaluate(_seed_query(keyset), PureDPBudget(epsilon))
            draws += [r["count"] for r in output.collect()]
        finally:
            session.stop()
    assert len(draws) == 2000 and all(isinstance(k, int) for k in draws)
    z, mean_square, variance = _variance_z_score(draws, scale)
    assert abs(z) < _Z_THRESHOLD, (
        "n={} mean(k^2)={:.2f} expected variance={:.2f} (scale {}) z={:.2f}".format(
            len(draws), mean_square, variance, scale, z)
    )
    for wrong_scale in (scale / 2, scale * 2):
        wrong_z, _, wrong_variance = _variance_z_score(draws, wrong_scale)
        assert abs(wrong_z) > _Z_THRESHOLD, (
            "data does not reject scale {} (variance {:.2f}): z={:.2f}".format(
                wrong_scale, wrong_variance, wrong_z)
        )


def test_collecting_twice_gives_identical_values(spark, checkouts_df, books_df):
    session = Session.from_dataframe(PureDPBudget(1), "checkouts", checkouts_df,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        output = session.evaluate(_seed_query(_book_keyset(books_df)), PureDPBudget(1))
        first = sorted(tuple(r) for r in output.collect())
        second = sorted(tuple(r) for r in output.orderBy("isbn").collect())
        assert first == second
    finally:
        session.stop()


# ---------------------------------------------------------------- budget


def test_overspending_raises_and_spends_nothing(spark, small_checkouts):
    session = Session.from_dataframe(PureDPBudget(1), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        keyset = _keyset_of(spark, [("A", "Ann", "1")])
        with pytest.raises(RuntimeError, match="(?i)budget"):
            session.evaluate(_seed_query(keyset), PureDPBudget(1.5))
        assert session.remaining_privacy_budget == PureDPBudget(1)
        session.evaluate(_seed_query(keyset), PureDPBudget(0.25))
        assert session.remaining_privacy_budget == PureDPBudget(0.75)  # charged once
    finally:
        session.stop()


def test_evaluate_after_stop_raises_runtime_error(spark, small_checkouts):
    session = Session.from_dataframe(PureDPBudget(1), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    session.stop()
    # Tumult's text (Session._activate_accountant).
    with pytest.raises(RuntimeError, match="no longer active, and no new queries can be performed"):
        session.evaluate(_seed_query(_keyset_of(spark, [("A", "Ann", "1")])), PureDPBudget(1))


# ---------------------------------------------------------------- warehouse


def _warehouse_state(spark, warehouse_dir):
    databases = sorted(db.name for db in spark.catalog.listDatabases())
    tables = sorted(
        (db, t.name) for db in databases for t in spark.catalog.listTables(db)
    )
    files = sorted(str(p.relative_to(warehouse_dir)) for p in warehouse_dir.rglob("*"))
    return databases, tables, files


def test_stop_leaves_no_table_behind(spark, warehouse_dir, small_checkouts):
    before = _warehouse_state(spark, warehouse_dir)
    session = Session.from_dataframe(PureDPBudget(1), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    output = session.evaluate(_seed_query(_keyset_of(spark, [("A", "Ann", "1")])),
                              PureDPBudget(1))
    output.collect()
    during = _warehouse_state(spark, warehouse_dir)
    assert during != before, "evaluate wrote nothing under the warehouse (DESIGN step 5)"
    session.stop()
    assert _warehouse_state(spark, warehouse_dir) == before


def test_rejected_query_leaves_no_database_and_spends_nothing(
        spark, warehouse_dir, small_checkouts):
    """A query rejected for its keyset or table creates no database or table.

    In a persistent catalog (Hive metastore, Glue) such leftovers would outlive
    the program.
    """
    before = _warehouse_state(spark, warehouse_dir)
    session = Session.from_dataframe(PureDPBudget(1), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        genre_keyset = KeySet.from_dataframe(
            spark.createDataFrame([("A", "fiction")], "title string, genre string"))
        with pytest.raises(KeyError, match="genre"):
            session.evaluate(_seed_query(genre_keyset), PureDPBudget(1))
        unknown_table = (QueryBuilder("loans").enforce(MaxRowsPerID(20))
                         .groupby(_keyset_of(spark, [("A", "Ann", "1")])).count())
        with pytest.raises(ValueError, match="Table 'loans' does not exist"):
            session.evaluate(unknown_table, PureDPBudget(1))
        assert session.remaining_privacy_budget == PureDPBudget(1)
        assert _warehouse_state(spark, warehouse_dir) == before
    finally:
        session.stop()


_EXIT_WITHOUT_STOP_SCRIPT = """
import sys
from pyspark.sql import SparkSession
from sparkdp import AddRowsWithID, KeySet, MaxRowsPerID, PureDPBudget, QueryBuilder, Session

jar, warehouse = sys.argv[1], sys.argv[2]
spark = (SparkSession.builder.master("local[1]").config("spark.jars", jar)
         .config("spark.sql.warehouse.dir", warehouse)
         .config("spark.ui.enabled", "false").getOrCreate())
data = spark.createDataFrame([(1, "A"), (2, "B")], "member_id int, title string")
session = Session.from_dataframe(PureDPBudget(1), "t", data,
                                 protected_change=AddRowsWithID("member_id"))
keyset = KeySet.from_dataframe(spark.createDataFrame([("A",)], "title string"))
session.evaluate(QueryBuilder("t").enforce(MaxRowsPerID(1)).groupby(keyset).count(),
                 PureDPBudget(1)).collect()
import os
print("during:", sorted(os.listdir(warehouse)))
# Like most Tumult programs: neither session.stop() nor spark.stop().
"""


def test_exit_without_stop_leaves_no_database_behind(tmp_path):
    """A program that never calls session.stop() leaves nothing under the warehouse."""
    script = tmp_path / "exit_without_stop.py"
    script.write_text(_EXIT_WITHOUT_STOP_SCRIPT)
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    result = subprocess.run(
        [sys.executable, str(script), str(JAR_PATH), str(warehouse)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT / "python")), timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "during: ['sparkdp_" in result.stdout  # the session did write its database
    assert sorted(p.name for p in warehouse.iterdir()) == []


# ---------------------------------------------------------------- bad input


def test_missing_id_column_names_it(spark, small_checkouts):
    with pytest.raises(ValueError, match="patron_id"):
        session = Session.from_dataframe(PureDPBudget(1), "checkouts", small_checkouts,
                                         protected_change=AddRowsWithID("patron_id"))
        try:
            session.evaluate(_seed_query(_keyset_of(spark, [("A", "Ann", "1")])),
                             PureDPBudget(1))
        finally:
            session.stop()


def test_unknown_source_id_names_it(spark, small_checkouts):
    session = Session.from_dataframe(PureDPBudget(1), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        query = (QueryBuilder("no_such_table").enforce(MaxRowsPerID(20))
                 .groupby(_keyset_of(spark, [("A", "Ann", "1")])).count())
        with pytest.raises(ValueError, match="no_such_table"):
            session.evaluate(query, PureDPBudget(1))
        assert session.remaining_privacy_budget == PureDPBudget(1)
    finally:
        session.stop()


def test_keyset_column_missing_from_data_names_it(spark, small_checkouts):
    """Tumult: KeyError("Groupby column 'genre' is not in the input schema.")."""
    session = Session.from_dataframe(PureDPBudget(1), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        keyset = KeySet.from_dataframe(
            spark.createDataFrame([("A", "fiction")], "title string, genre string"))
        with pytest.raises(KeyError, match="genre"):
            session.evaluate(_seed_query(keyset), PureDPBudget(1))
        assert session.remaining_privacy_budget == PureDPBudget(1)
    finally:
        session.stop()


def test_keyset_column_of_other_type_names_it(spark, small_checkouts):
    session = Session.from_dataframe(PureDPBudget(1), "checkouts", small_checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        keyset = KeySet.from_dataframe(
            spark.createDataFrame([("A", 1)], "title string, isbn long"))
        with pytest.raises(ValueError, match="isbn"):
            session.evaluate(_seed_query(keyset), PureDPBudget(1))
        assert session.remaining_privacy_budget == PureDPBudget(1)
    finally:
        session.stop()


@pytest.mark.parametrize("epsilon, shown", [(-1.0, "-1"), (float("nan"), "(?i)NaN")])
def test_bad_budget_rejected_by_the_jvm(spark, epsilon, shown):
    # With Spark running, the JVM checks the budget where it is made, as Tumult raises.
    with pytest.raises(ValueError, match=shown):
        PureDPBudget(epsilon)
    # The Scala constructor itself (IllegalArgumentException -> ValueError).
    jvm = _java.jvm_of(spark)
    with pytest.raises(ValueError, match=shown):
        _java.new_sparkdp_object(jvm, "PureDPBudget", epsilon)


def test_native_panic_becomes_analytics_internal_error(spark):
    jvm = _java.jvm_of(spark)
    with pytest.raises(AnalyticsInternalError):
        with _java.translate_java_errors():
            jvm.sparkdp.bridge.Native.get().panicForTest()


# ---------------------------------------------------------------- example


def test_seed_query_example_runs(spark):
    """examples/seed_query.py (what `make demo` runs) prints the table and the budget."""
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "examples" / "seed_query.py")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        env=dict(os.environ, SPARKDP_JAR=str(JAR_PATH)),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "|title|author|isbn|count|" in result.stdout.replace(" ", "")
    assert "remaining: PureDPBudget(epsilon=0)" in result.stdout
    # The whole table is printed: a header line plus one line per book of data/books.csv.
    with open(str(REPO_ROOT / "data" / "books.csv")) as books_file:
        book_count = sum(1 for _ in books_file) - 1
    table_lines = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert len(table_lines) == 1 + book_count, result.stdout[-3000:]


def test_tumult_documented_examples_give_tumults_answers(spark):
    """examples/tumult_examples.py: Tumult's docstring examples with only the import changed."""
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "examples" / "tumult_examples.py")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        env=dict(os.environ, SPARKDP_JAR=str(JAR_PATH)),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "10 of 10 examples give Tumult's documented answer" in result.stdout


def test_real_java_exceptions_are_mapped(spark):
    """Real py4j errors (through pyspark's own exception hook) map as CONTRACTS.md says."""
    jvm = _java.jvm_of(spark)
    with pytest.raises(ValueError, match="Invalid UUID string: not-a-uuid"):
        with _java.translate_java_errors():
            jvm.java.util.UUID.fromString("not-a-uuid")
    with pytest.raises(KeyError, match="No value present"):
        with _java.translate_java_errors():
            jvm.java.util.Optional.empty().get()
