"""What differs between the Spark lines sparkdp runs on (issue 12), through the Python API.

Run by ``make test-python`` on pyspark 3.5 (build/sparkdp.jar), 4.1 (build/sparkdp_2.13.jar) and 3.3:
- Spark 4 runs with ANSI mode on (its default), and the suite on it therefore does too;
- a clamped sum whose total exceeds a bigint never raises (Spark's ANSI overflow or otherwise), with ANSI
  mode off or on: the exact answer fits, and a total beyond the Int64 range saturates at it;
- Spark 4 string collations: a key column whose collation makes different strings equal is refused with a
  ValueError naming the column, and nothing is spent.
Uses the session-scoped ``spark`` fixture of conftest.py (FAILS without the jar).
"""
import contextlib

import pytest
from pyspark.sql.types import LongType, StructField, StructType

from sparkdp import AddOneRow, KeySet, PureDPBudget, QueryBuilder, Session

INF = float("inf")
LONG_MAX = 2 ** 63 - 1
# The largest bound a sum's plan accepts (|bound| < 2^62).
LARGEST_BOUND = 2 ** 62 - 1


def _spark_major(spark):
    return int(spark.version.split(".")[0])


@contextlib.contextmanager
def _ansi(spark, enabled):
    before = spark.conf.get("spark.sql.ansi.enabled", None)
    spark.conf.set("spark.sql.ansi.enabled", "true" if enabled else "false")
    try:
        yield
    finally:
        if before is None:
            spark.conf.unset("spark.sql.ansi.enabled")
        else:
            spark.conf.set("spark.sql.ansi.enabled", before)


@pytest.fixture(scope="module")
def huge_df(spark):
    """Three longs whose plain sum overflows a bigint."""
    schema = StructType([StructField("id", LongType(), False), StructField("amount", LongType())])
    rows = [(0, LONG_MAX), (1, LONG_MAX - 10), (2, LONG_MAX // 2)]
    return spark.createDataFrame(rows, schema)


def test_spark4_runs_with_ansi_mode_on(spark):
    if _spark_major(spark) < 4:
        pytest.skip("ANSI mode is off by default before Spark 4")
    assert spark.conf.get("spark.sql.ansi.enabled") == "true"


@pytest.mark.parametrize("ansi", [False, True])
def test_clamped_sum_near_long_max_never_raises(spark, huge_df, ansi):
    with _ansi(spark, ansi):
        # Clamped to [0, LONG_MAX // 3] the exact sum is LONG_MAX - 1: it fits.
        high = LONG_MAX // 3
        session = Session.from_dataframe(PureDPBudget(INF), "huge", huge_df, AddOneRow())
        result = session.evaluate(QueryBuilder("huge").sum("amount", 0, high), PureDPBudget(INF))
        assert [row[0] for row in result.collect()] == [3 * high]
        # Clamped to [0, 2^62 - 1] it exceeds the Int64 range: exactly, it saturates at LONG_MAX; with noise
        # (epsilon 1000: scale 2^62 / 1000, the largest epsilon 1 cannot draw) it comes back as one bigint too.
        for budget in (PureDPBudget(INF), PureDPBudget(1000)):
            session = Session.from_dataframe(budget, "huge", huge_df, AddOneRow())
            result = session.evaluate(QueryBuilder("huge").sum("amount", 0, LARGEST_BOUND), budget)
            assert result.schema.fields[0].dataType == LongType()
            values = [row[0] for row in result.collect()]
            assert len(values) == 1 and -LONG_MAX - 1 <= values[0] <= LONG_MAX
            if budget == PureDPBudget(INF):
                assert values == [LONG_MAX]


def test_collated_key_column_is_refused_naming_it(spark):
    if _spark_major(spark) < 4:
        pytest.skip("Spark {} has no string collations".format(spark.version))
    data = spark.sql(
        "SELECT * FROM VALUES (1, 'Paris'), (2, 'PARIS') AS t(member_id, city)"
    ).selectExpr("member_id", "city COLLATE UTF8_LCASE AS city")
    session = Session.from_dataframe(PureDPBudget(1), "visits", data, AddOneRow())
    keyset = KeySet.from_dict({"city": ["Paris", "Lyon"]})
    with pytest.raises(ValueError, match=r"Column 'city'.*collation UTF8_LCASE"):
        session.evaluate(QueryBuilder("visits").groupby(keyset).count(), PureDPBudget(1))
    assert session.remaining_privacy_budget == PureDPBudget(1)
