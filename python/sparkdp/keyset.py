"""KeySets: the public list of group keys a grouped query reports on."""

from typing import Any

from pyspark.sql import DataFrame

from sparkdp import _java

__all__ = ["KeySet"]


class KeySet:
    """The set of group keys of a ``groupby``: every key appears in the output once.

    A KeySet must come from public information (not from the private table),
    otherwise which keys exist would itself leak. Build one with
    :meth:`from_dataframe`. A null is a key value like any other: rows with a
    null key column are counted under a KeySet key with a null there and, like
    every row whose key the KeySet lacks, are not counted otherwise.
    """

    def __init__(self, java_keyset: Any, dataframe: DataFrame) -> None:
        """Wraps a JVM ``sparkdp.KeySet``; use :meth:`from_dataframe` instead.

        Args:
            java_keyset: A py4j reference to a ``sparkdp.KeySet``.
            dataframe: The pyspark DataFrame it was built from.
        """
        self._jkeyset = java_keyset
        self._dataframe = dataframe

    @classmethod
    def from_dataframe(cls, dataframe: DataFrame) -> "KeySet":
        """Creates a KeySet from the rows of a DataFrame of public keys.

        Each row is one key; the column names and types are the group-by
        columns, and must match the private table's columns of the same name.

        Args:
            dataframe: A pyspark DataFrame of public keys, e.g.
                ``books_df.select("title", "author", "isbn")``.

        Returns:
            The KeySet.

        Raises:
            TypeError: ``dataframe`` is not a pyspark DataFrame.
            ValueError: the JVM rejected the DataFrame (the message says why).
        """
        _java.require_dataframe(dataframe, "dataframe")
        jvm = _java.jvm_of(_java.spark_session_of(dataframe))
        keyset_class = _java.sparkdp_class(jvm, "KeySet")
        java_keyset = _java.call_java(
            keyset_class.fromDataFrame, _java.to_java_dataframe(dataframe)
        )
        return cls(java_keyset, dataframe)

    def dataframe(self) -> DataFrame:
        """Returns the keys as a DataFrame: one row per distinct key.

        As in Tumult, duplicate rows of the DataFrame the KeySet was built from
        appear once.
        """
        java_dataframe = _java.call_java(self._jkeyset.dataframe)
        return _java.to_python_dataframe(
            java_dataframe, _java.spark_session_of(self._dataframe)
        )

    def _to_java(self) -> Any:
        """Returns the JVM ``sparkdp.KeySet`` (internal)."""
        return self._jkeyset
