"""The single place where sparkdp talks to the JVM through py4j.

Everything that crosses between Python and the JVM goes through here:

* finding the JVM of a SparkSession and the sparkdp classes in it,
* turning a pyspark DataFrame into its Java DataFrame (``df._jdf``) and back,
  on pyspark 3.1 (which wants a ``SQLContext``) as well as 3.3 and later,
* mapping a Java exception to the Python exception a Tumult user expects,
* converting Python numbers to the JVM API's ``Int`` and ``Double``, and
* letting the JVM validate a value object as soon as it is made, when a JVM
  runs (:func:`check_in_jvm`).

Exception mapping, by Java class name (see docs/CONTRACTS.md):

==========================================  ===================================
Java class                                  Python exception
==========================================  ===================================
``java.lang.IllegalArgumentException``      ``ValueError``
``java.util.NoSuchElementException``        ``KeyError``
``sparkdp.InsufficientBudgetException``     ``RuntimeError``
``sparkdp.UnsupportedQueryException``       ``RuntimeError``
``sparkdp.WarehouseException``              ``RuntimeError``
``sparkdp.SessionStoppedException``         ``RuntimeError`` (session stopped)
``sparkdp.NativeException``                 ``sparkdp.AnalyticsInternalError``
``sparkdp.AnalyticsInternalException``      ``sparkdp.AnalyticsInternalError``
anything else                               re-raised unchanged
==========================================  ===================================

The Python message is the Java message, without the Java stack trace.
"""

import contextlib
import struct
from typing import Any, Callable, Iterator, Optional, Tuple, Type

from py4j.java_collections import JavaArray, JavaList
from py4j.java_gateway import JavaClass
from py4j.protocol import Py4JJavaError
from pyspark import SparkContext
from pyspark.sql import DataFrame, SparkSession

from sparkdp.exceptions import AnalyticsInternalError
from sparkdp.pip_utils import missing_jar_message

try:  # pyspark >= 3.4
    from pyspark.errors.exceptions.captured import CapturedException
except ImportError:  # pragma: no cover - pyspark 3.1 to 3.3
    from pyspark.sql.utils import CapturedException  # type: ignore

__all__ = [
    "JAVA_TO_PYTHON_EXCEPTION",
    "active_jvm",
    "call_java",
    "check_in_jvm",
    "check_int",
    "check_number",
    "check_type",
    "default_spark_session",
    "has_sparkdp_class",
    "java_error_to_python",
    "jvm_of",
    "new_sparkdp_object",
    "python_error_for_java_class",
    "require_dataframe",
    "seq_to_list",
    "spark_session_of",
    "sparkdp_class",
    "to_java_dataframe",
    "to_java_double",
    "to_java_int",
    "to_java_long",
    "to_python_dataframe",
    "translate_java_errors",
]

# The Scala API takes counts (max_rows, max, ...) as a JVM `Int`.
_JVM_INT_MIN = -(2**31)
_JVM_INT_MAX = 2**31 - 1
# Integer clamping bounds go to the JVM API as a `Long`.
_JVM_LONG_MIN = -(2**63)
_JVM_LONG_MAX = 2**63 - 1

JAVA_TO_PYTHON_EXCEPTION = {
    "java.lang.IllegalArgumentException": ValueError,
    "java.util.NoSuchElementException": KeyError,
    "sparkdp.InsufficientBudgetException": RuntimeError,
    # An ID table aggregated without the constraint the aggregation needs:
    # Tumult raises RuntimeError ("A constraint on the number of rows
    # contributed by each ID is needed to perform this query ...").
    "sparkdp.UnsupportedQueryException": RuntimeError,
    "sparkdp.WarehouseException": RuntimeError,
    # evaluate after stop(): Tumult raises RuntimeError for an inactive session.
    # Only sparkdp's own subclass: other IllegalStateExceptions (e.g. from Spark)
    # are not the user's stopped session and pass through unchanged.
    "sparkdp.SessionStoppedException": RuntimeError,
    # Internal bugs, in Rust and in the JVM code.
    "sparkdp.NativeException": AnalyticsInternalError,
    "sparkdp.AnalyticsInternalException": AnalyticsInternalError,
}  # type: dict
"""Java exception class name -> Python exception class (CONTRACTS.md)."""

# pyspark installs a py4j hook that turns some Java exceptions into its own
# CapturedException subclasses before we see them. pyspark 3.3+ keeps the Java
# exception in `_origin`; pyspark 3.1 keeps only the text, so there the Java
# class is known from the pyspark class name alone.
_PYSPARK_CAPTURED_CLASS_TO_JAVA = {
    "IllegalArgumentException": "java.lang.IllegalArgumentException",
}

# A sparkdp exception thrown inside a Spark task reaches the driver wrapped in a
# SparkException; look this many causes deep for it.
_MAX_CAUSE_DEPTH = 16


def python_error_for_java_class(
    java_class_name: str, message: Optional[str]
) -> Optional[BaseException]:
    """Builds the Python exception for a Java exception class, if it is mapped.

    Args:
        java_class_name: Fully qualified Java class name, e.g.
            ``"java.lang.IllegalArgumentException"``.
        message: The Java exception's message (``getMessage()``), or None.

    Returns:
        The Python exception to raise, or None when the class is not mapped.

    Example:
        >>> error = python_error_for_java_class(
        ...     "java.lang.IllegalArgumentException", "Column 'x' does not exist")
        >>> type(error).__name__, str(error)
        ('ValueError', "Column 'x' does not exist")
        >>> python_error_for_java_class("java.lang.ArithmeticException", "overflow")
    """
    python_class = JAVA_TO_PYTHON_EXCEPTION.get(java_class_name)
    if python_class is None:
        return None
    # KeyError shows the repr of its argument, as for any KeyError.
    return python_class(message if message else java_class_name)


def _java_class_name(java_throwable: Any) -> str:
    return str(java_throwable.getClass().getName())


def _java_message(java_throwable: Any) -> Optional[str]:
    message = java_throwable.getMessage()
    return None if message is None else str(message)


def _mapped_in_causes(java_throwable: Any) -> Optional[BaseException]:
    """Finds the first sparkdp exception in the cause chain, mapped to Python."""
    cause = java_throwable.getCause()
    depth = 0
    while cause is not None and depth < _MAX_CAUSE_DEPTH:
        class_name = _java_class_name(cause)
        if class_name.startswith("sparkdp."):
            return python_error_for_java_class(class_name, _java_message(cause))
        cause = cause.getCause()
        depth += 1
    return None


def java_error_to_python(error: BaseException) -> Optional[BaseException]:
    """Maps an error raised by a py4j call to the Python exception users expect.

    Args:
        error: A ``Py4JJavaError``, or a pyspark ``CapturedException`` (pyspark
            converts some Java exceptions, e.g. IllegalArgumentException, before
            they reach us).

    Returns:
        The mapped Python exception, or None if ``error`` should be re-raised
        unchanged. The top-level Java class decides; only when it is not mapped
        (e.g. a ``SparkException`` from a failed task) is the cause chain
        searched for a ``sparkdp.*`` exception.
    """
    java_throwable = None
    if isinstance(error, Py4JJavaError):
        java_throwable = error.java_exception
    elif isinstance(error, CapturedException):
        java_throwable = getattr(error, "_origin", None)
        if java_throwable is None:
            # pyspark 3.1: no Java object, only the pyspark class and the text.
            java_class_name = _PYSPARK_CAPTURED_CLASS_TO_JAVA.get(
                type(error).__name__
            )
            if java_class_name is None:
                return None
            return python_error_for_java_class(
                java_class_name, getattr(error, "desc", None)
            )
    if java_throwable is None:
        return None
    mapped = python_error_for_java_class(
        _java_class_name(java_throwable), _java_message(java_throwable)
    )
    if mapped is None:
        mapped = _mapped_in_causes(java_throwable)
    return mapped


@contextlib.contextmanager
def translate_java_errors() -> Iterator[None]:
    """Context manager that re-raises Java errors as the mapped Python errors.

    Wrap each forwarding call in it. Unmapped errors propagate unchanged.

    Raises:
        ValueError: the JVM threw IllegalArgumentException.
        KeyError: the JVM threw NoSuchElementException.
        RuntimeError: the JVM threw InsufficientBudgetException,
            WarehouseException or SessionStoppedException.
        AnalyticsInternalError: the JVM threw sparkdp.NativeException or
            sparkdp.AnalyticsInternalException.
    """
    try:
        yield
    except (Py4JJavaError, CapturedException) as error:
        mapped = java_error_to_python(error)
        if mapped is None:
            raise
        # `from None`: the chained Py4J error would print the Java stack trace.
        raise mapped from None


def call_java(java_callable: Callable[..., Any], *args: Any) -> Any:
    """Calls a py4j method or constructor with Java errors mapped to Python.

    Args:
        java_callable: A py4j JavaMember or JavaClass.
        *args: Arguments forwarded unchanged.

    Returns:
        What the JVM returned.
    """
    with translate_java_errors():
        return java_callable(*args)


def spark_session_of(dataframe: DataFrame) -> SparkSession:
    """Returns the SparkSession a pyspark DataFrame belongs to.

    Args:
        dataframe: A pyspark DataFrame.

    Returns:
        ``dataframe.sparkSession`` (pyspark >= 3.3) or
        ``dataframe.sql_ctx.sparkSession`` (pyspark 3.1).
    """
    # pyspark 3.1 has no DataFrame.sparkSession, and its DataFrame.__getattr__
    # would return a Column if the data had a column of that name.
    spark = getattr(dataframe, "sparkSession", None)
    if not isinstance(spark, SparkSession):
        spark = dataframe.sql_ctx.sparkSession
    return spark


def require_dataframe(dataframe: Any, parameter_name: str) -> DataFrame:
    """Checks that an argument is a pyspark DataFrame.

    Args:
        dataframe: The argument.
        parameter_name: The parameter's name, for the message.

    Returns:
        ``dataframe`` itself.

    Raises:
        TypeError: ``dataframe`` is not a pyspark DataFrame.
    """
    check_type(dataframe, (DataFrame,), parameter_name)
    return dataframe


def to_java_dataframe(dataframe: DataFrame) -> Any:
    """Returns the Java DataFrame (py4j object) behind a pyspark DataFrame.

    Args:
        dataframe: A pyspark DataFrame.

    Returns:
        ``dataframe._jdf``.
    """
    return dataframe._jdf  # pylint: disable=protected-access


def to_python_dataframe(java_dataframe: Any, spark: SparkSession) -> DataFrame:
    """Wraps a Java DataFrame as a pyspark DataFrame.

    Args:
        java_dataframe: A py4j reference to an ``org.apache.spark.sql.Dataset``.
        spark: The SparkSession it belongs to.

    Returns:
        A pyspark DataFrame. pyspark 3.1/3.2 want a SQLContext as the second
        constructor argument (``spark._wrapped``); 3.3 and later take the
        SparkSession and no longer have ``_wrapped``.
    """
    sql_context_or_session = getattr(spark, "_wrapped", spark)
    return DataFrame(java_dataframe, sql_context_or_session)


def default_spark_session() -> SparkSession:
    """Returns the SparkSession Tumult uses where no DataFrame names one.

    Tumult's ``KeySet.from_tuples`` and ``KeySet.from_dict`` build their
    DataFrame in ``SparkSession.builder.getOrCreate()``; so do ours.

    Returns:
        ``SparkSession.builder.getOrCreate()``.
    """
    return SparkSession.builder.getOrCreate()


def jvm_of(spark: SparkSession) -> Any:
    """Returns the py4j JVM view of a SparkSession.

    Args:
        spark: A SparkSession.

    Returns:
        ``spark.sparkContext._jvm``.
    """
    return spark.sparkContext._jvm  # pylint: disable=protected-access


def sparkdp_class(jvm: Any, class_name: str) -> JavaClass:
    """Looks up a class of the sparkdp jar in the JVM.

    Args:
        jvm: A py4j JVM view.
        class_name: Simple name inside package ``sparkdp``, e.g. ``"Session"``.

    Returns:
        The py4j JavaClass.

    Raises:
        RuntimeError: the class is not on the JVM's class path (the jar is not
            in ``spark.jars``); the message names the jar file for the JVM's
            Scala line and ``--jars`` / ``--extra-jars`` / ``spark.jars``.
    """
    java_class = getattr(jvm.sparkdp, class_name)
    if not isinstance(java_class, JavaClass):
        raise RuntimeError(missing_jar_message(class_name, _jvm_scala_line(jvm)))
    return java_class


def _jvm_scala_line(jvm: Any) -> Optional[str]:
    """The running JVM's Scala line, e.g. ``"2.12"``; None if it cannot be asked."""
    try:
        version = str(jvm.scala.util.Properties.versionNumberString())
    except Exception:  # pylint: disable=broad-except - py4j errors of any kind
        return None
    return ".".join(version.split(".")[:2]) if version.count(".") >= 1 else None


def new_sparkdp_object(jvm: Any, class_name: str, *args: Any) -> Any:
    """Constructs a sparkdp JVM object, with Java errors mapped to Python.

    Uses the Java constructors CONTRACTS.md lists for py4j, e.g.
    ``new PureDPBudget(epsilon)``, ``new AddRowsWithID(idColumn)``.

    Args:
        jvm: A py4j JVM view.
        class_name: Simple class name inside package ``sparkdp``.
        *args: Constructor arguments (already JVM-compatible).

    Returns:
        The py4j reference to the new object.
    """
    return call_java(sparkdp_class(jvm, class_name), *args)


def seq_to_list(java_collection: Any) -> list:
    """Converts a JVM collection (Scala Seq, Java List or array) to a list.

    Args:
        java_collection: A py4j reference, or a value py4j already converted.

    Returns:
        A Python list of its elements.
    """
    if isinstance(java_collection, (list, tuple, JavaArray, JavaList)):
        return list(java_collection)
    # A Scala collection: py4j does not convert these; walk its iterator.
    iterator = java_collection.iterator()
    elements = []
    while iterator.hasNext():
        elements.append(iterator.next())
    return elements


def _qualified_name(python_class: type) -> str:
    """``str`` for a built-in class, else ``module.QualName``, as typeguard names classes."""
    if python_class.__module__ == "builtins":
        return python_class.__qualname__
    return "{}.{}".format(python_class.__module__, python_class.__qualname__)


def check_type(value: Any, expected: Tuple[Type, ...], parameter_name: str) -> None:
    """Raises TypeError if ``value`` is not an instance of ``expected``.

    The message has the form of Tumult's (typeguard's), e.g.
    ``argument "dataframe" (list) is not an instance of
    pyspark.sql.dataframe.DataFrame``. Tumult raises typeguard's
    ``TypeCheckError``; sparkdp, which does not depend on typeguard, the
    built-in ``TypeError``.

    Args:
        value: The argument.
        expected: Accepted classes.
        parameter_name: The parameter's name, for the message.

    Raises:
        TypeError: ``value`` has another type.

    Example:
        >>> check_type([1], (int, float), "epsilon")
        Traceback (most recent call last):
        ...
        TypeError: argument "epsilon" (list) is not an instance of int or float
    """
    if not isinstance(value, expected):
        raise TypeError(
            'argument "{}" ({}) is not an instance of {}'.format(
                parameter_name,
                _qualified_name(type(value)),
                " or ".join(_qualified_name(t) for t in expected),
            )
        )


def check_int(value: Any, parameter_name: str) -> None:
    """Raises TypeError unless ``value`` is an int (Tumult's ``check_type(x, int)``).

    Only the Python type is checked here; the range (e.g. positive) is the
    JVM's to check.

    Args:
        value: The argument.
        parameter_name: The parameter's name, for the message.

    Raises:
        TypeError: ``value`` is not an int.
    """
    check_type(value, (int,), parameter_name)


def check_number(value: Any, parameter_name: str) -> None:
    """Raises TypeError unless ``value`` is an int or a float, as Tumult's budgets take.

    Args:
        value: The argument.
        parameter_name: The parameter's name, for the message.

    Raises:
        TypeError: ``value`` is neither an int nor a float.
    """
    check_type(value, (int, float), parameter_name)


def to_java_int(value: int, parameter_name: str) -> int:
    """Returns ``value`` as a plain int that py4j passes as a JVM ``Int``.

    py4j sends a Python int outside the ``Int`` range as a ``Long`` (or a
    ``BigInteger``), which no constructor of the Scala API takes; say so here
    instead of py4j's "constructor does not exist". Whether the value is valid
    (e.g. positive) is the JVM's to decide.

    Args:
        value: An int (a bool counts as one, as in Tumult).
        parameter_name: The parameter's name, for the message.

    Returns:
        ``int(value)``.

    Raises:
        ValueError: ``value`` does not fit a JVM ``Int``.

    Example:
        >>> to_java_int(True, "max")
        1
        >>> to_java_int(2**31, "max")
        Traceback (most recent call last):
        ...
        ValueError: max must be between -2147483648 and 2147483647 (a JVM Int), not 2147483648
    """
    if not _JVM_INT_MIN <= value <= _JVM_INT_MAX:
        raise ValueError(
            "{} must be between {} and {} (a JVM Int), not {}".format(
                parameter_name, _JVM_INT_MIN, _JVM_INT_MAX, value
            )
        )
    return int(value)


def to_java_long(value: int, parameter_name: str) -> int:
    """Returns ``value`` as a plain int for a JVM ``Long`` parameter.

    py4j sends an int outside the ``Long`` range as a ``BigInteger``, which no
    method of the Scala API takes; say so here instead of py4j's "method does
    not exist". Whether the value is valid is the JVM's to decide.

    Args:
        value: An int.
        parameter_name: The parameter's name, for the message.

    Returns:
        ``int(value)``.

    Raises:
        ValueError: ``value`` does not fit a JVM ``Long``.

    Example:
        >>> to_java_long(-5, "low")
        -5
        >>> to_java_long(2**63, "high")
        Traceback (most recent call last):
        ...
        ValueError: high must be between -9223372036854775808 and 9223372036854775807 (a JVM Long), not 9223372036854775808
    """
    if not _JVM_LONG_MIN <= value <= _JVM_LONG_MAX:
        raise ValueError(
            "{} must be between {} and {} (a JVM Long), not {}".format(
                parameter_name, _JVM_LONG_MIN, _JVM_LONG_MAX, value
            )
        )
    return int(value)


def _one_double_toward_zero(value: float) -> float:
    """The double next to a finite non-zero ``value`` on the side of zero.

    For IEEE-754 doubles of one sign, the bit patterns read as integers are
    ordered as the values are, so decrementing the pattern steps one unit in
    the last place toward zero (``math.nextafter`` needs Python 3.9).
    """
    (bits,) = struct.unpack("<q", struct.pack("<d", value))
    (stepped,) = struct.unpack("<d", struct.pack("<q", bits - 1))
    return stepped


def to_java_double(value: Any, parameter_name: str) -> float:
    """Returns an int or float as the float py4j passes as a JVM ``Double``.

    A float is passed unchanged (NaN and negative values too: rejecting them is
    the JVM's job). An int that no double holds exactly is rounded toward zero,
    i.e. to less budget (more privacy), as the native budget conversion rounds
    (docs/COMPILER_INTERFACES.md §3).

    Args:
        value: An int or a float.
        parameter_name: The parameter's name, for the message.

    Returns:
        The float.

    Raises:
        ValueError: ``value`` is an int too large for a double.

    Example:
        >>> to_java_double(2, "epsilon")
        2.0
        >>> int(to_java_double(2**54 + 3, "epsilon")) == 2**54  # not 2**54 + 4
        True
        >>> to_java_double(10**400, "epsilon")
        Traceback (most recent call last):
        ...
        ValueError: epsilon (an int of 1329 bits) is too large for the JVM API, which takes a double.
    """
    if isinstance(value, float):
        return value
    try:
        as_double = float(value)
    except OverflowError:
        raise ValueError(
            "{} (an int of {} bits) is too large for the JVM API, which takes "
            "a double.".format(parameter_name, int(value).bit_length())
        ) from None
    if abs(int(as_double)) > abs(int(value)):
        as_double = _one_double_toward_zero(as_double)
    return as_double


def active_jvm() -> Optional[Any]:
    """Returns the py4j JVM view of the running SparkContext, or None if none runs.

    Returns:
        ``SparkContext._active_spark_context._jvm``, or None.
    """
    context = SparkContext._active_spark_context  # pylint: disable=protected-access
    if context is None:
        return None
    return context._jvm  # pylint: disable=protected-access


def has_sparkdp_class(jvm: Any, class_name: str) -> bool:
    """Returns True if the JVM has the class ``sparkdp.<class_name>``."""
    return isinstance(getattr(jvm.sparkdp, class_name), JavaClass)


def check_in_jvm(class_name: str, build_java: Callable[[Any], Any]) -> None:
    """Lets the JVM validate a value object now, if a JVM with sparkdp runs.

    Budgets, protected changes and constraints are validated by their Scala
    twins (the messages are Tumult's), not by Python copies of the checks. A
    Tumult program gets the ``ValueError`` for, say, ``PureDPBudget(-1)`` where
    it makes it, not later; so each value object builds its JVM twin once when
    it is made, if there is a SparkContext whose JVM has the sparkdp jar, and
    drops it. Without one (a query or budget written before Spark starts, as
    Tumult allows) the same check happens when the object is forwarded, in
    ``Session.from_dataframe`` or ``Session.evaluate``, with the same message.

    Args:
        class_name: The sparkdp class that ``build_java`` builds, e.g.
            ``"PureDPBudget"``.
        build_java: Builds the JVM twin from a py4j JVM view.

    Raises:
        ValueError: the JVM rejected the value (IllegalArgumentException).
    """
    jvm = active_jvm()
    if jvm is None or not has_sparkdp_class(jvm, class_name):
        return
    build_java(jvm)

