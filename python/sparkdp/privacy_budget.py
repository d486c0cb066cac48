"""Privacy budgets: how much privacy loss a Session or a query may spend.

Budgets here are plain immutable values. All budget arithmetic (what remains
after a query, whether a request fits) happens in the native core, exactly;
Python only validates the argument and forwards it.
"""

import math
from dataclasses import dataclass
from typing import Any, Union

from sparkdp import _java
from sparkdp.exceptions import AnalyticsInternalError

__all__ = ["PrivacyBudget", "PureDPBudget"]


class PrivacyBudget:
    """Base class for the maximal privacy loss of a Session or a query.

    Use a subclass, e.g. :class:`PureDPBudget`.
    """

    @property
    def is_infinite(self) -> bool:
        """Returns True if the budget is infinite (no privacy guarantee)."""
        raise NotImplementedError

    def _to_java(self, jvm: Any) -> Any:
        """Builds the JVM object of this budget (internal)."""
        raise NotImplementedError


@dataclass(frozen=True)
class PureDPBudget(PrivacyBudget):
    """A privacy budget under pure differential privacy (epsilon-DP).

    Args:
        epsilon: The epsilon privacy parameter, an int or a float. Must be
            non-negative and not NaN. ``float('inf')`` means an infinite budget
            (no noise; no privacy guarantee).

    Raises:
        TypeError: ``epsilon`` is not an int or a float.
        ValueError: ``epsilon`` is negative or NaN.

    Example:
        >>> PureDPBudget(2)
        PureDPBudget(epsilon=2)
        >>> PureDPBudget(2.0)
        PureDPBudget(epsilon=2)
        >>> PureDPBudget(float("inf")).is_infinite
        True
        >>> PureDPBudget(-1)
        Traceback (most recent call last):
        ...
        ValueError: Epsilon must be non-negative. Cannot construct a PureDPBudget with epsilon of -1.
    """

    epsilon: Union[int, float]

    def __post_init__(self) -> None:
        """Validates epsilon before anything reaches the JVM."""
        if isinstance(self.epsilon, bool) or not isinstance(
            self.epsilon, (int, float)
        ):
            raise TypeError(
                "Epsilon must be an int or a float, not {}.".format(
                    type(self.epsilon).__name__
                )
            )
        if isinstance(self.epsilon, float) and math.isnan(self.epsilon):
            raise ValueError("Epsilon cannot be a NaN.")
        if self.epsilon < 0:
            raise ValueError(
                "Epsilon must be non-negative. "
                "Cannot construct a PureDPBudget with epsilon of {}.".format(
                    self.epsilon
                )
            )
        # Tumult keeps epsilon exactly and shows an integral value as an int:
        # PureDPBudget(2.0).epsilon == 2 and prints PureDPBudget(epsilon=2).
        if isinstance(self.epsilon, float) and self.epsilon.is_integer():
            object.__setattr__(self, "epsilon", int(self.epsilon))

    @property
    def is_infinite(self) -> bool:
        """Returns True if epsilon is ``float('inf')``.

        Example:
            >>> PureDPBudget(1).is_infinite
            False
        """
        return self.epsilon == float("inf")

    @classmethod
    def inf(cls) -> "PureDPBudget":
        """Returns an infinite PureDPBudget.

        Example:
            >>> PureDPBudget.inf()
            PureDPBudget(epsilon=inf)
        """
        return cls(float("inf"))

    def _to_java(self, jvm: Any) -> Any:
        """Builds ``sparkdp.PureDPBudget(epsilon: Double)`` (internal).

        Raises:
            ValueError: epsilon is an int too large for a double.
        """
        try:
            epsilon = float(self.epsilon)
        except OverflowError:
            raise ValueError(
                "Epsilon {} is too large: the JVM API takes a double.".format(self.epsilon)
            ) from None
        return _java.new_sparkdp_object(jvm, "PureDPBudget", epsilon)


def budget_from_java(java_budget: Any) -> PrivacyBudget:
    """Reads a JVM ``sparkdp.PrivacyBudget`` back into a Python budget.

    Args:
        java_budget: A py4j reference to a ``sparkdp.PureDPBudget``.

    Returns:
        The Python budget. An integral finite epsilon comes back as an int, so
        it prints as Tumult prints it (``PureDPBudget(epsilon=1)``).

    Raises:
        AnalyticsInternalError: the JVM returned a budget type Python does not
            know.
    """
    class_name = str(java_budget.getClass().getName())
    if class_name == "sparkdp.PureDPBudget":
        return PureDPBudget(float(java_budget.epsilon()))
    raise AnalyticsInternalError(
        "The JVM returned a privacy budget of class {}, which the Python "
        "package does not know.".format(class_name)
    )
