#!/usr/bin/env python3
"""The seed query as an AWS Glue / EMR job script.

Counts checkouts per book with differential privacy (each member protected,
at most 20 checkouts per member, epsilon = 2) and writes the DP table.

The script does not start Spark with the jar itself: the job gives Spark the
jar and the Python package, as Glue and EMR do::

    # EMR / any spark-submit (`make test-package` runs exactly this, locally)
    spark-submit --master local[2] \\
        --jars build/dist/sparkdp_2.12-0.1.0.jar \\
        --py-files build/dist/sparkdp_python-0.1.0.zip \\
        --conf spark.sql.warehouse.dir=/tmp/sparkdp-warehouse \\
        examples/glue_seed_job.py --checkouts data/checkouts.csv --books data/books.csv

    # AWS Glue job parameters (README.md, "AWS Glue")
    --extra-jars      s3://<bucket>/<prefix>/sparkdp_2.12-0.1.0.jar
    --extra-py-files  s3://<bucket>/<prefix>/sparkdp_python-0.1.0.zip
    --conf            spark.sql.warehouse.dir=s3://<bucket>/<prefix>/warehouse/
    --checkouts       s3://<bucket>/<prefix>/checkouts.csv
    --books           s3://<bucket>/<prefix>/books.csv
    --output          s3://<bucket>/<prefix>/dp_checkouts/   (optional)

On Glue the script runs inside a Glue job (``awsglue`` present: it commits the
job at the end); elsewhere it uses the SparkSession spark-submit started.
"""

import argparse
import sys

from pyspark.sql import SparkSession
from pyspark.sql.types import (
    DateType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from sparkdp import (
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


def parse_args(argv):
    """The job's own arguments; Glue adds its own (--JOB_NAME, ...), which are ignored."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", required=True, help="checkouts CSV (header line)")
    parser.add_argument("--books", required=True, help="books CSV (header line)")
    parser.add_argument("--output", default=None,
                        help="where to write the DP table as Parquet (default: print it)")
    parser.add_argument("--JOB_NAME", default=None, help="set by Glue")
    args, _glue_arguments = parser.parse_known_args(argv)
    return args


def start_job(job_name):
    """Returns (spark, glue_job or None): a Glue job inside Glue, else spark-submit's session."""
    try:
        from awsglue.context import GlueContext  # pylint: disable=import-outside-toplevel
        from awsglue.job import Job  # pylint: disable=import-outside-toplevel
        from pyspark.context import SparkContext  # pylint: disable=import-outside-toplevel
    except ImportError:
        return SparkSession.builder.appName("sparkdp-seed-job").getOrCreate(), None
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(job_name or "sparkdp-seed-job", {})
    return glue_context.spark_session, job


def main(argv):
    """Runs the seed query; prints (or writes) the DP table and the budget."""
    args = parse_args(argv)
    spark, glue_job = start_job(args.JOB_NAME)
    checkouts_df = spark.read.csv(args.checkouts, schema=CHECKOUTS_SCHEMA, header=True,
                                  mode="FAILFAST")
    books_df = spark.read.csv(args.books, schema=BOOKS_SCHEMA, header=True, mode="FAILFAST")

    budget = PureDPBudget(2)
    session = Session.from_dataframe(budget, "checkouts", checkouts_df,
                                     protected_change=AddRowsWithID("member_id"))
    keyset = KeySet.from_dataframe(books_df.select("title", "author", "isbn"))
    output = session.evaluate(
        QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupby(keyset).count(), budget)

    # Read the result before session.stop(): stop() drops the session's tables.
    if args.output:
        output.write.mode("overwrite").parquet(args.output)
        print("sparkdp seed job: DP table written to {}".format(args.output))
    else:
        rows = output.orderBy("title", "author", "isbn").collect()
        print("sparkdp seed job: DP checkouts per book ({} books)".format(len(rows)))
        for row in rows[:5]:
            print("  {}".format(row))
    print("sparkdp seed job: budget remaining {}".format(session.remaining_privacy_budget))
    session.stop()
    if glue_job is not None:
        glue_job.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
