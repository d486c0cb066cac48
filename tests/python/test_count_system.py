"""System tests of count (issue 8) through the Python API against the built jar.

- every budget type x protected change (and its constraints) x grouped /
  ungrouped: exact at an infinite budget, against plain PySpark on the same data;
- one noise-scale test per budget type;
- every error: Tumult's exception type, a message naming the fault, and the
  remaining budget unchanged;
- ID identity: two IDs are one exactly when Spark groups them as one.

Uses the session-scoped ``spark`` fixture of conftest.py (FAILS without the jar).
"""

import contextlib
import datetime
import math

import pytest
from pyspark.sql import functions as F
from pyspark.sql import Window
from pyspark.sql.types import LongType

from sparkdp import (
    AddMaxRows,
    AddMaxRowsInMaxGroups,
    AddOneRow,
    AddRowsWithID,
    ApproxDPBudget,
    CountMechanism,
    KeySet,
    MaxGroupsPerID,
    MaxRowsPerGroupPerID,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    RhoZCDPBudget,
    Session,
)

INF = float("inf")


@contextlib.contextmanager
def open_session(budget, dataframe, protected_change, source_id="people"):
    session = Session.from_dataframe(budget, source_id, dataframe,
                                     protected_change=protected_change)
    try:
        yield session
    finally:
        session.stop()


def count_query(constraints, keyset=None, source_id="people", **count_arguments):
    builder = QueryBuilder(source_id)
    for constraint in constraints:
        builder = builder.enforce(constraint)
    if keyset is None:
        return builder.count(**count_arguments)
    return builder.groupby(keyset).count(**count_arguments)


def counts_by_key(output, key_column="g", count_column="count"):
    rows = output.collect()
    assert output.columns == [key_column, count_column]
    counts = {row[key_column]: row[count_column] for row in rows}
    assert len(counts) == len(rows), "a key appears twice"
    return counts


def zero_like(budget):
    """The zero budget of the type of ``budget``."""
    if isinstance(budget, ApproxDPBudget):
        return ApproxDPBudget(0, 0)
    return type(budget)(0)


def single_count(output, count_column="count"):
    assert output.columns == [count_column]
    (row,) = output.collect()
    return row[count_column]


# ---------------------------------------------------------------- data

# (id, g) rows. id 1 and the null ID exceed every limit inside one group; id 4 has
# two groups; id 7 has three groups, all outside the keyset, of equal sizes (so
# the ungrouped count is the same whichever groups truncation keeps); id 6 and
# id 7's groups are not in the keyset; id 8's row has a null group, which the
# keyset has.
PEOPLE_ROWS = (
    [(1, "a")] * 5 + [(2, "a")] + [(3, "b")] * 3 + [(4, "b")] + [(4, "c")] * 2
    + [(5, "c")] * 4 + [(6, "z")] + [(7, "x")] * 2 + [(7, "y")] * 2 + [(7, "w")] * 2
    + [(None, "a")] * 4 + [(8, None)]
)
KEYSET_GROUPS = ["a", "b", "c", "d", None]


@pytest.fixture(scope="module")
def people(spark):
    return spark.createDataFrame(PEOPLE_ROWS, "id int, g string").cache()


@pytest.fixture(scope="module")
def group_keyset(spark):
    return KeySet.from_dataframe(
        spark.createDataFrame([(g,) for g in KEYSET_GROUPS], "g string"))


def _kept_rows_per_id_and_group(people, constraints):
    """Rows per (id, g) after the constraints, with plain PySpark.

    Returns a DataFrame (id, g, kept) plus columns id_groups (groups of the ID)
    and id_rows (rows of the ID) for the preconditions that make the kept rows
    of each group independent of which rows truncation picks.
    """
    per_id = Window.partitionBy("id")
    rows = (people.groupBy("id", "g").agg(F.count(F.lit(1)).alias("rows"))
            .withColumn("id_rows", F.sum("rows").over(per_id))
            .withColumn("id_groups", F.count(F.lit(1)).over(per_id)))
    if not constraints:
        return rows.withColumn("kept", F.col("rows"))
    if [type(c) for c in constraints] == [MaxRowsPerID]:
        # An ID within the limit keeps all its rows; one over it keeps max rows,
        # all in its group if it has one group.
        return rows.withColumn("kept", F.least(F.col("rows"), F.lit(constraints[0].max)))
    if [type(c) for c in constraints] == [MaxGroupsPerID, MaxRowsPerGroupPerID]:
        return rows.withColumn("kept", F.least(F.col("rows"), F.lit(constraints[1].max)))
    raise AssertionError("no plain-Spark model of {}".format(constraints))


def expected_grouped_counts(people, constraints, keyset_groups):
    rows = _kept_rows_per_id_and_group(people, constraints)
    in_keyset = F.col("g").isin([g for g in keyset_groups if g is not None]) | F.col("g").isNull()
    if constraints and isinstance(constraints[0], MaxRowsPerID):
        limit = constraints[0].max
        # Precondition: an ID over the limit with rows in the keyset has one group.
        assert rows.filter(in_keyset & (F.col("id_rows") > limit) & (F.col("id_groups") > 1)).count() == 0
    if constraints and isinstance(constraints[0], MaxGroupsPerID):
        # Precondition: an ID with rows in the keyset has at most max groups.
        assert rows.filter(in_keyset & (F.col("id_groups") > constraints[0].max)).count() == 0
    per_group = {r["g"]: r["count"] for r in
                 rows.filter(in_keyset).groupBy("g").agg(F.sum("kept").alias("count")).collect()}
    return {g: per_group.get(g, 0) for g in keyset_groups}


def expected_ungrouped_count(people, constraints):
    rows = _kept_rows_per_id_and_group(people, constraints)
    if not constraints:
        return people.count()
    if isinstance(constraints[0], MaxRowsPerID):
        per_id = rows.groupBy("id").agg(F.least(F.sum("rows"), F.lit(constraints[0].max)).alias("kept"))
        return per_id.agg(F.sum("kept")).collect()[0][0]
    max_groups = constraints[0].max
    # Precondition: an ID over max groups keeps the same number in each group.
    uneven = rows.filter(F.col("id_groups") > max_groups).groupBy("id").agg(
        F.countDistinct("kept").alias("sizes")).filter(F.col("sizes") > 1)
    assert uneven.count() == 0
    per_id = rows.groupBy("id").agg(
        F.when(F.count(F.lit(1)) <= max_groups, F.sum("kept"))
        .otherwise(F.min("kept") * max_groups).alias("kept"))
    return per_id.agg(F.sum("kept")).collect()[0][0]


# ---------------------------------------------------------------- exact at infinity

INFINITE_BUDGETS = {
    "PureDP": lambda: PureDPBudget(INF),
    "ApproxDP": lambda: ApproxDPBudget(INF, 0),
    "RhoZCDP": lambda: RhoZCDPBudget(INF),
}
CHANGES_AND_CONSTRAINTS = {
    "AddOneRow": lambda: (AddOneRow(), []),
    "AddMaxRows": lambda: (AddMaxRows(3), []),
    "AddMaxRowsInMaxGroups": lambda: (AddMaxRowsInMaxGroups("g", 2, 3), []),
    "AddRowsWithID+MaxRowsPerID": lambda: (AddRowsWithID("id"), [MaxRowsPerID(3)]),
    "AddRowsWithID+MaxGroupsPerID+MaxRowsPerGroupPerID": lambda: (
        AddRowsWithID("id"), [MaxGroupsPerID("g", 2), MaxRowsPerGroupPerID("g", 2)]),
}


@pytest.mark.parametrize("grouped", [True, False], ids=["grouped", "ungrouped"])
@pytest.mark.parametrize("change_name", list(CHANGES_AND_CONSTRAINTS))
@pytest.mark.parametrize("budget_name", list(INFINITE_BUDGETS))
def test_count_is_exact_at_infinite_budget(spark, people, group_keyset, budget_name,
                                           change_name, grouped):
    budget = INFINITE_BUDGETS[budget_name]()
    change, constraints = CHANGES_AND_CONSTRAINTS[change_name]()
    with open_session(budget, people, change) as session:
        if grouped:
            output = session.evaluate(count_query(constraints, group_keyset), budget)
            assert isinstance(output.schema["count"].dataType, LongType)
            assert counts_by_key(output) == expected_grouped_counts(people, constraints, KEYSET_GROUPS)
        else:
            output = session.evaluate(count_query(constraints), budget)
            assert isinstance(output.schema["count"].dataType, LongType)
            assert single_count(output) == expected_ungrouped_count(people, constraints)
        assert session.remaining_privacy_budget.is_infinite
        assert type(session.remaining_privacy_budget) is type(budget)


def test_the_expected_counts_are_not_trivial(people):
    """The plain-Spark model really truncates: each constraint changes the answer."""
    untruncated = expected_grouped_counts(people, [], KEYSET_GROUPS)
    assert untruncated == {"a": 10, "b": 4, "c": 6, "d": 0, None: 1}
    assert expected_grouped_counts(people, [MaxRowsPerID(3)], KEYSET_GROUPS) == {
        "a": 7, "b": 4, "c": 5, "d": 0, None: 1}
    assert expected_grouped_counts(
        people, [MaxGroupsPerID("g", 2), MaxRowsPerGroupPerID("g", 2)], KEYSET_GROUPS) == {
        "a": 5, "b": 3, "c": 4, "d": 0, None: 1}
    assert expected_ungrouped_count(people, []) == len(PEOPLE_ROWS) == 28
    assert expected_ungrouped_count(people, [MaxRowsPerID(3)]) == 3 + 1 + 3 + 3 + 3 + 1 + 3 + 3 + 1
    assert expected_ungrouped_count(
        people, [MaxGroupsPerID("g", 2), MaxRowsPerGroupPerID("g", 2)]) == (
        2 + 1 + 2 + 3 + 2 + 1 + 4 + 2 + 1)


def test_count_name_and_mechanism_names_are_forwarded(spark, people, group_keyset):
    budget = RhoZCDPBudget(INF)
    with open_session(budget, people, AddOneRow()) as session:
        grouped = session.evaluate(
            QueryBuilder("people").groupby(group_keyset).count("n", "LAPLACE"), budget)
        assert counts_by_key(grouped, count_column="n")["a"] == 10
        ungrouped = session.evaluate(
            QueryBuilder("people").count(name="total", mechanism=CountMechanism.GAUSSIAN), budget)
        assert single_count(ungrouped, "total") == len(PEOPLE_ROWS)


# ---------------------------------------------------------------- KeySet constructors


def test_keyset_from_dict_and_from_tuples(spark):
    data = spark.createDataFrame(
        [("a", 1, datetime.date(2024, 1, 1))] * 3 + [("b", 2, datetime.date(2024, 1, 2))]
        + [(None, 1, datetime.date(2024, 1, 1))],
        "s string, n long, d date")
    budget = PureDPBudget(INF)
    with open_session(budget, data, AddOneRow(), source_id="t") as session:
        by_dict = KeySet.from_dict({"s": ["a", "b", "c", None], "n": [1, 2]})
        assert by_dict.columns() == ["s", "n"]
        assert by_dict.dataframe().count() == 8
        output = session.evaluate(QueryBuilder("t").groupby(by_dict).count(), budget)
        assert output.columns == ["s", "n", "count"]
        counts = {(r["s"], r["n"]): r["count"] for r in output.collect()}
        assert counts == {("a", 1): 3, ("a", 2): 0, ("b", 1): 0, ("b", 2): 1,
                          ("c", 1): 0, ("c", 2): 0, (None, 1): 1, (None, 2): 0}

        by_tuples = KeySet.from_tuples(
            [(datetime.date(2024, 1, 1), "a"), (datetime.date(2024, 1, 2), "a"),
             (datetime.date(2024, 1, 1), "a")], ["d", "s"])
        assert by_tuples.columns() == ["d", "s"] and by_tuples.dataframe().count() == 2
        output = session.evaluate(QueryBuilder("t").groupby(by_tuples).count(), budget)
        assert output.columns == ["d", "s", "count"]
        assert sorted(tuple(r) for r in output.collect()) == [
            (datetime.date(2024, 1, 1), "a", 3), (datetime.date(2024, 1, 2), "a", 0)]

        # Tumult: QueryBuilder.count() is groupby(KeySet.from_dict({})).count().
        empty = KeySet.from_dict({})
        assert empty.columns() == []
        output = session.evaluate(QueryBuilder("t").groupby(empty).count(), budget)
        assert single_count(output) == 5


@pytest.mark.parametrize(
    "make_keyset, fault",
    [
        (lambda: KeySet.from_tuples([("a", 1), ("b",)], ["s", "n"]), "(?i)tuple|column"),
        (lambda: KeySet.from_tuples([("a",), (1,)], ["s"]), "'s'"),
        (lambda: KeySet.from_dict({"s": ["a", 1]}), "'s'"),
    ],
    ids=["tuple-length", "mixed-types-tuples", "mixed-types-dict"],
)
def test_keyset_bad_values_are_value_errors_naming_the_fault(spark, make_keyset, fault):
    with pytest.raises(ValueError, match=fault):
        make_keyset()


def test_keyset_non_tuple_is_tumults_value_error(spark):
    with pytest.raises(ValueError, match="Each element of tuples must be a tuple"):
        KeySet.from_tuples([["a"]], ["s"])


# ---------------------------------------------------------------- noise scale


def _discrete_laplace_moments(scale):
    """E[k^2] and E[k^4] of P(k) ∝ exp(-|k|/scale), summed numerically."""
    q = math.exp(-1.0 / scale)
    normalizer = (1 - q) / (1 + q)
    ks = range(1, int(200 * scale) + 1)
    second = 2 * normalizer * math.fsum(k ** 2 * q ** k for k in ks)
    fourth = 2 * normalizer * math.fsum(k ** 4 * q ** k for k in ks)
    return second, fourth


def _discrete_gaussian_moments(sigma_squared):
    """E[k^2] and E[k^4] of P(k) ∝ exp(-k^2 / (2 sigma^2)), summed numerically."""
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


# |z| threshold for mean(k^2) over n = 4000 draws. mean(k^2) is right-skewed
# (skewness about 6.6/sqrt(n) under Laplace noise, 2.8/sqrt(n) under Gaussian),
# so by a second-order Edgeworth expansion |z| >= 6 has probability about 5e-9
# (Laplace) and 3e-9 (Gaussian) per test: the false-failure rate. A scale 1.2
# times (or 1/1.2 times) the calibrated one moves z to about +-12 (Laplace) and
# +-20 (Gaussian); each test also checks that its draws reject those scales.
_Z_THRESHOLD = 6.0
_NOISE_DRAWS = 4000

NOISE_CASES = {
    # budget, protected change, constraints, key column, noise distribution and its parameter
    "PureDP-AddRowsWithID-MaxRowsPerID(20)-eps2": (
        lambda: PureDPBudget(2), lambda: AddRowsWithID("id"), lambda: [MaxRowsPerID(20)],
        "laplace", 20 / 2),                       # scale = L1 / epsilon = 20 / 2
    "ApproxDP-AddMaxRows(5)-eps1": (
        lambda: ApproxDPBudget(1, 1e-6), lambda: AddMaxRows(5), lambda: [],
        "laplace", 5 / 1),                        # Laplace, scale = L1 / epsilon; delta unused
    "RhoZCDP-AddOneRow-rho0.005": (
        lambda: RhoZCDPBudget(0.005), lambda: AddOneRow(), lambda: [],
        "gaussian", 1 / (2 * 0.005)),             # sigma^2 = L2^2 / (2 rho) = 100
    "RhoZCDP-AddRowsWithID-MaxGroupsPerID(4)-MaxRowsPerGroupPerID(5)-rho0.5": (
        lambda: RhoZCDPBudget(0.5), lambda: AddRowsWithID("id"),
        lambda: [MaxGroupsPerID("g", 4), MaxRowsPerGroupPerID("g", 5)],
        "gaussian", 4 * 5 ** 2 / (2 * 0.5)),      # grouped by g: L2^2 = groups * rows^2 = 100
}


@pytest.mark.parametrize("case_name", list(NOISE_CASES))
def test_noise_has_the_calibrated_scale(spark, people, case_name):
    """4000 keys absent from the data: each output count is one noise draw.

    The mean of k^2 is compared with its expectation under the calibrated noise
    (discrete Laplace P(k) ∝ exp(-|k|/b), or discrete Gaussian P(k) ∝
    exp(-k^2/(2 sigma^2))) by a z-test with |z| < 6: false-failure rate about
    5e-9 (see _Z_THRESHOLD). Broken once with the scale x 1.2: red.
    """
    make_budget, make_change, make_constraints, distribution, parameter = NOISE_CASES[case_name]
    budget = make_budget()
    keyset = KeySet.from_dataframe(spark.createDataFrame(
        [("absent-{:05d}".format(i),) for i in range(_NOISE_DRAWS)], "g string"))
    with open_session(budget, people, make_change()) as session:
        output = session.evaluate(count_query(make_constraints(), keyset), budget)
        draws = list(counts_by_key(output).values())
    assert len(draws) == _NOISE_DRAWS and all(isinstance(k, int) for k in draws)
    if distribution == "laplace":
        def moments(scale_factor):
            return _discrete_laplace_moments(parameter * scale_factor)
    else:
        def moments(scale_factor):
            return _discrete_gaussian_moments(parameter * scale_factor ** 2)
    z, mean_square = _mean_square_z(draws, moments(1.0))
    assert abs(z) < _Z_THRESHOLD, (
        "{}: n={} mean(k^2)={:.3f} expected {:.3f} ({} {}) z={:.2f}".format(
            case_name, len(draws), mean_square, moments(1.0)[0], distribution, parameter, z))
    for wrong_factor in (1.2, 1 / 1.2):
        wrong_z, _ = _mean_square_z(draws, moments(wrong_factor))
        assert abs(wrong_z) > _Z_THRESHOLD, (
            "the draws do not reject the scale x {:.3f}: z={:.2f}".format(wrong_factor, wrong_z))


# ---------------------------------------------------------------- errors

SESSION_BUDGETS = {
    "PureDP": lambda: PureDPBudget(1),
    "ApproxDP": lambda: ApproxDPBudget(1, 1e-6),
    "RhoZCDP": lambda: RhoZCDPBudget(1),
}


@pytest.mark.parametrize(
    "budget_name, requested, expected_lines",
    [
        ("PureDP", lambda: PureDPBudget(1.5),
         ["Requested: ε=1.500", "Remaining: ε=1.000", "Difference: ε=0.500"]),
        # Tumult rounds the difference to 3 decimals before it formats it: the
        # delta line is then "δ=0.000e+00"; only its start is checked here.
        ("ApproxDP", lambda: ApproxDPBudget(1, 1e-5),
         ["Requested: ε=1.000, δ=0.000", "Remaining: ε=1.000, δ=0.000", "Difference: δ="]),
        ("ApproxDP", lambda: ApproxDPBudget(3, 1e-6),
         ["Requested: ε=3.000, δ=0.000", "Difference: ε=2.000"]),
        ("RhoZCDP", lambda: RhoZCDPBudget(1.25),
         ["Requested: 𝝆=1.250", "Remaining: 𝝆=1.000", "Difference: 𝝆=0.250"]),
    ],
    ids=["PureDP", "ApproxDP-delta", "ApproxDP-epsilon", "RhoZCDP"],
)
def test_overspending_is_runtime_error_with_tumults_text(spark, people, budget_name, requested,
                                                         expected_lines):
    budget = SESSION_BUDGETS[budget_name]()
    with open_session(budget, people, AddOneRow()) as session:
        with pytest.raises(RuntimeError) as error:
            session.evaluate(count_query([]), requested())
        message = str(error.value)
        assert message.startswith("Cannot answer query without exceeding the Session privacy budget.")
        lines = message.splitlines()
        assert [line.split(":")[0] for line in lines[1:]] == ["Requested", "Remaining", "Difference"]
        for expected in expected_lines:
            assert any(line.startswith(expected) for line in lines), message
        assert session.remaining_privacy_budget == budget
        # The whole remaining budget still spends (charged once, exactly).
        session.evaluate(count_query([]), budget)
        assert not session.remaining_privacy_budget.is_infinite
        assert session.remaining_privacy_budget == zero_like(budget)


@pytest.mark.parametrize("budget_name", list(SESSION_BUDGETS))
def test_query_budget_of_another_type_is_value_error(spark, people, budget_name):
    budget = SESSION_BUDGETS[budget_name]()
    others = [b() for name, b in SESSION_BUDGETS.items()
              if name != budget_name and not (budget_name == "ApproxDP" and name == "PureDP")]
    with open_session(budget, people, AddOneRow()) as session:
        for other in others:
            with pytest.raises(ValueError, match="must match the type of the privacy budget|different types"):
                session.evaluate(count_query([]), other)
        assert session.remaining_privacy_budget == budget


def test_pure_dp_query_budget_in_approx_dp_session_is_tumults_approx_budget(spark, people):
    """Tumult evaluates PureDPBudget(e) in an ApproxDP session as ApproxDPBudget(e, 0)."""
    with open_session(ApproxDPBudget(1, 1e-6), people, AddOneRow()) as session:
        session.evaluate(count_query([]), PureDPBudget(0.5))
        assert session.remaining_privacy_budget == ApproxDPBudget(0.5, 1e-6)


@pytest.mark.parametrize("budget_name", list(SESSION_BUDGETS))
def test_zero_budget_is_value_error(spark, people, budget_name):
    budget = SESSION_BUDGETS[budget_name]()
    zero = zero_like(budget)
    with open_session(budget, people, AddOneRow()) as session:
        with pytest.raises(ValueError, match="non-zero privacy budget"):
            session.evaluate(count_query([]), zero)
        assert session.remaining_privacy_budget == budget


@pytest.mark.parametrize("budget_name", ["PureDP", "ApproxDP"])
@pytest.mark.parametrize("grouped", [True, False], ids=["grouped", "ungrouped"])
def test_gaussian_without_zcdp_is_value_error(spark, people, group_keyset, budget_name, grouped):
    budget = SESSION_BUDGETS[budget_name]()
    query = count_query([], group_keyset if grouped else None, mechanism=CountMechanism.GAUSSIAN)
    with open_session(budget, people, AddOneRow()) as session:
        with pytest.raises(ValueError, match="Gaussian noise is only supported when using a RhoZCDP budget"):
            session.evaluate(query, budget)
        assert session.remaining_privacy_budget == budget


@pytest.mark.parametrize(
    "constraints",
    [[], [MaxGroupsPerID("g", 2)], [MaxRowsPerGroupPerID("g", 2)]],
    ids=["none", "MaxGroupsPerID-only", "MaxRowsPerGroupPerID-only"],
)
@pytest.mark.parametrize("budget_name", list(SESSION_BUDGETS))
def test_id_table_without_the_needed_constraint_is_runtime_error(spark, people, group_keyset,
                                                                 budget_name, constraints):
    budget = SESSION_BUDGETS[budget_name]()
    with open_session(budget, people, AddRowsWithID("id")) as session:
        for keyset in (group_keyset, None):
            with pytest.raises(RuntimeError, match=(
                    "A constraint on the number of rows contributed by each ID is needed "
                    r"to perform this query \(e.g. MaxRowsPerID\)")):
                session.evaluate(count_query(constraints, keyset), budget)
        assert session.remaining_privacy_budget == budget


@pytest.mark.parametrize(
    "constraint",
    [MaxRowsPerID(2), MaxGroupsPerID("g", 2), MaxRowsPerGroupPerID("g", 2)],
    ids=lambda c: type(c).__name__,
)
def test_constraint_on_table_without_ids_is_value_error_naming_it(spark, people, constraint):
    budget = PureDPBudget(1)
    with open_session(budget, people, AddMaxRows(2)) as session:
        with pytest.raises(ValueError, match=type(constraint).__name__ + ".*AddRowsWithID"):
            session.evaluate(count_query([constraint]), budget)
        assert session.remaining_privacy_budget == budget


@pytest.mark.parametrize(
    "constraints",
    [[MaxGroupsPerID("nope", 2), MaxRowsPerGroupPerID("nope", 2)],
     [MaxRowsPerID(2), MaxRowsPerGroupPerID("nope", 1)]],
    ids=["pair", "MaxRowsPerGroupPerID"],
)
def test_constraint_on_missing_column_is_value_error_naming_it(spark, people, constraints):
    budget = RhoZCDPBudget(1)
    with open_session(budget, people, AddRowsWithID("id")) as session:
        with pytest.raises(ValueError, match="nope"):
            session.evaluate(count_query(constraints), budget)
        assert session.remaining_privacy_budget == budget


def test_keyset_column_missing_from_table_is_tumults_key_error(spark, people):
    budget = PureDPBudget(1)
    keyset = KeySet.from_dataframe(spark.createDataFrame([("a", "x")], "g string, genre string"))
    with open_session(budget, people, AddOneRow()) as session:
        with pytest.raises(KeyError, match="genre"):
            session.evaluate(count_query([], keyset), budget)
        assert session.remaining_privacy_budget == budget


def test_keyset_column_of_other_type_is_value_error_naming_it(spark, people):
    budget = PureDPBudget(1)
    keyset = KeySet.from_dataframe(spark.createDataFrame([(1,)], "g long"))
    with open_session(budget, people, AddOneRow()) as session:
        with pytest.raises(ValueError, match="'g'"):
            session.evaluate(count_query([], keyset), budget)
        assert session.remaining_privacy_budget == budget


@pytest.mark.parametrize(
    "change, column",
    [(lambda: AddRowsWithID("person"), "person"),
     (lambda: AddMaxRowsInMaxGroups("state", 1, 1), "state")],
    ids=["AddRowsWithID", "AddMaxRowsInMaxGroups"],
)
def test_protected_change_on_missing_column_is_value_error_naming_it(spark, people, change, column):
    with pytest.raises(ValueError, match=column):
        with open_session(PureDPBudget(1), people, change()) as session:
            session.evaluate(count_query([]), PureDPBudget(1))


@pytest.mark.parametrize(
    "make, fault",
    [
        (lambda: PureDPBudget(-1), "epsilon of -1"),
        (lambda: PureDPBudget(float("nan")), "(?i)nan"),
        (lambda: ApproxDPBudget(-0.5, 0), "epsilon of -0.5"),
        (lambda: ApproxDPBudget(1, 1.5), "delta of 1.5"),
        (lambda: ApproxDPBudget(1, -1e-9), r"delta of -(1e-09|1\.0E-9|0\.000000001)"),
        (lambda: RhoZCDPBudget(-2), "rho of -2"),
        (lambda: MaxRowsPerID(0), "max.* 0"),
        (lambda: MaxGroupsPerID("g", -1), "-1"),
        (lambda: MaxGroupsPerID("", 1), "grouping_column|groupingColumn"),
        (lambda: MaxRowsPerGroupPerID("g", 0), "max.* 0"),
        (lambda: AddMaxRows(0), "max_rows|maxRows"),
        (lambda: AddMaxRowsInMaxGroups("g", 0, 1), "max_groups|maxGroups"),
        (lambda: AddMaxRowsInMaxGroups("g", 1, 0), "max_rows_per_group|maxRowsPerGroup"),
        (lambda: AddRowsWithID(""), "id_column|idColumn"),
        (lambda: AddRowsWithID("id", ""), "id_space|idSpace|identifier"),
        (lambda: QueryBuilder("t").count(mechanism="exponential"), 'Unknown mechanism "exponential"'),
    ],
    ids=["pure-negative", "pure-nan", "approx-epsilon", "approx-delta-high", "approx-delta-low",
         "zcdp-negative", "MaxRowsPerID", "MaxGroupsPerID-max", "MaxGroupsPerID-column",
         "MaxRowsPerGroupPerID", "AddMaxRows", "AddMaxRowsInMaxGroups-groups",
         "AddMaxRowsInMaxGroups-rows", "AddRowsWithID-column", "AddRowsWithID-space", "mechanism"],
)
def test_bad_values_are_value_errors_where_made_when_spark_runs(spark, make, fault):
    """As in Tumult, the ValueError comes where the value is written (the JVM checks it)."""
    with pytest.raises(ValueError, match=fault):
        make()


@pytest.mark.parametrize("epsilon", [
    1e-23,
    1e300,
    1e-300,
])
def test_extreme_budgets_are_accepted_or_value_errors_before_anything_runs(spark, people, epsilon):
    """Never an ArithmeticException: refused with ValueError up front, or they work."""
    try:
        budget = PureDPBudget(epsilon)
        session = Session.from_dataframe(budget, "people", people, protected_change=AddOneRow())
    except ValueError as error:
        assert "psilon" in str(error)
        return
    try:
        before = session.remaining_privacy_budget
        assert before.epsilon <= epsilon  # rounded down, if at all
        try:
            output = session.evaluate(count_query([]), budget)
        except ValueError:
            assert session.remaining_privacy_budget == before
            return
        assert isinstance(single_count(output), int)
        assert session.remaining_privacy_budget.epsilon <= before.epsilon
    finally:
        session.stop()


def test_tiny_spend_from_huge_budget_rounds_remaining_down(spark, people):
    """Issue 8: a session of 1e12 spending 1e-12 used to fail after running the query."""
    with open_session(PureDPBudget(1e12), people, AddOneRow()) as session:
        try:
            session.evaluate(count_query([]), PureDPBudget(1e-12))
        except ValueError as error:  # refused up front is allowed; nothing spent then
            assert "psilon" in str(error)
            assert session.remaining_privacy_budget == PureDPBudget(1e12)
            return
        assert session.remaining_privacy_budget.epsilon <= 1e12


def test_ten_tenths_spend_the_whole_budget(spark, people):
    """Tumult's tolerance: the tenth 0.1 of 1 is slightly above what float rounding left."""
    with open_session(PureDPBudget(1), people, AddOneRow()) as session:
        for _ in range(10):
            session.evaluate(count_query([]), PureDPBudget(0.1))
        assert session.remaining_privacy_budget == PureDPBudget(0)


def test_evaluate_after_stop_is_runtime_error(spark, people):
    session = Session.from_dataframe(RhoZCDPBudget(1), "people", people, protected_change=AddOneRow())
    session.stop()
    with pytest.raises(RuntimeError, match="no longer active"):
        session.evaluate(count_query([]), RhoZCDPBudget(1))


# ---------------------------------------------------------------- ID identity


def _identity_table(spark, id_sql_type, cases):
    """A table (case string, id <type>) from SQL expressions, one row per expression."""
    selects = ["SELECT '{}' AS case, CAST({} AS {}) AS id".format(case, expression, id_sql_type)
               for case, expressions in cases.items() for expression in expressions]
    return spark.sql(" UNION ALL ".join(selects))


IDENTITY_TABLES = {
    # id type: {case: [SQL expressions of the IDs, one row each]}, expected IDs per case
    "struct": ("struct<x: double>", {
        "nan": ["named_struct('x', CAST('NaN' AS DOUBLE))"] * 3
               + ["named_struct('x', sqrt(-1D))", "named_struct('x', CAST('-NaN' AS DOUBLE))"],
        "zero": ["named_struct('x', CAST('-0.0' AS DOUBLE))", "named_struct('x', 0D)"],
        "null": ["CAST(NULL AS struct<x: double>)"] * 2,
        "null-field": ["named_struct('x', CAST(NULL AS DOUBLE))"] * 2,
    }, {"nan": 1, "zero": 1, "null": 1, "null-field": 1}),
    "array": ("array<double>", {
        "nan": ["array(CAST('NaN' AS DOUBLE))", "array(sqrt(-1D))"] * 2,
        "zero": ["array(CAST('-0.0' AS DOUBLE))", "array(0D)"],
    }, {"nan": 1, "zero": 1}),
    "string": ("string", {
        "invalid-utf8": ["unhex('FF')", "unhex('FF')", "unhex('FE')", "unhex('FE')"],
        "valid": ["'a'", "'a'", "'b'"],
        "null": ["NULL"] * 3,
    }, {"invalid-utf8": 2, "valid": 2, "null": 1}),
    "double": ("double", {
        "nan": ["CAST('NaN' AS DOUBLE)", "sqrt(-1D)", "CAST('-NaN' AS DOUBLE)"],
        "zero": ["CAST('-0.0' AS DOUBLE)", "0D", "-0D"],
        "null": ["NULL"] * 2,
    }, {"nan": 1, "zero": 1, "null": 1}),
}


@pytest.mark.parametrize("table_name", list(IDENTITY_TABLES))
def test_ids_are_one_exactly_when_spark_groups_them_as_one(spark, table_name):
    """Under MaxRowsPerID(1) at an infinite budget, each ID counts once: the count
    of a case is its number of IDs, which Spark's grouping decides (five rows of
    ID struct(NaN) are one ID; unhex('FF') and unhex('FE') as strings are two)."""
    id_sql_type, cases, expected_ids = IDENTITY_TABLES[table_name]
    table = _identity_table(spark, id_sql_type, cases).cache()
    spark_ids = {r["case"]: r["count"] for r in
                 table.groupBy("case", "id").count().groupBy("case").count().collect()}
    assert spark_ids == expected_ids  # what Spark's own equality says
    keyset = KeySet.from_dataframe(
        spark.createDataFrame([(case,) for case in cases], "case string"))
    budget = PureDPBudget(INF)
    with open_session(budget, table, AddRowsWithID("id"), source_id="ids") as session:
        grouped = session.evaluate(
            QueryBuilder("ids").enforce(MaxRowsPerID(1)).groupby(keyset).count(), budget)
        assert counts_by_key(grouped, key_column="case") == expected_ids
        ungrouped = session.evaluate(QueryBuilder("ids").enforce(MaxRowsPerID(1)).count(), budget)
        assert single_count(ungrouped) == sum(expected_ids.values())
