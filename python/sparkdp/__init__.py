"""sparkdp: differential privacy for Apache Spark, with Tumult Analytics' API.

A Tumult Analytics program runs on sparkdp with only its import line changed::

    from sparkdp import AddRowsWithID, KeySet, MaxRowsPerID, PureDPBudget, QueryBuilder, Session

This package forwards to the Scala API in the sparkdp jar through py4j; start
Spark with the jar in ``spark.jars`` (``--jars``, Glue's ``--extra-jars``), or
let :func:`configure_spark_with_sparkdp` add the jar the wheel carries::

    spark = configure_spark_with_sparkdp(SparkSession.builder).getOrCreate()
"""

from sparkdp.binning_spec import BinningSpec
from sparkdp.cleanup import cleanup
from sparkdp.column import ColumnDescriptor, ColumnType
from sparkdp.constraints import (
    Constraint,
    MaxGroupsPerID,
    MaxRowsPerGroupPerID,
    MaxRowsPerID,
)
from sparkdp.exceptions import AnalyticsInternalError
from sparkdp.keyset import KeySet
from sparkdp.pip_utils import VERSION, configure_spark_with_sparkdp
from sparkdp.privacy_budget import (
    ApproxDPBudget,
    PrivacyBudget,
    PureDPBudget,
    RhoZCDPBudget,
)
from sparkdp.protected_change import (
    AddMaxRows,
    AddMaxRowsInMaxGroups,
    AddOneRow,
    AddRowsWithID,
    ProtectedChange,
)
from sparkdp.query_builder import (
    AverageMechanism,
    CountDistinctMechanism,
    CountMechanism,
    GroupbyCountQuery,
    GroupedQueryBuilder,
    Query,
    QueryBuilder,
    StdevMechanism,
    SumMechanism,
    VarianceMechanism,
)
from sparkdp.session import Session
from sparkdp.truncation_strategy import TruncationStrategy

__all__ = [
    "AddMaxRows",
    "AddMaxRowsInMaxGroups",
    "AddOneRow",
    "AddRowsWithID",
    "AnalyticsInternalError",
    "ColumnDescriptor",
    "ColumnType",
    "ApproxDPBudget",
    "AverageMechanism",
    "BinningSpec",
    "Constraint",
    "CountDistinctMechanism",
    "CountMechanism",
    "GroupbyCountQuery",
    "GroupedQueryBuilder",
    "KeySet",
    "MaxGroupsPerID",
    "MaxRowsPerGroupPerID",
    "MaxRowsPerID",
    "PrivacyBudget",
    "ProtectedChange",
    "PureDPBudget",
    "Query",
    "QueryBuilder",
    "RhoZCDPBudget",
    "Session",
    "StdevMechanism",
    "SumMechanism",
    "TruncationStrategy",
    "VarianceMechanism",
    "cleanup",
    "configure_spark_with_sparkdp",
]

__version__ = VERSION
