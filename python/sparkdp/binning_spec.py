"""A BinningSpec defines how ``QueryBuilder.bin_column`` assigns values to bins.

The bin names are decided here, in Python, by Tumult Analytics' rules (its
``_default_bin_names``: ``str`` of ints, floats with the fewest decimals from 2
that keep the edges distinct, ``repr`` of strings, ISO dates and times), so a
Tumult program gets the same names, e.g. ``"[0, 18]"`` and ``"(18, 65]"``, and
``bins()`` works before any SparkSession exists. The JVM's ``sparkdp.BinningSpec``
receives these names explicitly (its own default names are for Scala users);
the binning itself runs as a Spark expression on the JVM.
"""

import datetime
import math
from bisect import bisect_left, bisect_right
from typing import Any, List, Optional, Sequence, Tuple

from sparkdp import _java
from sparkdp.column import ColumnDescriptor, ColumnType

__all__ = ["BinningSpec"]

_COLUMN_TYPES = {
    int: ColumnType.INTEGER,
    float: ColumnType.DECIMAL,
    str: ColumnType.VARCHAR,
    datetime.date: ColumnType.DATE,
    datetime.datetime: ColumnType.TIMESTAMP,
}


def _element_type(values: Sequence[Any], what: str) -> type:
    """Tumult's ``get_element_type(values, allow_none=False)`` plus ``ColumnType(type)``."""
    types = {type(v) for v in values}
    if type(None) in types:
        raise ValueError(f"{what}: None is not allowed")
    if len(types) > 1:
        raise ValueError(
            f"{what}: list contains elements of multiple types "
            f"({','.join(t.__name__ for t in types)})"
        )
    (element_type,) = types
    if element_type not in _COLUMN_TYPES:
        raise ValueError(f"{what}: unsupported type {element_type.__name__}")
    return element_type


def _edges_as_str(bin_edges: Tuple[Any, ...]) -> Tuple[str, ...]:
    """Tumult's edge texts, decided by the first edge's type."""
    first = bin_edges[0]
    if isinstance(first, float):
        # The fewest decimals (from 2) that keep the edges apart; a double has
        # at most 17 significant digits, so more would not help.
        for precision in range(2, 17):
            texts = tuple(f"{e:.{precision}f}" for e in bin_edges)
            if len(set(texts)) == len(texts):
                return texts
        raise RuntimeError("Unable to generate distinct bin edges.")
    if isinstance(first, datetime.datetime):
        if any(e.microsecond % 1000 for e in bin_edges):
            timespec = "microseconds"
        elif any(e.microsecond for e in bin_edges):
            timespec = "milliseconds"
        elif any(e.second for e in bin_edges):
            timespec = "seconds"
        else:
            timespec = "minutes"
        return tuple(e.isoformat(sep=" ", timespec=timespec) for e in bin_edges)
    if isinstance(first, str):
        return tuple(repr(e) for e in bin_edges)
    return tuple(str(e) for e in bin_edges)


def _default_bin_names(
    bin_edges: Tuple[Any, ...], right: bool, include_both_endpoints: bool
) -> Tuple[str, ...]:
    """``[a, b]`` for a bin that holds both edges, ``(a, b]`` / ``[a, b)`` otherwise."""
    texts = _edges_as_str(bin_edges)
    count = len(texts) - 1
    names = []
    for i in range(count):
        closed_left = (not right) or (include_both_endpoints and i == 0)
        closed_right = right or (include_both_endpoints and i == count - 1)
        names.append(
            ("[" if closed_left else "(")
            + f"{texts[i]}, {texts[i + 1]}"
            + ("]" if closed_right else ")")
        )
    return tuple(names)


class BinningSpec:
    """Divides values into bins between consecutive edges (Tumult's BinningSpec).

    Values outside the edges and nulls go to null, and NaN to ``nan_bin``
    (null by default). By default each bin holds its right edge, and the first
    bin its left edge too: edges ``[0, 5, 10]`` give bins ``[0, 5]`` and
    ``(5, 10]``.

    Example:
        >>> spec = BinningSpec([0, 5, 10])
        >>> spec.bins()
        ['[0, 5]', '(5, 10]']
        >>> spec(5), spec(6), spec(11)
        ('[0, 5]', '(5, 10]', None)
    """

    def __init__(
        self,
        bin_edges: Sequence[Any],
        names: Optional[Sequence[Any]] = None,
        right: bool = True,
        include_both_endpoints: bool = True,
        nan_bin: Optional[Any] = None,
    ) -> None:
        """Makes a binning spec.

        Args:
            bin_edges: The edges, sorted ascending, all ints, floats, strings,
                dates or datetimes (at least two).
            names: One name per bin (one fewer than the edges), all of one
                type; duplicates put several ranges into one bin. None: the
                default names.
            right: Whether each bin holds its right edge (else its left).
            include_both_endpoints: Whether the outer edges of the first and
                last bins are in them.
            nan_bin: The name NaN values get (None: they go to null).

        Raises:
            TypeError: ``right`` or ``include_both_endpoints`` is not a bool.
            ValueError: fewer than two edges, edges not sorted or of mixed
                types, a wrong number of names, or a ``nan_bin`` of another
                type than the names (Tumult's messages).
        """
        if hasattr(bin_edges, "tolist"):  # a numpy array, as Tumult accepts
            bin_edges = bin_edges.tolist()
        _java.check_type(right, (bool,), "right")
        _java.check_type(include_both_endpoints, (bool,), "include_both_endpoints")
        edges = tuple(bin_edges)
        if len(edges) - 1 < 1:
            raise ValueError("At least two bin edges must be provided")
        edge_type = _element_type(edges, "Invalid bin edges")
        if not all(edges[i] < edges[i + 1] for i in range(len(edges) - 1)):
            raise ValueError(
                "Bin edges must be sorted in ascending order, with no duplicates"
            )
        if names is None:
            bin_names = _default_bin_names(edges, right, include_both_endpoints)
        else:
            if hasattr(names, "tolist"):
                names = names.tolist()
            bin_names = tuple(names)
            if len(bin_names) != len(edges) - 1:
                raise ValueError(
                    "Number of bin names must be one less than the number of bin edges"
                )
        name_type = _element_type(bin_names, "Invalid bin names")
        # type(), not isinstance: a datetime is a date.
        if nan_bin is not None and type(nan_bin) != name_type:
            raise ValueError("NaN bin name must have the same type as other bin names")
        self._bin_edges = edges
        self._names = bin_names
        self._right = right
        self._include_both_endpoints = include_both_endpoints
        self._nan_bin = nan_bin
        self._input_type = _COLUMN_TYPES[edge_type]
        all_names = list(bin_names) + ([nan_bin] if nan_bin is not None else [])
        self._column_descriptor = ColumnDescriptor(
            _COLUMN_TYPES[name_type],
            allow_null=True,
            allow_nan=any(isinstance(n, float) and math.isnan(n) for n in all_names),
            allow_inf=any(
                isinstance(n, float) and math.isinf(n) for n in all_names
            ),
        )

    @property
    def bin_edges(self) -> Tuple[Any, ...]:
        """The edges, ascending."""
        return self._bin_edges

    @property
    def names(self) -> Tuple[Any, ...]:
        """The name of each bin, in the order of the edges."""
        return self._names

    @property
    def right(self) -> bool:
        """Whether each bin holds its right edge."""
        return self._right

    @property
    def include_both_endpoints(self) -> bool:
        """Whether the outer edges are in the first and last bins."""
        return self._include_both_endpoints

    @property
    def nan_bin(self) -> Optional[Any]:
        """The name NaN values get (None: null)."""
        return self._nan_bin

    @property
    def input_type(self) -> ColumnType:
        """The ColumnType of the column this spec can bin."""
        return self._input_type

    @property
    def column_descriptor(self) -> ColumnDescriptor:
        """The ColumnDescriptor of the binned column (nulls always possible)."""
        return self._column_descriptor

    def bins(self, include_null: bool = False) -> List[Optional[Any]]:
        """Every name the binning can give, once each, then ``nan_bin``, then None when asked."""
        names = list(self._names)
        if self._nan_bin is not None:
            names.append(self._nan_bin)
        if include_null:
            names.append(None)
        return list(dict.fromkeys(names))

    def __call__(self, value: Any) -> Any:
        """The bin name of one value, as the query's binning gives it (for trying a spec out)."""
        if value is None:
            return None
        if isinstance(value, float) and math.isnan(value):
            return self._nan_bin
        edges = self._bin_edges
        if self._right:
            if self._include_both_endpoints and value == edges[0]:
                return self._names[0]
            if value <= edges[0] or value > edges[-1]:
                return None
            return self._names[bisect_left(edges, value) - 1]
        if self._include_both_endpoints and value == edges[-1]:
            return self._names[-1]
        if value < edges[0] or value >= edges[-1]:
            return None
        return self._names[bisect_right(edges, value) - 1]

    def __eq__(self, other: Any) -> bool:
        """Equal specs have the same edges, names, ``right``, endpoints and ``nan_bin``."""
        if not isinstance(other, BinningSpec):
            raise TypeError(f"Cannot compare BinningSpec with {type(other)}")
        return self._key() == other._key()

    def __hash__(self) -> int:
        """Hashes the attributes that equality compares."""
        return hash(self._key())

    def __repr__(self) -> str:
        """Tumult's repr."""
        return (
            f"BinningSpec(bin_edges={list(self._bin_edges)}, "
            f"names={self._names}, right={self._right}, "
            f"include_both_endpoints={self._include_both_endpoints}, "
            f"nan_bin={self._nan_bin})"
        )

    def _key(self) -> Tuple[Any, ...]:
        return (
            self._bin_edges,
            self._names,
            self._right,
            self._include_both_endpoints,
            self._nan_bin,
        )

    def _to_java(self, jvm: Any) -> Any:
        """The JVM ``sparkdp.BinningSpec`` with these edges and (always explicit) names (internal)."""
        return _java.new_sparkdp_object(
            jvm,
            "BinningSpec",
            [_java_value(e) for e in self._bin_edges],
            [_java_value(n) for n in self._names],
            self._right,
            self._include_both_endpoints,
            _java_value(self._nan_bin),
        )


def _java_value(value: Any) -> Any:
    """An edge or name as py4j sends it: ints as Long where they need it, floats as Double.

    py4j sends a small int as an Integer (the JVM widens it) and converts
    dates and datetimes with PySpark's converters (java.sql.Date/Timestamp).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _java.to_java_long(value, "bin edge")
    return value
