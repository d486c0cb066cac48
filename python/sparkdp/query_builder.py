"""Building differentially private queries: QueryBuilder, GroupedQueryBuilder, Query.

The builders only record what the query says. The JVM query
(``sparkdp.QueryBuilder(sourceId).enforce(...)[.groupBy(keyset)].<aggregation>(...)``)
is built when :meth:`sparkdp.Session.evaluate` forwards it, so a query can be
written before any SparkSession exists, as with Tumult Analytics.

Python checks only Python types (TypeError, as Tumult's type checks); every
value check (columns, bounds, quantile, mechanism under a budget) is the JVM's
and the native core's, with Tumult's messages, when the query is evaluated.
"""

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from pyspark.sql import DataFrame

from sparkdp import _java
from sparkdp._mechanism import (
    AverageMechanism,
    CountDistinctMechanism,
    CountMechanism,
    MechanismArgument,
    StdevMechanism,
    SumMechanism,
    VarianceMechanism,
    mechanism_name,
)
from sparkdp.binning_spec import BinningSpec
from sparkdp.column import ColumnDescriptor, ColumnType
from sparkdp.constraints import Constraint
from sparkdp.keyset import KeySet
from sparkdp.truncation_strategy import TruncationStrategy

__all__ = [
    "AverageMechanism",
    "CountDistinctMechanism",
    "CountMechanism",
    "GroupbyCountQuery",
    "GroupedQueryBuilder",
    "Query",
    "QueryBuilder",
    "StdevMechanism",
    "SumMechanism",
    "VarianceMechanism",
]

Bound = Union[int, float]


@dataclass(frozen=True)
class _Aggregation:
    """The JVM builder call that finishes a query (internal).

    ``method`` is the Scala builder method (e.g. ``"sum"``) and ``arguments``
    its py4j arguments, already converted (a tuple stands for a
    ``java.util.List``; tuples keep the query hashable).
    """

    method: str
    arguments: Tuple[Any, ...]

    def java_arguments(self) -> List[Any]:
        """The arguments as py4j passes them (tuples as lists -> ``java.util.List``)."""
        return [list(a) if isinstance(a, tuple) else a for a in self.arguments]


@dataclass(frozen=True)
class _Step:
    """One JVM ``QueryBuilder`` call of a query's transformation part (internal).

    ``method`` is the Scala builder method (e.g. ``"enforce"``, ``"filter"``)
    and ``arguments`` its arguments as Python values: one with a
    ``_to_java(jvm)`` method (a constraint, a protected change, a function
    wrapper) is converted by it, a tuple becomes a ``java.util.List``, anything
    else goes to py4j as it is. Steps are replayed in order by
    :meth:`Query._to_java`.
    """

    method: str
    arguments: Tuple[Any, ...]

    def java_arguments(self, jvm: Any) -> List[Any]:
        """The arguments as py4j passes them."""
        return [_java_argument(jvm, a) for a in self.arguments]


def _java_argument(jvm: Any, argument: Any) -> Any:
    if hasattr(argument, "_to_java"):
        return argument._to_java(jvm)
    if isinstance(argument, tuple):
        return [_java_argument(jvm, a) for a in argument]
    return argument


class _PublicDataFrame:
    """A public DataFrame as a join step's argument (internal): py4j gets its JVM twin."""

    def __init__(self, dataframe: DataFrame) -> None:
        self._dataframe = dataframe

    def _to_java(self, jvm: Any) -> Any:  # pylint: disable=unused-argument
        return _java.to_java_dataframe(self._dataframe)


@dataclass(frozen=True)
class _BuilderSnapshot:
    """The right operand of ``join_private`` as it was when joined (internal).

    ``QueryBuilder`` methods change the builder in place, so the join keeps its
    own copy of the steps; the JVM builder is rebuilt from them.
    """

    source_id: str
    steps: Tuple[_Step, ...]

    def _to_java(self, jvm: Any) -> Any:
        java_builder = _java.new_sparkdp_object(jvm, "QueryBuilder", self.source_id)
        for step in self.steps:
            java_builder = _java.call_java(
                getattr(java_builder, step.method), *step.java_arguments(jvm)
            )
        return java_builder


def _join_columns(join_columns: Optional[Sequence[str]]) -> Tuple[str, ...]:
    """The py4j form of join columns: an empty tuple means None (every common column)."""
    if join_columns is None:
        return ()
    if isinstance(join_columns, str) or not all(
        isinstance(column, str) for column in join_columns
    ):
        raise TypeError(
            "join_columns must be a list of column names (str), not {!r}".format(
                join_columns
            )
        )
    if len(join_columns) == 0:
        # Tumult's JoinPublic/JoinPrivate refuse it; an empty list is None on the JVM side.
        raise ValueError("Provided join columns must not be empty")
    return tuple(join_columns)


def _checked_str(value: Any, parameter_name: str) -> str:
    _java.check_type(value, (str,), parameter_name)
    return value


@dataclass(frozen=True)
class Query:
    """A complete query, ready for :meth:`sparkdp.Session.evaluate`.

    Do not construct one directly; finish a :class:`QueryBuilder` chain instead,
    e.g. ``QueryBuilder("checkouts").groupby(keyset).sum("price", 0, 100)`` or
    ``QueryBuilder("checkouts").count()``.
    """

    # Private, as Tumult's Query keeps its query expression private: the
    # builder chain that Session.evaluate replays on the JVM.
    _source_id: str
    _steps: Tuple[_Step, ...]
    _keyset: Optional[KeySet]
    _aggregation: _Aggregation
    _suppress_threshold: Optional[float] = None

    def _to_java(self, jvm: Any) -> Any:
        """Builds the JVM ``sparkdp.Query`` (internal).

        Args:
            jvm: The py4j JVM view of the session's SparkSession.

        Returns:
            ``QueryBuilder(sourceId).enforce(c)...[.groupBy(keyset)]
            .<aggregation>(...)[.suppress(threshold)]``; no keyset is the
            ungrouped query (one row), or ``getGroups``.
        """
        java_builder = _java.new_sparkdp_object(jvm, "QueryBuilder", self._source_id)
        for step in self._steps:
            java_builder = _java.call_java(
                getattr(java_builder, step.method), *step.java_arguments(jvm)
            )
        if self._keyset is not None:
            java_builder = _java.call_java(java_builder.groupBy, self._keyset._to_java())
        java_query = _java.call_java(
            getattr(java_builder, self._aggregation.method),
            *self._aggregation.java_arguments()
        )
        if self._suppress_threshold is not None:
            java_query = _java.call_java(java_query.suppress, self._suppress_threshold)
        return java_query


@dataclass(frozen=True)
class GroupbyCountQuery(Query):
    """A count query, which can also drop its small counts (Tumult's class).

    Do not construct one directly; call ``count()`` on a builder.
    """

    def suppress(self, threshold: Union[int, float]) -> Query:
        """Returns this query with its rows whose noisy count is below ``threshold`` dropped.

        A post-processing step: it spends no budget of its own.

        Args:
            threshold: Rows whose count is less than this are dropped.

        Returns:
            The query, to pass to :meth:`sparkdp.Session.evaluate`.

        Raises:
            TypeError: ``threshold`` is neither an int nor a float.
            ValueError: ``threshold`` is too large for a double.
        """
        _java.check_number(threshold, "threshold")
        return Query(
            self._source_id,
            self._steps,
            self._keyset,
            self._aggregation,
            _java.to_java_double(threshold, "threshold"),
        )


def _check_name(name: Optional[str]) -> None:
    if name is not None:
        _java.check_type(name, (str,), "name")


def _column_list(columns: Optional[Union[List[str], str]]) -> Tuple[str, ...]:
    """Tumult's ``columns`` argument (None, one name or a list of names) as a tuple."""
    if columns is None:
        return ()
    if isinstance(columns, str):
        return (columns,)
    _java.check_type(columns, (list, tuple), "columns")
    for column in columns:
        _java.check_type(column, (str,), "columns")
    return tuple(columns)


@dataclass(frozen=True)
class _JavaMap:
    """A mapping argument of a :class:`_Step`, kept hashable (internal).

    ``_to_java`` gives a dict, which py4j passes as a ``java.util.Map``; a
    tuple value becomes a list (``java.util.List``).
    """

    items: Tuple[Tuple[str, Any], ...]

    @classmethod
    def of(cls, mapping: Mapping[str, Any]) -> "_JavaMap":
        return cls(tuple(mapping.items()))

    def _to_java(self, jvm: Any) -> Any:
        return {key: _java_argument(jvm, value) for key, value in self.items}


def _check_mapping(value: Any, parameter_name: str) -> None:
    if not isinstance(value, Mapping):
        raise TypeError(
            'argument "{}" ({}) is not a mapping'.format(parameter_name, type(value).__name__)
        )


def _java_scalar(value: Any) -> Any:
    """A replacement value as py4j sends it (an int beyond a JVM Long is refused)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _java.to_java_long(value, "replace_with")
    return value


def _java_bounds(low: Bound, high: Bound) -> Tuple[Bound, Bound]:
    """The clamping bounds as the JVM overloads take them.

    Two ints (not bools) go as two ``Long`` s, so an integer column keeps
    exact integer bounds; otherwise both go as ``Double`` s, as Tumult turns a
    mixed pair into floats. Whether the bounds are valid (finite, low < high)
    is the native core's to say.
    """
    _java.check_number(low, "low")
    _java.check_number(high, "high")
    both_int = all(
        isinstance(bound, int) and not isinstance(bound, bool) for bound in (low, high)
    )
    if both_int:
        return _java.to_java_long(low, "low"), _java.to_java_long(high, "high")
    return _java.to_java_double(low, "low"), _java.to_java_double(high, "high")


def _quantile_aggregation(
    column: str, quantile: Bound, low: Bound, high: Bound, name: Optional[str]
) -> _Aggregation:
    _java.check_type(column, (str,), "column")
    _java.check_number(quantile, "quantile")
    _check_name(name)
    java_low, java_high = _java_bounds(low, high)
    if name is None:
        # Tumult's default name formats the quantile as the user wrote it
        # ("B_quantile(1)", "B_quantile(1e-05)"): only Python knows that text.
        name = "{}_quantile({})".format(column, quantile)
    return _Aggregation(
        "quantile",
        (column, _java.to_java_double(quantile, "quantile"), java_low, java_high, name),
    )


def _named_quantile_aggregation(
    method: str, column: str, low: Bound, high: Bound, name: Optional[str]
) -> _Aggregation:
    """median / min / max: the JVM maps them to their quantile and default names."""
    _java.check_type(column, (str,), "column")
    _check_name(name)
    java_low, java_high = _java_bounds(low, high)
    # Tumult: an empty name also means the default (`if not name`).
    return _Aggregation(method, (column, java_low, java_high, name or None))


def _bounded_aggregation(
    method: str,
    column: str,
    low: Bound,
    high: Bound,
    name: Optional[str],
    mechanism: MechanismArgument,
    mechanism_class: type,
) -> _Aggregation:
    """sum / average / variance / stdev: column, bounds, name, mechanism."""
    _java.check_type(column, (str,), "column")
    _check_name(name)
    java_low, java_high = _java_bounds(low, high)
    return _Aggregation(
        method,
        (column, java_low, java_high, name, mechanism_name(mechanism, mechanism_class)),
    )


class _Aggregations:
    """The aggregations of QueryBuilder (one row) and GroupedQueryBuilder (one row per key).

    Tumult's signatures, argument names, defaults and order. Subclasses say how
    a finished aggregation becomes a query (:meth:`_query`).
    """

    def _query(self, aggregation: _Aggregation) -> Query:
        raise NotImplementedError

    def count(
        self,
        name: Optional[str] = None,
        mechanism: Union[CountMechanism, str] = CountMechanism.DEFAULT,
    ) -> "GroupbyCountQuery":
        """Counts the rows (per key of the KeySet when grouped), with noise.

        Grouped, every key of the KeySet appears in the output exactly once
        (with a noisy zero where no row has that key) and no other key appears.
        Grouped or not, the query is a :class:`GroupbyCountQuery` (as
        Tumult's), which can ``suppress`` small counts.

        Args:
            name: Name of the count column; None uses the default, ``count``.
            mechanism: The noise mechanism, a :class:`CountMechanism` or its
                name (case-insensitive), as in Tumult.

        Returns:
            The query, to pass to :meth:`sparkdp.Session.evaluate` (or to
            ``suppress`` first).

        Raises:
            TypeError: ``name`` is not a string, or ``mechanism`` neither a
                CountMechanism nor a string.
            ValueError: ``mechanism`` is an unknown name (Tumult's message;
                checked by the JVM).
        """
        _check_name(name)
        query = self._query(
            _Aggregation("count", (name, mechanism_name(mechanism, CountMechanism)))
        )
        return GroupbyCountQuery(
            query._source_id, query._steps, query._keyset, query._aggregation
        )

    def count_distinct(
        self,
        columns: Optional[Union[List[str], str]] = None,
        name: Optional[str] = None,
        mechanism: Union[CountDistinctMechanism, str] = CountDistinctMechanism.DEFAULT,
    ) -> Query:
        """Counts the distinct rows, or distinct values of ``columns``, with noise.

        Args:
            columns: The columns whose distinct value combinations are counted
                (one name or a list); None or empty: whole rows.
            name: Name of the output column; None or empty uses Tumult's
                default, ``count_distinct`` or ``count_distinct(A, B)``.
            mechanism: A :class:`CountDistinctMechanism` or its name.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
            ValueError: ``mechanism`` is an unknown name.
        """
        column_tuple = _column_list(columns)
        _check_name(name)
        return self._query(
            _Aggregation(
                "countDistinct",
                (
                    column_tuple,
                    name or None,
                    mechanism_name(mechanism, CountDistinctMechanism),
                ),
            )
        )

    def quantile(
        self,
        column: str,
        quantile: float,
        low: float,
        high: float,
        name: Optional[str] = None,
    ) -> Query:
        """The ``quantile`` of ``column`` clamped to [low, high], with DP.

        Nulls and NaNs of the column are dropped first; infinite values are
        clamped to the bounds.

        Args:
            column: The numeric column.
            quantile: Between 0 and 1 (0.5 is the median); checked when evaluated.
            low: The lower clamping bound (int or float).
            high: The upper clamping bound, more than ``low``.
            name: Name of the output column; None uses Tumult's default,
                ``f"{column}_quantile({quantile})"``.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
        """
        return self._query(_quantile_aggregation(column, quantile, low, high, name))

    def min(
        self, column: str, low: float, high: float, name: Optional[str] = None
    ) -> Query:
        """The minimum of ``column`` clamped to [low, high] (the 0 quantile), with DP.

        Args:
            column: The numeric column.
            low: The lower clamping bound (int or float).
            high: The upper clamping bound, more than ``low``.
            name: Name of the output column; None or empty: ``f"{column}_min"``.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
        """
        return self._query(_named_quantile_aggregation("min", column, low, high, name))

    def max(
        self, column: str, low: float, high: float, name: Optional[str] = None
    ) -> Query:
        """The maximum of ``column`` clamped to [low, high] (the 1 quantile), with DP.

        Args:
            column: The numeric column.
            low: The lower clamping bound (int or float).
            high: The upper clamping bound, more than ``low``.
            name: Name of the output column; None or empty: ``f"{column}_max"``.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
        """
        return self._query(_named_quantile_aggregation("max", column, low, high, name))

    def median(
        self, column: str, low: float, high: float, name: Optional[str] = None
    ) -> Query:
        """The median of ``column`` clamped to [low, high] (the 0.5 quantile), with DP.

        Args:
            column: The numeric column.
            low: The lower clamping bound (int or float).
            high: The upper clamping bound, more than ``low``.
            name: Name of the output column; None or empty: ``f"{column}_median"``.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
        """
        return self._query(
            _named_quantile_aggregation("median", column, low, high, name)
        )

    def sum(
        self,
        column: str,
        low: float,
        high: float,
        name: Optional[str] = None,
        mechanism: Union[SumMechanism, str] = SumMechanism.DEFAULT,
    ) -> Query:
        """The sum of ``column`` with each value clamped to [low, high], with noise.

        Nulls and NaNs of the column are dropped first. The output is a bigint
        for an integer column, a double for a float column.

        Args:
            column: The numeric column.
            low: The lower clamping bound (int or float).
            high: The upper clamping bound, more than ``low``.
            name: Name of the output column; None: ``f"{column}_sum"``.
            mechanism: A :class:`SumMechanism` or its name.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
            ValueError: ``mechanism`` is an unknown name.
        """
        return self._query(
            _bounded_aggregation("sum", column, low, high, name, mechanism, SumMechanism)
        )

    def average(
        self,
        column: str,
        low: float,
        high: float,
        name: Optional[str] = None,
        mechanism: Union[AverageMechanism, str] = AverageMechanism.DEFAULT,
    ) -> Query:
        """The average of ``column`` with each value clamped to [low, high], with noise.

        Args:
            column: The numeric column.
            low: The lower clamping bound (int or float).
            high: The upper clamping bound, more than ``low``.
            name: Name of the output column; None: ``f"{column}_average"``.
            mechanism: An :class:`AverageMechanism` or its name.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
            ValueError: ``mechanism`` is an unknown name.
        """
        return self._query(
            _bounded_aggregation(
                "average", column, low, high, name, mechanism, AverageMechanism
            )
        )

    def variance(
        self,
        column: str,
        low: float,
        high: float,
        name: Optional[str] = None,
        mechanism: Union[VarianceMechanism, str] = VarianceMechanism.DEFAULT,
    ) -> Query:
        """The variance of ``column`` with each value clamped to [low, high], with noise.

        Args:
            column: The numeric column.
            low: The lower clamping bound (int or float).
            high: The upper clamping bound, more than ``low``.
            name: Name of the output column; None: ``f"{column}_variance"``.
            mechanism: A :class:`VarianceMechanism` or its name.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
            ValueError: ``mechanism`` is an unknown name.
        """
        return self._query(
            _bounded_aggregation(
                "variance", column, low, high, name, mechanism, VarianceMechanism
            )
        )

    def stdev(
        self,
        column: str,
        low: float,
        high: float,
        name: Optional[str] = None,
        mechanism: Union[StdevMechanism, str] = StdevMechanism.DEFAULT,
    ) -> Query:
        """The standard deviation of ``column`` clamped to [low, high], with noise.

        Args:
            column: The numeric column.
            low: The lower clamping bound (int or float).
            high: The upper clamping bound, more than ``low``.
            name: Name of the output column; None: ``f"{column}_stdev"``.
            mechanism: A :class:`StdevMechanism` or its name.

        Returns:
            The query.

        Raises:
            TypeError: an argument has the wrong Python type.
            ValueError: ``mechanism`` is an unknown name.
        """
        return self._query(
            _bounded_aggregation(
                "stdev", column, low, high, name, mechanism, StdevMechanism
            )
        )

    def get_bounds(
        self,
        column: str,
        lower_bound_column: Optional[str] = None,
        upper_bound_column: Optional[str] = None,
    ) -> Query:
        """Approximate lower and upper bounds of ``column``, with DP (Tumult's ``get_bounds``).

        The bounds are (-2**i, 2**i) for the noisy smallest i such that about
        95% of the values v have abs(v) <= 2**i: good clamping bounds for
        other aggregations, not a tight description of the data. Null, NaN
        and infinite values are left out.

        Args:
            column: The numeric column.
            lower_bound_column: Name of the lower bound's column; None:
                ``f"{column}_lower_bound"``.
            upper_bound_column: Name of the upper bound's column; None:
                ``f"{column}_upper_bound"``.

        Returns:
            The query; its columns are integers for an integer column and
            floats for a float column.

        Raises:
            TypeError: an argument has the wrong Python type.
        """
        _java.check_type(column, (str,), "column")
        if lower_bound_column is not None:
            _java.check_type(lower_bound_column, (str,), "lower_bound_column")
        if upper_bound_column is not None:
            _java.check_type(upper_bound_column, (str,), "upper_bound_column")
        return self._query(
            _Aggregation(
                "getBounds", (column, lower_bound_column, upper_bound_column)
            )
        )


class GroupedQueryBuilder(_Aggregations):
    """A query grouped by a KeySet, waiting for its aggregation.

    Do not construct one directly; call :meth:`QueryBuilder.groupby`. Each
    aggregation gives exactly one row per key of the KeySet.
    """

    def __init__(
        self, source_id: str, steps: Tuple[_Step, ...], keyset: KeySet
    ) -> None:
        """Records the grouping (internal; use ``QueryBuilder.groupby``).

        Args:
            source_id: The private table the query reads.
            steps: The transformations and constraints before grouping, in order.
            keyset: The group keys.
        """
        self._source_id = source_id
        self._steps = steps
        self._keyset = keyset

    def _query(self, aggregation: _Aggregation) -> Query:
        return Query(self._source_id, self._steps, self._keyset, aggregation)


class QueryBuilder(_Aggregations):
    """High-level interface for specifying DP queries on one private table.

    As in Tumult Analytics, transformation methods (``enforce``) update this
    builder and return it, so calls chain; an aggregation here (``count``,
    ``sum``, ...) answers with one row, as Tumult's ungrouped aggregations.
    The seed query reads:

    Example:
        >>> from sparkdp import MaxRowsPerID, QueryBuilder
        >>> builder = QueryBuilder("checkouts").enforce(MaxRowsPerID(20))
        >>> builder.source_id
        'checkouts'

    and then ``builder.groupby(keyset).count()`` gives the query to evaluate.
    """

    def __init__(self, source_id: str) -> None:
        """Starts a query on a private table.

        Args:
            source_id: The ``source_id`` the table was given in
                :meth:`sparkdp.Session.from_dataframe`.

        Raises:
            TypeError: ``source_id`` is not a string.
        """
        _java.check_type(source_id, (str,), "source_id")
        self._source_id = source_id
        self._steps = []  # type: List[_Step]

    @property
    def source_id(self) -> str:
        """The private table this query reads."""
        return self._source_id

    def _query(self, aggregation: _Aggregation) -> Query:
        return Query(self._source_id, tuple(self._steps), None, aggregation)

    def enforce(self, constraint: Constraint) -> "QueryBuilder":
        """Enforces a constraint on the table, e.g. ``MaxRowsPerID(20)``.

        Args:
            constraint: The constraint, e.g. :class:`~sparkdp.MaxRowsPerID`.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: ``constraint`` is not a Constraint.
        """
        _java.check_type(constraint, (Constraint,), "constraint")
        return self._add_step("enforce", constraint)

    def _add_step(self, method: str, *arguments: Any) -> "QueryBuilder":
        """Records one JVM builder call (see :class:`_Step`) and returns this builder."""
        self._steps.append(_Step(method, tuple(arguments)))
        return self

    # ---- Row-wise transformations (issue 10): filter, select, rename, null/NaN/infinity handling,
    # bin_column, histogram. Each records a _Step with _add_step.
    # Each keeps the table's protected change; the JVM checks the columns, with
    # Tumult's messages, when the query is evaluated and before any data is read.

    def filter(self, condition: str) -> "QueryBuilder":
        """Keeps the rows for which a Spark SQL condition holds.

        Example: ``QueryBuilder("checkouts").filter("year >= 2020 AND genre IS NOT NULL")``

        Args:
            condition: A Spark SQL boolean expression, as in a ``WHERE`` clause.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: ``condition`` is not a string.
        """
        _java.check_type(condition, (str,), "condition")
        return self._add_step("filter", condition)

    def select(self, columns: Union[Sequence[str], str]) -> "QueryBuilder":
        """Keeps only the given columns, in that order.

        The ID column of an ``AddRowsWithID`` table (and the grouping column of
        ``AddMaxRowsInMaxGroups``) must be kept.

        Args:
            columns: One column name or a list of them.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: ``columns`` is not a string or a list of strings.
        """
        _java.check_type(columns, (str, list, tuple), "columns")
        return self._add_step("select", _column_list(columns))

    def rename(self, column_mapper: Mapping[str, str]) -> "QueryBuilder":
        """Renames columns; columns not in the mapping keep their names.

        The ID column, a protected grouping column and the grouping columns of
        constraints follow the rename.

        Args:
            column_mapper: Old column name -> new column name.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: ``column_mapper`` is not a mapping of strings to strings.
        """
        _check_mapping(column_mapper, "column_mapper")
        for old, new in column_mapper.items():
            _java.check_type(old, (str,), "column_mapper")
            _java.check_type(new, (str,), "column_mapper")
        return self._add_step("rename", _JavaMap.of(column_mapper))

    def replace_null_and_nan(
        self, replace_with: Optional[Mapping[str, Any]] = None
    ) -> "QueryBuilder":
        """Replaces null and NaN values in the given columns.

        With no mapping (None or empty), every column that may hold nulls or
        NaNs, except the ID and protected grouping columns, gets Tumult's
        default: 0, 0.0, "", the date 1970-01-01 or the epoch timestamp.

        Args:
            replace_with: Column name -> replacement value (an int, float, str,
                date or datetime of the column's type).

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: ``replace_with`` is not a mapping with string keys.
        """
        if replace_with is None:
            replace_with = {}
        _check_mapping(replace_with, "replace_with")
        for column in replace_with:
            _java.check_type(column, (str,), "replace_with")
        values = {column: _java_scalar(value) for column, value in replace_with.items()}
        return self._add_step("replaceNullAndNan", _JavaMap.of(values))

    def replace_infinity(
        self, replace_with: Optional[Mapping[str, Tuple[float, float]]] = None
    ) -> "QueryBuilder":
        """Replaces -inf and +inf in the given floating-point columns.

        With no mapping (None or empty), every DECIMAL column (except the ID and
        protected grouping columns) gets 0.0 for both.

        Args:
            replace_with: Column name -> (value for -inf, value for +inf).

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: ``replace_with`` is not a mapping of strings to pairs of
                numbers.
            ValueError: a replacement value is None (Tumult's message).
        """
        if replace_with is None:
            replace_with = {}
        _check_mapping(replace_with, "replace_with")
        pairs = {}
        for column, pair in replace_with.items():
            _java.check_type(column, (str,), "replace_with")
            _java.check_type(pair, (tuple, list), "replace_with")
            if len(pair) != 2:
                raise TypeError(
                    "replace_with['{}'] must be a pair (low, high), not {!r}".format(column, pair)
                )
            for which, value in zip(("lower", "upper"), pair):
                if value is None:
                    raise ValueError(
                        f"Invalid {which} replacement value None for column '{column}'"
                    )
                _java.check_number(value, "replace_with")
            pairs[column] = (
                _java.to_java_double(pair[0], "replace_with"),
                _java.to_java_double(pair[1], "replace_with"),
            )
        return self._add_step("replaceInfinity", _JavaMap.of(pairs))

    def drop_null_and_nan(
        self, columns: Optional[Union[List[str], str]] = None
    ) -> "QueryBuilder":
        """Drops the rows with a null or NaN in one of the given columns.

        Args:
            columns: One name or a list; None or empty: every column (except the
                ID and protected grouping columns).

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: ``columns`` is not None, a string or a list of strings.
        """
        return self._add_step("dropNullAndNan", _column_list(columns))

    def drop_infinity(
        self, columns: Optional[Union[List[str], str]] = None
    ) -> "QueryBuilder":
        """Drops the rows with -inf or +inf in one of the given columns.

        Args:
            columns: One name or a list; None or empty: every DECIMAL column
                (except the ID and protected grouping columns).

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: ``columns`` is not None, a string or a list of strings.
        """
        return self._add_step("dropInfinity", _column_list(columns))

    def bin_column(
        self, column: str, spec: BinningSpec, name: Optional[str] = None
    ) -> "QueryBuilder":
        """Adds a column holding the bin of each value of ``column``.

        Example: ``QueryBuilder("members").bin_column("age", BinningSpec([0, 18, 65]))``
        adds ``age_binned`` with the values ``"[0, 18]"``, ``"(18, 65]"`` or null.

        Args:
            column: The column whose values are binned.
            spec: The :class:`~sparkdp.BinningSpec`.
            name: The new column's name; None: ``<column>_binned``.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: an argument has the wrong type.
        """
        _java.check_type(column, (str,), "column")
        _java.check_type(spec, (BinningSpec,), "spec")
        if name is None:
            name = f"{column}_binned"
        _java.check_type(name, (str,), "name")
        return self._add_step("binColumn", column, spec, name)

    def histogram(
        self,
        column: str,
        bin_edges: Union[Sequence[Any], BinningSpec],
        name: Optional[str] = None,
    ) -> Query:
        """A count of the rows per bin of ``column`` (Tumult's ``histogram``).

        The same as ``bin_column(column, spec, name)`` followed by
        ``groupby(KeySet.from_dict({name: spec.bins()})).count()``; builds the
        KeySet, so uses the active SparkSession.

        Args:
            column: The column whose values are binned.
            bin_edges: A :class:`~sparkdp.BinningSpec`, or its edges.
            name: The bin column's name; None or empty: ``<column>_binned``.

        Returns:
            The count query (columns ``name`` and ``count``).

        Raises:
            TypeError: an argument has the wrong type.
            ValueError: the edges do not make a BinningSpec.
        """
        _java.check_type(column, (str,), "column")
        spec = bin_edges if isinstance(bin_edges, BinningSpec) else BinningSpec(bin_edges)
        if not name:
            name = column + "_binned"
        keys = KeySet.from_dict({name: spec.bins()})
        return self.bin_column(column, spec, name).groupby(keys).count()

    # ---- Map family (issue 10): map, flat_map, flat_map_by_id.

    def map(
        self,
        f: Callable[[Dict[str, Any]], Dict[str, Any]],
        new_column_types: Mapping[str, Union[ColumnDescriptor, ColumnType]],
        augment: bool = False,
    ) -> "QueryBuilder":
        """Applies a function to each row (Tumult's ``map``).

        ``f`` gets the row as a dict (column name -> value) and returns a dict
        of the new columns, typed by ``new_column_types``; it runs in Spark's
        Python workers on the executors, as a UDF. A column given a bare
        ColumnType may hold null (and a DECIMAL one NaN and infinity); every
        new column may hold null, as in Tumult.

        Args:
            f: The function of one row; deterministic, without side effects.
            new_column_types: New column name -> ColumnDescriptor (preferred)
                or ColumnType, in the order of the output.
            augment: If True, the new columns are added to the row's columns;
                otherwise they replace them (tables with an ID column or a
                grouping column need True).

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: An argument has the wrong Python type.
        """
        columns = _new_columns(f, new_column_types)
        _java.check_type(augment, (bool,), "augment")
        return self._add_step("map", _UdfFunction("map", f, columns), *columns.java_arguments(), augment)

    def flat_map(
        self,
        f: Callable[[Dict[str, Any]], List[Dict[str, Any]]],
        new_column_types: Mapping[str, Union[ColumnDescriptor, ColumnType]],
        augment: bool = False,
        grouping: bool = False,
        max_rows: Optional[int] = None,
    ) -> "QueryBuilder":
        """Replaces each row by the rows a function gives for it (Tumult's ``flat_map``).

        ``f`` gets the row as a dict and returns a list of dicts of the new
        columns; only the first ``max_rows`` are kept. ``max_rows`` is required
        unless the table has the AddRowsWithID protected change, where it is
        ignored. With ``grouping``, ``f`` makes exactly one new column whose
        values must be distinct per input row (repeats are dropped), and
        group-bys on it get less noise. ``f`` runs in Spark's Python workers.

        Args:
            f: The function of one row; deterministic, without side effects.
            new_column_types: New column name -> ColumnDescriptor or ColumnType.
            augment: If True, the new columns are added to the row's columns.
            grouping: Whether the one new column is a grouping column.
            max_rows: The most rows kept from each ``f(row)``.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: An argument has the wrong Python type.
            ValueError: ``grouping`` with other than one new column (Tumult's
                message).
        """
        columns = _new_columns(f, new_column_types)
        _java.check_type(augment, (bool,), "augment")
        _java.check_type(grouping, (bool,), "grouping")
        if max_rows is not None:
            _java.check_int(max_rows, "max_rows")
            max_rows = _java.to_java_int(max_rows, "max_rows")
        if grouping and len(columns.names) != 1:
            raise ValueError(
                "new_column_types contains {} columns, grouping flat map can only "
                "result in 1 new column".format(len(columns.names))
            )
        return self._add_step(
            "flatMap", _UdfFunction("flat_map", f, columns), *columns.java_arguments(),
            augment, grouping, max_rows
        )

    def flat_map_by_id(
        self,
        f: Callable[[List[Dict[str, Any]]], List[Dict[str, Any]]],
        new_column_types: Mapping[str, Union[ColumnDescriptor, ColumnType]],
    ) -> "QueryBuilder":
        """Replaces the rows of each ID by the rows a function gives for all of them.

        Tumult's ``flat_map_by_id``, only for tables with the AddRowsWithID
        protected change: ``f`` gets the list of an ID's rows (dicts) and
        returns a list of dicts of the new columns; each output row gets the
        ID back. The output has the ID column and the new columns. The rows
        are grouped by ID in Spark (``collect_list``) and ``f`` runs in Spark's
        Python workers.

        Args:
            f: The function of one ID's rows; deterministic, without side
                effects.
            new_column_types: New column name -> ColumnDescriptor or ColumnType;
                must not include the ID column.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: An argument has the wrong Python type.
        """
        columns = _new_columns(f, new_column_types)
        return self._add_step(
            "flatMapByID", _UdfFunction("flat_map_by_id", f, columns), *columns.java_arguments()
        )

    # ---- Joins (issue 10): join_public, join_private.

    def join_public(
        self,
        public_table: Union[DataFrame, str],
        join_columns: Optional[Sequence[str]] = None,
        how: str = "inner",
    ) -> "QueryBuilder":
        """Joins the table with a public table (Tumult's ``join_public``).

        The output has the join columns, then this table's other columns,
        then the public table's; a column in both tables that is not a join
        column gets the suffix ``_left`` / ``_right``. Null join keys match
        each other. A join multiplies how much one protected row can change
        the table by the public table's largest number of rows per join key;
        the native core decides the resulting protected change.

        Args:
            public_table: A DataFrame, or the ``source_id`` of a public table
                of the session.
            join_columns: The columns to join on; None: every common column.
            how: ``"inner"`` or ``"left"``.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: an argument has the wrong Python type.
            ValueError: ``join_columns`` is empty; at evaluation, an unknown
                public table, a join column missing from either table or of
                different types, or an invalid ``how``.
        """
        if not isinstance(public_table, str):
            public_table = _PublicDataFrame(
                _java.require_dataframe(public_table, "public_table")
            )
        return self._add_step(
            "joinPublic",
            public_table,
            _join_columns(join_columns),
            _checked_str(how, "how"),
        )

    def join_private(
        self,
        right_operand: "QueryBuilder",
        left_truncation_strategy: Optional[TruncationStrategy.Type] = None,
        right_truncation_strategy: Optional[TruncationStrategy.Type] = None,
        join_columns: Optional[Sequence[str]] = None,
    ) -> "QueryBuilder":
        """Joins the table with the table of another query (Tumult's ``join_private``).

        Two tables protected by :class:`~sparkdp.AddRowsWithID` in one ID space
        join on (at least) their ID column, without truncation; two tables
        without IDs need a truncation strategy for each side. Column order and
        suffixes as :meth:`join_public`'s.

        Args:
            right_operand: A QueryBuilder on another (or the same) private table;
                its transformations so far are part of the join.
            left_truncation_strategy: How this table is truncated per join key.
            right_truncation_strategy: How the right table is truncated.
            join_columns: The columns to join on; None: every common column.

        Returns:
            This builder, for chaining.

        Raises:
            TypeError: an argument has the wrong Python type.
            ValueError: ``join_columns`` is empty; at evaluation, tables in
                different ID spaces, missing truncation strategies, a join column
                missing from either table or of different types.
        """
        _java.check_type(right_operand, (QueryBuilder,), "right_operand")
        for strategy, name in (
            (left_truncation_strategy, "left_truncation_strategy"),
            (right_truncation_strategy, "right_truncation_strategy"),
        ):
            if strategy is not None:
                _java.check_type(strategy, (TruncationStrategy.Type,), name)
        return self._add_step(
            "joinPrivate",
            _BuilderSnapshot(right_operand.source_id, tuple(right_operand._steps)),
            left_truncation_strategy,
            right_truncation_strategy,
            _join_columns(join_columns),
        )

    def groupby(self, by: KeySet) -> GroupedQueryBuilder:
        """Groups the table by the keys of a KeySet.

        Args:
            by: The KeySet of public group keys.

        Returns:
            A GroupedQueryBuilder, whose aggregations finish the query.

        Raises:
            ValueError: ``by`` is not a KeySet (Tumult's message: grouping by
                column names needs automatic partition selection, which neither
                Tumult by default nor sparkdp does).
        """
        if not isinstance(by, KeySet):
            raise ValueError("A groupby must group on a KeySet. Set `by` to a KeySet")
        return GroupedQueryBuilder(self._source_id, tuple(self._steps), by)

    def get_groups(self, columns: Optional[Union[List[str], str]] = None) -> Query:
        """The combinations of values of ``columns`` that many rows have, with DP.

        A key is released only if its noisy count passes a threshold the
        native core sets from the budget, so rare keys (and, on small data,
        all keys) are left out. The output has the columns only.

        Args:
            columns: One name or a list; None or empty: every column of the
                table except a privacy ID column.

        Returns:
            The query.

        Raises:
            TypeError: ``columns`` is not None, a string or a list of strings.
        """
        return self._query(_Aggregation("getGroups", (_column_list(columns),)))


# ---- Map family (issue 10): the new columns of a map and the UDF that runs the user's function.

# The Spark type of each ColumnType (as Scala's MapTransformations makes them).
_SPARK_TYPES = {
    ColumnType.INTEGER: "LongType",
    ColumnType.DECIMAL: "DoubleType",
    ColumnType.VARCHAR: "StringType",
    ColumnType.DATE: "DateType",
    ColumnType.TIMESTAMP: "TimestampType",
}

# The column the UDF reads: the row as a struct, or an ID's rows as an array of structs
# (Scala's UdfRowFunction.InputColumn).
_INPUT_COLUMN = "__sparkdp_input"


class _NewColumns:
    """The new columns of a map: names and descriptors, in order (internal)."""

    def __init__(self, names: Tuple[str, ...], descriptors: Tuple[ColumnDescriptor, ...]) -> None:
        self.names = names
        self.descriptors = descriptors

    def java_arguments(self) -> Tuple[Any, Any]:
        """(names, descriptors) as the py4j builder overloads take them."""
        return self.names, tuple(_JavaDescriptor(d) for d in self.descriptors)

    def spark_struct(self) -> Any:
        from pyspark.sql import types  # pylint: disable=import-outside-toplevel

        return types.StructType([
            types.StructField(name, getattr(types, _SPARK_TYPES[d.column_type])(), True)
            for name, d in zip(self.names, self.descriptors)
        ])


@dataclass(frozen=True)
class _JavaDescriptor:
    """A ColumnDescriptor passed to the JVM as ``sparkdp.ColumnDescriptor`` (internal)."""

    descriptor: ColumnDescriptor

    def _to_java(self, jvm: Any) -> Any:
        spark_type = getattr(jvm.org.apache.spark.sql.types.DataTypes,
                             _SPARK_TYPES[self.descriptor.column_type])
        column_type = _java.sparkdp_class(jvm, "ColumnType").of(spark_type)
        return _java.new_sparkdp_object(
            jvm, "ColumnDescriptor", column_type, self.descriptor.allow_null,
            self.descriptor.allow_nan, self.descriptor.allow_inf)


def _new_columns(f: Any, new_column_types: Any) -> _NewColumns:
    """Type checks of a map's ``f`` and ``new_column_types`` (TypeError, as Tumult's)."""
    if not callable(f):
        raise TypeError("type of argument \"f\" must be a callable; got {} instead".format(
            _java._qualified_name(type(f))))  # pylint: disable=protected-access
    if not isinstance(new_column_types, Mapping):
        raise TypeError(
            "type of argument \"new_column_types\" must be a Mapping; got {} instead".format(
                _java._qualified_name(type(new_column_types))))  # pylint: disable=protected-access
    names = []
    descriptors = []
    for name, column_type in new_column_types.items():
        _java.check_type(name, (str,), "new_column_types")
        if isinstance(column_type, ColumnType):
            # Tumult: a bare ColumnType allows null, NaN and infinity.
            descriptor = ColumnDescriptor(column_type, allow_null=True, allow_nan=True,
                                          allow_inf=True)
        elif isinstance(column_type, ColumnDescriptor):
            descriptor = column_type
        else:
            raise TypeError(
                "new_column_types['{}'] must be a ColumnType or ColumnDescriptor; got {} "
                "instead".format(name, type(column_type).__name__))
        if descriptor.column_type not in _SPARK_TYPES:
            raise TypeError("new_column_types['{}'] has type {}, which a map cannot make".format(
                name, descriptor.column_type))
        names.append(name)
        descriptors.append(descriptor)
    return _NewColumns(tuple(names), tuple(descriptors))


class _UdfFunction:
    """The user's function as a pyspark UDF on the column ``__sparkdp_input`` (internal).

    ``_to_java(jvm)`` makes the UDF's Java Column when the query is evaluated
    (a SparkContext exists then): map gives a struct of the new columns;
    flat_map and flat_map_by_id an array of them. Scala applies it to the
    table, truncates and explodes; the function runs in Python workers.
    """

    def __init__(self, kind: str, f: Callable[..., Any], columns: _NewColumns) -> None:
        self._kind = kind
        self._f = f
        self._columns = columns

    def _to_java(self, jvm: Any) -> Any:  # pylint: disable=unused-argument
        from pyspark.sql import functions, types  # pylint: disable=import-outside-toplevel

        struct = self._columns.spark_struct()
        return_type = struct if self._kind == "map" else types.ArrayType(struct)
        decimal = tuple(d.column_type == ColumnType.DECIMAL for d in self._columns.descriptors)
        udf = functions.udf(_udf_body(self._kind, self._f, self._columns.names, decimal),
                            return_type)
        return udf(functions.col(_INPUT_COLUMN))._jc  # pylint: disable=protected-access


def _udf_body(kind: str, f: Callable[..., Any], names: Tuple[str, ...],
              decimal: Tuple[bool, ...]) -> Callable[..., Any]:
    """The function the UDF runs in the Python workers (internal).

    It captures only the user's function and plain values, so cloudpickle
    ships it by value and the workers need no ``sparkdp`` module.
    """

    def to_struct(produced):
        if not isinstance(produced, dict):
            raise TypeError("The map function must return a dict of the new columns, not "
                            + type(produced).__name__)
        values = []
        for name, is_decimal in zip(names, decimal):
            if name not in produced:
                raise ValueError("The map function's output lacks the new column '{}' (it has: {})"
                                 .format(name, ", ".join(map(str, produced))))
            value = produced[name]
            # Spark's UDF would turn an int into null in a DOUBLE column.
            if is_decimal and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            values.append(value)
        return tuple(values)

    if kind == "map":
        return lambda row: to_struct(f(row.asDict()))
    if kind == "flat_map":
        return lambda row: [to_struct(out) for out in f(row.asDict())]
    return lambda rows: [to_struct(out) for out in f([r.asDict() for r in rows])]
