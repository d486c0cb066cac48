"""Privacy budgets: how much privacy loss a Session or a query may spend.

Budgets here are plain immutable values with Tumult's names, equality and
repr. Their validation (non-negative, not NaN, delta in [0, 1], a value the
native core can hold) is done by their Scala twins, which hand it to Rust
(docs/COMPILER_INTERFACES.md §3-4); Python only checks the Python type and
converts the JVM's IllegalArgumentException to ValueError. A budget is checked
by the JVM when it is made if a SparkContext with the sparkdp jar runs (see
``sparkdp._java.check_in_jvm``), and otherwise when it is forwarded. All budget
arithmetic (what remains after a query, whether a request fits) happens in
the native core, exactly.
"""

from dataclasses import dataclass
from typing import Any, Tuple, Union

from sparkdp import _java
from sparkdp.exceptions import AnalyticsInternalError

__all__ = ["PrivacyBudget", "PureDPBudget", "ApproxDPBudget", "RhoZCDPBudget"]

_INFINITY = float("inf")


def _as_tumult_shows_it(value: Union[int, float]) -> Union[int, float]:
    """An int for an integral value, as Tumult shows its exact numbers.

    Tumult keeps a budget as an exact number and gives it back as an int when it
    is integral: ``PureDPBudget(2.0).epsilon == 2`` and the repr is
    ``PureDPBudget(epsilon=2)``. A bool is an int to Tumult too.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class PrivacyBudget:
    """Base class for the maximal privacy loss of a Session or a query.

    Use a subclass: :class:`PureDPBudget`, :class:`ApproxDPBudget` or
    :class:`RhoZCDPBudget`.
    """

    _JAVA_CLASS = ""

    @property
    def is_infinite(self) -> bool:
        """Returns True if the budget is infinite (no privacy guarantee)."""
        raise NotImplementedError

    def _java_arguments(self) -> Tuple[float, ...]:
        """The JVM constructor's arguments, as doubles (internal)."""
        raise NotImplementedError

    def _to_java(self, jvm: Any) -> Any:
        """Builds the JVM twin, e.g. ``sparkdp.PureDPBudget(epsilon)`` (internal).

        Raises:
            ValueError: the JVM rejected the value (the message is Tumult's),
                or an int is too large for a double.
        """
        return _java.new_sparkdp_object(jvm, self._JAVA_CLASS, *self._java_arguments())

    def _check_in_jvm(self) -> None:
        _java.check_in_jvm(self._JAVA_CLASS, self._to_java)


@dataclass(frozen=True)
class PureDPBudget(PrivacyBudget):
    """A privacy budget under pure differential privacy (epsilon-DP).

    Args:
        epsilon: The epsilon privacy parameter, an int or a float. Must be
            non-negative and not NaN. ``float('inf')`` means an infinite budget
            (no noise; no privacy guarantee).

    Raises:
        TypeError: ``epsilon`` is not an int or a float.
        ValueError: ``epsilon`` is negative or NaN (raised by the JVM check:
            when the budget is made if Spark runs, else when it is used).

    Example:
        >>> PureDPBudget(2)
        PureDPBudget(epsilon=2)
        >>> PureDPBudget(2.0) == PureDPBudget(2)
        True
        >>> PureDPBudget(float("inf")).is_infinite
        True
    """

    _JAVA_CLASS = "PureDPBudget"

    epsilon: Union[int, float]

    def __post_init__(self) -> None:
        """Checks the Python type; the JVM checks the value."""
        _java.check_number(self.epsilon, "epsilon")
        object.__setattr__(self, "epsilon", _as_tumult_shows_it(self.epsilon))
        self._check_in_jvm()

    @property
    def is_infinite(self) -> bool:
        """Returns True if epsilon is ``float('inf')``.

        Example:
            >>> PureDPBudget(1).is_infinite
            False
        """
        return self.epsilon == _INFINITY

    @classmethod
    def inf(cls) -> "PureDPBudget":
        """Returns an infinite PureDPBudget.

        Example:
            >>> PureDPBudget.inf()
            PureDPBudget(epsilon=inf)
        """
        return cls(_INFINITY)

    def _java_arguments(self) -> Tuple[float, ...]:
        return (_java.to_java_double(self.epsilon, "epsilon"),)


@dataclass(frozen=True, eq=False)
class ApproxDPBudget(PrivacyBudget):
    """A privacy budget under approximate differential privacy ((epsilon, delta)-DP).

    As in Tumult, a budget is infinite when epsilon is ``float('inf')`` or
    delta is 1, and all infinite budgets are equal.

    Args:
        epsilon: The epsilon privacy parameter, non-negative.
        delta: The delta privacy parameter, between 0 and 1 (inclusive).

    Raises:
        TypeError: ``epsilon`` or ``delta`` is not an int or a float.
        ValueError: a value is out of range or NaN (raised by the JVM check:
            when the budget is made if Spark runs, else when it is used).

    Example:
        >>> ApproxDPBudget(1, 1e-6)
        ApproxDPBudget(epsilon=1, delta=1e-06)
        >>> ApproxDPBudget(float("inf"), 0) == ApproxDPBudget(1, 1)
        True
    """

    _JAVA_CLASS = "ApproxDPBudget"

    epsilon: Union[int, float]
    delta: Union[int, float]

    def __post_init__(self) -> None:
        """Checks the Python types; the JVM checks the values."""
        _java.check_number(self.epsilon, "epsilon")
        _java.check_number(self.delta, "delta")
        object.__setattr__(self, "epsilon", _as_tumult_shows_it(self.epsilon))
        object.__setattr__(self, "delta", _as_tumult_shows_it(self.delta))
        self._check_in_jvm()

    @property
    def is_infinite(self) -> bool:
        """Returns True if epsilon is ``float('inf')`` or delta is 1.

        Example:
            >>> ApproxDPBudget(1, 0.5).is_infinite
            False
        """
        return self.epsilon == _INFINITY or self.delta == 1

    def __eq__(self, other: Any) -> bool:
        """Equal if both are infinite or both values are equal (Tumult's rule)."""
        if not isinstance(other, ApproxDPBudget):
            return False
        if self.is_infinite and other.is_infinite:
            return True
        return (self.epsilon, self.delta) == (other.epsilon, other.delta)

    def __hash__(self) -> int:
        """Consistent with ``__eq__``: every infinite budget hashes alike."""
        if self.is_infinite:
            return hash((_INFINITY, _INFINITY))
        return hash((self.epsilon, self.delta))

    @classmethod
    def inf(cls) -> "ApproxDPBudget":
        """Returns an infinite ApproxDPBudget (Tumult's: epsilon inf, delta 0).

        Example:
            >>> ApproxDPBudget.inf()
            ApproxDPBudget(epsilon=inf, delta=0)
        """
        return cls(_INFINITY, 0)

    def _java_arguments(self) -> Tuple[float, ...]:
        return (
            _java.to_java_double(self.epsilon, "epsilon"),
            _java.to_java_double(self.delta, "delta"),
        )


@dataclass(frozen=True)
class RhoZCDPBudget(PrivacyBudget):
    """A privacy budget under rho-zero-concentrated differential privacy.

    Args:
        rho: The rho privacy parameter, non-negative and not NaN.
            ``float('inf')`` means an infinite budget.

    Raises:
        TypeError: ``rho`` is not an int or a float.
        ValueError: ``rho`` is negative or NaN (raised by the JVM check: when
            the budget is made if Spark runs, else when it is used).

    Example:
        >>> RhoZCDPBudget(0.5)
        RhoZCDPBudget(rho=0.5)
        >>> RhoZCDPBudget(1.0)
        RhoZCDPBudget(rho=1)
    """

    _JAVA_CLASS = "RhoZCDPBudget"

    rho: Union[int, float]

    def __post_init__(self) -> None:
        """Checks the Python type; the JVM checks the value."""
        _java.check_number(self.rho, "rho")
        object.__setattr__(self, "rho", _as_tumult_shows_it(self.rho))
        self._check_in_jvm()

    @property
    def is_infinite(self) -> bool:
        """Returns True if rho is ``float('inf')``.

        Example:
            >>> RhoZCDPBudget.inf().is_infinite
            True
        """
        return self.rho == _INFINITY

    @classmethod
    def inf(cls) -> "RhoZCDPBudget":
        """Returns an infinite RhoZCDPBudget.

        Example:
            >>> RhoZCDPBudget.inf()
            RhoZCDPBudget(rho=inf)
        """
        return cls(_INFINITY)

    def _java_arguments(self) -> Tuple[float, ...]:
        return (_java.to_java_double(self.rho, "rho"),)


def budget_from_java(java_budget: Any) -> PrivacyBudget:
    """Reads a JVM ``sparkdp.PrivacyBudget`` back into a Python budget.

    Args:
        java_budget: A py4j reference to a ``sparkdp.PureDPBudget``,
            ``sparkdp.ApproxDPBudget`` or ``sparkdp.RhoZCDPBudget``.

    Returns:
        The Python budget of the same type. An integral finite value comes back
        as an int, so it prints as Tumult prints it (``PureDPBudget(epsilon=1)``).

    Raises:
        AnalyticsInternalError: the JVM returned a budget type Python does not
            know.
    """
    class_name = str(java_budget.getClass().getName())
    if class_name == "sparkdp.PureDPBudget":
        return PureDPBudget(float(java_budget.epsilon()))
    if class_name == "sparkdp.ApproxDPBudget":
        return ApproxDPBudget(float(java_budget.epsilon()), float(java_budget.delta()))
    if class_name == "sparkdp.RhoZCDPBudget":
        return RhoZCDPBudget(float(java_budget.rho()))
    raise AnalyticsInternalError(
        "The JVM returned a privacy budget of class {}, which the Python "
        "package does not know.".format(class_name)
    )
