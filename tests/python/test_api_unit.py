"""Unit tests of the Python layer without a JVM: value objects, argument
conversion and exception mapping (with fake py4j objects)."""

import dataclasses
import math

import pytest
from py4j.protocol import Py4JJavaError
from pyspark.sql import DataFrame, SparkSession

import sparkdp
from sparkdp import (
    AddRowsWithID,
    AnalyticsInternalError,
    KeySet,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    Session,
)
from sparkdp import _java
from sparkdp.privacy_budget import PrivacyBudget, budget_from_java
from sparkdp.query_builder import CountMechanism, GroupedQueryBuilder, Query

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


@pytest.fixture
def recorder(monkeypatch):
    recording = Recorder()
    monkeypatch.setattr(_java, "new_sparkdp_object", recording.new_object)
    return recording


def fake_keyset(label="keyset"):
    return KeySet(java_keyset=label, dataframe=None)


def fake_dataframe():
    return DataFrame.__new__(DataFrame)


# ---------------------------------------------------------------- exports


def test_package_exports_tumult_names():
    assert set(sparkdp.__all__) == {
        "AddRowsWithID", "AnalyticsInternalError", "CountMechanism", "KeySet", "MaxRowsPerID",
        "PureDPBudget", "QueryBuilder", "Session",
    }
    for name in sparkdp.__all__:
        assert getattr(sparkdp, name).__name__ == name


def test_modules_are_named_as_in_tumult():
    from sparkdp.constraints import MaxRowsPerID as constraints_max_rows
    from sparkdp.keyset import KeySet as keyset_class
    from sparkdp.privacy_budget import PureDPBudget as budget_class
    from sparkdp.protected_change import AddRowsWithID as change_class
    from sparkdp.query_builder import QueryBuilder as builder_class
    from sparkdp.session import Session as session_class

    assert (constraints_max_rows, keyset_class, budget_class, change_class,
            builder_class, session_class) == (
        MaxRowsPerID, KeySet, PureDPBudget, AddRowsWithID, QueryBuilder, Session)


# ---------------------------------------------------------------- PureDPBudget


@pytest.mark.parametrize("epsilon", [0, 2, 0.5, 1e-9, float("inf")])
def test_pure_dp_budget_accepts_non_negative(epsilon):
    assert PureDPBudget(epsilon).epsilon == epsilon
    assert isinstance(PureDPBudget(epsilon), PrivacyBudget)


def test_pure_dp_budget_negative_message_is_tumults():
    with pytest.raises(ValueError) as error:
        PureDPBudget(-1)
    assert str(error.value) == (
        "Epsilon must be non-negative. Cannot construct a PureDPBudget with epsilon of -1."
    )


def test_pure_dp_budget_negative_float_names_value():
    with pytest.raises(ValueError, match=r"epsilon of -0\.25"):
        PureDPBudget(-0.25)
    with pytest.raises(ValueError, match="-inf"):
        PureDPBudget(float("-inf"))


def test_pure_dp_budget_nan():
    with pytest.raises(ValueError, match="NaN"):
        PureDPBudget(float("nan"))


@pytest.mark.parametrize("epsilon", ["2", None, True, [1]])
def test_pure_dp_budget_wrong_type(epsilon):
    with pytest.raises(TypeError, match="Epsilon"):
        PureDPBudget(epsilon)


def test_pure_dp_budget_is_immutable_value():
    budget = PureDPBudget(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        budget.epsilon = 3
    assert budget == PureDPBudget(2) == PureDPBudget(2.0)
    assert hash(budget) == hash(PureDPBudget(2))
    assert budget != PureDPBudget(1)
    assert repr(budget) == "PureDPBudget(epsilon=2)"
    assert PureDPBudget.inf().is_infinite and not budget.is_infinite


@pytest.mark.parametrize("epsilon, shown", [(2.0, "2"), (0.0, "0"), (1e20, str(10**20)),
                                            (0.5, "0.5"), (float("inf"), "inf")])
def test_pure_dp_budget_shows_integral_epsilon_as_int_like_tumult(epsilon, shown):
    """Tumult stores epsilon exactly: PureDPBudget(2.0).epsilon is the int 2."""
    budget = PureDPBudget(epsilon)
    assert repr(budget) == "PureDPBudget(epsilon={})".format(shown)
    assert type(budget.epsilon) is (float if shown in ("0.5", "inf") else int)
    assert budget == PureDPBudget(epsilon) and hash(budget) == hash(PureDPBudget(epsilon))


def test_pure_dp_budget_to_java(recorder):
    PureDPBudget(2)._to_java(jvm=None)
    PureDPBudget(float("inf"))._to_java(jvm=None)
    assert recorder.calls == [("PureDPBudget", 2.0), ("PureDPBudget", float("inf"))]
    assert all(type(call[1]) is float for call in recorder.calls)
    with pytest.raises(ValueError, match="too large"):
        PureDPBudget(10**400)._to_java(jvm=None)


class FakeJavaBudget:
    def __init__(self, class_name, epsilon):
        self._class = FakeJavaClass(class_name)
        self._epsilon = epsilon

    def getClass(self):  # noqa: N802
        return self._class

    def epsilon(self):
        return self._epsilon


def test_budget_from_java():
    assert repr(budget_from_java(FakeJavaBudget("sparkdp.PureDPBudget", 1.0))) == (
        "PureDPBudget(epsilon=1)"
    )
    assert budget_from_java(FakeJavaBudget("sparkdp.PureDPBudget", 0.25)) == PureDPBudget(0.25)
    assert budget_from_java(FakeJavaBudget("sparkdp.PureDPBudget", math.inf)).is_infinite
    with pytest.raises(AnalyticsInternalError, match="sparkdp.RhoZCDPBudget"):
        budget_from_java(FakeJavaBudget("sparkdp.RhoZCDPBudget", 1.0))


# ---------------------------------------------------------------- constraints, changes


def test_max_rows_per_id():
    assert MaxRowsPerID(20).max == 20
    assert MaxRowsPerID(20) == MaxRowsPerID(20)
    with pytest.raises(ValueError, match="not 0"):
        MaxRowsPerID(0)
    with pytest.raises(ValueError, match="-3"):
        MaxRowsPerID(-3)
    with pytest.raises(ValueError, match=str(2**31)):
        MaxRowsPerID(2**31)
    with pytest.raises(TypeError):
        MaxRowsPerID(2.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        MaxRowsPerID(1).max = 2


def test_max_rows_per_id_to_java(recorder):
    MaxRowsPerID(20)._to_java(jvm=None)
    assert recorder.calls == [("MaxRowsPerID", 20)]


def test_add_rows_with_id():
    change = AddRowsWithID("member_id")
    # Tumult's default identifier space and repr.
    assert (change.id_column, change.id_space) == ("member_id", "default_id_space")
    assert repr(change) == "AddRowsWithID(id_column='member_id', id_space='default_id_space')"
    assert change == AddRowsWithID("member_id", "default_id_space")
    with pytest.raises(TypeError, match="id_space"):
        AddRowsWithID("m", None)
    assert AddRowsWithID(id_column="m", id_space="people").id_space == "people"
    with pytest.raises(ValueError, match="id_column"):
        AddRowsWithID("")
    with pytest.raises(ValueError, match="id_space"):
        AddRowsWithID("m", "")
    with pytest.raises(TypeError, match="id_column"):
        AddRowsWithID(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        change.id_column = "x"


def test_add_rows_with_id_to_java(recorder):
    AddRowsWithID("member_id")._to_java(jvm=None)
    AddRowsWithID("member_id", "people")._to_java(jvm=None)
    assert recorder.calls == [
        ("AddRowsWithID", "member_id", "default_id_space"),
        ("AddRowsWithID", "member_id", "people"),
    ]


# ---------------------------------------------------------------- query builder


def test_query_builder_chain_records_the_query():
    keyset = fake_keyset()
    builder = QueryBuilder("checkouts")
    assert builder.enforce(MaxRowsPerID(20)) is builder  # Tumult: mutates, returns self
    grouped = builder.groupby(keyset)
    assert isinstance(grouped, GroupedQueryBuilder)
    query = grouped.count()
    assert query == Query("checkouts", (MaxRowsPerID(20),), keyset, None)
    assert grouped.count(name="n").output_column == "n"
    builder.enforce(MaxRowsPerID(5))  # a later enforce does not change built queries
    assert query.constraints == (MaxRowsPerID(20),)


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


def test_query_to_java_passes_count_name(recorder):
    QueryBuilder("t").groupby(fake_keyset("KS")).count("n")._to_java(jvm=None)
    assert recorder.calls[-1] == ("QueryBuilder.groupBy.count", "n", "default")


def test_count_takes_tumults_mechanism_argument(recorder):
    """Tumult: count(name=None, mechanism=CountMechanism.DEFAULT), names accepted too."""
    grouped = QueryBuilder("t").groupby(fake_keyset("KS"))
    assert grouped.count().mechanism == "default"
    assert grouped.count(mechanism=CountMechanism.LAPLACE).mechanism == "laplace"
    assert grouped.count("n", "Gaussian").mechanism == "gaussian"
    grouped.count(mechanism=CountMechanism.LAPLACE)._to_java(jvm=None)
    assert recorder.calls[-1] == ("QueryBuilder.groupBy.count", None, "laplace")
    with pytest.raises(ValueError, match='Unknown mechanism "exponential"'):
        grouped.count(mechanism="exponential")
    with pytest.raises(TypeError, match="mechanism"):
        grouped.count(mechanism=1)


def test_query_builder_bad_arguments():
    with pytest.raises(TypeError, match="source_id"):
        QueryBuilder(3)
    with pytest.raises(TypeError, match="constraint"):
        QueryBuilder("t").enforce(20)
    with pytest.raises(NotImplementedError, match="KeySet"):
        QueryBuilder("t").groupby(["title"])
    with pytest.raises(TypeError):
        QueryBuilder("t").groupby(42)
    with pytest.raises(ValueError, match="name"):
        QueryBuilder("t").groupby(fake_keyset()).count("")


# ---------------------------------------------------------------- session (fake JVM)


def test_from_dataframe_requires_protected_change_before_jvm():
    with pytest.raises(ValueError, match="protected_change"):
        Session.from_dataframe(PureDPBudget(1), "t", fake_dataframe())


def test_from_dataframe_rejects_bad_arguments_before_jvm():
    class OtherBudget(PrivacyBudget):
        pass

    with pytest.raises(ValueError, match="PureDPBudget"):
        Session.from_dataframe(OtherBudget(), "t", fake_dataframe(),
                               protected_change=AddRowsWithID("m"))
    with pytest.raises(TypeError, match="privacy_budget"):
        Session.from_dataframe(2, "t", fake_dataframe(), protected_change=AddRowsWithID("m"))
    with pytest.raises(TypeError, match="dataframe"):
        Session.from_dataframe(PureDPBudget(1), "t", [(1,)],
                               protected_change=AddRowsWithID("m"))
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


# ---------------------------------------------------------------- exception mapping


@pytest.mark.parametrize(
    "java_class, python_class",
    [
        ("java.lang.IllegalArgumentException", ValueError),
        ("java.util.NoSuchElementException", KeyError),
        ("sparkdp.InsufficientBudgetException", RuntimeError),
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
