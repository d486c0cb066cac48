"""Column types and descriptors of a session's tables, as Tumult names them."""
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ColumnDescriptor:
    """What a column may hold: its type and whether nulls, NaNs and infinities may occur.

    ``column_type`` is a ColumnType; for a Spark type Tumult has no name for
    (booleans, arrays, ...), the Spark type's name in capitals.
    """

    column_type: Union[ColumnType, str]
    allow_null: bool = False
    allow_nan: bool = False
    allow_inf: bool = False


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
