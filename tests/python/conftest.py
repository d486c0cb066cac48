"""Shared pytest fixtures for the sparkdp Python tests.

Unit tests (``test_api_unit.py``, ``test_python37_syntax.py``,
``test_sample_data.py``) need no JVM. System tests use the session-scoped
``spark`` fixture, which loads the built jar: if the jar is missing they FAIL
(never skip) and say to run ``make jar``.
"""

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "python"))

JAR_PATH = Path(os.environ.get("SPARKDP_JAR") or REPO_ROOT / "build" / "sparkdp.jar")

# Python workers run the driver's interpreter (the venv of the pyspark line under test), not whatever
# `python3` is on PATH: pyspark refuses a worker of another minor version, and the bullseye Python 3.9 of
# the pyspark 3.3 line (scripts/setup_python39.sh) is reached only through its venv's wrapper.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One small local SparkSession with the sparkdp jar, for all system tests."""
    if not JAR_PATH.is_file():
        pytest.fail(
            "sparkdp jar not found at {}: run `make jar` first (or set "
            "SPARKDP_JAR).".format(JAR_PATH),
            pytrace=False,
        )
    from pyspark.sql import SparkSession  # pylint: disable=import-outside-toplevel

    warehouse_dir = tmp_path_factory.mktemp("warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("sparkdp-pytest")
        .config("spark.jars", str(JAR_PATH))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.warehouse.dir", str(warehouse_dir))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def warehouse_dir(spark):
    """The warehouse directory of the ``spark`` fixture."""
    location = spark.conf.get("spark.sql.warehouse.dir")
    if location.startswith("file:"):
        location = location[len("file:"):]
    return Path(location)


@pytest.fixture(scope="session")
def checkouts_df(spark):
    """The bundled checkouts.csv, with an explicit schema (member_id int)."""
    from pyspark.sql.types import (  # pylint: disable=import-outside-toplevel
        DateType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    schema = StructType(
        [
            StructField("member_id", IntegerType()),
            StructField("checkout_date", DateType()),
            StructField("title", StringType()),
            StructField("author", StringType()),
            StructField("isbn", StringType()),
        ]
    )
    return spark.read.csv(
        str(REPO_ROOT / "data" / "checkouts.csv"), schema=schema, header=True,
        mode="FAILFAST",
    ).cache()


@pytest.fixture(scope="session")
def books_df(spark):
    """The bundled books.csv, with an explicit schema."""
    from pyspark.sql.types import (  # pylint: disable=import-outside-toplevel
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    schema = StructType(
        [
            StructField("title", StringType()),
            StructField("author", StringType()),
            StructField("isbn", StringType()),
            StructField("publication_year", IntegerType()),
        ]
    )
    return spark.read.csv(
        str(REPO_ROOT / "data" / "books.csv"), schema=schema, header=True,
        mode="FAILFAST",
    ).cache()


# Tests whose outcome cannot depend on the pyspark line: they start no JVM, or they are the long noise
# statistics, whose samples the Rust samplers draw (same keyed streams on every line; the JVM and Python only
# carry the numbers). `make test-python` runs them on pyspark 3.5 only and the rest on every line
# (PYSPARK_LINE_MARKERS); the cheap system tests stay on every line because they cover the py4j paths.
_LINE_INDEPENDENT_MODULES = {
    "test_aggregations_unit.py",
    "test_api_parity.py",
    "test_api_unit.py",
    "test_python37_syntax.py",  # vermin is installed in .venv only
    "test_sample_data.py",
    "test_transformation_noise.py",  # 27 noise statistics, one per transformation and session feature
}
_LINE_INDEPENDENT_TESTS = {
    "test_noise_has_discrete_laplace_scale_20_over_epsilon",
    "test_public_join_multiplicity_three_triples_the_count_scale",
    "test_flat_map_max_rows_3_triples_the_count_noise",
    "test_filtered_count_noise_has_the_counts_scale",
    "test_enforce_then_public_join_of_multiplicity_three_has_scale_six",
    "test_id_child_count_noise_has_tumults_scale",
    "test_child_count_noise_has_the_childs_scale",
    "test_sum_noise_has_the_calibrated_scale",
    "test_average_noise_has_the_calibrated_scale",
    "test_noise_has_the_calibrated_scale",
    # examples/tumult_examples.py in a Spark of its own (~40 s): the answers come from the same JVM and Rust
    # code on every line; the seed example (test_seed_query_example_runs) still runs on each line.
    "test_tumult_documented_examples_give_tumults_answers",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "line_independent: cannot depend on the pyspark line (no JVM, or noise statistics drawn in Rust); "
        "run on pyspark 3.5 only by make test-python")


def pytest_collection_modifyitems(items):
    for item in items:
        if (item.path.name in _LINE_INDEPENDENT_MODULES
                or item.originalname in _LINE_INDEPENDENT_TESTS):
            item.add_marker(pytest.mark.line_independent)
