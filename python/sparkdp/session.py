"""The Session: differentially private queries against private tables."""

import warnings
from typing import Any, Callable, Dict, List, Optional, Union

from pyspark.sql import DataFrame, SparkSession

from sparkdp import _java
from sparkdp.column import ColumnDescriptor, ColumnType, column_type_from_java, descriptor_from_java
from sparkdp.privacy_budget import PrivacyBudget, budget_from_java
from sparkdp.protected_change import ProtectedChange
from sparkdp.query_builder import Query, QueryBuilder

__all__ = ["Session"]

# The Python class of each warning category the JVM session records (Tumult's warnings.warn categories).
_WARNING_CATEGORIES = {"UserWarning": UserWarning, "RuntimeWarning": RuntimeWarning}


class Session:
    """Answers differentially private queries on private tables, within a budget.

    Create one with :meth:`from_dataframe`. Every :meth:`evaluate` spends part
    of the session's privacy budget; :meth:`stop` releases the session's
    intermediate tables.

    The seed query (``checkouts_df`` and ``books_df`` are DataFrames of the
    bundled sample data; the session's SparkSession must have the sparkdp jar
    in ``spark.jars``)::

        budget = PureDPBudget(2)
        session = Session.from_dataframe(budget, "checkouts", checkouts_df,
                                         protected_change=AddRowsWithID("member_id"))
        keyset = KeySet.from_dataframe(books_df.select("title", "author", "isbn"))
        output = session.evaluate(
            QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupby(keyset).count(),
            budget)
    """

    def __init__(self, java_session: Any, spark: SparkSession) -> None:
        """Wraps a JVM ``sparkdp.Session``; use :meth:`from_dataframe` instead.

        Args:
            java_session: A py4j reference to a ``sparkdp.Session``.
            spark: The SparkSession it runs in.
        """
        self._jsession = java_session
        self._spark = spark

    @classmethod
    def from_dataframe(
        cls,
        privacy_budget: PrivacyBudget,
        source_id: str,
        dataframe: DataFrame,
        protected_change: ProtectedChange,
    ) -> "Session":
        """Creates a Session with one private table.

        Nothing is read yet; the table is registered with its protected change.

        Args:
            privacy_budget: The total budget of the session, e.g.
                ``PureDPBudget(2)``, ``ApproxDPBudget(1, 1e-6)`` or
                ``RhoZCDPBudget(0.5)``.
            source_id: Name under which queries refer to the table.
            dataframe: The private data.
            protected_change: What the DP guarantee hides, e.g. ``AddOneRow()``
                or ``AddRowsWithID("member_id")``.

        Returns:
            The Session.

        Raises:
            TypeError: an argument has the wrong type.
            ValueError: the JVM rejected an argument (e.g. the ID column does
                not exist, or a budget is negative; the message names it).
        """
        _java.check_type(privacy_budget, (PrivacyBudget,), "privacy_budget")
        _java.check_type(source_id, (str,), "source_id")
        _java.require_dataframe(dataframe, "dataframe")
        _java.check_type(protected_change, (ProtectedChange,), "protected_change")
        spark = _java.spark_session_of(dataframe)
        jvm = _java.jvm_of(spark)
        java_budget = privacy_budget._to_java(jvm)
        java_change = protected_change._to_java(jvm)
        session_class = _java.sparkdp_class(jvm, "Session")
        java_session = _java.call_java(
            session_class.fromDataFrame,
            java_budget,
            source_id,
            _java.to_java_dataframe(dataframe),
            java_change,
        )
        return cls(java_session, spark)

    @property
    def private_sources(self) -> List[str]:
        """Returns the ids of the private tables of this session.

        Example: ``session.private_sources == ["checkouts"]``.
        """
        java_sources = _java.call_java(self._jsession.privateSources)
        return [str(source) for source in _java.seq_to_list(java_sources)]

    @property
    def remaining_privacy_budget(self) -> PrivacyBudget:
        """Returns the privacy budget this session can still spend.

        Its type is the type of the budget the session was created with; the
        values are rounded down, so passing it to :meth:`evaluate` always fits.
        """
        java_budget = _java.call_java(self._jsession.remainingPrivacyBudget)
        return budget_from_java(java_budget)

    def evaluate(self, query_expr: Query, privacy_budget: PrivacyBudget) -> DataFrame:
        """Answers a query with differential privacy, spending ``privacy_budget``.

        The budget is spent only if the query succeeds. Evaluating the
        returned DataFrame again gives the same values (no fresh noise). As in
        Tumult, a budget above the remaining one by at most a billionth of it
        (float rounding) spends exactly the remaining budget.

        Args:
            query_expr: A query built with :class:`~sparkdp.QueryBuilder`.
            privacy_budget: How much of the session's budget to spend.

        Returns:
            The DP answer as a pyspark DataFrame (for a grouped count: the
            KeySet's columns and a ``count`` column; ungrouped: one row with a
            ``count`` column).

        Raises:
            TypeError: an argument has the wrong type.
            ValueError: the query is invalid (e.g. a KeySet column of another
                type than the table's, a constraint on a table without IDs, a
                Gaussian count without a RhoZCDPBudget), or ``privacy_budget``
                is of another type than the session's budget, or zero; the
                message names the fault.
            KeyError: a KeySet column is missing from the table.
            RuntimeError: ``privacy_budget`` exceeds the remaining budget
                (Tumult's Requested / Remaining / Difference message), an ID
                table is aggregated without the constraint it needs, the
                session's warehouse is misconfigured, or the session was
                stopped.
            AnalyticsInternalError: sparkdp itself failed.
        """
        _java.check_type(query_expr, (Query,), "query_expr")
        _java.check_type(privacy_budget, (PrivacyBudget,), "privacy_budget")
        jvm = _java.jvm_of(self._spark)
        java_query = query_expr._to_java(jvm)
        java_budget = privacy_budget._to_java(jvm)
        java_dataframe = self._act(self._jsession.evaluate, java_query, java_budget)
        return _java.to_python_dataframe(java_dataframe, self._spark)

    @property
    def public_sources(self) -> List[str]:
        """Returns the ids of the public tables of this session, in the order they were added."""
        return [str(source) for source in _java.seq_to_list(_java.call_java(self._jsession.publicSources))]

    @property
    def public_source_dataframes(self) -> Dict[str, DataFrame]:
        """Returns the public tables by id."""
        java_map = _java.call_java(self._jsession.publicSourceDataframes)
        return {
            str(name): _java.to_python_dataframe(java_map.apply(name), self._spark)
            for name in _java.seq_to_list(java_map.keys().toSeq())
        }

    def add_public_dataframe(self, source_id: str, dataframe: DataFrame) -> None:
        """Registers ``dataframe`` as the public table ``source_id``.

        Raises:
            ValueError: a table of that name exists.
        """
        _java.check_type(source_id, (str,), "source_id")
        _java.require_dataframe(dataframe, "dataframe")
        _java.call_java(self._jsession.addPublicDataframe, source_id, _java.to_java_dataframe(dataframe))

    def get_schema(self, source_id: str) -> Dict[str, ColumnDescriptor]:
        """Returns the columns of table ``source_id`` with their descriptors.

        Raises:
            KeyError: no table has that id.
        """
        _java.check_type(source_id, (str,), "source_id")
        java_map = _java.call_java(self._jsession.getSchema, source_id)
        return {
            str(name): descriptor_from_java(java_map.apply(name))
            for name in _java.seq_to_list(java_map.keys().toSeq())
        }

    def get_column_types(self, source_id: str) -> Dict[str, Union[ColumnType, str]]:
        """Returns the column types of table ``source_id``."""
        return {name: descriptor.column_type for name, descriptor in self.get_schema(source_id).items()}

    def get_grouping_column(self, source_id: str) -> Optional[str]:
        """Returns the grouping column of an ``AddMaxRowsInMaxGroups`` table, else None."""
        return self._optional_text(self._jsession.getGroupingColumnOrNull, source_id)

    def get_id_column(self, source_id: str) -> Optional[str]:
        """Returns the ID column of an ``AddRowsWithID`` table, else None."""
        return self._optional_text(self._jsession.getIdColumnOrNull, source_id)

    def get_id_space(self, source_id: str) -> Optional[str]:
        """Returns the ID space of an ``AddRowsWithID`` table, else None."""
        return self._optional_text(self._jsession.getIdSpaceOrNull, source_id)

    def describe(self) -> None:
        """Prints a summary: the remaining budget and each table with its protection and columns."""
        print(str(_java.call_java(self._jsession.describe)))

    def _act(self, java_method: Callable[..., Any], *arguments: Any) -> Any:
        """Calls a JVM session action, then issues the warnings it gave as Tumult does (``warnings.warn``
        with Tumult's category), whether the action succeeded or raised."""
        try:
            return _java.call_java(java_method, *arguments)
        finally:
            for warning in _java.call_java(self._jsession.drainWarnings):
                category = _WARNING_CATEGORIES.get(str(warning.category()), UserWarning)
                warnings.warn(str(warning.message()), category, stacklevel=3)

    @staticmethod
    def _optional_text(java_method: Callable[..., Any], source_id: str) -> Optional[str]:
        _java.check_type(source_id, (str,), "source_id")
        value = _java.call_java(java_method, source_id)
        return None if value is None else str(value)

    class Builder:
        """Builds a Session of several private and public tables (Tumult's ``Session.Builder``)."""

        def __init__(self) -> None:
            self._steps: List[Callable[[Any, Any], Any]] = []
            self._spark: Optional[SparkSession] = None
            self._jbuilder: Any = None

        def with_privacy_budget(self, privacy_budget: PrivacyBudget) -> "Session.Builder":
            """Sets the session's total budget."""
            _java.check_type(privacy_budget, (PrivacyBudget,), "privacy_budget")
            return self._step(lambda jvm, builder: builder.withPrivacyBudget(privacy_budget._to_java(jvm)))

        def with_private_dataframe(
            self, source_id: str, dataframe: DataFrame, protected_change: ProtectedChange
        ) -> "Session.Builder":
            """Adds the private table ``source_id`` protected by ``protected_change``."""
            _java.check_type(source_id, (str,), "source_id")
            _java.require_dataframe(dataframe, "dataframe")
            _java.check_type(protected_change, (ProtectedChange,), "protected_change")
            self._spark = self._spark or _java.spark_session_of(dataframe)
            return self._step(
                lambda jvm, builder: builder.withPrivateDataframe(
                    source_id, _java.to_java_dataframe(dataframe), protected_change._to_java(jvm)
                )
            )

        def with_public_dataframe(self, source_id: str, dataframe: DataFrame) -> "Session.Builder":
            """Adds the public table ``source_id``."""
            _java.check_type(source_id, (str,), "source_id")
            _java.require_dataframe(dataframe, "dataframe")
            self._spark = self._spark or _java.spark_session_of(dataframe)
            return self._step(
                lambda jvm, builder: builder.withPublicDataframe(source_id, _java.to_java_dataframe(dataframe))
            )

        def with_id_space(self, id_space: str) -> "Session.Builder":
            """Declares an ID space that ``AddRowsWithID`` tables may name."""
            _java.check_type(id_space, (str,), "id_space")
            return self._step(lambda jvm, builder: builder.withIdSpace(id_space))

        def build(self) -> "Session":
            """Returns the Session.

            Raises:
                ValueError: no budget, no private table, or ID spaces that do not fit.
                RuntimeError: ``sparkdp.WarehouseException``: ``spark.sql.warehouse.dir`` cannot hold the
                    session's database (a ``file:`` location on a cluster whose executors do not share that disk,
                    or a location it cannot write to); the message names the setting, its value and the fix.
            """
            if self._spark is None:
                raise ValueError("This Builder must have at least one private source.")
            self._apply_steps()
            return Session(_java.call_java(self._jbuilder.build), self._spark)

        def _step(self, step: Callable[[Any, Any], Any]) -> "Session.Builder":
            # Steps run on the JVM builder as soon as a DataFrame tells which JVM; errors surface in the call
            # that caused them once it exists.
            self._steps.append(step)
            if self._spark is not None:
                self._apply_steps()
            return self

        def _apply_steps(self) -> None:
            jvm = _java.jvm_of(self._spark)
            if self._jbuilder is None:
                self._jbuilder = getattr(jvm.sparkdp, "Session$Builder")()
            steps, self._steps = self._steps, []
            for step in steps:
                _java.call_java(step, jvm, self._jbuilder)

    def create_view(self, query_expr: QueryBuilder, source_id: str, cache: bool) -> None:
        """Registers the table a transformation query stands for as a private table.

        Later queries may start from ``QueryBuilder(source_id)``. The view keeps
        its query's protected change, enforced constraints and column
        descriptors. The query is checked now, before any data is read;
        nothing is spent. With ``cache=True`` Spark persists the view's rows
        when a query first reads them (unpersisted by :meth:`delete_view` and
        :meth:`stop`).

        Example::

            session.create_view(
                QueryBuilder("checkouts").enforce(MaxRowsPerID(20)), "bounded", cache=False)
            session.evaluate(QueryBuilder("bounded").count(), PureDPBudget(1))

        Args:
            query_expr: A :class:`~sparkdp.QueryBuilder` of transformations only.
            source_id: The view's name; a Python identifier not yet taken.
            cache: Whether to persist the view's rows.

        Raises:
            TypeError: an argument has the wrong type.
            ValueError: ``source_id`` is taken (``Table 'x' already exists.``)
                or not an identifier, or the query does not fit the tables.
            RuntimeError: the session was stopped (directly, or by the
                activity of related sessions; Tumult's text).

        Warns:
            UserWarning: the session was waiting for its
                :meth:`partition_and_create` sessions, which are now stopped.
        """
        _java.check_type(query_expr, (QueryBuilder,), "query_expr")
        _java.check_type(source_id, (str,), "source_id")
        _java.check_type(cache, (bool,), "cache")
        jvm = _java.jvm_of(self._spark)
        java_builder = _java.new_sparkdp_object(jvm, "QueryBuilder", query_expr._source_id)
        for step in query_expr._steps:
            java_builder = _java.call_java(getattr(java_builder, step.method), *step.java_arguments(jvm))
        self._act(self._jsession.createView, java_builder, source_id, cache)

    def delete_view(self, source_id: str) -> None:
        """Deletes the private table ``source_id`` (usually a view) and unpersists it if cached.

        Raises:
            KeyError: no private table has that name (Tumult's message).
            RuntimeError: the session was stopped.
        """
        _java.check_type(source_id, (str,), "source_id")
        self._act(self._jsession.deleteView, source_id)

    def partition_and_create(
        self,
        source_id: str,
        privacy_budget: PrivacyBudget,
        column: Optional[str] = None,
        splits: Optional[Union[Dict[str, str], Dict[str, int]]] = None,
    ) -> Dict[str, "Session"]:
        """Returns new sessions, one per split, by parallel composition.

        The session named ``name`` has one private table, ``name``: the rows of
        ``source_id`` whose ``column`` equals ``splits[name]`` (``None``
        selects the nulls), this session's public tables, and a budget of
        ``privacy_budget``. This session is charged ``privacy_budget`` once.
        As in Tumult, the new sessions share this session's accountant: this
        session used while they are active stops them all, with Tumult's
        ``UserWarning``; they are used in order (using one stops those before
        it, with Tumult's warning); stopping the last makes this session
        usable again. Tumult's rules decide which protected
        changes may be partitioned and what the parts protect (Rust decides).
        A table protected by ``AddRowsWithID`` needs ``MaxGroupsPerID(column,
        g)``, as in Tumult: each ID keeps the rows of at most g values of
        ``column``, and each new session gets an ID table (same ID column and
        ID space, no constraints: enforce them again there) whose measurements
        are compiled for neighbours g IDs apart (√g under zCDP), as Tumult's.

        Example::

            parts = session.partition_and_create(
                "checkouts", PureDPBudget(1), column="branch",
                splits={"north": "N", "south": "S"})
            parts["north"].evaluate(QueryBuilder("north").count(), PureDPBudget(1))
            parts["north"].stop()
            parts["south"].stop()

        Args:
            source_id: The private table (or view) to partition.
            privacy_budget: The budget of each new session (the charge to this one).
            column: The column to partition on.
            splits: New source ids mapped to the column values they keep.

        Returns:
            The new sessions by name, in the order of ``splits``.

        Raises:
            TypeError: an argument has the wrong type.
            ValueError: no splits, a split name that is not an identifier, a
                value of another type than the column's (Tumult raises
                TypeError), two splits with one value, a budget of another
                type, a public ``source_id``, or an ID table without
                ``MaxGroupsPerID(column)``.
            KeyError: an unknown table or column.
            RuntimeError: not enough budget ("Cannot perform this partition
                ..."), or a stopped session.
        """
        _java.check_type(source_id, (str,), "source_id")
        _java.check_type(privacy_budget, (PrivacyBudget,), "privacy_budget")
        if splits is None:
            raise ValueError(
                "You must provide a dictionary mapping split names (new source_ids) to"
                " values on which to partition"
            )
        _java.check_type(column, (str,), "column")
        _java.check_type(splits, (dict,), "splits")
        jvm = _java.jvm_of(self._spark)
        # py4j turns a dict into a HashMap, which would lose the order the sessions are used in.
        java_splits = jvm.java.util.LinkedHashMap()
        for split_name, split_value in splits.items():
            _java.check_type(split_name, (str,), "splits")
            java_splits.put(split_name, split_value)
        java_children = self._act(
            self._jsession.partitionAndCreate, source_id, privacy_budget._to_java(jvm), column, java_splits
        )
        # py4j returns the java.util.Map as a dict-like JavaMap iterating in the map's (the splits') order.
        return {str(name): Session(java_children[name], self._spark) for name in java_children}

    def stop(self) -> None:
        """Stops the session and drops its intermediate tables.

        DataFrames returned by :meth:`evaluate` cannot be read after this. A
        session never stopped drops its tables when the Spark JVM exits. A
        session made by :meth:`partition_and_create` shares its parent's
        tables (its results stay readable until the parent stops); stopping
        it lets the next one, or after the last one the parent, act again.
        Stopping a session also stops the sessions partitioned from it.
        """
        _java.call_java(self._jsession.stop)
