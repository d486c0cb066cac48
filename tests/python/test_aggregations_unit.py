"""Unit tests of the aggregations' Python layer without a JVM (issue 9).

What each builder method forwards to the Scala API (method, py4j overload and
arguments), Tumult's signatures and default names that Python owns, and the
TypeErrors of Python types. Value checks (bounds, quantile range, mechanism
under a budget) are the JVM's and Rust's and are tested in
test_aggregations_system.py.
"""

import inspect

import pytest

from sparkdp import (
    AverageMechanism,
    CountDistinctMechanism,
    CountMechanism,
    GroupbyCountQuery,
    KeySet,
    MaxRowsPerID,
    Query,
    QueryBuilder,
    StdevMechanism,
    SumMechanism,
    VarianceMechanism,
)
from sparkdp import _java
from sparkdp.query_builder import GroupedQueryBuilder


class Recorder:
    """Stands in for the JVM: records every call on the objects it makes."""

    def __init__(self):
        self.calls = []

    def new_object(self, jvm, class_name, *args):
        self.calls.append((class_name,) + args)
        return RecordingObject(self, class_name)


class RecordingObject:
    def __init__(self, recorder, label):
        self._recorder = recorder
        self.label = label

    def __getattr__(self, method_name):
        def method(*args):
            self._recorder.calls.append((method_name,) + args)
            return RecordingObject(self._recorder, method_name)
        return method


@pytest.fixture(autouse=True)
def no_running_jvm(monkeypatch):
    monkeypatch.setattr(_java, "active_jvm", lambda: None)


@pytest.fixture
def recorder(monkeypatch):
    recording = Recorder()
    monkeypatch.setattr(_java, "new_sparkdp_object", recording.new_object)
    return recording


def keyset():
    return KeySet(java_keyset="KS", spark=None)


def forwarded(query, recorder):
    """The JVM calls after the builder chain: (method, args...) per call."""
    query._to_java(jvm=None)
    calls = [call for call in recorder.calls if call[0] not in ("QueryBuilder", "groupBy")]
    return calls


BUILDERS = {
    "ungrouped": lambda: QueryBuilder("t"),
    "grouped": lambda: QueryBuilder("t").groupby(keyset()),
}


@pytest.fixture(params=sorted(BUILDERS))
def builder(request):
    return BUILDERS[request.param]()


# ---------------------------------------------------------------- forwarding


@pytest.mark.parametrize("method", ["sum", "average", "variance", "stdev"])
def test_bounded_aggregations_forward_long_bounds_for_two_ints(builder, recorder, method):
    query = getattr(builder, method)("x", -3, 7)
    assert forwarded(query, recorder) == [(method, "x", -3, 7, None, "default")]
    for bound in recorder.calls[-1][2:4]:
        assert type(bound) is int  # py4j passes it to the (Long, Long) overload


@pytest.mark.parametrize("low, high", [(0, 1.5), (0.5, 2), (0.0, 1.0), (True, 3), (0, False)])
def test_bounds_go_as_two_doubles_unless_both_are_ints(builder, recorder, low, high):
    query = builder.sum("x", low, high, "s", "LAPLACE")
    assert forwarded(query, recorder) == [("sum", "x", float(low), float(high), "s", "LAPLACE")]
    for bound in recorder.calls[-1][2:4]:
        assert type(bound) is float


@pytest.mark.parametrize("method, enum", [
    ("sum", SumMechanism), ("average", AverageMechanism),
    ("variance", VarianceMechanism), ("stdev", StdevMechanism)])
def test_bounded_aggregations_forward_their_mechanism(builder, recorder, method, enum):
    query = getattr(builder, method)(column="x", low=0, high=1, name="n", mechanism=enum.GAUSSIAN)
    assert forwarded(query, recorder) == [(method, "x", 0, 1, "n", "gaussian")]


def test_count_distinct_forwards_a_list_and_tumults_empty_name_rule(builder, recorder):
    assert forwarded(builder.count_distinct(), recorder) == [
        ("countDistinct", [], None, "default")]
    recorder.calls.clear()
    assert forwarded(builder.count_distinct("a", ""), recorder) == [
        ("countDistinct", ["a"], None, "default")]
    recorder.calls.clear()
    query = builder.count_distinct(["a", "b"], "n", CountDistinctMechanism.LAPLACE)
    assert forwarded(query, recorder) == [("countDistinct", ["a", "b"], "n", "laplace")]


@pytest.mark.parametrize("quantile, name", [
    (0.6, "B_quantile(0.6)"), (1, "B_quantile(1)"), (1e-05, "B_quantile(1e-05)"),
    (0.25, "B_quantile(0.25)")])
def test_quantile_default_name_is_tumults_text_of_the_quantile(builder, recorder, quantile, name):
    query = builder.quantile("B", quantile, 0, 2)
    assert forwarded(query, recorder) == [("quantile", "B", float(quantile), 0, 2, name)]
    assert type(recorder.calls[-1][2]) is float


def test_quantile_outside_0_1_is_forwarded_for_rust_to_refuse(builder, recorder):
    """Tumult raises ValueError; here the native core does, when evaluated."""
    query = builder.quantile("B", 1.5, 0.0, 2.0, "q")
    assert forwarded(query, recorder) == [("quantile", "B", 1.5, 0.0, 2.0, "q")]


@pytest.mark.parametrize("method", ["median", "min", "max"])
def test_median_min_max_forward_their_own_method(builder, recorder, method):
    assert forwarded(getattr(builder, method)("B", 0, 2.5), recorder) == [
        (method, "B", 0.0, 2.5, None)]
    recorder.calls.clear()
    assert forwarded(getattr(builder, method)("B", 0, 2, ""), recorder) == [
        (method, "B", 0, 2, None)]
    recorder.calls.clear()
    assert forwarded(getattr(builder, method)("B", 0, 2, name="m"), recorder) == [
        (method, "B", 0, 2, "m")]


def test_get_groups_forwards_a_list_of_columns(recorder):
    builder = QueryBuilder("t").enforce(MaxRowsPerID(2))
    assert forwarded(builder.get_groups(), recorder)[-1] == ("getGroups", [])
    assert forwarded(builder.get_groups("a"), recorder)[-1] == ("getGroups", ["a"])
    assert forwarded(builder.get_groups(["a", "b"]), recorder)[-1] == ("getGroups", ["a", "b"])
    assert not hasattr(GroupedQueryBuilder, "get_groups")  # Tumult: ungrouped only


def test_grouped_count_is_a_groupby_count_query_that_suppresses(recorder):
    query = BUILDERS["grouped"]().count()
    assert isinstance(query, GroupbyCountQuery)
    suppressed = query.suppress(5)
    assert type(suppressed) is Query  # Tumult: suppress gives a plain Query
    assert not hasattr(suppressed, "suppress")
    assert forwarded(suppressed, recorder) == [("count", None, "default"), ("suppress", 5.0)]
    assert type(recorder.calls[-1][1]) is float
    with pytest.raises(TypeError, match='"threshold"'):
        query.suppress("5")


def test_other_aggregations_have_no_suppress(builder):
    """Every count can suppress (the ungrouped one too, as Tumult's); other aggregations cannot."""
    assert type(QueryBuilder("t").count()) is GroupbyCountQuery
    assert not hasattr(builder.sum("x", 0, 1), "suppress")
    assert not hasattr(builder.count_distinct(), "suppress")


def test_queries_are_values():
    first = QueryBuilder("t").sum("x", 0, 1)
    assert first == QueryBuilder("t").sum("x", 0, 1)
    assert hash(first) == hash(QueryBuilder("t").sum("x", 0, 1))
    assert first != QueryBuilder("t").sum("x", 0, 2)
    assert QueryBuilder("t").count_distinct(["a"]) == QueryBuilder("t").count_distinct("a")


# ---------------------------------------------------------------- signatures


TUMULT_SIGNATURES = {
    # Tumult's QueryBuilder / GroupedQueryBuilder, argument names and order.
    "count": ["name", "mechanism"],
    "count_distinct": ["columns", "name", "mechanism"],
    "quantile": ["column", "quantile", "low", "high", "name"],
    "min": ["column", "low", "high", "name"],
    "max": ["column", "low", "high", "name"],
    "median": ["column", "low", "high", "name"],
    "sum": ["column", "low", "high", "name", "mechanism"],
    "average": ["column", "low", "high", "name", "mechanism"],
    "variance": ["column", "low", "high", "name", "mechanism"],
    "stdev": ["column", "low", "high", "name", "mechanism"],
}

DEFAULT_MECHANISMS = {
    "count": CountMechanism.DEFAULT, "count_distinct": CountDistinctMechanism.DEFAULT,
    "sum": SumMechanism.DEFAULT, "average": AverageMechanism.DEFAULT,
    "variance": VarianceMechanism.DEFAULT, "stdev": StdevMechanism.DEFAULT,
}


@pytest.mark.parametrize("builder_class", [QueryBuilder, GroupedQueryBuilder])
@pytest.mark.parametrize("method", sorted(TUMULT_SIGNATURES))
def test_signatures_are_tumults(builder_class, method):
    parameters = inspect.signature(getattr(builder_class, method)).parameters
    assert list(parameters)[1:] == TUMULT_SIGNATURES[method]
    if "name" in parameters:
        assert parameters["name"].default is None
    if method in DEFAULT_MECHANISMS:
        assert parameters["mechanism"].default is DEFAULT_MECHANISMS[method]
    if "columns" in parameters:
        assert parameters["columns"].default is None


def test_get_bounds_forwards_on_both_builders(builder, recorder):
    assert forwarded(builder.get_bounds("B"), recorder)[-1] == ("getBounds", "B", None, None)
    recorder.calls.clear()
    assert forwarded(builder.get_bounds("B", "lo", upper_bound_column="hi"), recorder)[-1] == (
        "getBounds", "B", "lo", "hi")
    for cls in (QueryBuilder, GroupedQueryBuilder):
        parameters = inspect.signature(cls.get_bounds).parameters
        assert list(parameters) == ["self", "column", "lower_bound_column", "upper_bound_column"]
        assert parameters["lower_bound_column"].default is None
        assert parameters["upper_bound_column"].default is None


def test_get_groups_signature_is_tumults():
    parameters = inspect.signature(QueryBuilder.get_groups).parameters
    assert list(parameters) == ["self", "columns"]
    assert parameters["columns"].default is None


def test_mechanism_enums_have_tumults_members():
    for enum in DEFAULT_MECHANISMS.values():
        assert [member.name for member in type(enum)] == ["DEFAULT", "LAPLACE", "GAUSSIAN"]


# ---------------------------------------------------------------- Python types


@pytest.mark.parametrize("call, parameter", [
    (lambda b: b.sum(1, 0, 1), "column"),
    (lambda b: b.sum("x", "0", 1), "low"),
    (lambda b: b.average("x", 0, None), "high"),
    (lambda b: b.variance("x", 0, 1, name=3), "name"),
    (lambda b: b.stdev("x", 0, 1, mechanism=3), "mechanism"),
    (lambda b: b.sum("x", 0, 1, mechanism=CountMechanism.LAPLACE), "mechanism"),
    (lambda b: b.count_distinct(3), "columns"),
    (lambda b: b.count_distinct(["a", 3]), "columns"),
    (lambda b: b.count_distinct(name=3), "name"),
    (lambda b: b.count_distinct(mechanism=SumMechanism.LAPLACE), "mechanism"),
    (lambda b: b.quantile("x", "0.5", 0, 1), "quantile"),
    (lambda b: b.quantile("x", 0.5, [0], 1), "low"),
    (lambda b: b.median(None, 0, 1), "column"),
    (lambda b: b.min("x", 0, "1"), "high"),
    (lambda b: b.max("x", 0, 1, name=1), "name"),
])
def test_python_type_errors_name_the_argument(builder, call, parameter):
    with pytest.raises(TypeError, match='argument "{}"'.format(parameter)):
        call(builder)


def test_get_groups_type_errors():
    with pytest.raises(TypeError, match='"columns"'):
        QueryBuilder("t").get_groups(3)
    with pytest.raises(TypeError, match='"columns"'):
        QueryBuilder("t").get_groups([None])


def test_bounds_outside_a_jvm_long_are_value_errors(builder):
    with pytest.raises(ValueError, match=r"high must be between .* \(a JVM Long\)"):
        builder.sum("x", 0, 2**63)
    with pytest.raises(ValueError, match="low"):
        builder.median("x", -(2**64), 0)
