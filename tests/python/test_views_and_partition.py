"""Session.create_view / delete_view / partition_and_create (issue 10), forwarded to the JVM."""

import pytest
from pyspark.sql import functions as F

from noise_statistics import DiscreteLaplace, moments, z_scores
from sparkdp import (
    AddMaxRowsInMaxGroups,
    AddOneRow,
    AddRowsWithID,
    KeySet,
    MaxGroupsPerID,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    RhoZCDPBudget,
    Session,
)

INF = PureDPBudget(float("inf"))


@pytest.fixture(scope="module")
def visits_df(spark):
    rows = [(["north", "south", "east"][i % 3], "s%d" % (i % 5), i % 50) for i in range(300)]
    rows += [(None, "s%d" % i, i) for i in range(3)]
    return spark.createDataFrame(rows, "region string, shelf string, member bigint").cache()


def _session(visits_df, budget, change=None):
    return (
        Session.Builder()
        .with_privacy_budget(budget)
        .with_private_dataframe("visits", visits_df, change or AddOneRow())
        .with_public_dataframe("regions", visits_df.select("region").distinct())
        .build()
    )


def _count(session, source_id, budget):
    return session.evaluate(QueryBuilder(source_id).count(), budget).collect()[0][0]


def test_view_answers_as_its_query(visits_df):
    session = _session(visits_df, INF, AddRowsWithID("member"))
    try:
        session.create_view(QueryBuilder("visits").enforce(MaxRowsPerID(2)), "bounded", cache=False)
        session.create_view(QueryBuilder("visits").enforce(MaxRowsPerID(2)), source_id="cached", cache=True)
        assert session.private_sources == ["cached", "bounded", "visits"]  # Tumult's order
        per_member = visits_df.groupBy("member").count().collect()
        expected = sum(min(row["count"], 2) for row in per_member)
        assert _count(session, "bounded", INF) == expected
        assert _count(session, "cached", INF) == expected
        session.delete_view("cached")
        assert session.private_sources == ["bounded", "visits"]
    finally:
        session.stop()


def test_view_name_errors(visits_df):
    session = _session(visits_df, PureDPBudget(1))
    try:
        session.create_view(QueryBuilder("visits"), "copy", cache=False)
        for taken in ["visits", "regions", "copy"]:
            with pytest.raises(ValueError, match="^Table '%s' already exists.$" % taken):
                session.create_view(QueryBuilder("visits"), taken, cache=False)
        with pytest.raises(ValueError, match="valid Python identifier"):
            session.create_view(QueryBuilder("visits"), "my view", cache=False)
        with pytest.raises(KeyError, match="Private table 'nope' does not exist"):
            session.delete_view("nope")
        assert session.remaining_privacy_budget == PureDPBudget(1)
    finally:
        session.stop()


def test_partition_children_match_plain_spark_and_budgets_are_exact(visits_df):
    session = _session(visits_df, PureDPBudget(3))
    try:
        parts = session.partition_and_create(
            "visits", PureDPBudget(1), column="region", splits={"north": "north", "south": "south", "unknown": None}
        )
        assert list(parts) == ["north", "south", "unknown"]
        assert session.remaining_privacy_budget == PureDPBudget(2)
        for name in ["north", "south", "unknown"]:
            child = parts[name]
            assert child.private_sources == [name]
            assert child.remaining_privacy_budget == PureDPBudget(1)
            # Exact answers are compared below, on the children of an infinite-budget session.
            _count(child, name, PureDPBudget(0.25))
            with pytest.raises(ValueError):
                child.evaluate(QueryBuilder(name).sum("nope", 0, 1), PureDPBudget(0.5))
            assert child.remaining_privacy_budget == PureDPBudget(0.75)
            _count(child, name, PureDPBudget(0.75))
            assert child.remaining_privacy_budget == PureDPBudget(0)
            child.stop()
            with pytest.raises(RuntimeError, match="no longer active"):
                _count(child, name, PureDPBudget(0.1))
        assert session.remaining_privacy_budget == PureDPBudget(2)
        assert _count(session, "visits", PureDPBudget(1)) is not None
    finally:
        session.stop()

    exact = _session(visits_df, INF, AddMaxRowsInMaxGroups("region", 1, 200))
    try:
        parts = exact.partition_and_create("visits", INF, "region", {"north": "north", "east": "east"})
        for name in ["north", "east"]:
            assert _count(parts[name], name, INF) == visits_df.filter(F.col("region") == name).count()
            parts[name].stop()
    finally:
        exact.stop()


def test_partition_errors_spend_nothing(visits_df):
    session = _session(visits_df, PureDPBudget(2))
    try:
        with pytest.raises(KeyError, match="Private table 'nope' does not exist"):
            session.partition_and_create("nope", PureDPBudget(1), "region", {"a": "north"})
        with pytest.raises(ValueError, match="public table"):
            session.partition_and_create("regions", PureDPBudget(1), "region", {"a": "north"})
        with pytest.raises(KeyError, match="'zone' not present"):
            session.partition_and_create("visits", PureDPBudget(1), "zone", {"a": "north"})
        with pytest.raises(ValueError, match="split name must be a valid Python identifier"):
            session.partition_and_create("visits", PureDPBudget(1), "region", {"2a": "north"})
        with pytest.raises(ValueError, match="not compatible with splits value type 'str'"):
            session.partition_and_create("visits", PureDPBudget(1), "member", {"a": "north"})
        with pytest.raises(ValueError, match="You must provide a dictionary"):
            session.partition_and_create("visits", PureDPBudget(1), "region")
        with pytest.raises(ValueError, match="must match the type"):
            session.partition_and_create("visits", RhoZCDPBudget(1), "region", {"a": "north"})
        with pytest.raises(RuntimeError, match="^Cannot perform this partition without exceeding"):
            session.partition_and_create("visits", PureDPBudget(3), "region", {"a": "north"})
        assert session.remaining_privacy_budget == PureDPBudget(2)
        parts = session.partition_and_create("visits", PureDPBudget(1), "member", {"m1": 1, "m2": 2})
        assert session.remaining_privacy_budget == PureDPBudget(1)
        # Using the second child first stops the first (children act in order, as Tumult's).
        _count(parts["m2"], "m2", PureDPBudget(0.5))
        with pytest.raises(RuntimeError, match="^This session is no longer active, and no new queries can be performed$"):
            _count(parts["m1"], "m1", PureDPBudget(0.5))
        parts["m2"].stop()
        _count(session, "visits", PureDPBudget(0.5))
    finally:
        session.stop()


def _grouped_id_session(visits_df, budget, max_groups):
    session = _session(visits_df, budget, AddRowsWithID("member"))
    session.create_view(QueryBuilder("visits").enforce(MaxGroupsPerID("region", max_groups)), "grouped", cache=False)
    return session


def _bounded_count(session, source_id, budget):
    query = QueryBuilder(source_id).enforce(MaxRowsPerID(1000)).count()
    return session.evaluate(query, budget).collect()[0][0]


def test_id_partition_children_match_plain_spark(visits_df):
    # Every member has at most 4 region values (3 regions, and null for members 0..2): nothing is truncated.
    session = _grouped_id_session(visits_df, INF, 4)
    try:
        with pytest.raises(ValueError, match="You must create MaxGroupsPerID constraint"):
            session.partition_and_create("visits", INF, "region", {"a": "north"})
        splits = {"north": "north", "south": "south", "unknown": None}
        parts = session.partition_and_create("grouped", INF, "region", splits)
        for name, value in splits.items():
            child = parts[name]
            assert child.private_sources == [name]
            rows = visits_df.filter(F.col("region").isNull() if value is None else F.col("region") == value)
            # Tumult's children start without constraints.
            with pytest.raises(RuntimeError, match="A constraint on the number of rows"):
                _count(child, name, INF)
            assert _bounded_count(child, name, INF) == rows.count()
            child.stop()
    finally:
        session.stop()


def test_id_partition_keeps_max_groups_per_id_and_budgets_are_exact(visits_df):
    session = _grouped_id_session(visits_df, INF, 1)
    try:
        splits = {"north": "north", "south": "south", "east": "east", "unknown": None}
        parts = session.partition_and_create("grouped", INF, "region", splits)
        members = 0
        for name in splits:
            query = QueryBuilder(name).enforce(MaxRowsPerID(1000)).count_distinct(["member"])
            members += parts[name].evaluate(query, INF).collect()[0][0]
            parts[name].stop()
        # Each of the 50 members keeps one region value, so it is in exactly one child.
        assert members == 50
    finally:
        session.stop()
    for total, share, left in [
        (PureDPBudget(3), PureDPBudget(1), PureDPBudget(2)),
        (RhoZCDPBudget(3), RhoZCDPBudget(1), RhoZCDPBudget(2)),
    ]:
        session = _grouped_id_session(visits_df, total, 2)
        try:
            parts = session.partition_and_create("grouped", share, "region", {"north": "north", "south": "south"})
            assert parts["north"].remaining_privacy_budget == share
            _bounded_count(parts["north"], "north", share)
            assert parts["north"].remaining_privacy_budget == type(share)(0)
            for child in parts.values():
                child.stop()
            assert session.remaining_privacy_budget == left
        finally:
            session.stop()


def test_id_child_count_noise_has_tumults_scale(visits_df, spark):
    """A child of an ID table split under MaxGroupsPerID(region, 2): Tumult compiles it for d_in = 2, so a
    count with MaxRowsPerID(3) over 8000 absent keys is discrete Laplace noise of scale k·g/ε = 6 (through a
    view of the child). |z| < 6 on the mean and the mean square (false failure ≈ 1e-8 each). Broken once on
    purpose (children given ID distance 1, scale 3): red with z(mean square) = -30.0; green it measured
    z(mean) = -0.47, z(mean square) = 0.40.
    """
    session = _grouped_id_session(visits_df, PureDPBudget(1), 2)
    try:
        parts = session.partition_and_create("grouped", PureDPBudget(1), "region", {"north": "north"})
        child = parts["north"]
        child.create_view(QueryBuilder("north").enforce(MaxRowsPerID(3)), "bounded", cache=False)
        absent = KeySet.from_dataframe(spark.createDataFrame([("none-%d" % i,) for i in range(8000)], "shelf string"))
        rows = child.evaluate(QueryBuilder("bounded").groupby(absent).count(), PureDPBudget(1)).collect()
        samples = [float(row["count"]) for row in rows]
        assert len(samples) == 8000
        variance, _ = moments(DiscreteLaplace(6.0))
        mean_z, square_z = z_scores(samples, DiscreteLaplace(6.0))
        assert abs(mean_z) < 6 and abs(square_z) < 6, (mean_z, square_z, variance)
    finally:
        session.stop()


def test_child_count_noise_has_the_childs_scale(visits_df, spark):
    """8000 absent keys: discrete Laplace noise of scale g·r/ε = 6 (AddMaxRowsInMaxGroups(region, 2, 3) split
    on region gives the children AddMaxRows(6)). |z| < 6 on the mean and the mean square (false failure
    ≈ 1e-8 each). Broken once on purpose (Rust giving the children AddMaxRows(r = 3) instead of g·r): red
    with z(mean) = 0.94, z(mean square) = -30.1 against the expected variance 71.8.
    """
    session = _session(visits_df, PureDPBudget(1), AddMaxRowsInMaxGroups("region", 2, 3))
    try:
        parts = session.partition_and_create("visits", PureDPBudget(1), "region", {"north": "north"})
        absent = KeySet.from_dataframe(spark.createDataFrame([("none-%d" % i,) for i in range(8000)], "shelf string"))
        rows = parts["north"].evaluate(QueryBuilder("north").groupby(absent).count(), PureDPBudget(1)).collect()
        samples = [row["count"] for row in rows]
        variance, _ = moments(DiscreteLaplace(6.0))
        n = len(samples)
        mean_z, square_z = z_scores(samples, DiscreteLaplace(6.0))
        assert n == 8000
        assert abs(mean_z) < 6 and abs(square_z) < 6, (mean_z, square_z, variance)
    finally:
        session.stop()


def test_parent_used_while_children_are_active_warns_and_retires_them(visits_df):
    """Tumult's Session._activate_accountant: a UserWarning, then force_activate retires the children."""
    session = _session(visits_df, PureDPBudget(4))
    try:
        parts = session.partition_and_create("visits", PureDPBudget(1), "region", {"north": "north", "south": "south"})
        _count(parts["north"], "north", PureDPBudget(0.5))
        with pytest.warns(UserWarning, match="^Activating a Session that is waiting for one of its siblings to finish may cause unexpected behavior.$"):
            _count(parts["south"], "south", PureDPBudget(0.5))
        with pytest.warns(UserWarning, match=r"^Activating a Session that is waiting for its children \(created with partition_and_create\) to finish may cause unexpected behavior.$"):
            _count(session, "visits", PureDPBudget(1))
        for name in ["north", "south"]:
            with pytest.raises(RuntimeError, match="^This session is no longer active, and no new queries can be performed$"):
                _count(parts[name], name, PureDPBudget(0.5))
        assert session.remaining_privacy_budget == PureDPBudget(2)
        # create_view forces the parent active too; add_public_dataframe does not (as Tumult's).
        again = session.partition_and_create("visits", PureDPBudget(1), "region", {"north": "north"})
        session.add_public_dataframe("more", visits_df.select("shelf").distinct())
        _count(again["north"], "north", PureDPBudget(0.5))
        with pytest.warns(UserWarning, match="waiting for its children"):
            session.create_view(QueryBuilder("visits"), "v", cache=False)
        with pytest.raises(RuntimeError, match="no longer active"):
            _count(again["north"], "north", PureDPBudget(0.5))
    finally:
        session.stop()


def test_private_sources_in_tumults_order(visits_df, spark):
    ids = visits_df.select("member", "shelf")
    session = (
        Session.Builder()
        .with_privacy_budget(INF)
        .with_id_space("members")
        .with_private_dataframe("a", visits_df, AddOneRow())
        .with_private_dataframe("b", ids, AddRowsWithID("member", "members"))
        .with_private_dataframe("c", visits_df, AddOneRow())
        .build()
    )
    try:
        # Tumult's input domain {a, c, members: {b}}, listed depth first from a stack: reversed.
        assert session.private_sources == ["b", "c", "a"]
        session.create_view(QueryBuilder("a"), "plain_view", cache=False)
        session.create_view(QueryBuilder("b"), "id_view", cache=False)
        assert session.private_sources == ["plain_view", "id_view", "b", "c", "a"]
        with pytest.raises(KeyError, match="Available tables are: plain_view, id_view, b, c, a"):
            session.delete_view("nope")
    finally:
        session.stop()
