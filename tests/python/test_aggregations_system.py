"""System tests of the aggregations of issue 9 through the Python API and the built jar.

- every aggregation x {ungrouped, grouped} x {AddOneRow, AddMaxRows,
  AddMaxRowsInMaxGroups, AddRowsWithID + each constraint} at an infinite
  budget equals plain PySpark on the same data (the quantile family: inside
  the interval Tumult's exponential mechanism picks at an infinite budget,
  between adjacent order statistics); output names and types;
- get_groups: releases only keys of the data, with the columns asked for;
- errors as Tumult users meet them (ValueError / KeyError / TypeError), with
  nothing spent;
- noise scale of sum and average under each budget type, and the 2^k lattice
  of float sums.

Uses the session-scoped ``spark`` fixture of conftest.py (FAILS without the jar).
"""

import contextlib
import math

import pytest
from pyspark.sql import Window
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType

from sparkdp import (
    AddMaxRows,
    AddMaxRowsInMaxGroups,
    AddOneRow,
    AddRowsWithID,
    ApproxDPBudget,
    AverageMechanism,
    CountDistinctMechanism,
    GroupbyCountQuery,
    KeySet,
    MaxGroupsPerID,
    MaxRowsPerGroupPerID,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    RhoZCDPBudget,
    Session,
    StdevMechanism,
    SumMechanism,
    VarianceMechanism,
)

INF = float("inf")
NAN = float("nan")


@contextlib.contextmanager
def open_session(budget, dataframe, protected_change, source_id="items"):
    session = Session.from_dataframe(budget, source_id, dataframe,
                                     protected_change=protected_change)
    try:
        yield session
    finally:
        session.stop()


def builder_with(constraints, source_id="items"):
    builder = QueryBuilder(source_id)
    for constraint in constraints:
        builder = builder.enforce(constraint)
    return builder


# ---------------------------------------------------------------- data

# (id, g, x, y, label). x is an integer column clamped to [X_LOW, X_HIGH], y a
# double column clamped to [Y_LOW, Y_HIGH]; every y is a multiple of 1/4, so
# the float lattice of an infinite budget represents it exactly.
# Truncation must not depend on which rows it keeps: an ID over a row limit has
# identical rows (one group); every ID has at most 2 groups, and at most 2 rows
# in a group unless they are identical. id 1 and id 4 exceed the limits; id 4's
# x is above X_HIGH and id 5's values below the low bounds (clamped); id 6 has
# null measures (dropped) and id 7 a NaN y (dropped from y's aggregations); id 8's
# group is not in the keyset; group "d" of the keyset has no rows; the null
# group is a key.
ITEM_ROWS = (
    [(1, "a", 7, 2.5, "p")] * 5
    + [(2, "a", 1, -1.25, "q"), (2, "b", 4, 0.75, "q")]
    + [(3, "a", 3, 1.0, "r"), (3, "a", 5, 3.5, "s")]
    + [(4, "b", 12, 6.0, "t")] * 4
    + [(5, "c", -4, -3.0, "u")]
    + [(6, "c", None, None, "v")]
    + [(7, "c", 2, NAN, "w")]
    + [(8, "z", 9, 4.0, "x")]
    + [(9, "b", 6, 2.25, "y")]
    + [(11, None, 3, 1.5, "z")]
)
ITEM_SCHEMA = "id int, g string, x int, y double, label string"
KEYSET_GROUPS = ["a", "b", "c", "d", None]
X_LOW, X_HIGH = -2, 10
Y_LOW, Y_HIGH = -2.0, 5.0


@pytest.fixture(scope="module")
def items(spark):
    return spark.createDataFrame(ITEM_ROWS, ITEM_SCHEMA).cache()


@pytest.fixture(scope="module")
def group_keyset(spark):
    return KeySet.from_dataframe(spark.createDataFrame([(g,) for g in KEYSET_GROUPS], "g string"))


CHANGES_AND_CONSTRAINTS = {
    "AddOneRow": lambda: (AddOneRow(), []),
    "AddMaxRows": lambda: (AddMaxRows(3), []),
    "AddMaxRowsInMaxGroups": lambda: (AddMaxRowsInMaxGroups("g", 2, 3), []),
    "AddRowsWithID+MaxRowsPerID": lambda: (AddRowsWithID("id"), [MaxRowsPerID(3)]),
    "AddRowsWithID+MaxGroupsPerID+MaxRowsPerGroupPerID": lambda: (
        AddRowsWithID("id"), [MaxGroupsPerID("g", 2), MaxRowsPerGroupPerID("g", 2)]),
}

# The budget type rotates over the cases (each is exact at infinity); the
# noise tests cover every type at finite budgets.
INFINITE_BUDGETS = [lambda: PureDPBudget(INF), lambda: ApproxDPBudget(INF, 0),
                    lambda: RhoZCDPBudget(INF)]


def kept_rows(items, constraints):
    """The rows truncation keeps, with plain PySpark (see ITEM_ROWS for why it is unique)."""
    if not constraints:
        return items
    if [type(c) for c in constraints] == [MaxRowsPerID]:
        window, limit = Window.partitionBy("id").orderBy("x"), constraints[0].max
    else:
        assert [type(c) for c in constraints] == [MaxGroupsPerID, MaxRowsPerGroupPerID]
        groups = items.groupBy("id").agg(F.countDistinct(F.coalesce("g", F.lit("<null>"))))
        assert max(row[1] for row in groups.collect()) <= constraints[0].max
        window, limit = Window.partitionBy("id", "g").orderBy("x"), constraints[1].max
    return (items.withColumn("row", F.row_number().over(window))
            .filter(F.col("row") <= limit).drop("row"))


def clamped(column, low, high):
    """Column clamped to [low, high]; null for null and NaN (Tumult drops them)."""
    value = F.col(column)
    if column == "y":
        value = F.when(F.isnan(value), F.lit(None)).otherwise(value)
    # greatest/least skip nulls: keep a null null.
    return F.when(value.isNull(), F.lit(None)).otherwise(
        F.greatest(F.least(value, F.lit(high)), F.lit(low)))


def values_by_key(rows, grouped, column, low, high):
    """{key: sorted clamped non-null values} over the keyset (or {None: [...]})."""
    frame = rows.select("g", clamped(column, low, high).alias("v")).filter(F.col("v").isNotNull())
    collected = frame.collect()
    if not grouped:
        return {(): sorted(r["v"] for r in collected)}
    return {(g,): sorted(r["v"] for r in collected if r["g"] == g) for g in KEYSET_GROUPS}


def distinct_by_key(rows, grouped, columns):
    """{key: number of distinct value combinations} (a null is a value, as in Tumult)."""
    if not grouped:
        return {(): rows.select(*columns).distinct().count()}
    selected = ["g"] + [column for column in columns if column != "g"]
    counts = {r["g"]: r["n"] for r in rows.select(*selected).distinct()
              .groupBy("g").agg(F.count(F.lit(1)).alias("n")).collect()}
    return {(g,): counts.get(g, 0) for g in KEYSET_GROUPS}


def sample_variance(values, low, high):
    """Tumult's variance post-processing of exact sums: NaN for n <= 1, in [0, (high-low)^2/4]."""
    n = len(values)
    if n <= 1:
        return NAN
    mean = math.fsum(values) / n
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return min(max(variance, 0.0), (high - low) ** 2 / 4)


def expected_numbers(values, aggregation, low, high):
    if aggregation == "sum":
        return math.fsum(values)
    if aggregation == "average":
        return math.fsum(values) / len(values) if values else (low + high) / 2
    if aggregation == "variance":
        return sample_variance(values, low, high)
    if aggregation == "stdev":
        return math.sqrt(sample_variance(values, low, high))
    raise AssertionError(aggregation)


def quantile_interval(values, quantile, low, high):
    """Where the answer lies at an infinite budget.

    Tumult's exponential mechanism draws from the intervals between adjacent
    order statistics, [x_(i), x_(i+1)) with x_(0) = low and x_(n+1) = high,
    with utility -|i - quantile * n|; an interval of length 0 (tied values) has
    no mass. At an infinite budget the answer is in a best interval of positive
    length; returns the hull of those.
    """
    points = [low] + list(values) + [high]
    candidates = [i for i in range(len(values) + 1) if points[i] < points[i + 1]]
    target = quantile * len(values)
    best_distance = min(abs(i - target) for i in candidates)
    best = [i for i in candidates if abs(abs(i - target) - best_distance) < 1e-12]
    return points[min(best)], points[max(best) + 1]


def close(got, expected):
    if isinstance(expected, float) and math.isnan(expected):
        return got is not None and math.isnan(got)
    return got is not None and math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)


# (aggregation, column, bounds, call(builder), default output name, output type)
NUMERIC_CASES = {
    "sum-int": ("sum", "x", lambda b: b.sum("x", X_LOW, X_HIGH), "x_sum", LongType),
    "sum-float": ("sum", "y", lambda b: b.sum("y", Y_LOW, Y_HIGH), "y_sum", DoubleType),
    "average-int": ("average", "x", lambda b: b.average("x", X_LOW, X_HIGH), "x_average",
                    DoubleType),
    "average-float": ("average", "y", lambda b: b.average("y", Y_LOW, Y_HIGH), "y_average",
                      DoubleType),
    "variance-int": ("variance", "x", lambda b: b.variance("x", X_LOW, X_HIGH), "x_variance",
                     DoubleType),
    "variance-float": ("variance", "y", lambda b: b.variance("y", Y_LOW, Y_HIGH),
                       "y_variance", DoubleType),
    "stdev-int": ("stdev", "x", lambda b: b.stdev("x", X_LOW, X_HIGH), "x_stdev", DoubleType),
    "stdev-float": ("stdev", "y", lambda b: b.stdev("y", Y_LOW, Y_HIGH), "y_stdev", DoubleType),
}
QUANTILE_CASES = {
    "quantile-int": (0.25, "x", lambda b: b.quantile("x", 0.25, X_LOW, X_HIGH),
                     "x_quantile(0.25)"),
    "quantile-float": (0.75, "y", lambda b: b.quantile("y", 0.75, Y_LOW, Y_HIGH),
                       "y_quantile(0.75)"),
    "median-int": (0.5, "x", lambda b: b.median("x", X_LOW, X_HIGH), "x_median"),
    "median-float": (0.5, "y", lambda b: b.median("y", Y_LOW, Y_HIGH), "y_median"),
    "min-int": (0.0, "x", lambda b: b.min("x", X_LOW, X_HIGH), "x_min"),
    "min-float": (0.0, "y", lambda b: b.min("y", Y_LOW, Y_HIGH), "y_min"),
    "max-int": (1.0, "x", lambda b: b.max("x", X_LOW, X_HIGH), "x_max"),
    "max-float": (1.0, "y", lambda b: b.max("y", Y_LOW, Y_HIGH), "y_max"),
}
DISTINCT_CASES = {
    "count_distinct-columns": (["x"], lambda b: b.count_distinct(["x"]), "count_distinct(x)"),
    "count_distinct-two-columns": (["x", "label"], lambda b: b.count_distinct(["x", "label"]),
                                   "count_distinct(x, label)"),
    "count_distinct-rows": (None, lambda b: b.count_distinct(), "count_distinct"),
}
ALL_CASES = sorted(list(NUMERIC_CASES) + list(QUANTILE_CASES) + list(DISTINCT_CASES))


def bounds_of(column):
    return (X_LOW, X_HIGH) if column == "x" else (Y_LOW, Y_HIGH)


@pytest.fixture(scope="module")
def infinite_sessions(items):
    """One session per protected change and budget type, shared by the exact tests."""
    sessions = {}
    with contextlib.ExitStack() as stack:
        def session_for(change_name, budget_index):
            key = (change_name, budget_index)
            if key not in sessions:
                change, _ = CHANGES_AND_CONSTRAINTS[change_name]()
                sessions[key] = stack.enter_context(
                    open_session(INFINITE_BUDGETS[budget_index](), items, change))
            return sessions[key]
        yield session_for


def released(output, grouped, name):
    """{key tuple: value}, checking the output has one row per keyset key."""
    rows = output.collect()
    if not grouped:
        assert output.columns == [name] and len(rows) == 1
        return {(): rows[0][name]}
    assert output.columns == ["g", name]
    values = {(r["g"],): r[name] for r in rows}
    assert len(values) == len(rows) == len(KEYSET_GROUPS)
    return values


@pytest.mark.parametrize("grouped", [True, False], ids=["grouped", "ungrouped"])
@pytest.mark.parametrize("change_name", list(CHANGES_AND_CONSTRAINTS))
@pytest.mark.parametrize("case", ALL_CASES)
def test_aggregation_is_exact_at_infinite_budget(items, group_keyset, infinite_sessions,
                                                 case, change_name, grouped):
    case_index = ALL_CASES.index(case) + list(CHANGES_AND_CONSTRAINTS).index(change_name)
    budget_index = case_index % len(INFINITE_BUDGETS)
    session = infinite_sessions(change_name, budget_index)
    _, constraints = CHANGES_AND_CONSTRAINTS[change_name]()
    builder = builder_with(constraints)
    if grouped:
        builder = builder.groupby(group_keyset)
    rows = kept_rows(items, constraints)
    if case in NUMERIC_CASES:
        aggregation, column, call, name, output_type = NUMERIC_CASES[case]
    elif case in QUANTILE_CASES:
        quantile, column, call, name = QUANTILE_CASES[case]
        output_type = DoubleType
    else:
        columns, call, name = DISTINCT_CASES[case]
        output_type = LongType
    output = session.evaluate(call(builder), INFINITE_BUDGETS[budget_index]())
    assert isinstance(output.schema[name].dataType, output_type), output.schema
    got = released(output, grouped, name)

    if case in DISTINCT_CASES:
        assert got == distinct_by_key(rows, grouped, columns or rows.columns)
        return
    low, high = bounds_of(column)
    values = values_by_key(rows, grouped, column, low, high)
    for key, key_values in values.items():
        if case in NUMERIC_CASES:
            expected = expected_numbers(key_values, aggregation, low, high)
            if output_type is LongType:
                assert got[key] == int(expected), (key, key_values)
            else:
                assert close(got[key], expected), (key, got[key], expected, key_values)
        else:
            lowest, highest = quantile_interval(key_values, quantile, low, high)
            assert lowest - 1e-9 <= got[key] <= highest + 1e-9, (key, got[key], key_values)
    assert session.remaining_privacy_budget.is_infinite


def test_the_expected_values_are_not_trivial(items):
    """The plain-PySpark model really truncates, clamps and drops."""
    assert values_by_key(items, True, "x", X_LOW, X_HIGH)[("a",)] == [1, 3, 5, 7, 7, 7, 7, 7]
    assert values_by_key(kept_rows(items, [MaxRowsPerID(3)]), True, "x", X_LOW, X_HIGH)[
        ("b",)] == [4, 6, 10, 10, 10]
    assert values_by_key(
        kept_rows(items, [MaxGroupsPerID("g", 2), MaxRowsPerGroupPerID("g", 2)]), True,
        "y", Y_LOW, Y_HIGH)[("c",)] == [-2.0]
    assert values_by_key(items, False, "y", Y_LOW, Y_HIGH)[()][:2] == [-2.0, -1.25]
    assert quantile_interval([1, 2, 3, 4], 0.5, 0, 9) == (2, 3)
    assert quantile_interval([1, 2, 3], 0.5, 0, 9) == (1, 3)
    assert quantile_interval([], 0.5, 0, 9) == (0, 9)
    assert quantile_interval([1, 2, 2, 2, 2, 3], 0.5, 0, 9) == (1, 3)  # [2, 2) has no mass
    assert distinct_by_key(items, True, ["x"])[("c",)] == 3  # -4, null, 2


def test_names_mechanisms_and_mixed_bounds_are_forwarded(items, group_keyset):
    budget = RhoZCDPBudget(INF)
    with open_session(budget, items, AddOneRow()) as session:
        grouped = QueryBuilder("items").groupby(group_keyset)
        output = session.evaluate(grouped.sum("x", 0, 10.0, "total", SumMechanism.GAUSSIAN),
                                  budget)
        # Mixed int/float bounds go as two doubles (Tumult turns both to floats).
        assert output.columns == ["g", "total"]
        assert {r["g"]: r["total"] for r in output.collect()}["b"] == 4 + 40 + 6
        for call, name in [
                (lambda b: b.average("y", -2, 5, "avg", "laplace"), "avg"),
                (lambda b: b.variance("y", -2, 5, "var", VarianceMechanism.DEFAULT), "var"),
                (lambda b: b.stdev("y", -2, 5, "sd", StdevMechanism.GAUSSIAN), "sd"),
                (lambda b: b.count_distinct(["x"], "n", CountDistinctMechanism.GAUSSIAN), "n"),
                (lambda b: b.median("y", -2, 5, "m"), "m"),
                (lambda b: b.quantile("x", 1, -2, 10), "x_quantile(1)"),
                (lambda b: b.average("x", 0, 10, mechanism=AverageMechanism.LAPLACE),
                 "x_average")]:
            assert session.evaluate(call(QueryBuilder("items")), budget).columns == [name]


@pytest.mark.parametrize("make_query, tree", [
    (lambda ks: QueryBuilder("t").sum("x", 0, 10),
     "GroupByBoundedSum(PrivateSource(t),None,x,IntegerBound(0),IntegerBound(10),x_sum,Default)"),
    (lambda ks: QueryBuilder("t").sum("x", 0, 10.0),
     "GroupByBoundedSum(PrivateSource(t),None,x,FloatBound(0.0),FloatBound(10.0),x_sum,Default)"),
    (lambda ks: QueryBuilder("t").groupby(ks).average("x", -2**40, 2**40, "n", "laplace"),
     "GroupByBoundedAverage(PrivateSource(t),Some(KeySet(g: string)),x,"
     "IntegerBound(-1099511627776),IntegerBound(1099511627776),n,Laplace)"),
    (lambda ks: QueryBuilder("t").variance("y", 0, 1, mechanism=VarianceMechanism.GAUSSIAN),
     "GroupByBoundedVariance(PrivateSource(t),None,y,IntegerBound(0),IntegerBound(1),"
     "y_variance,Gaussian)"),
    (lambda ks: QueryBuilder("t").groupby(ks).stdev("y", True, 1),
     "GroupByBoundedStdev(PrivateSource(t),Some(KeySet(g: string)),y,FloatBound(1.0),"
     "FloatBound(1.0),y_stdev,Default)"),
    (lambda ks: QueryBuilder("t").quantile("x", 1, 0, 5),
     "GroupByQuantile(PrivateSource(t),None,x,1.0,IntegerBound(0),IntegerBound(5),x_quantile(1))"),
    (lambda ks: QueryBuilder("t").median("x", 0.5, 5),
     "GroupByQuantile(PrivateSource(t),None,x,0.5,FloatBound(0.5),FloatBound(5.0),x_median)"),
    (lambda ks: QueryBuilder("t").min("x", 0, 1, ""),
     "GroupByQuantile(PrivateSource(t),None,x,0.0,IntegerBound(0),IntegerBound(1),x_min)"),
    (lambda ks: QueryBuilder("t").groupby(ks).max("x", 0, 1),
     "GroupByQuantile(PrivateSource(t),Some(KeySet(g: string)),x,1.0,IntegerBound(0),"
     "IntegerBound(1),x_max)"),
    (lambda ks: QueryBuilder("t").count_distinct(["a", "b"]),
     "GroupByCountDistinct(PrivateSource(t),None,List(a, b),count_distinct(a, b),Default)"),
    (lambda ks: QueryBuilder("t").groupby(ks).count_distinct(),
     "GroupByCountDistinct(PrivateSource(t),Some(KeySet(g: string)),List(),count_distinct,Default)"),
    (lambda ks: QueryBuilder("t").get_groups(), "GetGroups(PrivateSource(t),List())"),
    (lambda ks: QueryBuilder("t").get_bounds("x"),
     "GetBounds(PrivateSource(t),None,x,x_lower_bound,x_upper_bound)"),
    (lambda ks: QueryBuilder("t").groupby(ks).get_bounds("x", upper_bound_column="u"),
     "GetBounds(PrivateSource(t),Some(KeySet(g: string)),x,x_lower_bound,u)"),
    (lambda ks: QueryBuilder("t").get_groups("g"), "GetGroups(PrivateSource(t),List(g))"),
    (lambda ks: QueryBuilder("t").groupby(ks).count().suppress(3),
     "SuppressAggregates(GroupByCount(PrivateSource(t),KeySet(g: string),count,Default),3.0)"),
])
def test_py4j_overloads_build_the_scala_query(spark, make_query, tree):
    """Python ints reach the (Long, Long) overloads, other bounds the (Double, Double) ones."""
    from sparkdp import _java  # pylint: disable=import-outside-toplevel

    keyset = KeySet.from_dict({"g": ["a"]})
    java_query = make_query(keyset)._to_java(_java.jvm_of(spark))
    assert str(java_query.toString()) == "Query({})".format(tree)


def test_count_suppress_drops_small_counts(items, group_keyset):
    budget = PureDPBudget(INF)
    with open_session(budget, items, AddOneRow()) as session:
        query = QueryBuilder("items").groupby(group_keyset).count().suppress(4)
        output = session.evaluate(query, budget)
        assert output.columns == ["g", "count"]
        assert sorted((r["g"], r["count"]) for r in output.collect()) == [("a", 8), ("b", 6)]


def test_ungrouped_count_is_a_groupby_count_query_and_suppresses(items):
    budget = PureDPBudget(INF)
    with open_session(budget, items, AddOneRow()) as session:
        total = items.count()
        query = QueryBuilder("items").count()
        assert isinstance(query, GroupbyCountQuery)
        assert [r["count"] for r in session.evaluate(query.suppress(total), budget).collect()] == [total]
        assert session.evaluate(query.suppress(total + 1), budget).count() == 0


# ---------------------------------------------------------------- get_groups


@pytest.fixture(scope="module")
def many_items(spark):
    """Groups with many rows (released) and one with a single row."""
    rows = ([(i, "big", i % 2) for i in range(300)] + [(300 + i, "large", 1) for i in range(300)]
            + [(999, "rare", 0)])
    return spark.createDataFrame(rows, "id int, g string, parity int").cache()


def test_get_groups_releases_only_keys_of_the_data(many_items):
    budget = ApproxDPBudget(1, 1e-6)
    with open_session(ApproxDPBudget(10, 1e-3), many_items, AddOneRow(), "m") as session:
        output = session.evaluate(QueryBuilder("m").get_groups(["g"]), budget)
        assert output.columns == ["g"]
        groups = [r["g"] for r in output.collect()]
        assert len(groups) == len(set(groups))
        assert {"big", "large"} <= set(groups) <= {"big", "large", "rare"}
        output = session.evaluate(QueryBuilder("m").get_groups("parity"), budget)
        assert output.columns == ["parity"]
        assert sorted(r["parity"] for r in output.collect()) == [0, 1]


def test_get_groups_on_an_id_table_leaves_out_the_id_column(many_items):
    budget = ApproxDPBudget(1, 1e-6)
    with open_session(ApproxDPBudget(10, 1e-3), many_items, AddRowsWithID("id"), "m") as session:
        output = session.evaluate(
            QueryBuilder("m").enforce(MaxRowsPerID(1)).get_groups(), budget)
        assert output.columns == ["g", "parity"]
        assert {("big", 0), ("big", 1), ("large", 1)} <= {tuple(r) for r in output.collect()}


# ---------------------------------------------------------------- errors


def assert_refused(session, query, budget, error, pattern):
    before = session.remaining_privacy_budget
    with pytest.raises(error, match=pattern):
        session.evaluate(query, budget).collect()
    assert session.remaining_privacy_budget == before


GAUSSIAN_UNDER_PUREDP = "Gaussian noise is only supported when using a RhoZCDP budget"

ERROR_CASES = {
    # query, exception, pattern the message must match
    "unknown-measure-column": (lambda b: b.sum("nope", 0, 1), ValueError, "nope"),
    "unknown-quantile-column": (lambda b: b.median("nope", 0, 1), ValueError, "nope"),
    "non-numeric-sum": (lambda b: b.sum("label", 0, 1), ValueError, "(?s)label.*(?i:string|varchar)"),
    "non-numeric-average": (lambda b: b.average("g", 0, 1), ValueError, "(?s)'g'.*(?i:string|varchar)"),
    "non-numeric-quantile": (lambda b: b.quantile("label", 0.5, 0, 1), ValueError,
                             "(?s)label.*(?i:string|varchar)"),
    "unknown-distinct-column": (lambda b: b.count_distinct(["nope"]), ValueError, "nope"),
    # Tumult: "Lower bound '5' must be less than the upper bound '1'."
    "low-above-high": (lambda b: b.sum("x", 5, 1), ValueError, "(?i)lower bound .*5.*1"),
    "low-equals-high-float": (lambda b: b.average("y", 1.5, 1.5), ValueError,
                              "(?i)lower bound .*1.5"),
    "nan-bound": (lambda b: b.sum("y", NAN, 1.0), ValueError, "(?i)nan"),
    "infinite-bound": (lambda b: b.variance("y", 0.0, INF), ValueError, "(?i)inf"),
    # Tumult: "Quantile must be between 0 and 1, and not '1.5'."
    "quantile-above-1": (lambda b: b.quantile("x", 1.5, 0, 10), ValueError,
                         "(?i)quantile must be between 0 and 1.*1.5"),
    "quantile-negative": (lambda b: b.quantile("y", -0.1, 0, 10), ValueError,
                          "(?i)quantile must be between 0 and 1.*-0.1"),
    "gaussian-sum-under-puredp": (lambda b: b.sum("x", 0, 1, mechanism="gaussian"), ValueError,
                                  GAUSSIAN_UNDER_PUREDP),
    "gaussian-stdev-under-puredp": (lambda b: b.stdev("y", 0, 1, mechanism="GAUSSIAN"),
                                    ValueError, GAUSSIAN_UNDER_PUREDP),
    "gaussian-count-distinct-under-puredp": (
        lambda b: b.count_distinct(mechanism=CountDistinctMechanism.GAUSSIAN), ValueError,
        GAUSSIAN_UNDER_PUREDP),
    "get-groups-under-puredp": (lambda b: b.get_groups(["g"]), ValueError,
                                "GetGroups is only supported with ApproxDPBudgets"),
    "get-groups-unknown-column": (lambda b: b.get_groups(["nope"]), ValueError, "nope"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_tumults_exception_and_spend_nothing(items, case):
    make_query, error, pattern = ERROR_CASES[case]
    budget = PureDPBudget(1)
    with open_session(PureDPBudget(2), items, AddOneRow()) as session:
        assert_refused(session, make_query(QueryBuilder("items")), budget, error, pattern)


def test_grouped_errors_are_tumults_exception_and_spend_nothing(spark, items, group_keyset):
    budget = PureDPBudget(1)
    with open_session(PureDPBudget(2), items, AddOneRow()) as session:
        grouped = QueryBuilder("items").groupby(group_keyset)
        assert_refused(session, grouped.sum("g", 0, 1), budget, ValueError, "'g'")
        missing = KeySet.from_dataframe(spark.createDataFrame([("k",)], "nope string"))
        assert_refused(session, QueryBuilder("items").groupby(missing).average("x", 0, 1),
                       budget, KeyError, "nope")
    with open_session(PureDPBudget(2), items, AddRowsWithID("id")) as session:
        assert_refused(session, builder_with([MaxRowsPerID(2)]).sum("id", 0, 1), budget,
                       ValueError, "id")


def test_unknown_mechanism_name_is_value_error_when_made(spark):
    for call in [lambda b: b.sum("x", 0, 1, mechanism="exponential"),
                 lambda b: b.count_distinct(mechanism="median"),
                 lambda b: b.stdev("x", 0, 1, mechanism="")]:
        with pytest.raises(ValueError, match='Unknown mechanism'):
            call(QueryBuilder("items"))


def test_python_type_errors_come_before_the_jvm(spark):
    with pytest.raises(TypeError, match='"low"'):
        QueryBuilder("items").sum("x", "0", 1)
    with pytest.raises(TypeError, match='"quantile"'):
        QueryBuilder("items").quantile("x", None, 0, 1)


# ---------------------------------------------------------------- noise scale

# |z| threshold and draws as test_count_system's noise tests: mean(k^2) over
# 4000 draws is right-skewed, and by a second-order Edgeworth expansion |z| >= 6
# has probability below 1e-8 per test (the false-failure rate); each test also
# checks that its draws reject the scale x 1.2 and / 1.2.
_Z_THRESHOLD = 6.0
_NOISE_DRAWS = 4000


def _discrete_laplace_moments(scale):
    """E[k^2], E[k^4] of P(k) ∝ exp(-|k|/scale), in closed form (q = exp(-1/scale)).

    Sum over k >= 1 of k^2 q^k = q(1+q)/(1-q)^3 and of k^4 q^k =
    q(1+11q+11q^2+q^3)/(1-q)^5, times the normalizer (1-q)/(1+q), twice.
    """
    q = math.exp(-1.0 / scale)
    one_minus_q = -math.expm1(-1.0 / scale)
    second = 2 * q / one_minus_q ** 2
    fourth = 2 * q * (1 + 11 * q + 11 * q ** 2 + q ** 3) / ((1 + q) * one_minus_q ** 4)
    return second, fourth


def _discrete_gaussian_moments(sigma_squared):
    """E[k^2], E[k^4] of P(k) ∝ exp(-k^2/(2 sigma^2)): summed, or the continuous
    moments when sigma^2 > 1e4 (they differ by less than exp(-2 pi^2 sigma^2))."""
    if sigma_squared > 1e4:
        return sigma_squared, 3 * sigma_squared ** 2
    bound = int(50 * math.sqrt(sigma_squared)) + 1
    weights = {k: math.exp(-k * k / (2.0 * sigma_squared)) for k in range(-bound, bound + 1)}
    total = math.fsum(weights.values())
    second = math.fsum(k ** 2 * w for k, w in weights.items()) / total
    fourth = math.fsum(k ** 4 * w for k, w in weights.items()) / total
    return second, fourth


def _mean_square_z(draws, moments):
    """z of mean(k^2) against its expectation, given (E[k^2], E[k^4])."""
    second, fourth = moments
    mean_square = math.fsum(k * k for k in draws) / len(draws)
    return (mean_square - second) / math.sqrt((fourth - second ** 2) / len(draws)), mean_square


def absent_keyset(spark):
    return KeySet.from_dataframe(spark.createDataFrame(
        [("absent-{:05d}".format(i),) for i in range(_NOISE_DRAWS)], "g string"))


def noise_distribution(kind, parameter):
    """{k: P(k)} of discrete Laplace (scale) or discrete Gaussian (sigma^2), tails cut below 1e-30."""
    if kind == "laplace":
        bound = int(70 * parameter) + 2
        weights = {k: math.exp(-abs(k) / parameter) for k in range(-bound, bound + 1)}
    else:
        bound = int(12 * math.sqrt(parameter)) + 2
        weights = {k: math.exp(-k * k / (2.0 * parameter)) for k in range(-bound, bound + 1)}
    total = math.fsum(weights.values())
    return {k: w / total for k, w in weights.items() if w / total > 1e-30}


# Sum of an integer column in [0, 10] under AddOneRow: sensitivity 10 (Tumult:
# max(|low|, |high|)); an absent key's sum is one noise draw.
SUM_NOISE_CASES = {
    "PureDP-eps1": (lambda: PureDPBudget(1), "laplace", 10 / 1),            # b = 10 / eps
    "ApproxDP-eps2": (lambda: ApproxDPBudget(2, 1e-6), "laplace", 10 / 2),  # Laplace, delta unused
    "RhoZCDP-rho0.5": (lambda: RhoZCDPBudget(0.5), "gaussian", 10 ** 2 / (2 * 0.5)),  # s^2 = 100
}


@pytest.mark.parametrize("case_name", list(SUM_NOISE_CASES))
def test_sum_noise_has_the_calibrated_scale(spark, items, case_name):
    """4000 absent keys: each integer sum is one draw; z-test of mean(k^2), |z| < 6.

    The false-failure rate is about 5e-9 (test_count_system's _Z_THRESHOLD
    note); the draws must also reject the scale x 1.2 and / 1.2.
    """
    make_budget, kind, parameter = SUM_NOISE_CASES[case_name]
    budget = make_budget()
    with open_session(budget, items, AddOneRow()) as session:
        output = session.evaluate(
            QueryBuilder("items").groupby(absent_keyset(spark)).sum("x", 0, 10), budget)
        draws = [r["x_sum"] for r in output.collect()]
    assert len(draws) == _NOISE_DRAWS and all(isinstance(k, int) for k in draws)

    def moments(factor):
        if kind == "laplace":
            return _discrete_laplace_moments(parameter * factor)
        return _discrete_gaussian_moments(parameter * factor ** 2)

    z, mean_square = _mean_square_z(draws, moments(1.0))
    print("sum noise {}: mean(k^2)={:.2f} expected {:.2f} z={:.2f}".format(
        case_name, mean_square, moments(1.0)[0], z))
    assert abs(z) < _Z_THRESHOLD, (case_name, mean_square, moments(1.0)[0], z)
    for wrong in (1.2, 1 / 1.2):
        assert abs(_mean_square_z(draws, moments(wrong))[0]) > _Z_THRESHOLD, wrong


# Average of an integer column in [0, 10] under AddOneRow (Tumult): the budget
# is split in halves between the sum of deviations from the midpoint 5
# (sensitivity 5) and the count (sensitivity 1); an absent key's average is
# Z_sum / max(1, Z_count) + 5, not clamped to the bounds (Tumult's
# post-processing; h9/kernels §5.6). The budgets are large so that the draws
# tell the scale x 1.2 apart.
AVERAGE_NOISE_CASES = {
    "PureDP-eps20": (lambda: PureDPBudget(20), "laplace", 5 / 10, 1 / 10),
    "ApproxDP-eps20": (lambda: ApproxDPBudget(20, 1e-6), "laplace", 5 / 10, 1 / 10),
    "RhoZCDP-rho25": (lambda: RhoZCDPBudget(25), "gaussian",
                      5 ** 2 / (2 * 12.5), 1 / (2 * 12.5)),
}


def average_deviation_moments(kind, sum_parameter, count_parameter):
    """E[D^2], E[D^4] of D = Z_s / max(1, Z_c), by exact summation (tails below 1e-30 cut)."""
    sums = noise_distribution(kind, sum_parameter)
    counts = noise_distribution(kind, count_parameter)
    second = fourth = 0.0
    for count, p_count in counts.items():
        divisor = max(1, count)
        for total, p_sum in sums.items():
            deviation = total / divisor
            second += p_count * p_sum * deviation ** 2
            fourth += p_count * p_sum * deviation ** 4
    return second, fourth


@pytest.mark.parametrize("case_name", list(AVERAGE_NOISE_CASES))
def test_average_noise_has_the_calibrated_scale(spark, items, case_name):
    """4000 absent keys: z-test of mean((average - 5)^2), |z| < 6; rejects x 1.2 and / 1.2."""
    make_budget, kind, sum_parameter, count_parameter = AVERAGE_NOISE_CASES[case_name]
    budget = make_budget()
    with open_session(budget, items, AddOneRow()) as session:
        output = session.evaluate(
            QueryBuilder("items").groupby(absent_keyset(spark)).average("x", 0, 10), budget)
        deviations = [r["x_average"] - 5.0 for r in output.collect()]
    assert len(deviations) == _NOISE_DRAWS

    def z_for(factor):
        squared = 1 if kind == "laplace" else 2
        second, fourth = average_deviation_moments(
            kind, sum_parameter * factor ** squared, count_parameter * factor ** squared)
        mean_square = math.fsum(d * d for d in deviations) / len(deviations)
        return (mean_square - second) / math.sqrt((fourth - second ** 2) / len(deviations))

    z = z_for(1.0)
    print("average noise {}: z={:.2f}, x1.2: {:.2f}, /1.2: {:.2f}".format(
        case_name, z, z_for(1.2), z_for(1 / 1.2)))
    assert abs(z) < _Z_THRESHOLD, (case_name, z)
    for wrong in (1.2, 1 / 1.2):
        assert abs(z_for(wrong)) > _Z_THRESHOLD, (wrong, z_for(wrong))


def two_adic_exponent(value):
    """The largest k with value / 2^k an integer (value a non-zero double)."""
    mantissa, exponent = math.frexp(value)  # value = mantissa * 2^exponent, 0.5 <= |m| < 1
    as_integer = int(mantissa * 2 ** 53)
    k = exponent - 53
    while as_integer % 2 == 0:
        as_integer //= 2
        k += 1
    return k


@pytest.mark.parametrize("budget", [PureDPBudget(1), RhoZCDPBudget(0.5)],
                         ids=["PureDP", "RhoZCDP"])
def test_float_sums_lie_on_a_2k_lattice(spark, items, budget):
    """Float sums are (integer + noise in lattice units) * 2^k: on a 2^k lattice.

    k is read off the 4000 draws (the largest k dividing all of them; about half
    the draws are odd multiples, so it is the lattice's k). The lattice is fine
    against the noise (2^k at most 1/8 of the noise scale, sensitivity 10 here)
    and the draws in lattice units have the calibrated scale (as for integer
    sums).
    """
    with open_session(budget, items, AddOneRow()) as session:
        output = session.evaluate(
            QueryBuilder("items").groupby(absent_keyset(spark)).sum("y", 0.0, 10.0), budget)
        draws = [r["y_sum"] for r in output.collect()]
    assert len(draws) == _NOISE_DRAWS and all(isinstance(v, float) for v in draws)
    nonzero = [v for v in draws if v != 0.0]
    k = min(two_adic_exponent(v) for v in nonzero)
    units = [v / 2.0 ** k for v in draws]
    assert all(u == int(u) for u in units)
    assert sum(1 for u in units if int(u) % 2) > 0.3 * len(units)
    if isinstance(budget, PureDPBudget):
        scale, moments = 10.0, _discrete_laplace_moments(10.0 / 2.0 ** k)
    else:
        scale, moments = 10.0, _discrete_gaussian_moments(100.0 / 4.0 ** k)
    assert 2.0 ** k <= scale / 8, k
    z, _ = _mean_square_z([int(u) for u in units], moments)
    print("float sum lattice: 2^{} , z={:.2f}".format(k, z))
    assert abs(z) < _Z_THRESHOLD, (k, z)
