"""Constraints enforced where the program calls ``enforce`` (issue 10, Tumult's placement).

At an infinite budget, counts per ID after ``enforce(MaxRowsPerID(k))``
followed by join_public, join_private, flat_map, flat_map_by_id and filter
follow Tumult's rules (truncate first, then transform, the constraint carried
through with Tumult's bound); re-evaluating gives the same answer; and
enforce(MaxRowsPerID(2)) then a public join of multiplicity 3 releases a count
with Laplace scale 6 (Tumult's propagated MaxRowsPerID(6)).
"""
import math

import pytest

from sparkdp import (
    AddRowsWithID,
    ColumnType,
    KeySet,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    Session,
)

INFINITE = PureDPBudget(float("inf"))
N_IDS = 48
IDS = ["u%d" % i for i in range(N_IDS)]


def _rows_of(i):
    """ID u<i> has i % 4 + 1 rows x = 0, 1, ...; shop = s<x % 2>."""
    return i % 4 + 1


@pytest.fixture(scope="module")
def events(spark):
    rows = [("u%d" % i, x, "s%d" % (x % 2)) for i in range(N_IDS) for x in range(_rows_of(i))]
    return spark.createDataFrame(rows, "id string, x long, shop string")


@pytest.fixture(scope="module")
def shops(spark):
    # Every shop has 3 public rows: the largest join-key multiplicity is 3.
    return spark.createDataFrame([(s, l) for s in ("s0", "s1") for l in ("a", "b", "c")], "shop string, label string")


@pytest.fixture(scope="module")
def visits(spark):
    return spark.createDataFrame([("u%d" % i, y) for i in range(N_IDS) for y in range(4)], "id string, y long")


@pytest.fixture
def session(events, shops, visits):
    session = (
        Session.Builder()
        .with_privacy_budget(INFINITE)
        .with_id_space("people")
        .with_private_dataframe("events", events, AddRowsWithID("id", "people"))
        .with_private_dataframe("visits", visits, AddRowsWithID("id", "people"))
        .with_public_dataframe("shops", shops)
        .build()
    )
    yield session
    session.stop()


def _per_id(session, builder):
    keys = KeySet.from_dict({"id": IDS})
    return {row["id"]: row["count"] for row in session.evaluate(builder.groupby(keys).count(), INFINITE).collect()}


def test_enforce_then_join_public_multiplies_each_ids_kept_rows(session):
    counts = _per_id(session, QueryBuilder("events").enforce(MaxRowsPerID(2)).join_public("shops"))
    # Each of the (at most 2) kept rows meets 3 public rows: Tumult's MaxRowsPerID(6) keeps them all.
    assert counts == {"u%d" % i: 3 * min(_rows_of(i), 2) for i in range(N_IDS)}


def test_enforce_then_join_private_keeps_every_pair(session):
    builder = QueryBuilder("events").enforce(MaxRowsPerID(2)).join_private(
        QueryBuilder("visits").enforce(MaxRowsPerID(3)))
    assert _per_id(session, builder) == {"u%d" % i: 3 * min(_rows_of(i), 2) for i in range(N_IDS)}


def test_flat_map_and_flat_map_by_id_may_follow_a_constraint(session):
    copies = (QueryBuilder("events").enforce(MaxRowsPerID(2))
              .flat_map(lambda row: [{"c": 0}, {"c": 1}, {"c": 2}], {"c": ColumnType.INTEGER}, augment=True)
              .enforce(MaxRowsPerID(5)))
    assert _per_id(session, copies) == {"u%d" % i: min(3 * min(_rows_of(i), 2), 5) for i in range(N_IDS)}
    # flat_map_by_id sees each ID's truncated rows.
    sizes = (QueryBuilder("events").enforce(MaxRowsPerID(2))
             .flat_map_by_id(lambda rows: [{"n": len(rows)}], {"n": ColumnType.INTEGER})
             .enforce(MaxRowsPerID(1)))
    keys = KeySet.from_dict({"n": [1, 2, 3, 4]})
    by_size = {row["n"]: row["count"] for row in session.evaluate(sizes.groupby(keys).count(), INFINITE).collect()}
    assert by_size == {1: N_IDS // 4, 2: 3 * N_IDS // 4, 3: 0, 4: 0}


def test_enforce_then_filter_filters_the_truncated_rows_the_same_on_reevaluation(session):
    builder = QueryBuilder("events").enforce(MaxRowsPerID(2)).filter("x >= 1")
    first = _per_id(session, builder)
    assert _per_id(session, builder) == first
    for i in range(N_IDS):
        # Of an ID's 2 kept rows, those with x >= 1: never more than its rows with x >= 1, never more than 2,
        # and at least one when only one of its rows has x = 0 among 3 or more.
        assert first["u%d" % i] <= min(_rows_of(i) - 1, 2)
        if _rows_of(i) >= 3:
            assert first["u%d" % i] >= 1
    # Filtering before enforcing keeps min(rows with x >= 1, 2) per ID: more rows in all (equal only if each of
    # the 24 IDs with 3 or 4 rows kept no x = 0 row: probability (1/3 · 1/2)^12 ≈ 5e-10 for the random key).
    later = _per_id(session, QueryBuilder("events").filter("x >= 1").enforce(MaxRowsPerID(2)))
    assert later == {"u%d" % i: min(_rows_of(i) - 1, 2) for i in range(N_IDS)}
    assert sum(first.values()) < sum(later.values())


# Scale multiplier of the hypothesis; 1.0. Set to 1/3 once (scale 2: the
# constraint enforced after the join, the old placement) to see the test go red.
HYPOTHESIS_SCALE_FACTOR = 1.0
NOISE_KEYS = 8000
# With n = 8000 the mean square's z has |z| >= 6 with probability ~1e-8: a
# false-failure rate below 1e-7 for the two checks.
Z_THRESHOLD = 6.0


def test_enforce_then_public_join_of_multiplicity_three_has_scale_six(spark):
    events = spark.createDataFrame([("a", "x"), ("a", "x"), ("a", "y"), ("b", "x")], "id string, shop string")
    labels = spark.createDataFrame([("x", "l1"), ("x", "l2"), ("x", "l3"), ("y", "l1")], "shop string, label string")
    keys = KeySet.from_dataframe(spark.createDataFrame([("none-%d" % i,) for i in range(NOISE_KEYS)], "label string"))
    session = Session.from_dataframe(PureDPBudget(1), "events", events, AddRowsWithID("id"))
    try:
        query = QueryBuilder("events").enforce(MaxRowsPerID(2)).join_public(labels).groupby(keys).count()
        samples = [row["count"] for row in session.evaluate(query, PureDPBudget(1)).collect()]
    finally:
        session.stop()
    assert len(samples) == NOISE_KEYS
    scale = 6.0 * HYPOTHESIS_SCALE_FACTOR
    support = range(-int(60 * scale) - 10, int(60 * scale) + 11)
    weights = [math.exp(-abs(x) / scale) for x in support]
    total = sum(weights)
    variance = sum(w * x * x for x, w in zip(support, weights)) / total
    fourth = sum(w * x ** 4 for x, w in zip(support, weights)) / total
    n = float(len(samples))
    mean_z = (sum(samples) / n) / math.sqrt(variance / n)
    mean_square = sum(x * x for x in samples) / n
    square_z = (mean_square - variance) / math.sqrt((fourth - variance * variance) / n)
    summary = "n=%d mean square=%.2f vs %.2f; z(mean)=%.2f z(mean square)=%.2f" % (
        n, mean_square, variance, mean_z, square_z)
    assert abs(mean_z) < Z_THRESHOLD, summary
    assert abs(square_z) < Z_THRESHOLD, summary
