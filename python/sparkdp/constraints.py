"""Constraints that a query enforces on a private table before aggregating.

Tumult's classes, names, fields, equality and repr. The values are checked by
their Scala twins (``sparkdp.MaxRowsPerID`` etc.), when made if a SparkContext
with the sparkdp jar runs, else when the query is evaluated
(``sparkdp._java.check_in_jvm``); Python checks only the Python types. Which
query needs which constraint is decided in the native core.
"""

from dataclasses import dataclass
from typing import Any, Tuple

from sparkdp import _java

__all__ = ["Constraint", "MaxRowsPerID", "MaxGroupsPerID", "MaxRowsPerGroupPerID"]


class Constraint:
    """Base class for constraints passed to ``QueryBuilder.enforce``."""

    _JAVA_CLASS = ""

    def _java_arguments(self) -> Tuple[Any, ...]:
        """The JVM constructor's arguments (internal)."""
        raise NotImplementedError

    def _to_java(self, jvm: Any) -> Any:
        """Builds the JVM twin, e.g. ``sparkdp.MaxRowsPerID(max)`` (internal)."""
        return _java.new_sparkdp_object(jvm, self._JAVA_CLASS, *self._java_arguments())

    def _check_in_jvm(self) -> None:
        _java.check_in_jvm(self._JAVA_CLASS, self._to_java)


@dataclass(frozen=True)
class MaxRowsPerID(Constraint):
    """Limits the number of rows each identifier contributes to a table.

    Only meaningful on tables with the :class:`~sparkdp.AddRowsWithID`
    protected change. ``MaxRowsPerID(20)`` keeps at most 20 rows per ID.

    Args:
        max: The maximum number of rows per ID, a positive int.

    Raises:
        TypeError: ``max`` is not an int.
        ValueError: ``max`` is not positive (raised by the JVM check).

    Example:
        >>> MaxRowsPerID(20)
        MaxRowsPerID(max=20)
    """

    _JAVA_CLASS = "MaxRowsPerID"

    max: int  # pylint: disable=redefined-builtin

    def __post_init__(self) -> None:
        """Checks the Python type; the JVM checks the value."""
        _java.check_int(self.max, "max")
        self._check_in_jvm()

    def _java_arguments(self) -> Tuple[Any, ...]:
        return (_java.to_java_int(self.max, "max"),)


@dataclass(frozen=True)
class _GroupingConstraint(Constraint):
    """A constraint on a grouping column with a bound (internal): the fields,
    type checks and JVM arguments MaxGroupsPerID and MaxRowsPerGroupPerID share.
    """

    grouping_column: str
    max: int  # pylint: disable=redefined-builtin

    def __post_init__(self) -> None:
        """Checks the Python types; the JVM checks the values."""
        _java.check_type(self.grouping_column, (str,), "grouping_column")
        _java.check_int(self.max, "max")
        self._check_in_jvm()

    def _java_arguments(self) -> Tuple[Any, ...]:
        return (self.grouping_column, _java.to_java_int(self.max, "max"))


@dataclass(frozen=True)
class MaxGroupsPerID(_GroupingConstraint):
    """Limits the number of distinct values of a grouping column per identifier.

    ``MaxGroupsPerID("state", 4)`` keeps, for each ID, the rows of at most four
    distinct values of ``state``.

    Args:
        grouping_column: The name of the grouping column.
        max: The maximum number of distinct values of ``grouping_column`` per
            ID, a positive int.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: ``grouping_column`` is empty or ``max`` not positive (raised
            by the JVM check).

    Example:
        >>> MaxGroupsPerID("state", 4)
        MaxGroupsPerID(grouping_column='state', max=4)
    """

    _JAVA_CLASS = "MaxGroupsPerID"


@dataclass(frozen=True)
class MaxRowsPerGroupPerID(_GroupingConstraint):
    """Limits the rows per (identifier, value of a grouping column) pair.

    ``MaxRowsPerGroupPerID("state", 5)`` keeps, for each ID, at most five rows
    per distinct value of ``state``.

    Args:
        grouping_column: The name of the grouping column.
        max: The maximum number of rows per ID and value of
            ``grouping_column``, a positive int.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: ``grouping_column`` is empty or ``max`` not positive (raised
            by the JVM check).

    Example:
        >>> MaxRowsPerGroupPerID("state", 5)
        MaxRowsPerGroupPerID(grouping_column='state', max=5)
    """

    _JAVA_CLASS = "MaxRowsPerGroupPerID"
