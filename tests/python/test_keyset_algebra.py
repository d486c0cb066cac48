"""KeySet algebra (issue 10), forwarded to the JVM KeySet: each operation against plain Spark, and its errors."""
import pytest
from pyspark.sql import functions as F

from sparkdp import ColumnType, KeySet


def keys(keyset):
    return {tuple(row) for row in keyset.dataframe().collect()}


@pytest.fixture(scope="module")
def ab(spark):
    return KeySet.from_dict({"a": [1, 2, 3], "b": ["x", "y"]})


def test_product_projection_size_and_schema(ab):
    c = KeySet.from_dict({"c": [True, False]})
    product = ab * c
    assert product.columns() == ["a", "b", "c"] and product.size() == 12
    assert keys(product["c"]) == {(True,), (False,)}
    assert product[["c", "a"]].columns() == ["c", "a"] and product[("b",)].size() == 2
    assert list(product.schema()) == ["a", "b", "c"]
    assert product.schema()["a"].column_type == ColumnType.INTEGER
    assert product.schema()["b"].column_type == ColumnType.VARCHAR
    with pytest.raises(ValueError, match="overlapping columns"):
        ab * ab


def test_join_difference_union_and_filter(ab):
    left = KeySet.from_tuples([("A", 1), ("B", 2), (None, 3)], ["g", "x"])
    right = KeySet.from_tuples([("A", "p"), (None, "r")], ["g", "y"])
    assert keys(left.join(right)) == {("A", 1, "p"), (None, 3, "r")}
    assert keys(left - KeySet.from_tuples([(None,), ("A",)], ["g"])) == {("B", 2)}
    union = KeySet.from_tuples([(1, "x")], ["a", "b"]).union(KeySet.from_tuples([("y", 2)], ["b", "a"]))
    assert keys(union) == {(1, "x"), (2, "y")}
    assert ab.filter("a >= 2").size() == 4 and ab.filter(F.col("b") == "x").size() == 3
    with pytest.raises(ValueError, match="without a shared column"):
        left.join(KeySet.from_dict({"z": [1]}))
    with pytest.raises(TypeError):
        ab.filter(3)


def test_equality_ignores_column_order(ab):
    assert ab == KeySet.from_dict({"b": ["y", "x"], "a": [3, 2, 1]})
    assert ab != ab.filter("a < 3")
    assert hash(ab) == hash(KeySet.from_dict({"b": ["x"], "a": [1]}))
