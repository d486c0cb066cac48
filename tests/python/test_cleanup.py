"""sparkdp.cleanup drops the databases of dead sessions, never a live one (issue 11 #4)."""
import datetime
import time

import pytest

import sparkdp


def test_cleanup_drops_stale_databases_and_keeps_live_ones(spark, checkouts_df):
    stale = "sparkdp_{:013d}_{:016x}".format(int(time.time() * 1000) - 3 * 86400 * 1000, 0xABC)
    spark.sql("CREATE DATABASE `{}`".format(stale))
    session = sparkdp.Session.from_dataframe(
        sparkdp.PureDPBudget(1), "checkouts", checkouts_df, protected_change=sparkdp.AddOneRow()
    )
    try:
        session.evaluate(sparkdp.QueryBuilder("checkouts").count(), sparkdp.PureDPBudget(1))
        names = [db.name for db in spark.catalog.listDatabases()]
        live = [name for name in names if name.startswith("sparkdp_") and name != stale]
        dropped = sparkdp.cleanup(older_than=datetime.timedelta(days=1), spark=spark)
        assert stale in dropped
        remaining = [db.name for db in spark.catalog.listDatabases()]
        assert stale not in remaining and all(name in remaining for name in live)
        with pytest.raises(ValueError, match="zero or more"):
            sparkdp.cleanup(older_than=datetime.timedelta(seconds=-1), spark=spark)
        with pytest.raises(TypeError):
            sparkdp.cleanup(older_than=3600, spark=spark)
    finally:
        session.stop()
