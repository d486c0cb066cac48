"""The bad-input corpus of the Python API (issue 11 #8; the Scala half is BadInputCorpusSuite).

Each case is one thing a user can get wrong — a wrong type, a budget that is
negative, NaN or infinite where not allowed, an unknown table or column, an
empty or absurd keyset, null IDs, absurd bounds, a budget of the wrong kind or
size — and says which exception Tumult's users meet and which words of its
message name the fault. For every case the test checks that:

- the named exception is raised and its message names the fault;
- the session's remaining budget is unchanged (nothing spent by a failure);
- no table is left in any sparkdp database (nothing half-stored);
- the JVM is still alive and the session still answers a query.
"""

import math
from collections import namedtuple

import pytest
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from sparkdp import (
    AddMaxRows,
    AddMaxRowsInMaxGroups,
    AddOneRow,
    AddRowsWithID,
    ApproxDPBudget,
    KeySet,
    MaxGroupsPerID,
    MaxRowsPerGroupPerID,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    RhoZCDPBudget,
    Session,
)

NAN = float("nan")
INF = float("inf")

Case = namedtuple("Case", "name action error words")
"""One bad input: ``action(ctx)`` must raise ``error`` with every string of ``words`` in its message."""

CASES = []


def case(name, error, *words):
    def register(action):
        CASES.append(Case(name, action, error, words))
        return action

    return register


def bad(name, error, action, *words):
    CASES.append(Case(name, action, error, words))


# ---- Budgets: wrong types and values where Tumult refuses them -------------------------------------------
for value in (-1, -0.5, -1e-300, NAN, -INF):
    bad("PureDPBudget({!r})".format(value), ValueError, lambda ctx, v=value: PureDPBudget(v), "psilon")
for value in ("1", None, [1], b"1", 1j):
    bad("PureDPBudget({!r})".format(value), TypeError, lambda ctx, v=value: PureDPBudget(v))
for eps, delta in ((-1, 0), (NAN, 0), (1, -0.1), (1, 1.5), (1, NAN), (1, INF), (-INF, 0)):
    bad("ApproxDPBudget({!r}, {!r})".format(eps, delta), ValueError,
        lambda ctx, e=eps, d=delta: ApproxDPBudget(e, d))
for eps, delta in (("1", 0), (1, "0"), (None, 0), (1, None)):
    bad("ApproxDPBudget({!r}, {!r})".format(eps, delta), TypeError,
        lambda ctx, e=eps, d=delta: ApproxDPBudget(e, d))
for value in (-1, -1e-9, NAN, -INF):
    bad("RhoZCDPBudget({!r})".format(value), ValueError, lambda ctx, v=value: RhoZCDPBudget(v), "ho")
for value in ("0.5", None, (1,)):
    bad("RhoZCDPBudget({!r})".format(value), TypeError, lambda ctx, v=value: RhoZCDPBudget(v))

# ---- Protected changes and constraints -------------------------------------------------------------------
for value in (0, -1, -(2 ** 40)):
    bad("AddMaxRows({!r})".format(value), ValueError, lambda ctx, v=value: AddMaxRows(v))
for value in ("3", 2.5, None):
    bad("AddMaxRows({!r})".format(value), TypeError, lambda ctx, v=value: AddMaxRows(v))
for args in (("shop", 0, 1), ("shop", 1, 0), ("shop", -1, 2)):
    bad("AddMaxRowsInMaxGroups{!r}".format(args), ValueError, lambda ctx, a=args: AddMaxRowsInMaxGroups(*a))
for args in ((1, 1, 1), ("shop", "1", 1), ("shop", 1, 1.5)):
    bad("AddMaxRowsInMaxGroups{!r}".format(args), TypeError, lambda ctx, a=args: AddMaxRowsInMaxGroups(*a))
for value in (5, None, ["id"]):
    bad("AddRowsWithID({!r})".format(value), TypeError, lambda ctx, v=value: AddRowsWithID(v))
for value in (0, -3):
    bad("MaxRowsPerID({!r})".format(value), ValueError, lambda ctx, v=value: MaxRowsPerID(v))
for value in ("20", 1.5, None):
    bad("MaxRowsPerID({!r})".format(value), TypeError, lambda ctx, v=value: MaxRowsPerID(v))
for args in (("shop", 0), ("shop", -1)):
    bad("MaxGroupsPerID{!r}".format(args), ValueError, lambda ctx, a=args: MaxGroupsPerID(*a))
    bad("MaxRowsPerGroupPerID{!r}".format(args), ValueError, lambda ctx, a=args: MaxRowsPerGroupPerID(*a))
for args in ((1, 2), ("shop", "2")):
    bad("MaxGroupsPerID{!r}".format(args), TypeError, lambda ctx, a=args: MaxGroupsPerID(*a))
    bad("MaxRowsPerGroupPerID{!r}".format(args), TypeError, lambda ctx, a=args: MaxRowsPerGroupPerID(*a))

# ---- Session creation -------------------------------------------------------------------------------------
bad("from_dataframe: budget not a budget", TypeError,
    lambda ctx: Session.from_dataframe(1.0, "t", ctx.items, protected_change=AddOneRow()))
bad("from_dataframe: source id not a string", TypeError,
    lambda ctx: Session.from_dataframe(PureDPBudget(1), 5, ctx.items, protected_change=AddOneRow()))
bad("from_dataframe: dataframe not a DataFrame", TypeError,
    lambda ctx: Session.from_dataframe(PureDPBudget(1), "t", [1, 2], protected_change=AddOneRow()))
bad("from_dataframe: protected change not one", TypeError,
    lambda ctx: Session.from_dataframe(PureDPBudget(1), "t", ctx.items, protected_change="AddOneRow"))
bad("from_dataframe: empty source id", ValueError,
    lambda ctx: Session.from_dataframe(PureDPBudget(1), "", ctx.items, protected_change=AddOneRow()))
bad("from_dataframe: ID column missing", ValueError,
    lambda ctx: Session.from_dataframe(PureDPBudget(1), "t", ctx.items,
                                       protected_change=AddRowsWithID("member")), "member")
bad("from_dataframe: grouping column missing", ValueError,
    lambda ctx: Session.from_dataframe(PureDPBudget(1), "t", ctx.items,
                                       protected_change=AddMaxRowsInMaxGroups("region", 1, 1)), "region")
bad("Builder: no budget", ValueError,
    lambda ctx: Session.Builder().with_private_dataframe("t", ctx.items, AddOneRow()).build(), "budget")
bad("Builder: no table", ValueError,
    lambda ctx: Session.Builder().with_privacy_budget(PureDPBudget(1)).build(), "private source")
bad("Builder: the same source id twice", ValueError,
    lambda ctx: Session.Builder().with_privacy_budget(PureDPBudget(1))
    .with_private_dataframe("t", ctx.items, AddOneRow())
    .with_public_dataframe("t", ctx.items).build(), "t")
bad("Builder: two budgets", ValueError,
    lambda ctx: Session.Builder().with_private_dataframe("t", ctx.items, AddOneRow())
    .with_privacy_budget(PureDPBudget(1)).with_privacy_budget(PureDPBudget(1)), "already has a privacy budget")

# ---- Session lookups --------------------------------------------------------------------------------------
for method in ("get_schema", "get_column_types", "get_id_column", "get_id_space", "get_grouping_column"):
    bad("session.{}(unknown table)".format(method), KeyError,
        lambda ctx, m=method: getattr(ctx.session, m)("nowhere"), "nowhere")


# ---- Queries: everything is refused before any data is read, with nothing spent --------------------------
def built(query):
    """The query itself, or what a zero-argument function builds (queries with KeySets need the JVM)."""
    return query() if callable(query) else query


def evaluate(query, budget=None):
    return lambda ctx: ctx.session.evaluate(built(query), budget or PureDPBudget(0.1)).collect()


def evaluate_ids(query, budget=None):
    return lambda ctx: ctx.id_session.evaluate(built(query), budget or PureDPBudget(0.1)).collect()


def shops():
    return KeySet.from_dict({"shop": ["a", "b"]})
bad("unknown table in a query", ValueError, evaluate(QueryBuilder("nowhere").count()), "nowhere")
bad("KeySet column the table lacks", KeyError,
    evaluate(lambda: QueryBuilder("items").groupby(KeySet.from_dict({"region": ["x"]})).count()), "region")
bad("KeySet column of another type", ValueError,
    evaluate(lambda: QueryBuilder("items").groupby(KeySet.from_dict({"shop": [1, 2]})).count()), "shop")
bad("evaluate: budget of another type", ValueError, evaluate(QueryBuilder("items").count(), RhoZCDPBudget(0.1)))
bad("evaluate: ApproxDP budget on a PureDP session", ValueError,
    evaluate(QueryBuilder("items").count(), ApproxDPBudget(0.1, 1e-9)))
bad("evaluate: more budget than remains", RuntimeError,
    evaluate(QueryBuilder("items").count(), PureDPBudget(50)), "Requested")
bad("evaluate: an infinite budget on a finite session", RuntimeError,
    evaluate(QueryBuilder("items").count(), PureDPBudget(INF)), "Requested")
bad("evaluate: not a query", (TypeError, ValueError), lambda ctx: ctx.session.evaluate("SELECT 1", PureDPBudget(1)))
bad("evaluate: a builder, not a query", (TypeError, ValueError),
    lambda ctx: ctx.session.evaluate(QueryBuilder("items"), PureDPBudget(1)))
bad("evaluate: budget not a budget", TypeError,
    lambda ctx: ctx.session.evaluate(QueryBuilder("items").count(), 0.5))
for mechanism in ("GAUSSIAN", "gaussian"):
    bad("Gaussian count under PureDP ({})".format(mechanism), ValueError,
        evaluate(QueryBuilder("items").count(mechanism=mechanism)), "aussian")
bad("unknown mechanism name", ValueError, evaluate(QueryBuilder("items").count(mechanism="exponential")),
    "exponential")
bad("constraint on a table without IDs", ValueError,
    evaluate(QueryBuilder("items").enforce(MaxRowsPerID(2)).count()), "AddRowsWithID")
bad("grouping column of a constraint missing", ValueError,
    evaluate_ids(QueryBuilder("people").enforce(MaxGroupsPerID("region", 1)).count()), "region")
bad("grouping column of a constraint is the ID column", ValueError,
    evaluate_ids(QueryBuilder("people").enforce(MaxGroupsPerID("member", 1)).count()), "member")
bad("ID table counted without a constraint", RuntimeError,
    evaluate_ids(QueryBuilder("people").count()), "MaxRowsPerID")
bad("ID table summed with only MaxGroupsPerID", RuntimeError,
    evaluate_ids(QueryBuilder("people").enforce(MaxGroupsPerID("shop", 1)).sum("qty", 0, 5)))

for agg in ("sum", "average", "variance", "stdev"):
    bad("{}: unknown measure column".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("weight", 0, 1)), "weight")
    bad("{}: string column".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("shop", 0, 1)), "shop")
    bad("{}: low > high".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("price", 5, 1)), "ower bound")
    bad("{}: low == high".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("price", 2.0, 2.0)), "ower bound")
    bad("{}: NaN bound".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("price", NAN, 1.0)))
    bad("{}: infinite bound".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("price", 0.0, INF)))
    bad("{}: bounds not numbers".format(agg), TypeError,
        lambda ctx, a=agg: getattr(QueryBuilder("items"), a)("price", "0", "1"))
    bad("{}: absurd bounds 1e300".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("price", -1e300, 1e300)))
    bad("{}: grouped by its own column".format(agg), ValueError,
        evaluate(lambda a=agg: getattr(QueryBuilder("items").groupby(shops()), a)("shop", 0, 1)), "shop")
    bad("{}: the ID column".format(agg), ValueError,
        evaluate_ids(getattr(QueryBuilder("people").enforce(MaxRowsPerID(2)), agg)("member", 0, 10)), "member")
    bad("{}: Gaussian under PureDP".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("price", 0, 1, mechanism="GAUSSIAN")), "aussian")
bad("sum: integer bounds beyond the Long range", ValueError,
    lambda ctx: QueryBuilder("items").sum("qty", -(2 ** 70), 2 ** 70), "low", "1180591620717411303424")

for q in (-0.1, 1.5, NAN):
    bad("quantile({!r})".format(q), ValueError, evaluate(QueryBuilder("items").quantile("price", q, 0, 10)),
        "uantile")
for agg in ("median", "min", "max"):
    bad("{}: unknown column".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("weight", 0, 1)), "weight")
    bad("{}: low > high".format(agg), ValueError,
        evaluate(getattr(QueryBuilder("items"), agg)("price", 3, 1)), "ower bound")
bad("count_distinct: unknown column", ValueError,
    evaluate(QueryBuilder("items").count_distinct(["weight"])), "weight")
bad("count_distinct: columns not strings", TypeError, lambda ctx: QueryBuilder("items").count_distinct([1]))
bad("get_groups under PureDP", ValueError, evaluate(QueryBuilder("items").get_groups(["shop"])), "ApproxDP")
bad("get_groups: an ApproxDP budget on a PureDP session", ValueError,
    evaluate(QueryBuilder("items").get_groups(["weight"]), ApproxDPBudget(0.1, 1e-9)), "type must match")
bad("suppress: threshold not a number", TypeError,
    lambda ctx: QueryBuilder("items").groupby(shops()).count().suppress("10"))
bad("groupby: column names instead of a KeySet", ValueError, lambda ctx: QueryBuilder("items").groupby("shop"))
bad("QueryBuilder: source id not a string", TypeError, lambda ctx: QueryBuilder(7))
bad("enforce: not a constraint", TypeError, lambda ctx: QueryBuilder("items").enforce(20))
bad("count: name not a string", TypeError, lambda ctx: QueryBuilder("items").count(name=5))
bad("sum: column not a string", TypeError, lambda ctx: QueryBuilder("items").sum(5, 0, 1))

# ---- KeySets ---------------------------------------------------------------------------------------------
bad("KeySet.from_dict: values not a list", (TypeError, ValueError),
    lambda ctx: KeySet.from_dict({"shop": 5}).dataframe().collect())
bad("KeySet.from_tuples: rows longer than the columns", ValueError,
    lambda ctx: KeySet.from_tuples([("a", 1)], ["shop"]).dataframe().collect())
bad("KeySet.from_dataframe: not a DataFrame", TypeError, lambda ctx: KeySet.from_dataframe([("a",)]))
bad("KeySet: project a column it lacks", (KeyError, ValueError), lambda ctx: shops()["region"].size(), "region")
bad("KeySet: product of overlapping columns", ValueError, lambda ctx: (shops() * shops()).size(), "shop")
bad("KeySet: union of different columns", ValueError,
    lambda ctx: shops().union(KeySet.from_dict({"region": ["x"]})).size())


@pytest.fixture(scope="module")
def ctx(spark):
    """Two sessions (a table without IDs, and one with IDs) shared by every case; budget 1 each."""
    items = spark.createDataFrame(
        [(1, "a", 2.5, 3, ["x"]), (2, "b", NAN, 1, None), (3, "a", None, None, ["y", None])],
        StructType([
            StructField("id", LongType()),
            StructField("shop", StringType()),
            StructField("price", DoubleType()),
            StructField("qty", IntegerType()),
            StructField("tags", ArrayType(StringType())),
        ]),
    )
    people = spark.createDataFrame(
        [(1, "a", 3), (1, "b", 1), (None, "a", 2)],
        StructType([
            StructField("member", LongType()),
            StructField("shop", StringType()),
            StructField("qty", IntegerType()),
        ]),
    )
    session = Session.from_dataframe(PureDPBudget(1), "items", items, protected_change=AddOneRow())
    id_session = Session.from_dataframe(PureDPBudget(1), "people", people,
                                        protected_change=AddRowsWithID("member"))
    context = namedtuple("Ctx", "spark items session id_session")(spark, items, session, id_session)
    yield context
    session.stop()
    id_session.stop()


def sparkdp_tables(spark):
    """Every table of every sparkdp database, to show that a failure stores nothing."""
    tables = []
    for row in spark.sql("SHOW DATABASES").collect():
        name = row[0]
        if name.startswith("sparkdp_"):
            tables += [name + "." + t.name for t in spark.catalog.listTables(name)]
    return sorted(tables)


def test_the_corpus_has_at_least_200_cases_with_the_scala_half():
    # The Scala half (BadInputCorpusSuite) has its own count check; this half alone has more than 100.
    assert len(CASES) >= 100, len(CASES)
    assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"


@pytest.mark.parametrize("bad_input", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_a_named_error_with_nothing_spent_or_stored(ctx, bad_input):
    before = (ctx.session.remaining_privacy_budget, ctx.id_session.remaining_privacy_budget)
    tables_before = sparkdp_tables(ctx.spark)
    with pytest.raises(bad_input.error) as raised:
        bad_input.action(ctx)
    message = str(raised.value)
    for word in bad_input.words:
        assert word in message, "message does not name {!r}: {}".format(word, message)
    assert "Traceback" not in message and "at sparkdp." not in message, message
    assert (ctx.session.remaining_privacy_budget, ctx.id_session.remaining_privacy_budget) == before
    assert sparkdp_tables(ctx.spark) == tables_before


def test_after_the_corpus_the_sessions_still_answer(ctx):
    # Runs after the corpus (pytest keeps file order): the JVM is alive and nothing was spent before.
    assert ctx.session.remaining_privacy_budget == PureDPBudget(1)
    rows = ctx.session.evaluate(QueryBuilder("items").count(), PureDPBudget(0.5))
    assert rows.count() == 1
    assert math.isclose(ctx.session.remaining_privacy_budget.epsilon, 0.5)
