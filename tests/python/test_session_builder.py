"""Session.Builder and the session's table introspection (issue 10), forwarded to the JVM."""
import pytest
from pyspark.sql import functions as F

from sparkdp import (
    AddOneRow,
    AddRowsWithID,
    ColumnDescriptor,
    ColumnType,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    Session,
)


def test_builder_with_two_id_tables_and_a_public_table(checkouts_df, capsys):
    holds = checkouts_df.select("member_id").withColumn("kind", F.lit("hold"))
    public = checkouts_df.select("member_id").distinct()
    session = (
        Session.Builder()
        .with_privacy_budget(PureDPBudget(float("inf")))
        .with_id_space("members")
        .with_private_dataframe("checkouts", checkouts_df, AddRowsWithID("member_id", "members"))
        .with_private_dataframe("holds", holds, protected_change=AddRowsWithID("member_id", "members"))
        .with_public_dataframe("members", public)
        .build()
    )
    try:
        assert session.private_sources == ["holds", "checkouts"]  # Tumult lists its domain reversed
        assert session.public_sources == ["members"]
        assert session.public_source_dataframes["members"].count() == public.count()
        assert session.get_id_column("holds") == "member_id" and session.get_id_space("holds") == "members"
        assert session.get_grouping_column("holds") is None
        assert session.get_column_types("holds") == {"member_id": ColumnType.INTEGER, "kind": ColumnType.VARCHAR}
        assert session.get_schema("holds")["kind"] == ColumnDescriptor(ColumnType.VARCHAR, allow_null=False)
        count = session.evaluate(QueryBuilder("holds").enforce(MaxRowsPerID(10 ** 6)).count(), PureDPBudget(float("inf")))
        assert count.collect()[0][0] == checkouts_df.count()
        session.describe()
        assert "Private table 'holds'" in capsys.readouterr().out
        session.add_public_dataframe("more", public)
        assert session.public_sources == ["members", "more"]
        with pytest.raises(ValueError, match="already exists"):
            session.add_public_dataframe("holds", public)
        with pytest.raises(KeyError):
            session.get_schema("nope")
    finally:
        session.stop()


def test_builder_errors(checkouts_df):
    with pytest.raises(ValueError, match="privacy budget"):
        Session.Builder().with_private_dataframe("t", checkouts_df, AddOneRow()).build()
    with pytest.raises(ValueError, match="at least one private source"):
        Session.Builder().with_privacy_budget(PureDPBudget(1)).build()
    with pytest.raises(ValueError, match="already exists"):
        (Session.Builder().with_private_dataframe("t", checkouts_df, AddOneRow())
         .with_public_dataframe("t", checkouts_df))
    with pytest.raises(TypeError):
        Session.Builder().with_privacy_budget(1)
