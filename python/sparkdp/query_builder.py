"""Building differentially private queries: QueryBuilder, GroupedQueryBuilder, Query.

The builders only record what the query says. The JVM query
(``sparkdp.QueryBuilder(sourceId).enforce(...).groupBy(keyset).count()``, or
``...enforce(...).count()`` ungrouped) is built when :meth:`sparkdp.Session.evaluate` forwards it, so a query can be
written before any SparkSession exists, as with Tumult Analytics.
"""

from dataclasses import dataclass
from enum import Enum
from typing import Any, List, Optional, Tuple, Union

from sparkdp import _java
from sparkdp.constraints import Constraint
from sparkdp.keyset import KeySet

__all__ = ["CountMechanism", "QueryBuilder", "GroupedQueryBuilder", "Query"]


class CountMechanism(Enum):
    """Possible mechanisms for the count() aggregation (Tumult's names).

    ``DEFAULT`` lets sparkdp choose (discrete Laplace under a PureDPBudget or
    ApproxDPBudget, discrete Gaussian under a RhoZCDPBudget); ``LAPLACE`` is
    discrete Laplace noise; ``GAUSSIAN`` is discrete Gaussian noise, which
    needs a RhoZCDPBudget (evaluating it with another budget raises
    ValueError). As in Tumult, ``count`` also takes the names as strings,
    case-insensitive: ``"default"``, ``"laplace"``, ``"gaussian"``.
    """

    DEFAULT = 1
    LAPLACE = 2
    GAUSSIAN = 3


def _mechanism_name(mechanism: Union[CountMechanism, str]) -> str:
    """The name the JVM's ``CountMechanism.fromName`` takes, e.g. ``"laplace"``.

    A string is passed as it is (case-insensitive): whether it names a
    mechanism is the JVM's to say, with Tumult's message, checked now if a
    SparkContext with the sparkdp jar runs, else when the query is evaluated.
    """
    if isinstance(mechanism, CountMechanism):
        return mechanism.name.lower()
    _java.check_type(mechanism, (CountMechanism, str), "mechanism")
    _java.check_in_jvm(
        "CountMechanism",
        lambda jvm: _java.call_java(
            _java.sparkdp_class(jvm, "CountMechanism").fromName, mechanism
        ),
    )
    return mechanism


@dataclass(frozen=True)
class Query:
    """A complete query, ready for :meth:`sparkdp.Session.evaluate`.

    Do not construct one directly; finish a :class:`QueryBuilder` chain instead,
    e.g. ``QueryBuilder("checkouts").groupby(keyset).count()`` or
    ``QueryBuilder("checkouts").count()``.
    """

    source_id: str
    constraints: Tuple[Constraint, ...]
    keyset: Optional[KeySet]
    output_column: Optional[str]
    mechanism: str = "default"

    def _to_java(self, jvm: Any) -> Any:
        """Builds the JVM ``sparkdp.Query`` (internal).

        Args:
            jvm: The py4j JVM view of the session's SparkSession.

        Returns:
            ``QueryBuilder(sourceId).enforce(c)...[.groupBy(keyset)].count(name,
            mechanism)`` (a None name is the JVM's default, ``count``; no
            keyset is the ungrouped count, one row).
        """
        java_builder = _java.new_sparkdp_object(jvm, "QueryBuilder", self.source_id)
        for constraint in self.constraints:
            java_builder = _java.call_java(
                java_builder.enforce, constraint._to_java(jvm)
            )
        if self.keyset is not None:
            java_builder = _java.call_java(java_builder.groupBy, self.keyset._to_java())
        return _java.call_java(java_builder.count, self.output_column, self.mechanism)


class GroupedQueryBuilder:
    """A query grouped by a KeySet, waiting for its aggregation.

    Do not construct one directly; call :meth:`QueryBuilder.groupby`.
    """

    def __init__(
        self, source_id: str, constraints: Tuple[Constraint, ...], keyset: KeySet
    ) -> None:
        """Records the grouping (internal; use ``QueryBuilder.groupby``).

        Args:
            source_id: The private table the query reads.
            constraints: Constraints enforced before grouping, in order.
            keyset: The group keys.
        """
        self._source_id = source_id
        self._constraints = constraints
        self._keyset = keyset

    def count(
        self,
        name: Optional[str] = None,
        mechanism: Union[CountMechanism, str] = CountMechanism.DEFAULT,
    ) -> Query:
        """Counts the rows in each group of the KeySet, with noise.

        Every key of the KeySet appears in the output exactly once (with a
        noisy zero where no row has that key) and no other key appears.

        Args:
            name: Name of the count column; None uses the default, ``count``.
            mechanism: The noise mechanism, a :class:`CountMechanism` or its
                name (case-insensitive), as in Tumult.

        Returns:
            The query, to pass to :meth:`sparkdp.Session.evaluate`.

        Raises:
            TypeError: ``name`` is not a string, or ``mechanism`` neither a
                CountMechanism nor a string.
            ValueError: ``mechanism`` is an unknown name (Tumult's message;
                checked by the JVM).
        """
        return _count_query(
            self._source_id, self._constraints, self._keyset, name, mechanism
        )


def _count_query(
    source_id: str,
    constraints: Tuple[Constraint, ...],
    keyset: Optional[KeySet],
    name: Optional[str],
    mechanism: Union[CountMechanism, str],
) -> Query:
    """The count query, grouped by ``keyset`` or (None) ungrouped."""
    if name is not None:
        _java.check_type(name, (str,), "name")
    return Query(source_id, constraints, keyset, name, _mechanism_name(mechanism))


class QueryBuilder:
    """High-level interface for specifying DP queries on one private table.

    As in Tumult Analytics, transformation methods (``enforce``) update this
    builder and return it, so calls chain. The seed query reads:

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
        self._constraints = []  # type: List[Constraint]

    @property
    def source_id(self) -> str:
        """The private table this query reads."""
        return self._source_id

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
        self._constraints.append(constraint)
        return self

    def groupby(self, by: KeySet) -> GroupedQueryBuilder:
        """Groups the table by the keys of a KeySet.

        Args:
            by: The KeySet of public group keys.

        Returns:
            A GroupedQueryBuilder, whose ``count()`` finishes the query.

        Raises:
            ValueError: ``by`` is not a KeySet (Tumult's message: grouping by
                column names needs automatic partition selection, which neither
                Tumult by default nor sparkdp does).
        """
        if not isinstance(by, KeySet):
            raise ValueError("A groupby must group on a KeySet. Set `by` to a KeySet")
        return GroupedQueryBuilder(self._source_id, tuple(self._constraints), by)

    def count(
        self,
        name: Optional[str] = None,
        mechanism: Union[CountMechanism, str] = CountMechanism.DEFAULT,
    ) -> Query:
        """Counts the rows of the table, with noise: the answer is one row.

        As Tumult's ``QueryBuilder.count``, the ungrouped count (Tumult's
        ``groupby(KeySet.from_dict({})).count()``).

        Args:
            name: Name of the count column; None uses the default, ``count``.
            mechanism: The noise mechanism, a :class:`CountMechanism` or its
                name (case-insensitive), as in Tumult.

        Returns:
            The query, to pass to :meth:`sparkdp.Session.evaluate`.

        Raises:
            TypeError: ``name`` is not a string, or ``mechanism`` neither a
                CountMechanism nor a string.
            ValueError: ``mechanism`` is an unknown name (Tumult's message;
                checked by the JVM).
        """
        return _count_query(
            self._source_id, tuple(self._constraints), None, name, mechanism
        )
