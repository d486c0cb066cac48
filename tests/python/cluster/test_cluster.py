"""sparkdp through Python on local-cluster[2,1,1024] (issue 11 #1-#3): executors are
separate JVMs that load the native library from the sparkdp jar; a file:
warehouse on a master treated as remote is refused; first attempts that fail
and an executor that dies give the same values or an error, never a charge
without a result.

Uses ``cluster_spark`` (conftest.py here); run with ``pytest -m cluster``.
"""

import contextlib
import time

import pytest
from pyspark.sql import functions as F

from sparkdp import AddRowsWithID, KeySet, MaxRowsPerID, PureDPBudget, QueryBuilder, Session

pytestmark = pytest.mark.cluster

INF = float("inf")
FAULTS_PROPERTY = "sparkdp.test.failFirstAttempts"


@pytest.fixture(scope="module")
def checkouts(cluster_spark):
    """20 000 rows over 4 partitions: member i % 300, book-(i % 40)."""
    return cluster_spark.range(0, 20000, 1, 4).select(
        (F.col("id") % 300).cast("int").alias("member_id"),
        F.concat(F.lit("book-"), (F.col("id") % 40).cast("string")).alias("title"),
    )


@pytest.fixture(scope="module")
def titles(cluster_spark):
    """book-0 ... book-44 (the last five without checkouts)."""
    return KeySet.from_dataframe(cluster_spark.range(0, 45, 1, 2).select(
        F.concat(F.lit("book-"), F.col("id").cast("string")).alias("title")))


@contextlib.contextmanager
def open_session(budget, checkouts):
    session = Session.from_dataframe(budget, "checkouts", checkouts,
                                     protected_change=AddRowsWithID("member_id"))
    try:
        yield session
    finally:
        session.stop()


@contextlib.contextmanager
def faults(spark, armed, group):
    """Arms the test-only fault switch for the jobs this thread starts, in job group ``group``."""
    context = spark.sparkContext
    context.setJobGroup(group, "sparkdp cluster faults")
    context.setLocalProperty(FAULTS_PROPERTY, armed)
    try:
        yield
    finally:
        context.setLocalProperty(FAULTS_PROPERTY, None)
        context.setLocalProperty("spark.jobGroup.id", None)


def failed_tasks(spark, group):
    """Failed task attempts the status tracker shows in the jobs of ``group`` (a lower bound: with adaptive
    execution a stage's failures may be listed under an attempt the tracker no longer reports; the Scala
    ClusterFaultSuite counts them exactly, per step, with a listener)."""
    time.sleep(1)  # the status store is fed asynchronously
    tracker = spark.sparkContext.statusTracker()
    stage_ids = set()
    for job_id in tracker.getJobIdsForGroup(group):
        stage_ids.update(tracker.getJobInfo(job_id).stageIds)
    infos = [tracker.getStageInfo(stage_id) for stage_id in stage_ids]
    return sum(info.numFailedTasks for info in infos if info is not None)


def count_query(titles):
    return QueryBuilder("checkouts").enforce(MaxRowsPerID(30)).groupby(titles).count()


def counts(result):
    rows = result.collect()
    by_title = {row["title"]: row["count"] for row in rows}
    assert len(by_title) == len(rows)
    return by_title


def exact_counts(checkouts):
    """The truncated truth without sparkdp: books per member are spread evenly, so the total kept is
    sum(min(rows, 30)) per member; per title it is checked through the infinite-budget run itself."""
    per_member = checkouts.groupBy("member_id").count().collect()
    return sum(min(row["count"], 30) for row in per_member)


def test_executors_are_separate_jvms_that_load_the_library_from_the_jar(cluster_spark, checkouts, titles):
    with open_session(PureDPBudget(INF), checkouts) as session:
        session.evaluate(count_query(titles), PureDPBudget(INF)).collect()

    def executor_report(_):
        # Runs in a Python worker; its ancestors include the executor JVM that started it.
        import os  # pylint: disable=import-outside-toplevel
        pid = os.getpid()
        while pid > 1:
            with open("/proc/{}/status".format(pid)) as status:
                pid = int(next(line for line in status if line.startswith("PPid:")).split()[1])
            with open("/proc/{}/cmdline".format(pid), "rb") as cmdline:
                if b"org.apache.spark.executor.CoarseGrainedExecutorBackend" in cmdline.read():
                    with open("/proc/{}/maps".format(pid)) as maps:
                        mapped = sorted({line.split()[-1] for line in maps if "libsparkdp" in line})
                    return pid, tuple(mapped), "sparkdp.jar" in os.listdir("/proc/{}/cwd".format(pid))
        return None, (), False

    reports = set(cluster_spark.sparkContext.parallelize(range(8), 8).map(executor_report).collect())
    driver_pid = int(cluster_spark._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()  # pylint: disable=protected-access
                     .getName().split("@")[0])
    print("driver", driver_pid, "executors", reports)
    pids = {pid for pid, _, _ in reports}
    assert len(pids) == 2 and None not in pids and driver_pid not in pids, reports
    # The library the loader extracted from the jar (libsparkdp-<n>.so in the temp directory), in the memory
    # of every executor that ran a sparkdp task (on a quiet machine the scheduler may give one executor all
    # of the query's tasks; the Scala ClusterSuite forces a load on each executor); the jar itself fetched
    # into every executor's work directory.
    loaded = [(pid, mapped) for pid, mapped, _ in reports if mapped]
    assert loaded, reports
    for pid, mapped in loaded:
        assert all("/libsparkdp-" in path for path in mapped), (pid, mapped)
    for pid, _, fetched_jar in reports:
        assert fetched_jar, pid


def test_counts_on_the_cluster_are_exact_at_an_infinite_budget(cluster_spark, checkouts, titles):
    with open_session(PureDPBudget(INF), checkouts) as session:
        by_title = counts(session.evaluate(count_query(titles), PureDPBudget(INF)))
    assert set(by_title) == {"book-{}".format(i) for i in range(45)}
    assert sum(by_title.values()) == exact_counts(checkouts)
    assert all(by_title["book-{}".format(i)] == 0 for i in range(40, 45))


def test_file_warehouse_on_a_remote_master_is_refused_at_session_creation(cluster_spark, checkouts):
    value = cluster_spark.conf.get("spark.sql.warehouse.dir")
    cluster_spark.conf.set("sparkdp.test.executorsShareLocalDisk", "false")
    try:
        with pytest.raises(RuntimeError) as error:
            Session.from_dataframe(PureDPBudget(1), "checkouts", checkouts,
                                   protected_change=AddRowsWithID("member_id"))
    finally:
        cluster_spark.conf.unset("sparkdp.test.executorsShareLocalDisk")
    message = str(error.value)
    assert "spark.sql.warehouse.dir={}".format(value) in message
    assert "--conf spark.sql.warehouse.dir=s3://<bucket>/<prefix>/" in message
    with open_session(PureDPBudget(1), checkouts):
        pass


def test_failed_first_attempts_are_retried_and_charge_once(cluster_spark, checkouts, titles):
    # One session: which rows MaxRowsPerID keeps depends on the session's secret, so only the same session's
    # undisturbed run is the reference (at an infinite budget there is no noise to differ by query index).
    with open_session(PureDPBudget(INF), checkouts) as session:
        expected = counts(session.evaluate(count_query(titles), PureDPBudget(INF)))
        assert sum(expected.values()) == exact_counts(checkouts)
        with faults(cluster_spark, "truncate:throw,noise:throw", "retries-infinite"):
            disturbed = counts(session.evaluate(count_query(titles), PureDPBudget(INF)))
        failures = failed_tasks(cluster_spark, "retries-infinite")
        print("injected failures", failures)
        assert failures >= 1  # the retries happened (the switch fails every truncation and noise task once)
        assert disturbed == expected
    with open_session(PureDPBudget(3), checkouts) as session:
        with faults(cluster_spark, "truncate:throw,noise:throw", "retries-finite"):
            noisy = counts(session.evaluate(count_query(titles), PureDPBudget(1)))
        assert failed_tasks(cluster_spark, "retries-finite") >= 1
        assert set(noisy) == set(expected)
        assert session.remaining_privacy_budget == PureDPBudget(2)


def executor_block_managers(spark):
    """host:port of each registered executor's block manager (the driver's included)."""
    status = spark.sparkContext._jsc.sc().getExecutorMemoryStatus()  # pylint: disable=protected-access
    keys = status.keySet().iterator()
    found = set()
    while keys.hasNext():
        found.add(keys.next())
    return found


def wait_for_executors(spark, count, timeout_seconds=120):
    """Blocks until ``count`` executors (besides the driver) have registered."""
    deadline = time.time() + timeout_seconds
    while len(executor_block_managers(spark)) - 1 < count:
        assert time.time() < deadline, "the cluster did not get back to {} executors".format(count)
        time.sleep(0.2)


def test_an_executor_killed_mid_query_gives_a_result_or_an_error_never_a_charge_alone(
        cluster_spark, checkouts, titles):
    before = executor_block_managers(cluster_spark)
    with open_session(PureDPBudget(5), checkouts) as session:
        try:
            with faults(cluster_spark, "noise:halt@0", "executor-killed"):
                result = counts(session.evaluate(count_query(titles), PureDPBudget(1)))
        except Exception as error:  # pylint: disable=broad-except
            print("query failed:", error)
            assert session.remaining_privacy_budget == PureDPBudget(5)
        else:
            assert set(result) == {"book-{}".format(i) for i in range(45)}
            assert session.remaining_privacy_budget == PureDPBudget(4)
    wait_for_executors(cluster_spark, 2)
    after = executor_block_managers(cluster_spark)
    print("executors before", sorted(before), "after", sorted(after))
    assert after != before, "no executor died: the fault did not fire"
