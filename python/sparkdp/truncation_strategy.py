"""Strategies for truncating the two sides of a private join (Tumult's module).

``TruncationStrategy.DropExcess(max_rows)`` keeps at most ``max_rows`` rows per
join key (chosen by a keyed hash of each row, so re-evaluating a query keeps the
same rows); ``TruncationStrategy.DropNonUnique()`` drops every row whose join key
appears more than once. They are needed by :meth:`QueryBuilder.join_private`
between tables without privacy IDs; the joined table's protected change, which
follows from both sides' strategies and changes, is decided in the native core.
Python checks only the Python types; the Scala twins
(``sparkdp.TruncationStrategy.DropExcess`` ...) check the values.
"""

from dataclasses import dataclass
from typing import Any

from sparkdp import _java

__all__ = ["TruncationStrategy"]


class TruncationStrategy:
    """Strategies for performing truncation in private joins."""

    class Type:
        """Type of TruncationStrategy variants."""

        _JAVA_CLASS = ""

        def _to_java(self, jvm: Any) -> Any:
            """Builds the JVM twin (internal)."""
            raise NotImplementedError

    @dataclass(frozen=True)
    class DropExcess(Type):
        """Drop rows with matching join keys above a threshold.

        At most ``max_rows`` rows with the same join key are kept; which ones
        is decided by a keyed hash of each row, not by row order.

        Args:
            max_rows: The most rows to keep per join key, a positive int.

        Raises:
            TypeError: ``max_rows`` is not an int.
            ValueError: ``max_rows`` is not positive (raised by the JVM check).

        Example:
            >>> TruncationStrategy.DropExcess(2)
            TruncationStrategy.DropExcess(max_rows=2)
        """

        _JAVA_CLASS = "TruncationStrategy$DropExcess"

        max_rows: int

        def __post_init__(self) -> None:
            """Checks the Python type; the JVM checks the value."""
            _java.check_int(self.max_rows, "max_rows")
            _java.check_in_jvm(self._JAVA_CLASS, self._to_java)

        def _to_java(self, jvm: Any) -> Any:
            return _java.new_sparkdp_object(
                jvm, self._JAVA_CLASS, _java.to_java_int(self.max_rows, "max_rows")
            )

    @dataclass(frozen=True)
    class DropNonUnique(Type):
        """Drop all rows whose join key appears more than once.

        Example:
            >>> TruncationStrategy.DropNonUnique()
            TruncationStrategy.DropNonUnique()
        """

        _JAVA_CLASS = "TruncationStrategy$DropNonUnique"

        def _to_java(self, jvm: Any) -> Any:
            return _java.new_sparkdp_object(jvm, self._JAVA_CLASS)
