#!/usr/bin/env python3
"""The seed query on the bundled sample data: what ``make demo`` runs.

Counts checkouts per book (title, author, isbn) with differential privacy:
each library member is protected (``AddRowsWithID("member_id")``), each
member's contribution is capped at 20 checkouts (``MaxRowsPerID(20)``), and the
whole session may spend epsilon = 2.

Run from anywhere: ``python examples/seed_query.py``. It needs the sparkdp
jar (``make jar`` builds ``build/sparkdp.jar``; set ``SPARKDP_JAR`` to use
another) and pyspark. The sparkdp Python package is taken from ``python/``
next to this file unless it is already installed.
"""

import os
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "python"))

# pylint: disable=wrong-import-position
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql.types import (  # noqa: E402
    DateType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from sparkdp import (  # noqa: E402
    AddRowsWithID,
    KeySet,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    Session,
)

CHECKOUTS_SCHEMA = StructType(
    [
        StructField("member_id", IntegerType(), False),
        StructField("checkout_date", DateType(), False),
        StructField("title", StringType(), False),
        StructField("author", StringType(), False),
        StructField("isbn", StringType(), False),
    ]
)
BOOKS_SCHEMA = StructType(
    [
        StructField("title", StringType(), False),
        StructField("author", StringType(), False),
        StructField("isbn", StringType(), False),
        StructField("publication_year", IntegerType(), False),
    ]
)


def sparkdp_jar_path() -> str:
    """Returns the jar to load: $SPARKDP_JAR, else build/sparkdp.jar in the repo."""
    return os.environ.get("SPARKDP_JAR") or os.path.join(
        REPO_ROOT, "build", "sparkdp.jar"
    )


def build_spark(warehouse_dir: str) -> SparkSession:
    """Starts a small local SparkSession with the sparkdp jar."""
    jar = sparkdp_jar_path()
    if not os.path.isfile(jar):
        sys.exit("sparkdp jar not found at {}: run `make jar` first.".format(jar))
    return (
        SparkSession.builder.master("local[2]")
        .appName("sparkdp-seed-query")
        .config("spark.jars", jar)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def read_csv(spark: SparkSession, file_name: str, schema: StructType):
    """Reads one of the bundled CSV files (header line, explicit schema)."""
    return spark.read.csv(
        os.path.join(REPO_ROOT, "data", file_name),
        schema=schema,
        header=True,
        mode="FAILFAST",
    )


def main() -> None:
    """Runs the seed query and prints the DP table and the budget."""
    with tempfile.TemporaryDirectory(prefix="sparkdp-warehouse-") as warehouse_dir:
        spark = build_spark(warehouse_dir)
        spark.sparkContext.setLogLevel("WARN")
        try:
            checkouts_df = read_csv(spark, "checkouts.csv", CHECKOUTS_SCHEMA)
            books_df = read_csv(spark, "books.csv", BOOKS_SCHEMA)

            # The seed query, verbatim from DEVELOPERS.md.
            budget = PureDPBudget(2)
            session = Session.from_dataframe(budget, "checkouts", checkouts_df,
                                             protected_change=AddRowsWithID("member_id"))
            keyset = KeySet.from_dataframe(books_df.select("title", "author", "isbn"))
            output = session.evaluate(
                QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupby(keyset).count(), budget)

            # The whole DP table: one row per book of the keyset.
            book_count = output.count()
            print("DP checkouts per book ({} books, by title):".format(book_count))
            output.orderBy("title", "author", "isbn").show(book_count, truncate=False)
            print("Privacy budget spent:     {}".format(budget))
            print("Privacy budget remaining: {}".format(session.remaining_privacy_budget))
            session.stop()
        finally:
            spark.stop()


if __name__ == "__main__":
    main()
