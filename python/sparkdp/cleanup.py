"""Removing what sessions that died left behind (Scala: ``sparkdp.Cleanup.cleanup``)."""
import datetime
from typing import List, Optional

from pyspark.sql import SparkSession

from sparkdp import _java

__all__ = ["cleanup"]


def cleanup(
    older_than: datetime.timedelta = datetime.timedelta(days=1),
    spark: Optional[SparkSession] = None,
) -> List[str]:
    """Drops the databases of sparkdp sessions created more than ``older_than`` ago.

    A session keeps its results in a database of its own under
    ``spark.sql.warehouse.dir``; ``stop()`` drops it, as does a hook when the
    JVM exits normally. A driver that is killed, or a Glue job that times out,
    leaves it in the catalog (in Glue's Data Catalog, for good). Sessions of
    this JVM that are not stopped are never dropped. Choose ``older_than``
    longer than any job that may still be running elsewhere against the same
    catalog: their databases cannot be told from dead ones.

    Args:
        older_than: How old a database must be to be dropped (not negative).
        spark: The SparkSession whose catalog to clean; by default
            ``SparkSession.builder.getOrCreate()``.

    Returns:
        The names of the databases dropped, sorted.

    Raises:
        TypeError: ``older_than`` is not a ``datetime.timedelta``.
        ValueError: ``older_than`` is negative.
        RuntimeError: a database could not be dropped (the message names it).
    """
    _java.check_type(older_than, (datetime.timedelta,), "older_than")
    session = spark if spark is not None else _java.default_spark_session()
    milliseconds = (older_than.days * 86400 + older_than.seconds) * 1000 + older_than.microseconds // 1000
    if milliseconds < 0:
        raise ValueError("older_than must be a duration of zero or more, not {}.".format(older_than))
    cleanup_class = _java.sparkdp_class(_java.jvm_of(session), "Cleanup")
    dropped = _java.call_java(
        cleanup_class.cleanupOlderThanMillis,
        session._jsparkSession,  # pylint: disable=protected-access
        milliseconds,
    )
    return [str(name) for name in dropped]
