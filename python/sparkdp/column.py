"""Column types and descriptors of a session's tables, as Tumult names them."""
from enum import Enum
from typing import Any, Union

__all__ = ["ColumnDescriptor", "ColumnType"]


class ColumnType(Enum):
    """The type of a table column (Tumult's ``ColumnType``)."""

    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    VARCHAR = "VARCHAR"
    DATE = "DATE"
    TIMESTAMP = "TIMESTAMP"


class ColumnDescriptor:
    """What a column may hold: its type and whether nulls, NaNs and infinities may occur."""

    def __init__(
        self,
        column_type: Union[ColumnType, str],
        allow_null: bool = False,
        allow_nan: bool = False,
        allow_inf: bool = False,
    ) -> None:
        """A descriptor.

        Args:
            column_type: A ColumnType; for a Spark type Tumult has no name for
                (booleans, arrays, ...), the Spark type's name in capitals.
            allow_null: Whether the column may hold nulls.
            allow_nan: Whether it may hold NaN.
            allow_inf: Whether it may hold infinities.
        """
        self.column_type = column_type
        self.allow_null = allow_null
        self.allow_nan = allow_nan
        self.allow_inf = allow_inf

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ColumnDescriptor) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "ColumnDescriptor(column_type={}, allow_null={}, allow_nan={}, allow_inf={})".format(
            self.column_type, self.allow_null, self.allow_nan, self.allow_inf
        )

    def _fields(self) -> tuple:
        return (self.column_type, self.allow_null, self.allow_nan, self.allow_inf)


def column_type_from_java(java_column_type: Any) -> Union[ColumnType, str]:
    """The Python ColumnType of a JVM ``sparkdp.ColumnType`` (internal)."""
    name = str(java_column_type.name())
    try:
        return ColumnType(name)
    except ValueError:
        return name


def descriptor_from_java(java_descriptor: Any) -> ColumnDescriptor:
    """The Python ColumnDescriptor of a JVM ``sparkdp.ColumnDescriptor`` (internal)."""
    return ColumnDescriptor(
        column_type_from_java(java_descriptor.columnType()),
        bool(java_descriptor.allowNull()),
        bool(java_descriptor.allowNan()),
        bool(java_descriptor.allowInf()),
    )
