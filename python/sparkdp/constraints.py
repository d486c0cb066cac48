"""Constraints that a query enforces on a private table before aggregating."""

from dataclasses import dataclass
from typing import Any

from sparkdp import _java

__all__ = ["Constraint", "MaxRowsPerID"]

# The Scala API takes `max: Int`.
_JVM_INT_MAX = 2**31 - 1


class Constraint:
    """Base class for constraints passed to ``QueryBuilder.enforce``."""

    def _to_java(self, jvm: Any) -> Any:
        """Builds the JVM object of this constraint (internal)."""
        raise NotImplementedError


@dataclass(frozen=True)
class MaxRowsPerID(Constraint):
    """Limits the number of rows each identifier contributes to a table.

    Only meaningful on tables with the :class:`~sparkdp.AddRowsWithID`
    protected change. ``MaxRowsPerID(20)`` keeps at most 20 rows per ID.

    Args:
        max: The maximum number of rows per ID, a positive int.

    Raises:
        TypeError: ``max`` is not an int.
        ValueError: ``max`` is not positive, or above 2**31 - 1 (a JVM Int).

    Example:
        >>> MaxRowsPerID(20)
        MaxRowsPerID(max=20)
        >>> MaxRowsPerID(0)
        Traceback (most recent call last):
        ...
        ValueError: max must be a positive integer, not 0
    """

    max: int  # pylint: disable=redefined-builtin

    def __post_init__(self) -> None:
        """Validates ``max``."""
        if isinstance(self.max, bool) or not isinstance(self.max, int):
            raise TypeError(
                "max must be an int, not {}.".format(type(self.max).__name__)
            )
        if self.max < 1:
            raise ValueError("max must be a positive integer, not {}".format(self.max))
        if self.max > _JVM_INT_MAX:
            raise ValueError(
                "max must be at most {}, not {}".format(_JVM_INT_MAX, self.max)
            )

    def _to_java(self, jvm: Any) -> Any:
        """Builds ``sparkdp.MaxRowsPerID(max: Int)`` (internal)."""
        return _java.new_sparkdp_object(jvm, "MaxRowsPerID", int(self.max))
