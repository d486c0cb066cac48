#!/usr/bin/env python3
"""Time filter, join_public, map, flat_map and get_bounds on sparkdp against their plain-Spark twins, in one run.

Data: the purchases of ``aggregations_vs_spark.py`` (N rows, default 10^6: ``shop`` over 10^4 skewed shops,
``amount`` 0..1199, ``price``), written once to Parquet and read back (not cached), plus a public table
``regions`` (one row per shop, 100 regions). The private table is protected with ``AddOneRow``; every query
ends in a count over a keyset, so the pairs differ from ``aggregations_vs_spark.py``'s only by the
transformation in front.

Pairs (each forced the same way, ``write.format("noop")``):

* ``filter``      ``filter("amount > 600")``, count per shop (10^4-shop keyset) / Spark's filter + groupBy.
* ``join``        ``join_public("regions")``, count per region (100 keys) / Spark's join + groupBy. sparkdp
                  also runs one job over the public table for its largest join-key multiplicity.
* ``map``         a Python function adding ``band = amount // 100`` (augment), count per band / the same
                  function as a pyspark UDF.
* ``flat_map``    a Python function giving 1 to 3 rows ``part`` per row (``max_rows=3``, augment), count per
                  part / the same function as a UDF returning an array, exploded.
* ``get_bounds``  ``get_bounds("amount")`` (ungrouped) / Spark's min and max.

The twins' UDFs get the whole row, as sparkdp's (and Tumult's) functions do. Python functions run in
Python workers on both sides, which the JVM CPU column does not see: read the wall
column for ``map`` and ``flat_map``. Each sparkdp run is a fresh ``Session`` with an infinite-looking budget
of 10 per query; ``stop()`` runs after the timer.

    JAVA_HOME=$(cat .tools/java17-home) .venv/bin/python benches/transformations_vs_spark.py --rows 1000000
"""
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "python"))
sys.path.insert(0, os.path.join(REPO_ROOT, "benches"))

# pylint: disable=wrong-import-position
from pyspark.sql import functions as F  # noqa: E402
from pyspark.sql import types as T  # noqa: E402

from aggregations_vs_spark import main_over_purchases  # noqa: E402
from sparkdp import AddOneRow, ColumnType, KeySet, PureDPBudget, QueryBuilder, Session  # noqa: E402

PAIRS = ["filter", "join", "map", "flat_map", "get_bounds"]
REGIONS = 100


def amount_band(row):
    """The map function of the ``map`` pair (both sides)."""
    return {"band": row["amount"] // 100}


def amount_parts(row):
    """The flat_map function of the ``flat_map`` pair (both sides): 1 to 3 rows."""
    return [{"part": i} for i in range(row["amount"] % 3 + 1)]


class Runner:
    def __init__(self, spark, purchases, shops):
        self.purchases = purchases
        self.shops = shops
        self.regions = shops.select("shop", (F.col("shop") % REGIONS).cast("int").alias("region")).cache()
        self.regions.count()
        self.region_keys = spark.range(REGIONS).select(F.col("id").cast("int").alias("region"))
        self.band_keys = spark.range(12).select(F.col("id").cast("long").alias("band"))
        self.part_keys = spark.range(3).select(F.col("id").cast("long").alias("part"))

    @staticmethod
    def _force(df):
        df.write.format("noop").mode("overwrite").save()

    def _whole_row(self):
        # Tumult's map functions get the whole row as a dict; the twin's UDF gets it too.
        return F.struct(*[F.col(c) for c in self.purchases.columns])

    @staticmethod
    def _count_per(df, column, keys):
        return df.groupBy(column).count().join(keys, [column], "right").na.fill(0, ["count"])

    # Plain Spark twins.
    def spark_filter(self):
        self._force(self._count_per(self.purchases.filter("amount > 600"), "shop", self.shops))

    def spark_join(self):
        self._force(self._count_per(self.purchases.join(self.regions, ["shop"]), "region", self.region_keys))

    def spark_map(self):
        band = F.udf(lambda row: amount_band(row.asDict())["band"], T.LongType())
        self._force(self._count_per(self.purchases.withColumn("band", band(self._whole_row())), "band", self.band_keys))

    def spark_flat_map(self):
        parts = F.udf(lambda row: [r["part"] for r in amount_parts(row.asDict())], T.ArrayType(T.LongType()))
        exploded = self.purchases.withColumn("part", F.explode(parts(self._whole_row())))
        self._force(self._count_per(exploded, "part", self.part_keys))

    def spark_get_bounds(self):
        self._force(self.purchases.agg(F.min("amount").alias("lower"), F.max("amount").alias("upper")))

    # sparkdp.
    def _sparkdp(self, query, public=None):
        builder = (Session.Builder().with_privacy_budget(PureDPBudget(10))
                   .with_private_dataframe("purchases", self.purchases, protected_change=AddOneRow()))
        if public is not None:
            builder = builder.with_public_dataframe("regions", public)
        session = builder.build()
        self._force(session.evaluate(query, PureDPBudget(10)))
        return session

    def sparkdp_filter(self):
        keys = KeySet.from_dataframe(self.shops)
        return self._sparkdp(QueryBuilder("purchases").filter("amount > 600").groupby(keys).count())

    def sparkdp_join(self):
        query = QueryBuilder("purchases").join_public("regions").groupby(KeySet.from_dataframe(self.region_keys)).count()
        return self._sparkdp(query, public=self.regions)

    def sparkdp_map(self):
        query = (QueryBuilder("purchases").map(amount_band, {"band": ColumnType.INTEGER}, augment=True)
                 .groupby(KeySet.from_dataframe(self.band_keys)).count())
        return self._sparkdp(query)

    def sparkdp_flat_map(self):
        query = (QueryBuilder("purchases")
                 .flat_map(amount_parts, {"part": ColumnType.INTEGER}, augment=True, max_rows=3)
                 .groupby(KeySet.from_dataframe(self.part_keys)).count())
        return self._sparkdp(query)

    def sparkdp_get_bounds(self):
        return self._sparkdp(QueryBuilder("purchases").get_bounds("amount"))


def main():
    main_over_purchases(__doc__.splitlines()[0], PAIRS, Runner, "transformation", "sparkdp-bench-transform-")


if __name__ == "__main__":
    main()
