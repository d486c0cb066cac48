"""Protected changes: which changes to a private table the DP guarantee hides."""

from dataclasses import dataclass
from typing import Any

from sparkdp import _java

__all__ = ["ProtectedChange", "AddRowsWithID"]

# Tumult's default identifier space (tmlt.analytics.AddRowsWithID).
DEFAULT_ID_SPACE = "default_id_space"


class ProtectedChange:
    """Base class describing the change in a data set that is protected under DP.

    Use a subclass, e.g. :class:`AddRowsWithID`.
    """

    def _to_java(self, jvm: Any) -> Any:
        """Builds the JVM object of this protected change (internal)."""
        raise NotImplementedError


@dataclass(frozen=True)
class AddRowsWithID(ProtectedChange):
    """Protects the addition or removal of all rows sharing one identifier.

    Rows whose ID is null count as rows of one and the same ID (as Spark groups
    nulls, and as Tumult truncates them): together they contribute at most
    ``MaxRowsPerID(k)`` rows.

    Args:
        id_column: Name of the column holding the identifier (e.g. a member id).
        id_space: Name of the identifier space; the default is Tumult's,
            ``"default_id_space"``.

    Raises:
        TypeError: ``id_column`` or ``id_space`` is not a string.
        ValueError: ``id_column`` or ``id_space`` is empty.

    Example:
        >>> AddRowsWithID("member_id")
        AddRowsWithID(id_column='member_id', id_space='default_id_space')
    """

    id_column: str
    id_space: str = DEFAULT_ID_SPACE

    def __post_init__(self) -> None:
        """Validates the column and identifier-space names."""
        _java.check_type(self.id_column, (str,), "id_column")
        if self.id_column == "":
            raise ValueError("id_column must be non-empty")
        _java.check_type(self.id_space, (str,), "id_space")
        if self.id_space == "":
            raise ValueError("id_space must be non-empty")

    def _to_java(self, jvm: Any) -> Any:
        """Builds ``sparkdp.AddRowsWithID(idColumn, idSpace)`` (internal)."""
        return _java.new_sparkdp_object(
            jvm, "AddRowsWithID", self.id_column, self.id_space
        )
