"""Unit tests of the Python layer without a JVM: value objects, argument
conversion and exception mapping (with fake py4j objects)."""

import dataclasses
import math

import pytest
from py4j.java_gateway import JavaClass
from py4j.protocol import Py4JJavaError
from pyspark.sql import DataFrame, SparkSession

import sparkdp
from sparkdp import (
    AddMaxRows,
    AddMaxRowsInMaxGroups,
    AddOneRow,
    AddRowsWithID,
    AnalyticsInternalError,
    ApproxDPBudget,
    KeySet,
    MaxGroupsPerID,
    MaxRowsPerGroupPerID,
    MaxRowsPerID,
    PrivacyBudget,
    PureDPBudget,
    QueryBuilder,
    RhoZCDPBudget,
    Session,
)
from sparkdp import _java
from sparkdp.privacy_budget import budget_from_java
from sparkdp.query_builder import (
    CountMechanism,
    GroupbyCountQuery,
    GroupedQueryBuilder,
    Query,
    _Aggregation,
    _Step,
)

try:
    from pyspark.errors.exceptions.captured import (
        CapturedException,
        IllegalArgumentException as PySparkIllegalArgumentException,
    )
except ImportError:  # pragma: no cover - pyspark < 3.4
    from pyspark.sql.utils import (  # type: ignore
        CapturedException,
        IllegalArgumentException as PySparkIllegalArgumentException,
    )


# ---------------------------------------------------------------- fakes


class FakeJavaClass:
    def __init__(self, name):
        self._name = name

    def getName(self):  # noqa: N802 - Java name
        return self._name


class FakeThrowable:
    """Stands in for a py4j reference to a java.lang.Throwable."""

    _target_id = "o1"

    def __init__(self, class_name, message, cause=None):
        self._class = FakeJavaClass(class_name)
        self._message = message
        self._cause = cause

    def getClass(self):  # noqa: N802
        return self._class

    def getMessage(self):  # noqa: N802
        return self._message

    def getCause(self):  # noqa: N802
        return self._cause


def java_error(class_name, message, cause=None):
    return Py4JJavaError("An error occurred while calling o1.x.\n",
                         FakeThrowable(class_name, message, cause))


def captured_illegal_argument(message, with_origin=True):
    """A pyspark-captured IllegalArgumentException, as pyspark's py4j hook makes it."""
    error = PySparkIllegalArgumentException.__new__(PySparkIllegalArgumentException)
    error._origin = (
        FakeThrowable("java.lang.IllegalArgumentException", message) if with_origin else None
    )
    error.desc = message
    error.stackTrace = "at sparkdp.X(X.scala:1)"
    error.cause = None
    return error


class Recorder:
    """Records JVM calls made through a patched new_sparkdp_object."""

    def __init__(self):
        self.calls = []

    def new_object(self, jvm, class_name, *args):
        self.calls.append((class_name,) + args)
        return FakeJavaObject(self, class_name)


class FakeJavaObject:
    def __init__(self, recorder, label):
        self._recorder = recorder
        self.label = label

    def __getattr__(self, method_name):
        def method(*args):
            self._recorder.calls.append((self.label + "." + method_name,) + args)
            return FakeJavaObject(self._recorder, self.label + "." + method_name)
        return method


@pytest.fixture(autouse=True)
def no_running_jvm(monkeypatch):
    """Unit tests see no SparkContext, even when a system test started one.

    Value objects let the JVM check them when one runs (``_java.check_in_jvm``);
    here they must not, whatever ran before in this pytest process.
    """
    monkeypatch.setattr(_java, "active_jvm", lambda: None)


@pytest.fixture
def recorder(monkeypatch):
    recording = Recorder()
    monkeypatch.setattr(_java, "new_sparkdp_object", recording.new_object)
    return recording


def fake_keyset(label="keyset"):
    return KeySet(java_keyset=label, spark=None)


def fake_dataframe():
    return DataFrame.__new__(DataFrame)


# ---------------------------------------------------------------- exports


def test_package_exports_tumult_names():
    assert set(sparkdp.__all__) == {
        "AddMaxRows", "AddMaxRowsInMaxGroups", "AddOneRow", "AddRowsWithID",
        "AnalyticsInternalError", "ApproxDPBudget", "Constraint", "CountMechanism",
        "GroupedQueryBuilder", "KeySet", "MaxGroupsPerID", "MaxRowsPerGroupPerID",
        "MaxRowsPerID", "PrivacyBudget", "ProtectedChange", "PureDPBudget", "Query",
        "QueryBuilder", "RhoZCDPBudget", "Session", "GroupbyCountQuery",
        "CountDistinctMechanism", "SumMechanism", "AverageMechanism",
        "VarianceMechanism", "StdevMechanism",
        "ColumnDescriptor", "ColumnType", "cleanup", "BinningSpec", "TruncationStrategy",
        "configure_spark_with_sparkdp",
    }
    for name in sparkdp.__all__:
        assert getattr(sparkdp, name).__name__ == name


def test_modules_are_named_as_in_tumult():
    import importlib

    tumult_modules = {
        "constraints": ["Constraint", "MaxRowsPerID", "MaxGroupsPerID", "MaxRowsPerGroupPerID"],
        "keyset": ["KeySet"],
        "privacy_budget": ["PrivacyBudget", "PureDPBudget", "ApproxDPBudget", "RhoZCDPBudget"],
        "protected_change": ["ProtectedChange", "AddOneRow", "AddMaxRows",
                             "AddMaxRowsInMaxGroups", "AddRowsWithID"],
        "query_builder": ["QueryBuilder", "GroupedQueryBuilder", "Query", "GroupbyCountQuery",
                          "CountMechanism", "CountDistinctMechanism", "SumMechanism",
                          "AverageMechanism", "VarianceMechanism", "StdevMechanism"],
        "session": ["Session"],
        "binning_spec": ["BinningSpec"],
        "truncation_strategy": ["TruncationStrategy"],
    }
    for module_name, names in tumult_modules.items():
        module = importlib.import_module("sparkdp." + module_name)
        for name in names:
            assert getattr(module, name) is getattr(sparkdp, name), (module_name, name)


# ---------------------------------------------------------------- budgets


@pytest.mark.parametrize("epsilon", [0, 2, 0.5, 1e-9, float("inf")])
def test_pure_dp_budget_keeps_the_value(epsilon):
    assert PureDPBudget(epsilon).epsilon == epsilon
    assert isinstance(PureDPBudget(epsilon), PrivacyBudget)


@pytest.mark.parametrize(
    "make_budget",
    [lambda v: PureDPBudget(v), lambda v: RhoZCDPBudget(v),
     lambda v: ApproxDPBudget(v, 0), lambda v: ApproxDPBudget(1, v)],
    ids=["pure", "zcdp", "approx-epsilon", "approx-delta"],
)
@pytest.mark.parametrize("value", ["2", None, [1], 1j])
def test_budget_wrong_python_type_is_type_error(make_budget, value):
    """py4j cannot pass these as a double: the one check Python itself makes."""
    with pytest.raises(TypeError, match="epsilon|delta|rho"):
        make_budget(value)


def test_budget_values_are_checked_by_the_jvm_not_in_python(recorder):
    """No Python copy of the JVM's range checks: a negative or NaN value is forwarded.

    (Against the real jar, tests/python/test_count_system.py checks the ValueError.)
    """
    PureDPBudget(-1)._to_java(jvm=None)
    ApproxDPBudget(1, 2)._to_java(jvm=None)
    RhoZCDPBudget(float("nan"))._to_java(jvm=None)
    assert recorder.calls[:2] == [("PureDPBudget", -1.0), ("ApproxDPBudget", 1.0, 2.0)]
    assert recorder.calls[2][0] == "RhoZCDPBudget" and math.isnan(recorder.calls[2][1])


def test_pure_dp_budget_is_immutable_value():
    budget = PureDPBudget(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        budget.epsilon = 3
    assert budget == PureDPBudget(2) == PureDPBudget(2.0)
    assert hash(budget) == hash(PureDPBudget(2))
    assert budget != PureDPBudget(1)
    assert budget != RhoZCDPBudget(2)
    assert repr(budget) == "PureDPBudget(epsilon=2)"
    assert PureDPBudget.inf().is_infinite and not budget.is_infinite


@pytest.mark.parametrize("epsilon, shown", [(2.0, "2"), (0.0, "0"), (1e20, str(10**20)),
                                            (0.5, "0.5"), (float("inf"), "inf"), (True, "1")])
def test_pure_dp_budget_shows_integral_epsilon_as_int_like_tumult(epsilon, shown):
    """Tumult stores epsilon exactly: PureDPBudget(2.0).epsilon is the int 2."""
    budget = PureDPBudget(epsilon)
    assert repr(budget) == "PureDPBudget(epsilon={})".format(shown)
    assert type(budget.epsilon) is (float if shown in ("0.5", "inf") else int)
    assert budget == PureDPBudget(epsilon) and hash(budget) == hash(PureDPBudget(epsilon))


def test_approx_dp_budget_equality_and_repr_are_tumults():
    budget = ApproxDPBudget(1.0, 1e-6)
    assert repr(budget) == "ApproxDPBudget(epsilon=1, delta=1e-06)"
    assert (budget.epsilon, budget.delta) == (1, 1e-6)
    assert budget == ApproxDPBudget(1, 1e-6) and hash(budget) == hash(ApproxDPBudget(1, 1e-6))
    assert budget != ApproxDPBudget(1, 1e-7) and budget != PureDPBudget(1)
    # Tumult: infinite when epsilon is inf or delta is 1; all infinite budgets are equal.
    infinite = [ApproxDPBudget.inf(), ApproxDPBudget(float("inf"), 0.5), ApproxDPBudget(2, 1)]
    assert repr(infinite[0]) == "ApproxDPBudget(epsilon=inf, delta=0)"
    assert all(b.is_infinite for b in infinite) and not budget.is_infinite
    assert infinite[0] == infinite[1] == infinite[2]
    assert len({hash(b) for b in infinite}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        budget.delta = 0


def test_rho_zcdp_budget_equality_and_repr_are_tumults():
    assert repr(RhoZCDPBudget(0.5)) == "RhoZCDPBudget(rho=0.5)"
    assert repr(RhoZCDPBudget(3.0)) == "RhoZCDPBudget(rho=3)"
    assert RhoZCDPBudget(3.0) == RhoZCDPBudget(3) and hash(RhoZCDPBudget(3.0)) == hash(RhoZCDPBudget(3))
    assert RhoZCDPBudget.inf().is_infinite and repr(RhoZCDPBudget.inf()) == "RhoZCDPBudget(rho=inf)"
    assert RhoZCDPBudget(1) != PureDPBudget(1)


def test_budgets_to_java(recorder):
    PureDPBudget(2)._to_java(jvm=None)
    PureDPBudget(float("inf"))._to_java(jvm=None)
    ApproxDPBudget(1, 1e-6)._to_java(jvm=None)
    RhoZCDPBudget(0.5)._to_java(jvm=None)
    assert recorder.calls == [("PureDPBudget", 2.0), ("PureDPBudget", float("inf")),
                              ("ApproxDPBudget", 1.0, 1e-6), ("RhoZCDPBudget", 0.5)]
    assert all(type(arg) is float for call in recorder.calls for arg in call[1:])


def test_budget_int_too_large_for_a_double_names_it(recorder):
    with pytest.raises(ValueError, match="epsilon .*too large"):
        PureDPBudget(10**400)._to_java(jvm=None)
    with pytest.raises(ValueError, match="rho .*too large"):
        RhoZCDPBudget(10**400)._to_java(jvm=None)


def test_budget_int_not_held_by_a_double_is_rounded_down(recorder):
    """Less budget, never more: no double holds 2**54 + 3; the nearest is 2**54 + 4."""
    PureDPBudget(2**54 + 3)._to_java(jvm=None)
    PureDPBudget(2**54 + 4)._to_java(jvm=None)
    assert recorder.calls == [("PureDPBudget", float(2**54)), ("PureDPBudget", float(2**54 + 4))]


class FakeJavaBudget:
    def __init__(self, class_name, *values):
        self._class = FakeJavaClass(class_name)
        self._values = values

    def getClass(self):  # noqa: N802
        return self._class

    def epsilon(self):
        return self._values[0]

    def delta(self):
        return self._values[1]

    def rho(self):
        return self._values[0]


def test_budget_from_java():
    assert repr(budget_from_java(FakeJavaBudget("sparkdp.PureDPBudget", 1.0))) == (
        "PureDPBudget(epsilon=1)"
    )
    assert budget_from_java(FakeJavaBudget("sparkdp.PureDPBudget", 0.25)) == PureDPBudget(0.25)
    assert budget_from_java(FakeJavaBudget("sparkdp.PureDPBudget", math.inf)).is_infinite
    approx = budget_from_java(FakeJavaBudget("sparkdp.ApproxDPBudget", 0.5, 1e-6))
    assert type(approx) is ApproxDPBudget and approx == ApproxDPBudget(0.5, 1e-6)
    zcdp = budget_from_java(FakeJavaBudget("sparkdp.RhoZCDPBudget", 2.0))
    assert type(zcdp) is RhoZCDPBudget and repr(zcdp) == "RhoZCDPBudget(rho=2)"
    with pytest.raises(AnalyticsInternalError, match="sparkdp.OtherBudget"):
        budget_from_java(FakeJavaBudget("sparkdp.OtherBudget", 1.0))


# ---------------------------------------------------------------- JVM checks of values


class FakeJvm:
    """A py4j JVM view whose sparkdp package has the given classes."""

    def __init__(self, class_names, errors=None):
        recorder_calls = self.calls = []
        errors = errors or {}

        class Package:
            def __getattr__(self, name):
                return object()  # what py4j gives for a missing class: not a JavaClass

        self.sparkdp = Package()
        for name in class_names:
            def constructor(*args, _name=name):
                recorder_calls.append((_name,) + args)
                if _name in errors:
                    raise errors[_name]
                return FakeJavaObject(Recorder(), _name)
            java_class = JavaClass.__new__(JavaClass)
            setattr(self.sparkdp, name, java_class)
            java_class._fake_constructor = constructor


@pytest.fixture
def fake_running_jvm(monkeypatch):
    """Makes `active_jvm()` return a fake JVM; returns a function to install one."""
    def install(class_names, errors=None):
        jvm = FakeJvm(class_names, errors)
        monkeypatch.setattr(_java, "active_jvm", lambda: jvm)
        monkeypatch.setattr(
            _java, "new_sparkdp_object",
            lambda jvm_, class_name, *args: _java.call_java(
                getattr(jvm_.sparkdp, class_name)._fake_constructor, *args))
        return jvm
    return install


def test_values_are_checked_by_the_running_jvm_when_made(fake_running_jvm):
    """Tumult raises ValueError where PureDPBudget(-1) is written; so do we when Spark runs."""
    error = java_error("java.lang.IllegalArgumentException",
                       "Epsilon must be non-negative. Cannot construct a PureDPBudget with epsilon of -1.0.")
    jvm = fake_running_jvm(["PureDPBudget", "AddMaxRows", "MaxGroupsPerID"],
                           errors={"PureDPBudget": error})
    with pytest.raises(ValueError, match="epsilon of -1"):
        PureDPBudget(-1)
    AddMaxRows(3)
    MaxGroupsPerID("g", 2)
    assert jvm.calls == [("PureDPBudget", -1.0), ("AddMaxRows", 3), ("MaxGroupsPerID", "g", 2)]


def test_values_are_not_checked_when_the_jvm_lacks_the_class(fake_running_jvm):
    """A JVM without the sparkdp jar (or an older jar): checked when forwarded instead."""
    jvm = fake_running_jvm([])
    assert RhoZCDPBudget(-1).rho == -1
    assert jvm.calls == []


def test_no_jvm_no_check():
    assert PureDPBudget(-1).epsilon == -1  # checked when forwarded (from_dataframe / evaluate)


# ---------------------------------------------------------------- constraints, changes


@pytest.mark.parametrize(
    "make, java_call, shown",
    [
        (lambda: MaxRowsPerID(20), ("MaxRowsPerID", 20), "MaxRowsPerID(max=20)"),
        (lambda: MaxGroupsPerID("g", 2), ("MaxGroupsPerID", "g", 2),
         "MaxGroupsPerID(grouping_column='g', max=2)"),
        (lambda: MaxRowsPerGroupPerID("g", 3), ("MaxRowsPerGroupPerID", "g", 3),
         "MaxRowsPerGroupPerID(grouping_column='g', max=3)"),
        (lambda: AddOneRow(), ("AddOneRow",), "AddOneRow(max_rows=1)"),
        (lambda: AddMaxRows(4), ("AddMaxRows", 4), "AddMaxRows(max_rows=4)"),
        (lambda: AddMaxRowsInMaxGroups("g", 2, 3), ("AddMaxRowsInMaxGroups", "g", 2, 3),
         "AddMaxRowsInMaxGroups(grouping_column='g', max_groups=2, max_rows_per_group=3)"),
        (lambda: AddRowsWithID("member_id"), ("AddRowsWithID", "member_id", "default_id_space"),
         "AddRowsWithID(id_column='member_id', id_space='default_id_space')"),
        (lambda: AddRowsWithID(id_column="m", id_space="people"), ("AddRowsWithID", "m", "people"),
         "AddRowsWithID(id_column='m', id_space='people')"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_constraints_and_changes_are_tumults_values_and_forward(recorder, make, java_call, shown):
    value = make()
    assert repr(value) == shown
    assert value == make() and hash(value) == hash(make())
    field = dataclasses.fields(value)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, field, 5)
    value._to_java(jvm=None)
    assert recorder.calls == [java_call]


def test_add_one_row_is_add_max_rows_as_in_tumult():
    assert isinstance(AddOneRow(), AddMaxRows) and AddOneRow().max_rows == 1
    assert AddOneRow() != AddMaxRows(1)  # Tumult's dataclass equality: same class only
    with pytest.raises(TypeError):
        AddOneRow(2)


@pytest.mark.parametrize(
    "make, parameter",
    [
        (lambda: MaxRowsPerID(2.5), "max"),
        (lambda: MaxRowsPerID("3"), "max"),
        (lambda: MaxGroupsPerID(3, 2), "grouping_column"),
        (lambda: MaxRowsPerGroupPerID("g", None), "max"),
        (lambda: AddMaxRows(1.0), "max_rows"),
        (lambda: AddMaxRowsInMaxGroups("g", 2, "3"), "max_rows_per_group"),
        (lambda: AddMaxRowsInMaxGroups(None, 2, 3), "grouping_column"),
        (lambda: AddRowsWithID(3), "id_column"),
        (lambda: AddRowsWithID("m", None), "id_space"),
    ],
)
def test_wrong_python_types_are_type_errors_naming_the_parameter(make, parameter):
    with pytest.raises(TypeError, match=parameter):
        make()


def test_constraint_and_change_values_are_checked_by_the_jvm_not_in_python(recorder):
    """No Python copy of the JVM's checks: 0, negative and empty values are forwarded."""
    MaxRowsPerID(0)._to_java(jvm=None)
    MaxGroupsPerID("", -1)._to_java(jvm=None)
    AddMaxRows(0)._to_java(jvm=None)
    AddRowsWithID("", "")._to_java(jvm=None)
    assert recorder.calls == [("MaxRowsPerID", 0), ("MaxGroupsPerID", "", -1),
                              ("AddMaxRows", 0), ("AddRowsWithID", "", "")]


def test_counts_outside_a_jvm_int_are_value_errors_naming_them(recorder):
    """py4j would pass them as a Long, which no Scala constructor takes."""
    with pytest.raises(ValueError, match=r"max must be between .* not 2147483648"):
        MaxRowsPerID(2**31)._to_java(jvm=None)
    with pytest.raises(ValueError, match="max_groups"):
        AddMaxRowsInMaxGroups("g", -(2**40), 1)._to_java(jvm=None)
    assert recorder.calls == []


# ---------------------------------------------------------------- query builder


def test_query_builder_chain_records_the_query():
    keyset = fake_keyset()
    builder = QueryBuilder("checkouts")
    assert builder.enforce(MaxRowsPerID(20)) is builder  # Tumult: mutates, returns self
    grouped = builder.groupby(keyset)
    assert isinstance(grouped, GroupedQueryBuilder)
    query = grouped.count()
    count = _Aggregation("count", (None, "default"))
    enforce = _Step("enforce", (MaxRowsPerID(20),))
    assert query == GroupbyCountQuery("checkouts", (enforce,), keyset, count)
    assert grouped.count(name="n")._aggregation.arguments == ("n", "default")
    ungrouped = builder.count()
    assert ungrouped == GroupbyCountQuery("checkouts", (enforce,), None, count)
    builder.enforce(MaxRowsPerID(5))  # a later enforce does not change built queries
    assert query._steps == ungrouped._steps == (enforce,)


def test_query_to_java_forwards_the_chain(recorder):
    query = (
        QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupby(fake_keyset("KS")).count()
    )
    query._to_java(jvm=None)
    assert recorder.calls == [
        ("QueryBuilder", "checkouts"),
        ("MaxRowsPerID", 20),
        ("QueryBuilder.enforce", recorder.calls[2][1]),
        ("QueryBuilder.enforce.groupBy", "KS"),
        ("QueryBuilder.enforce.groupBy.count", None, "default"),
    ]
    assert recorder.calls[2][1].label == "MaxRowsPerID"


def test_ungrouped_count_to_java_has_no_group_by(recorder):
    (QueryBuilder("t").enforce(MaxGroupsPerID("g", 2)).enforce(MaxRowsPerGroupPerID("g", 1))
     .count("n", CountMechanism.GAUSSIAN)._to_java(jvm=None))
    assert [call[0] for call in recorder.calls] == [
        "QueryBuilder", "MaxGroupsPerID", "QueryBuilder.enforce", "MaxRowsPerGroupPerID",
        "QueryBuilder.enforce.enforce", "QueryBuilder.enforce.enforce.count"]
    assert recorder.calls[-1][1:] == ("n", "gaussian")


def test_query_to_java_passes_count_name(recorder):
    QueryBuilder("t").groupby(fake_keyset("KS")).count("n")._to_java(jvm=None)
    assert recorder.calls[-1] == ("QueryBuilder.groupBy.count", "n", "default")


def test_count_takes_tumults_mechanism_argument(recorder):
    """Tumult: count(name=None, mechanism=CountMechanism.DEFAULT), names accepted too."""
    grouped = QueryBuilder("t").groupby(fake_keyset("KS"))
    def mechanism(query):
        return query._aggregation.arguments[-1]

    assert mechanism(grouped.count()) == "default"
    assert mechanism(grouped.count(mechanism=CountMechanism.LAPLACE)) == "laplace"
    assert mechanism(grouped.count("n", "Gaussian")) == "Gaussian"  # the JVM ignores case
    assert mechanism(QueryBuilder("t").count(mechanism="LAPLACE")) == "LAPLACE"
    grouped.count(mechanism=CountMechanism.LAPLACE)._to_java(jvm=None)
    assert recorder.calls[-1] == ("QueryBuilder.groupBy.count", None, "laplace")
    with pytest.raises(TypeError, match="mechanism"):
        grouped.count(mechanism=1)
    with pytest.raises(TypeError, match="mechanism"):
        QueryBuilder("t").count(mechanism=None)


def test_unknown_mechanism_name_is_checked_by_the_running_jvm(fake_running_jvm, monkeypatch):
    """Not a Python copy of Tumult's check: the JVM's CountMechanism.fromName says it."""
    calls = []

    class FakeCountMechanism:
        @staticmethod
        def fromName(name):  # noqa: N802
            calls.append(name)
            if name.lower() not in ("default", "laplace", "gaussian"):
                raise java_error(
                    "java.lang.IllegalArgumentException",
                    'Unknown mechanism "{}". Available options are "laplace", '
                    '"gaussian", or "default".'.format(name))

    fake_running_jvm(["CountMechanism"])
    monkeypatch.setattr(_java, "sparkdp_class", lambda jvm, name: FakeCountMechanism)
    with pytest.raises(ValueError, match='Unknown mechanism "exponential"'):
        QueryBuilder("t").groupby(fake_keyset()).count(mechanism="exponential")
    with pytest.raises(ValueError, match='Unknown mechanism "median"'):
        QueryBuilder("t").count(mechanism="median")
    QueryBuilder("t").count(mechanism="Laplace")
    assert calls == ["exponential", "median", "Laplace"]


def test_query_builder_bad_arguments():
    with pytest.raises(TypeError, match="source_id"):
        QueryBuilder(3)
    with pytest.raises(TypeError, match="constraint"):
        QueryBuilder("t").enforce(20)
    with pytest.raises(TypeError, match="name"):
        QueryBuilder("t").count(name=3)


@pytest.mark.parametrize("by", [["title"], "title", 42, None])
def test_groupby_without_keyset_is_tumults_value_error(by):
    with pytest.raises(ValueError, match="A groupby must group on a KeySet"):
        QueryBuilder("t").groupby(by)


# ---------------------------------------------------------------- keyset (fake JVM)


class FakeKeySetClass:
    def __init__(self):
        self.calls = []

    def fromTuples(self, rows, columns):  # noqa: N802
        self.calls.append(("fromTuples", rows, columns))
        return "JKS"

    def fromDict(self, domains):  # noqa: N802
        self.calls.append(("fromDict", domains))
        return "JKS"


class FakeLinkedHashMap:
    def __init__(self):
        self.entries = []

    def put(self, key, value):
        self.entries.append((key, value))


@pytest.fixture
def fake_keyset_jvm(monkeypatch):
    keyset_class = FakeKeySetClass()

    class Jvm:
        class java:  # noqa: N801
            class util:  # noqa: N801
                LinkedHashMap = FakeLinkedHashMap

    monkeypatch.setattr(_java, "default_spark_session", lambda: "SPARK")
    monkeypatch.setattr(_java, "jvm_of", lambda spark: Jvm)
    monkeypatch.setattr(_java, "sparkdp_class", lambda jvm, name: keyset_class)
    return keyset_class


def test_keyset_from_tuples_forwards_lists(fake_keyset_jvm):
    keyset = KeySet.from_tuples(iter([("a1", 1), ("a2", None)]), ("A", "B"))
    assert fake_keyset_jvm.calls == [("fromTuples", [["a1", 1], ["a2", None]], ["A", "B"])]
    assert keyset._to_java() == "JKS" and keyset._spark == "SPARK"


def test_keyset_from_tuples_non_tuple_is_tumults_value_error(fake_keyset_jvm):
    with pytest.raises(ValueError, match="Each element of tuples must be a tuple"):
        KeySet.from_tuples([("a",), ["b"]], ["A"])
    with pytest.raises(TypeError, match="columns"):
        KeySet.from_tuples([("a",)], "A")
    assert fake_keyset_jvm.calls == []


def test_keyset_from_dict_keeps_the_column_order(fake_keyset_jvm):
    KeySet.from_dict({"B": ("b1", "b2"), "A": range(2)})
    (name, java_domains), = fake_keyset_jvm.calls
    assert name == "fromDict"
    assert java_domains.entries == [("B", ["b1", "b2"]), ("A", [0, 1])]
    with pytest.raises(TypeError, match="domains"):
        KeySet.from_dict([("A", ["a"])])
    with pytest.raises(TypeError, match="column name"):
        KeySet.from_dict({1: ["a"]})


# ---------------------------------------------------------------- session (fake JVM)


def test_from_dataframe_requires_protected_change_as_tumult():
    with pytest.raises(TypeError, match="protected_change"):
        Session.from_dataframe(PureDPBudget(1), "t", fake_dataframe())


def test_from_dataframe_rejects_bad_python_types_before_jvm():
    with pytest.raises(TypeError, match="privacy_budget"):
        Session.from_dataframe(2, "t", fake_dataframe(), protected_change=AddRowsWithID("m"))
    with pytest.raises(TypeError, match="source_id"):
        Session.from_dataframe(PureDPBudget(1), 3, fake_dataframe(), protected_change=AddOneRow())
    with pytest.raises(TypeError) as error:
        Session.from_dataframe(PureDPBudget(1), "t", [(1,)],
                               protected_change=AddRowsWithID("m"))
    # Tumult's (typeguard's) wording.
    assert str(error.value) == (
        'argument "dataframe" (list) is not an instance of pyspark.sql.dataframe.DataFrame')
    with pytest.raises(TypeError, match="protected_change"):
        Session.from_dataframe(PureDPBudget(1), "t", fake_dataframe(),
                               protected_change=MaxRowsPerID(2))


class FakeJavaSession:
    def __init__(self, evaluate_error=None):
        self.calls = []
        self._evaluate_error = evaluate_error

    def evaluate(self, java_query, java_budget):
        self.calls.append(("evaluate", java_query, java_budget))
        if self._evaluate_error is not None:
            raise self._evaluate_error
        return "JDF"

    def remainingPrivacyBudget(self):  # noqa: N802
        return FakeJavaBudget("sparkdp.PureDPBudget", 1.5)

    def drainWarnings(self):  # noqa: N802
        # The warnings the session action gave (Session._act re-issues them with warnings.warn): none here.
        return []

    def privateSources(self):  # noqa: N802
        return ["checkouts"]  # py4j converts a java.util.List to a list-like

    def stop(self):
        self.calls.append(("stop",))


class FakeSpark:
    class sparkContext:  # noqa: N801 - mimics the attribute
        _jvm = "JVM"


def test_session_forwards_evaluate_stop_and_budget(recorder, monkeypatch):
    wrapped = []
    monkeypatch.setattr(_java, "to_python_dataframe",
                        lambda jdf, spark: wrapped.append((jdf, spark)) or "DF")
    java_session = FakeJavaSession()
    session = Session(java_session, FakeSpark)
    query = QueryBuilder("checkouts").groupby(fake_keyset()).count()
    assert session.evaluate(query, PureDPBudget(0.5)) == "DF"
    assert wrapped == [("JDF", FakeSpark)]
    (_, java_query, java_budget), = java_session.calls
    assert java_query.label == "QueryBuilder.groupBy.count"
    assert java_budget.label == "PureDPBudget"
    assert ("PureDPBudget", 0.5) in recorder.calls
    assert session.remaining_privacy_budget == PureDPBudget(1.5)
    assert session.private_sources == ["checkouts"]
    session.stop()
    assert java_session.calls[-1] == ("stop",)


def test_session_evaluate_maps_insufficient_budget(recorder):
    error = java_error("sparkdp.InsufficientBudgetException",
                       "Cannot answer query without exceeding the Session privacy budget.")
    session = Session(FakeJavaSession(evaluate_error=error), FakeSpark)
    query = QueryBuilder("t").groupby(fake_keyset()).count()
    with pytest.raises(RuntimeError, match="exceeding the Session privacy budget"):
        session.evaluate(query, PureDPBudget(1))


def test_session_evaluate_rejects_bad_arguments():
    session = Session(FakeJavaSession(), FakeSpark)
    with pytest.raises(TypeError, match="query_expr"):
        session.evaluate(QueryBuilder("t"), PureDPBudget(1))
    with pytest.raises(TypeError, match="privacy_budget"):
        session.evaluate(QueryBuilder("t").groupby(fake_keyset()).count(), 1.0)


@pytest.mark.parametrize("budget", [ApproxDPBudget(1, 1e-6), RhoZCDPBudget(0.5)])
def test_session_forwards_every_budget_type(recorder, monkeypatch, budget):
    monkeypatch.setattr(_java, "to_python_dataframe", lambda jdf, spark: "DF")
    java_session = FakeJavaSession()
    session = Session(java_session, FakeSpark)
    session.evaluate(QueryBuilder("t").count(), budget)
    (_, _, java_budget), = java_session.calls
    assert java_budget.label == type(budget).__name__


# ---------------------------------------------------------------- exception mapping


@pytest.mark.parametrize(
    "java_class, python_class",
    [
        ("java.lang.IllegalArgumentException", ValueError),
        ("java.util.NoSuchElementException", KeyError),
        ("sparkdp.InsufficientBudgetException", RuntimeError),
        ("sparkdp.UnsupportedQueryException", RuntimeError),
        ("sparkdp.WarehouseException", RuntimeError),
        ("sparkdp.SessionStoppedException", RuntimeError),
        ("sparkdp.NativeException", AnalyticsInternalError),
        ("sparkdp.AnalyticsInternalException", AnalyticsInternalError),
    ],
)
def test_mapped_java_errors(java_class, python_class):
    message = "Column 'genre' does not exist in this table"
    with pytest.raises(python_class) as error:
        with _java.translate_java_errors():
            raise java_error(java_class, message)
    assert type(error.value) is python_class
    expected_text = repr(message) if python_class is KeyError else message
    assert str(error.value) == expected_text  # the Java message, no Java stack
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_analytics_internal_error_is_not_a_user_error():
    assert not issubclass(AnalyticsInternalError, (ValueError, RuntimeError, KeyError))


@pytest.mark.parametrize(
    "java_class", ["java.lang.ArithmeticException", "java.lang.IllegalStateException"]
)
def test_unmapped_java_error_is_reraised_unchanged(java_class):
    """A plain IllegalStateException (e.g. Spark's stopped SparkContext) is not a stopped session."""
    original = java_error(java_class, "overflow")
    with pytest.raises(Py4JJavaError) as error:
        with _java.translate_java_errors():
            raise original
    assert error.value is original


def test_python_errors_pass_through():
    with pytest.raises(ZeroDivisionError):
        with _java.translate_java_errors():
            raise ZeroDivisionError()


def test_sparkdp_error_inside_spark_task_is_found_in_causes():
    native = FakeThrowable("sparkdp.NativeException", "panic in addNoise")
    wrapper = FakeThrowable("org.apache.spark.SparkException", "Job aborted",
                            cause=FakeThrowable("java.lang.RuntimeException", "x", native))
    with pytest.raises(AnalyticsInternalError, match="panic in addNoise"):
        with _java.translate_java_errors():
            raise Py4JJavaError("", wrapper)


def test_jvm_invariant_failure_inside_spark_task_is_internal_error():
    internal = FakeThrowable("sparkdp.AnalyticsInternalException",
                             "Native addNoise returned 3 keys for 4 input rows, or changed their order.")
    wrapper = FakeThrowable("org.apache.spark.SparkException", "Job aborted", cause=internal)
    with pytest.raises(AnalyticsInternalError, match="addNoise returned 3 keys"):
        with _java.translate_java_errors():
            raise Py4JJavaError("", wrapper)


def test_non_sparkdp_cause_is_not_mapped():
    wrapper = FakeThrowable(
        "org.apache.spark.SparkException", "Job aborted",
        cause=FakeThrowable("java.lang.IllegalArgumentException", "spark internal"))
    with pytest.raises(Py4JJavaError):
        with _java.translate_java_errors():
            raise Py4JJavaError("", wrapper)


def test_null_java_message_falls_back_to_class_name():
    with pytest.raises(RuntimeError, match="sparkdp.WarehouseException"):
        with _java.translate_java_errors():
            raise java_error("sparkdp.WarehouseException", None)


@pytest.mark.parametrize("with_origin", [True, False], ids=["pyspark>=3.3", "pyspark3.1"])
def test_pyspark_captured_illegal_argument_becomes_value_error(with_origin):
    captured = captured_illegal_argument("Column 'patron_id' does not exist", with_origin)
    assert isinstance(captured, CapturedException)
    with pytest.raises(ValueError) as error:
        with _java.translate_java_errors():
            raise captured
    assert str(error.value) == "Column 'patron_id' does not exist"


def test_call_java_maps_errors():
    def failing_java_method(*args):
        raise java_error("java.util.NoSuchElementException", "Table 'x' does not exist.")

    with pytest.raises(KeyError, match="Table 'x'"):
        _java.call_java(failing_java_method, 1)
    assert _java.call_java(lambda a, b: a + b, 1, 2) == 3


# ---------------------------------------------------------------- DataFrame conversion


def test_to_python_dataframe_uses_sql_context_on_pyspark_31(monkeypatch):
    made = []
    monkeypatch.setattr(_java, "DataFrame", lambda jdf, ctx: made.append((jdf, ctx)) or "DF")

    class Spark31:
        _wrapped = "SQLContext"

    class Spark35:
        pass

    assert _java.to_python_dataframe("jdf", Spark31()) == "DF"
    spark35 = Spark35()
    _java.to_python_dataframe("jdf", spark35)
    assert made == [("jdf", "SQLContext"), ("jdf", spark35)]


def test_spark_session_of_both_pyspark_lines():
    class SqlContext:
        sparkSession = "spark31"

    class Df31:
        sql_ctx = SqlContext()

    spark35 = SparkSession.__new__(SparkSession)

    class Df35:
        sparkSession = spark35

    class Df31WithColumnNamedSparkSession(Df31):
        sparkSession = "a Column"

    assert _java.spark_session_of(Df31()) == "spark31"
    assert _java.spark_session_of(Df31WithColumnNamedSparkSession()) == "spark31"
    assert _java.spark_session_of(Df35()) is spark35


def test_to_java_dataframe_unwraps():
    dataframe = fake_dataframe()
    dataframe._jdf = "jdf"
    assert _java.to_java_dataframe(dataframe) == "jdf"


def test_seq_to_list():
    class ScalaIterator:
        def __init__(self, items):
            self._items = list(items)

        def hasNext(self):  # noqa: N802
            return bool(self._items)

        def next(self):
            return self._items.pop(0)

    class ScalaSeq:
        def iterator(self):
            return ScalaIterator(["a", "b"])

    assert _java.seq_to_list(ScalaSeq()) == ["a", "b"]
    assert _java.seq_to_list(["x"]) == ["x"]


def test_missing_jar_gives_clear_error():
    class JvmWithoutSparkdp:
        class sparkdp:  # noqa: N801 - a py4j JavaPackage, not a JavaClass
            Session = object()

    with pytest.raises(RuntimeError, match="spark.jars"):
        _java.sparkdp_class(JvmWithoutSparkdp, "Session")


# ---------------------------------------------------------------- doctests


@pytest.mark.parametrize(
    "module_name",
    ["exceptions", "_java", "privacy_budget", "protected_change", "constraints",
     "query_builder"],
)
def test_docstring_examples(module_name):
    import doctest
    import importlib

    module = importlib.import_module("sparkdp." + module_name)
    result = doctest.testmod(module)
    assert result.failed == 0
    assert result.attempted > 0
