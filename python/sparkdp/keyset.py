"""KeySets: the public list of group keys a grouped query reports on."""

import collections.abc
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Union

from pyspark.sql import Column, DataFrame, SparkSession

from sparkdp import _java
from sparkdp.column import ColumnDescriptor, descriptor_from_java

__all__ = ["KeySet"]


class KeySet:
    """The set of group keys of a ``groupby``: every key appears in the output once.

    A KeySet must come from public information (not from the private table),
    otherwise which keys exist would itself leak. Build one with
    :meth:`from_dict`, :meth:`from_tuples` or :meth:`from_dataframe`. A null is
    a key value like any other: rows with a null key column are counted under a
    KeySet key with a null there and, like every row whose key the KeySet lacks,
    are not counted otherwise.

    The column types are inferred and checked by the JVM ``sparkdp.KeySet``;
    its ``IllegalArgumentException`` becomes ``ValueError``.
    """

    def __init__(self, java_keyset: Any, spark: SparkSession) -> None:
        """Wraps a JVM ``sparkdp.KeySet``; use the ``from_*`` methods instead.

        Args:
            java_keyset: A py4j reference to a ``sparkdp.KeySet``.
            spark: The SparkSession whose JVM holds it.
        """
        self._jkeyset = java_keyset
        self._spark = spark

    @classmethod
    def from_dataframe(cls, df: DataFrame) -> "KeySet":
        """Creates a KeySet from the rows of a DataFrame of public keys.

        Each row is one key (duplicates count once); the column names and types
        are the group-by columns, and must match the private table's columns of
        the same name.

        Args:
            df: A pyspark DataFrame of public keys, e.g.
                ``books_df.select("title", "author", "isbn")``.

        Returns:
            The KeySet.

        Raises:
            TypeError: ``df`` is not a pyspark DataFrame.
            ValueError: the JVM rejected the DataFrame (the message says why).
        """
        _java.require_dataframe(df, "df")
        spark = _java.spark_session_of(df)
        keyset_class = _java.sparkdp_class(_java.jvm_of(spark), "KeySet")
        java_keyset = _java.call_java(
            keyset_class.fromDataFrame, _java.to_java_dataframe(df)
        )
        return cls(java_keyset, spark)

    @classmethod
    def from_tuples(cls, tuples: Iterable[tuple], columns: Sequence[str]) -> "KeySet":
        """Creates a KeySet from a list of tuples and column names.

        Each tuple is one key, its values in the order of ``columns``;
        duplicates count once. As in Tumult, the values may be strings, ints,
        dates or None, and the SparkSession is the active one
        (``SparkSession.builder.getOrCreate()``).

        Example: ``KeySet.from_tuples([("a1", "b1"), ("a2", "b1")], ["A", "B"])``

        Args:
            tuples: The keys.
            columns: The column names, one per tuple element.

        Returns:
            The KeySet.

        Raises:
            TypeError: ``columns`` is not a sequence of strings.
            ValueError: an element of ``tuples`` is not a tuple (Tumult's
                message), or the JVM rejected the keys (e.g. a tuple of another
                length, mixed types in a column; the message says which).
        """
        rows = list(tuples)
        for row in rows:
            # py4j would pass a list as a tuple and a string as one value, so the
            # tuple type is only visible here.
            if not isinstance(row, tuple):
                raise ValueError(
                    "Each element of tuples must be a tuple, but got {} "
                    "instead.".format(type(row))
                )
        column_names = _column_names(columns)
        spark = _java.default_spark_session()
        keyset_class = _java.sparkdp_class(_java.jvm_of(spark), "KeySet")
        java_keyset = _java.call_java(
            keyset_class.fromTuples, [list(row) for row in rows], column_names
        )
        return cls(java_keyset, spark)

    @classmethod
    def from_dict(cls, domains: Mapping[str, Iterable[Any]]) -> "KeySet":
        """Creates a KeySet that is the cross-product of the values of each column.

        ``domains`` maps each column name to its values (strings, ints, dates or
        None); duplicates count once. An empty mapping is the KeySet of no
        columns (one empty key), as in Tumult. The SparkSession is the active
        one (``SparkSession.builder.getOrCreate()``).

        Example: ``KeySet.from_dict({"A": ["a1", "a2"], "B": ["b1", "b2"]})``
        has the four keys (a1, b1), (a1, b2), (a2, b1), (a2, b2).

        Args:
            domains: Column name -> values, in the column order of the KeySet.

        Returns:
            The KeySet.

        Raises:
            TypeError: ``domains`` is not a mapping, or a column name not a
                string.
            ValueError: the JVM rejected the values (e.g. mixed types in a
                column; the message says which).
        """
        if not isinstance(domains, collections.abc.Mapping):
            raise TypeError(
                'argument "domains" ({}) is not a mapping of column names to '
                "values".format(type(domains).__name__)
            )
        column_names = _column_names(list(domains.keys()))
        spark = _java.default_spark_session()
        jvm = _java.jvm_of(spark)
        keyset_class = _java.sparkdp_class(jvm, "KeySet")
        # py4j turns a dict into a HashMap, which would lose the column order.
        java_domains = jvm.java.util.LinkedHashMap()
        for column_name, values in zip(column_names, domains.values()):
            java_domains.put(column_name, list(values))
        java_keyset = _java.call_java(keyset_class.fromDict, java_domains)
        return cls(java_keyset, spark)

    def dataframe(self) -> DataFrame:
        """Returns the keys as a DataFrame: one row per distinct key.

        As in Tumult, duplicate keys appear once.
        """
        java_dataframe = _java.call_java(self._jkeyset.dataframe)
        return _java.to_python_dataframe(java_dataframe, self._spark)

    def columns(self) -> List[str]:
        """Returns the KeySet's column names, in order."""
        java_columns = _java.call_java(self._jkeyset.columns)
        return [str(name) for name in _java.seq_to_list(java_columns)]

    def schema(self) -> Dict[str, ColumnDescriptor]:
        """Returns each key column's descriptor, in column order (as Tumult's ``KeySet.schema()``).

        The Spark schema is ``keyset.dataframe().schema``.
        """
        java_map = _java.call_java(self._jkeyset.schema)
        return {
            str(name): descriptor_from_java(java_map.apply(name))
            for name in _java.seq_to_list(java_map.keys().toSeq())
        }

    def size(self) -> int:
        """Returns the number of keys (runs a Spark job; a KeySet stays lazy until a query or this asks)."""
        return int(_java.call_java(self._jkeyset.size))

    def __mul__(self, other: "KeySet") -> "KeySet":
        """Every combination of a key of this KeySet and a key of ``other``.

        Raises:
            ValueError: the KeySets share a column.
        """
        return self._combine(other, "product")

    def join(self, other: "KeySet") -> "KeySet":
        """The keys of both KeySets that agree on their shared columns (nulls match nulls).

        Raises:
            ValueError: they share no column, or a shared column has different types.
        """
        return self._combine(other, "join")

    def __sub__(self, other: "KeySet") -> "KeySet":
        """The keys whose values on ``other``'s columns are not a key of ``other``.

        Raises:
            ValueError: ``other`` has a column this KeySet lacks, or of another type.
        """
        return self._combine(other, "difference")

    def union(self, other: "KeySet") -> "KeySet":
        """The keys of either KeySet (same columns in any order, same types), each once.

        Raises:
            ValueError: the column names or types differ.
        """
        return self._combine(other, "union")

    def filter(self, condition: Union[str, Column]) -> "KeySet":
        """The keys for which ``condition`` (a Spark SQL expression string or a Column) holds."""
        if isinstance(condition, Column):
            java_condition = condition._jc  # pylint: disable=protected-access
        else:
            _java.check_type(condition, (str,), "condition")
            java_condition = condition
        return KeySet(_java.call_java(self._jkeyset.filter, java_condition), self._spark)

    def __getitem__(self, columns: Union[str, Sequence[str]]) -> "KeySet":
        """The distinct keys of one column (``keyset["a"]``) or several (``keyset[["a", "b"]]``), in that order."""
        if isinstance(columns, str):
            names = [columns]
        else:
            names = _column_names(list(columns) if isinstance(columns, tuple) else columns)
        return KeySet(_java.call_java(self._jkeyset.select, names), self._spark)

    def __eq__(self, other: object) -> bool:
        """Equal when both have the same columns (in any order) with the same types and the same keys.

        Runs Spark jobs, as Tumult's does.
        """
        if not isinstance(other, KeySet):
            return False
        return bool(_java.call_java(self._jkeyset.equals, other._jkeyset))

    def __hash__(self) -> int:
        return hash(tuple(sorted(name.lower() for name in self.columns())))

    def _combine(self, other: "KeySet", method: str) -> "KeySet":
        _java.check_type(other, (KeySet,), "other")
        return KeySet(_java.call_java(getattr(self._jkeyset, method), other._jkeyset), self._spark)

    def _to_java(self) -> Any:
        """Returns the JVM ``sparkdp.KeySet`` (internal)."""
        return self._jkeyset


def _column_names(columns: Any) -> List[str]:
    """The column names as a list of strings, which py4j passes as a List<String>."""
    if isinstance(columns, str) or not isinstance(columns, collections.abc.Sequence):
        raise TypeError(
            'argument "columns" ({}) is not a sequence of strings'.format(
                type(columns).__name__
            )
        )
    for name in columns:
        _java.check_type(name, (str,), "column name")
    return list(columns)
