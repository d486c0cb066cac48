"""System tests of get_bounds (Tumult's GetBounds) through the Python API and the built jar.

- ungrouped and grouped x {AddOneRow, AddMaxRows, AddMaxRowsInMaxGroups,
  AddRowsWithID + each constraint} at an infinite budget equals the bins
  computed by plain PySpark on the same data: ceil(log2(|v|)) (0 in the lowest
  bin) clamped to [lowest, 100] (integer: 0..62, float: -100..100), null, NaN
  and infinities dropped, the first bin whose prefix count reaches
  floor(0.95 n); output (upper, lower) = (2**i, -2**i) typed as the column;
- names (defaults and given), Tumult's column order (upper before lower);
- a finite budget of each type is charged whole, and re-reading the result
  gives the same values;
- errors as Tumult users meet them, with nothing spent.

Uses the session-scoped ``spark`` fixture of conftest.py (FAILS without the jar).
"""

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType

from sparkdp import (
    AddOneRow,
    AddRowsWithID,
    ApproxDPBudget,
    KeySet,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    RhoZCDPBudget,
)
from test_aggregations_system import (
    CHANGES_AND_CONSTRAINTS,
    INF,
    ITEM_ROWS,
    ITEM_SCHEMA,
    KEYSET_GROUPS,
    assert_refused,
    builder_with,
    kept_rows,
    open_session,
)

# Infinities and a large value, so dropping and clamping show.
EXTRA_ROWS = [(12, "a", 1000, INF, "i"), (13, "b", -3, -INF, "j"), (14, "d", 0, 0.0, "k")]


@pytest.fixture(scope="module")
def items(spark):
    return spark.createDataFrame(ITEM_ROWS + EXTRA_ROWS, ITEM_SCHEMA).cache()


@pytest.fixture(scope="module")
def group_keyset(spark):
    return KeySet.from_dataframe(spark.createDataFrame([(g,) for g in KEYSET_GROUPS], "g string"))


def expected_bounds(rows, column, grouped):
    """{key: (upper, lower)} by Tumult's rules with bins from plain PySpark."""
    integer = column == "x"
    lowest, highest = (0, 62) if integer else (-100, 100)
    value = F.col(column).cast("double")
    bin_ = F.when(value == 0, F.lit(lowest)).otherwise(
        F.greatest(F.lit(lowest), F.least(F.lit(100), F.ceil(F.log2(F.abs(value))).cast("int"))))
    key = F.col("g") if grouped else F.lit("")
    counts = {}
    for row in (rows.where(value.isNotNull() & ~F.isnan(value) & (F.abs(value) != INF))
                .select(key.alias("key"), bin_.alias("bin"))
                .where(F.col("bin") <= highest)
                .groupBy("key", "bin").count().collect()):
        counts[(row["key"], row["bin"])] = row["count"]
    expected = {}
    for k in (KEYSET_GROUPS if grouped else [""]):
        n = sum(c for (kk, _), c in counts.items() if kk == k)
        threshold = 19 * n // 20
        selected = next(i for i in range(lowest, highest + 1)
                        if sum(c for (kk, b), c in counts.items() if kk == k and b <= i) >= threshold)
        bound = 2 ** selected if integer else 2.0 ** selected
        expected[k] = (bound, -bound)
    return expected


def released(output, grouped, column):
    upper, lower = column + "_upper_bound", column + "_lower_bound"
    assert output.columns == (["g"] if grouped else []) + [upper, lower]
    rows = output.collect()
    assert sorted(map(str, output.collect())) == sorted(map(str, rows)), "re-reading differs"
    return {(r["g"] if grouped else ""): (r[upper], r[lower]) for r in rows}


INFINITE_BUDGETS = [PureDPBudget(INF), ApproxDPBudget(INF, 0), RhoZCDPBudget(INF)]


@pytest.mark.parametrize("grouped", [True, False], ids=["grouped", "ungrouped"])
@pytest.mark.parametrize("change_name", list(CHANGES_AND_CONSTRAINTS))
def test_get_bounds_is_exact_at_infinite_budget(items, group_keyset, change_name, grouped):
    change, constraints = CHANGES_AND_CONSTRAINTS[change_name]()
    budget = INFINITE_BUDGETS[list(CHANGES_AND_CONSTRAINTS).index(change_name) % 3]
    rows = kept_rows(items, constraints)
    with open_session(budget, items, change) as session:
        for column, output_type in [("x", LongType), ("y", DoubleType)]:
            builder = builder_with(constraints)
            if grouped:
                builder = builder.groupby(group_keyset)
            output = session.evaluate(builder.get_bounds(column), budget)
            assert isinstance(output.schema[column + "_upper_bound"].dataType, output_type)
            assert isinstance(output.schema[column + "_lower_bound"].dataType, output_type)
            assert released(output, grouped, column) == expected_bounds(rows, column, grouped)


def test_the_expected_bounds_are_not_trivial(items):
    # x: n = 21, threshold 19; prefixes 2, 3, 8, 15, 20 at bins 0..4 (1000, bin 10, is left out).
    assert expected_bounds(items, "x", False) == {"": (16, -16)}
    # y: the infinities, null and NaN dropped, 0.0 in bin -100: n = 18, threshold 17, reached at bin 3.
    assert expected_bounds(items, "y", False) == {"": (8.0, -8.0)}


def test_names_are_forwarded(items, group_keyset):
    budget = PureDPBudget(INF)
    with open_session(budget, items, AddOneRow()) as session:
        output = session.evaluate(QueryBuilder("items").get_bounds("x", "lo", "hi"), budget)
        assert output.columns == ["hi", "lo"]
        output = session.evaluate(
            QueryBuilder("items").groupby(group_keyset).get_bounds("y", upper_bound_column="top"),
            budget)
        assert output.columns == ["g", "top", "y_lower_bound"]


@pytest.mark.parametrize("budget", [PureDPBudget(1), ApproxDPBudget(1, 1e-6), RhoZCDPBudget(0.5)],
                         ids=["pure", "approx", "zcdp"])
def test_a_finite_budget_is_charged_whole_and_rereading_agrees(items, group_keyset, budget):
    with open_session(budget, items, AddRowsWithID("id")) as session:
        query = QueryBuilder("items").enforce(MaxRowsPerID(3)).groupby(group_keyset).get_bounds("x")
        output = session.evaluate(query, budget)
        values = released(output, True, "x")
        assert len(values) == len(KEYSET_GROUPS)
        for upper, lower in values.values():
            assert lower == -upper and upper > 0 and upper & (upper - 1) == 0 and upper <= 2 ** 62
        remaining = session.remaining_privacy_budget
        if isinstance(remaining, PureDPBudget):
            assert remaining.epsilon == 0, remaining
        elif isinstance(remaining, ApproxDPBudget):
            assert (remaining.epsilon, remaining.delta) == (0, 0), remaining
        else:
            assert remaining.rho == 0, remaining


ERRORS = {
    "unknown-column": (lambda b: b.get_bounds("nope"), ValueError,
                       "GetBounds query's measure column 'nope' does not exist in the table."),
    "non-numeric": (lambda b: b.get_bounds("label"), ValueError,
                    "(?s)GetBounds query's measure column 'label' has invalid type 'VARCHAR'"),
    "same-names": (lambda b: b.get_bounds("x", "b", "b"), ValueError, "different names"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_are_tumults_exception_and_spend_nothing(items, case):
    make_query, error, pattern = ERRORS[case]
    with open_session(PureDPBudget(2), items, AddOneRow()) as session:
        assert_refused(session, make_query(QueryBuilder("items")), PureDPBudget(1), error, pattern)


def test_grouped_and_id_errors_spend_nothing(items, group_keyset):
    with open_session(PureDPBudget(2), items, AddOneRow()) as session:
        assert_refused(session, QueryBuilder("items").groupby(group_keyset).get_bounds("g"),
                       PureDPBudget(1), ValueError, "Column to aggregate must be a non-grouped column")
    with open_session(PureDPBudget(2), items, AddRowsWithID("id")) as session:
        assert_refused(session, QueryBuilder("items").get_bounds("x"), PureDPBudget(1),
                       RuntimeError, ".")
        assert_refused(session, QueryBuilder("items").enforce(MaxRowsPerID(2)).get_bounds("id"),
                       PureDPBudget(1), ValueError, "privacy ID column")


def test_python_type_errors_come_before_the_jvm():
    with pytest.raises(TypeError):
        QueryBuilder("items").get_bounds(3)
    with pytest.raises(TypeError):
        QueryBuilder("items").get_bounds("x", lower_bound_column=1)
    with pytest.raises(TypeError):
        QueryBuilder("items").get_bounds("x", upper_bound_column=["u"])
