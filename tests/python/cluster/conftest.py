"""The Python cluster tests' Spark: ``local-cluster[2,1,1024]`` (issue 11 #1).

A master and two workers run inside the driver JVM; each worker starts one
executor JVM (one core, 1024 MB) from the Spark distribution that pyspark is
(its ``jars/`` and ``bin/``). The executors get sparkdp only through
``spark.jars`` (build/sparkdp.jar, with the native libraries inside), as on
Glue or EMR.

A process holds one SparkContext, so these tests run in their own pytest
process: ``make test-python`` runs ``pytest -m "not cluster"`` and then
``pytest -m cluster``. The fixture fails clearly if another SparkContext is
already running.
"""

import os
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
JAR_PATH = Path(os.environ.get("SPARKDP_JAR") or REPO_ROOT / "build" / "sparkdp.jar")

MASTER = "local-cluster[2,1,1024]"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "cluster: runs on local-cluster[2,1,1024]; needs its own pytest process (pytest -m cluster)")


@pytest.fixture(scope="package")
def cluster_spark(tmp_path_factory):
    """The cluster's SparkSession, with both executors registered."""
    if not JAR_PATH.is_file():
        pytest.fail("sparkdp jar not found at {}: run `make jar` first.".format(JAR_PATH), pytrace=False)
    from pyspark import SparkContext  # pylint: disable=import-outside-toplevel
    from pyspark.sql import SparkSession  # pylint: disable=import-outside-toplevel

    if SparkContext._active_spark_context is not None:  # pylint: disable=protected-access
        pytest.fail("A SparkContext already runs in this process: run the cluster tests in their own pytest "
                    "process (pytest -m cluster tests/python).", pytrace=False)
    # pyspark's bin/spark-class sets it for the driver; the in-JVM workers need it to build executor class paths.
    os.environ.setdefault("SPARK_SCALA_VERSION", "2.12")
    warehouse_dir = tmp_path_factory.mktemp("cluster-warehouse")
    session = (
        SparkSession.builder.master(MASTER)
        .appName("sparkdp-pytest-cluster")
        .config("spark.jars", str(JAR_PATH))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.sql.warehouse.dir", str(warehouse_dir))
        .config("spark.task.maxFailures", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    wait_for_executors(session, 2)
    yield session
    session.stop()


def wait_for_executors(session, count, timeout_seconds=120):
    """Blocks until ``count`` executors (besides the driver) have registered."""
    deadline = time.time() + timeout_seconds
    while executor_count(session) < count:
        if time.time() > deadline:
            raise AssertionError("only {} of {} executors started".format(executor_count(session), count))
        time.sleep(0.2)


def executor_count(session):
    """The registered executors, the driver excluded."""
    return session.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1  # pylint: disable=protected-access
