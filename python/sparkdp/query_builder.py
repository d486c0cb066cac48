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
from typing import Any, List, Optional, Sequence, Tuple, Union

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
    a finished aggregation becomes a query (:meth:`_query`) and the class of
    their count query (``_COUNT_QUERY``).
    """

    _COUNT_QUERY = Query

    def _query(self, aggregation: _Aggregation) -> Query:
        raise NotImplementedError

    def count(
        self,
        name: Optional[str] = None,
        mechanism: Union[CountMechanism, str] = CountMechanism.DEFAULT,
    ) -> Query:
        """Counts the rows (per key of the KeySet when grouped), with noise.

        Grouped, every key of the KeySet appears in the output exactly once
        (with a noisy zero where no row has that key) and no other key appears,
        and the query is a :class:`GroupbyCountQuery`, which can ``suppress``
        small counts. (Tumult's ungrouped count is one too; sparkdp's Scala API
        has ``suppress`` on grouped counts only, so here an ungrouped count is
        a plain :class:`Query`.)

        Args:
            name: Name of the count column; None uses the default, ``count``.
            mechanism: The noise mechanism, a :class:`CountMechanism` or its
                name (case-insensitive), as in Tumult.

        Returns:
            The query, to pass to :meth:`sparkdp.Session.evaluate` (grouped:
            or to ``suppress`` first).

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
        return self._COUNT_QUERY(
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


class GroupedQueryBuilder(_Aggregations):
    """A query grouped by a KeySet, waiting for its aggregation.

    Do not construct one directly; call :meth:`QueryBuilder.groupby`. Each
    aggregation gives exactly one row per key of the KeySet.
    """

    _COUNT_QUERY = GroupbyCountQuery

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

    # ---- Map family (issue 10): map, flat_map, flat_map_by_id.

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
