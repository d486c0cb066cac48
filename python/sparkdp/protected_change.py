"""Protected changes: which changes to a private table the DP guarantee hides.

Tumult's classes, names, fields, equality and repr. The values are checked by
their Scala twins (``sparkdp.AddMaxRows`` etc.), when made if a SparkContext
with the sparkdp jar runs, else when forwarded (``sparkdp._java.check_in_jvm``);
Python checks only the Python types.
"""

from dataclasses import dataclass
from typing import Any, Tuple

from sparkdp import _java

__all__ = [
    "ProtectedChange",
    "AddMaxRows",
    "AddOneRow",
    "AddMaxRowsInMaxGroups",
    "AddRowsWithID",
]

# Tumult's default identifier space (tmlt.analytics.AddRowsWithID).
DEFAULT_ID_SPACE = "default_id_space"


class ProtectedChange:
    """Base class describing the change in a data set that is protected under DP.

    Use a subclass: :class:`AddOneRow`, :class:`AddMaxRows`,
    :class:`AddMaxRowsInMaxGroups` or :class:`AddRowsWithID`.
    """

    _JAVA_CLASS = ""

    def _java_arguments(self) -> Tuple[Any, ...]:
        """The JVM constructor's arguments (internal)."""
        raise NotImplementedError

    def _to_java(self, jvm: Any) -> Any:
        """Builds the JVM twin, e.g. ``sparkdp.AddMaxRows(maxRows)`` (internal)."""
        return _java.new_sparkdp_object(jvm, self._JAVA_CLASS, *self._java_arguments())

    def _check_in_jvm(self) -> None:
        _java.check_in_jvm(self._JAVA_CLASS, self._to_java)


@dataclass(frozen=True)
class AddMaxRows(ProtectedChange):
    """Protects the addition or removal of any set of ``max_rows`` rows.

    Args:
        max_rows: The maximum number of rows that may be added or removed, a
            positive int.

    Raises:
        TypeError: ``max_rows`` is not an int.
        ValueError: ``max_rows`` is not positive (raised by the JVM check).

    Example:
        >>> AddMaxRows(3)
        AddMaxRows(max_rows=3)
    """

    _JAVA_CLASS = "AddMaxRows"

    max_rows: int

    def __post_init__(self) -> None:
        """Checks the Python type; the JVM checks the value."""
        _java.check_int(self.max_rows, "max_rows")
        self._check_in_jvm()

    def _java_arguments(self) -> Tuple[Any, ...]:
        return (_java.to_java_int(self.max_rows, "max_rows"),)


@dataclass(frozen=True)
class AddOneRow(AddMaxRows):
    """Protects the addition or removal of a single row.

    As in Tumult, ``AddOneRow()`` is a shorthand for ``AddMaxRows(max_rows=1)``
    (a subclass of it), but it is forwarded as the JVM's ``AddOneRow``.

    Example:
        >>> AddOneRow()
        AddOneRow(max_rows=1)
        >>> isinstance(AddOneRow(), AddMaxRows)
        True
    """

    _JAVA_CLASS = "AddOneRow"

    def __init__(self) -> None:  # pylint: disable=super-init-not-called
        """Creates the protected change (it takes no arguments)."""
        super().__init__(max_rows=1)

    def _java_arguments(self) -> Tuple[Any, ...]:
        return ()


@dataclass(frozen=True)
class AddMaxRowsInMaxGroups(ProtectedChange):
    """Protects the addition or removal of rows across a finite number of groups.

    At most ``max_rows_per_group`` rows in each of at most ``max_groups``
    groups (values of ``grouping_column``) may be added or removed.

    Args:
        grouping_column: The name of the column specifying the group.
        max_groups: The maximum number of groups that may differ.
        max_rows_per_group: The maximum number of rows which may be added to or
            removed from each group.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: ``max_groups`` or ``max_rows_per_group`` is not positive
            (raised by the JVM check).

    Example:
        >>> AddMaxRowsInMaxGroups("state", 2, 3)
        AddMaxRowsInMaxGroups(grouping_column='state', max_groups=2, max_rows_per_group=3)
    """

    _JAVA_CLASS = "AddMaxRowsInMaxGroups"

    grouping_column: str
    max_groups: int
    max_rows_per_group: int

    def __post_init__(self) -> None:
        """Checks the Python types; the JVM checks the values."""
        _java.check_type(self.grouping_column, (str,), "grouping_column")
        _java.check_int(self.max_groups, "max_groups")
        _java.check_int(self.max_rows_per_group, "max_rows_per_group")
        self._check_in_jvm()

    def _java_arguments(self) -> Tuple[Any, ...]:
        return (
            self.grouping_column,
            _java.to_java_int(self.max_groups, "max_groups"),
            _java.to_java_int(self.max_rows_per_group, "max_rows_per_group"),
        )


@dataclass(frozen=True)
class AddRowsWithID(ProtectedChange):
    """Protects the addition or removal of all rows sharing one identifier.

    Two IDs are one ID exactly when Spark groups them as one (NaN and -0.0
    normalised, nested values included); rows whose ID is null count as rows
    of one and the same ID.

    Args:
        id_column: Name of the column holding the identifier (e.g. a member id).
        id_space: Name of the identifier space; the default is Tumult's,
            ``"default_id_space"``.

    Raises:
        TypeError: ``id_column`` or ``id_space`` is not a string.
        ValueError: ``id_column`` or ``id_space`` is empty (raised by the JVM
            check).

    Example:
        >>> AddRowsWithID("member_id")
        AddRowsWithID(id_column='member_id', id_space='default_id_space')
    """

    _JAVA_CLASS = "AddRowsWithID"

    id_column: str
    id_space: str = DEFAULT_ID_SPACE

    def __post_init__(self) -> None:
        """Checks the Python types; the JVM checks the values."""
        _java.check_type(self.id_column, (str,), "id_column")
        _java.check_type(self.id_space, (str,), "id_space")
        self._check_in_jvm()

    def _java_arguments(self) -> Tuple[Any, ...]:
        return (self.id_column, self.id_space)
