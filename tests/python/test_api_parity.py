"""The Python and Scala APIs have the same public names (issue 9).

Walks the classes ``sparkdp`` exports and their public names (methods,
properties, dataclass fields, enum members) and, through py4j reflection of
the built jar, the public classes of the Scala package ``sparkdp`` and their
public methods (camelCase -> snake_case). Fails when one side lacks a name the
other has, except for the known language differences in the allow-lists
below, each with its reason. docs/API_NAMES.md lists every name.

Needs the jar (the session-scoped ``spark`` fixture of conftest.py).
"""

import dataclasses
import enum
import re
import zipfile

import pytest

import sparkdp
from sparkdp import _java

from conftest import JAR_PATH

# Methods every JVM object, Scala case class or companion has: not API names.
JVM_ARTEFACTS = {
    # java.lang.Object
    "equals", "hashCode", "toString", "getClass", "notify", "notifyAll", "wait",
    # Scala case classes and their companions (Python: dataclass __init__/__eq__/replace)
    "apply", "unapply", "copy", "canEqual", "productArity", "productElement",
    "productIterator", "productPrefix", "productElementName", "productElementNames",
    "curried", "tupled", "andThen", "compose", "readResolve",
}

# One word in Tumult's snake_case that Scala writes as two in camelCase.
SPELLINGS = {
    "data_frame": "dataframe",  # Tumult: from_dataframe; Scala keeps Spark's DataFrame
}

# (class, snake_case name) that only Scala has, and why.
SCALA_ONLY = {
    ("QueryBuilder", "group_by"): "Scala's camelCase groupBy; Scala also has Tumult's groupby, "
                                  "which Python has",
    ("QueryBuilder", "query_expr"): "private[sparkdp] query tree (Scala's package-private "
                                    "members are public in bytecode)",
    ("Query", "query_expr"): "the query tree a Query wraps; Python's Query keeps it private "
                             "(_aggregation etc.), as Tumult's keeps _query_expr",
    ("GroupbyCountQuery", "query_expr"): "as Query.query_expr",
    ("GroupbyCountQuery", "group_by_count"): "the count node of the query tree (as query_expr)",
    ("PrivacyBudget", "to_budget_text"): "private[sparkdp] wire text for the native core",
    ("PureDPBudget", "to_budget_text"): "as PrivacyBudget.to_budget_text",
    ("ApproxDPBudget", "to_budget_text"): "as PrivacyBudget.to_budget_text",
    ("RhoZCDPBudget", "to_budget_text"): "as PrivacyBudget.to_budget_text",
    ("Session", "warehouse"): "private[sparkdp] table store of the session",
    ("QueryBuilder", "aggregated_expr"): "protected member of the Scala trait AggregationMethods "
                                         "(protected is public in bytecode)",
    ("QueryBuilder", "keyset_option"): "as QueryBuilder.aggregated_expr",
    ("GroupedQueryBuilder", "aggregated_expr"): "as QueryBuilder.aggregated_expr",
    ("GroupedQueryBuilder", "keyset_option"): "as QueryBuilder.aggregated_expr",
    ("GroupedQueryBuilder", "default_count_column"): "constant of a private companion object",
}
SCALA_ONLY.update({
    ("ColumnDescriptor", "of"): "Scala factory from a Spark StructField (used by Session.getSchema); "
                                "Python builds descriptors from the JVM's",
    ("ColumnType", "of"): "Scala factory from a Spark DataType (as ColumnDescriptor.of)",
    ("ColumnType", "other"): "Scala case class for a Spark type Tumult has no name for; Python "
                             "gives such a column_type as the type's name (a str)",
    ("Session", "default_id_space"): "Scala constant of the companion (Tumult's default ID space name)",
    ("Session", "require_source_id"): "private[sparkdp] argument check of the companion",
    ("Session", "require_identifier"): "private[sparkdp] argument check of the companion (Tumult's "
                                       "_assert_is_identifier)",
    ("Session", "with_job_descriptions"): "private[sparkdp] helper of evaluate (Spark job descriptions)",
    ("Session", "pause_before_charge_for_tests"): "private[sparkdp] test-only hook of evaluate's charge "
                                                  "(SessionConcurrencySuite)",
    ("AddMaxRows", "no_change"): "private[sparkdp] AddMaxRows(0), which only Rust gives (a flat map with "
                                 "max_rows=0); users cannot build it, as in Tumult",
    ("Session", "drain_warnings"): "private[sparkdp] warnings of the last actions, which Python re-issues with "
                                   "warnings.warn (Session._act)",
    ("Session", "get_grouping_column_or_null"): "py4j form of get_grouping_column (null for None)",
    ("Session", "get_id_column_or_null"): "py4j form of get_id_column (null for None)",
    ("Session", "get_id_space_or_null"): "py4j form of get_id_space (null for None)",
    ("KeySet", "product"): "Scala/py4j name of keyset * other; Python spells it with * (__mul__) as Tumult",
    ("KeySet", "difference"): "Scala/py4j name of keyset - other; Python spells it with - (__sub__)",
    ("KeySet", "select"): "Scala/py4j name of the projection; Python spells it keyset['a'] or "
                          "keyset[['a', 'b']] (__getitem__) as Tumult",
})
for _mechanism in ("CountMechanism", "CountDistinctMechanism", "SumMechanism",
                   "AverageMechanism", "VarianceMechanism", "StdevMechanism"):
    SCALA_ONLY[(_mechanism, "from_name")] = (
        "Python parses a mechanism's name where it is passed (every aggregation takes the "
        "string) and has Enum's own lookup, {}['LAPLACE']".format(_mechanism))
    if _mechanism != "CountMechanism":
        SCALA_ONLY[(_mechanism, "values")] = (
            "the Scala enum's members as a Seq; a Python Enum iterates its members, "
            "list({})".format(_mechanism))
for _constraint in ("Constraint", "MaxRowsPerID", "MaxGroupsPerID", "MaxRowsPerGroupPerID"):
    SCALA_ONLY[(_constraint, "grouping_column_option")] = (
        "private[sparkdp] helper of the Scala constraints")

# (class, name) that only Python has, and why.
PYTHON_ONLY = {
    ("QueryBuilder", "source_id"): "read-only property of the Python builder (its "
                                   "docstring example); Scala keeps it in queryExpr",
    ("AddOneRow", "max_rows"): "Tumult's AddOneRow subclasses AddMaxRows (max_rows == 1); "
                               "Scala's AddOneRow() is its own case class",
    ("PrivacyBudget", "is_infinite"): "Tumult's Python helper; Scala compares with "
                                      "Double.PositiveInfinity",
    ("TruncationStrategy", "DropExcess"): "nested class on both sides (Scala: "
                                          "TruncationStrategy.DropExcess, class "
                                          "TruncationStrategy$DropExcess)",
    ("TruncationStrategy", "DropNonUnique"): "as TruncationStrategy.DropExcess",
    ("TruncationStrategy", "Type"): "Tumult's base class of the variants; Scala's is the sealed "
                                    "trait TruncationStrategy itself",
    ("Session", "Builder"): "a nested class on both sides (Scala: new Session.Builder(), class "
                            "Session$Builder, which is not a method of Session)",
}
for _budget in ("PureDPBudget", "ApproxDPBudget", "RhoZCDPBudget"):
    PYTHON_ONLY[(_budget, "is_infinite")] = PYTHON_ONLY[("PrivacyBudget", "is_infinite")]
    PYTHON_ONLY[(_budget, "inf")] = ("Tumult's Python constructor of the infinite budget; "
                                     "Scala writes {}(Double.PositiveInfinity)".format(_budget))

# Scala classes of package sparkdp with no Python class of the same name.
SCALA_ONLY_CLASSES = {
    "ArgumentChecks": "private[sparkdp] object (argument checks of the Scala API)",
    "MechanismNames": "private[sparkdp] object (parsing of mechanism names)",
    "SessionAccountant": "private[sparkdp] class: the shared state of a session and the sessions "
                         "partition_and_create made from it (Tumult keeps it in tmlt.core)",
    "SessionWarning": "private[sparkdp] case class: one warning of a session action, which Python "
                      "re-issues with warnings.warn (Session._act)",
    "SessionWarnings": "private[sparkdp] object: the warnings channel of session actions (package "
                       "sparkdp so that QueryFailure never takes its frames for a query step's)",
    "AggregationMechanism": "Scala supertrait of the aggregations' mechanism enums; Python's "
                            "are separate Enum classes, as Tumult's",
    "AggregationMethods": "Scala trait with the aggregations of both builders (Python: the "
                          "private mixin query_builder._Aggregations); their names are "
                          "compared on QueryBuilder and GroupedQueryBuilder",
    "AggregationArguments": "private object of QueryExpr.scala (argument checks of the tree)",
    "JoinArguments": "private object of QueryExpr.scala (argument checks of the join nodes)",
    "ClampBound": "clamping bounds of the query tree as the user gave them; Python passes "
                  "ints or floats",
    "IntegerBound": "as ClampBound",
    "FloatBound": "as ClampBound",
    "Cleanup": "Scala object of cleanup(spark, olderThan); Python spells it as the function "
               "sparkdp.cleanup(older_than=...)",
    "RowwiseValues": "private[sparkdp] object of QueryExpr.scala (values of the row-wise nodes and "
                     "their Python-like renderings in Tumult's messages)",
    "RowwiseArguments": "private object of QueryBuilder.scala (py4j forms of the row-wise "
                        "builder methods' arguments)",
    "RowFunction": "the user's function of a map-family tree node (a Scala function or a Spark "
                   "column); Python passes a callable, wrapped in a UDF",
    "ScalaRowFunction": "as RowFunction",
    "UdfRowFunction": "as RowFunction (Python's UDF column reaches Scala in it)",
    "MapArguments": "private object of QueryExpr.scala (argument checks of the map-family nodes)",
}


def snake_case(camel):
    """``fromDataFrame`` -> ``from_dataframe`` (with SPELLINGS)."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel).lower()
    for two_words, one_word in SPELLINGS.items():
        snake = snake.replace(two_words, one_word)
    return snake


def python_classes():
    """Exported classes, except exceptions (mapped to Java exception classes instead)."""
    classes = {}
    for name in sparkdp.__all__:
        value = getattr(sparkdp, name)
        if isinstance(value, type) and not issubclass(value, BaseException):
            classes[name] = value
    return classes


def python_names(python_class):
    if isinstance(python_class, enum.EnumMeta):
        # The members (Scala case objects) and their `name` (Scala's `name`).
        return {member.lower() for member in python_class.__members__} | {"name"}
    names = {name for name in dir(python_class) if not name.startswith("_")}
    if dataclasses.is_dataclass(python_class):
        names |= {field.name for field in dataclasses.fields(python_class)
                  if not field.name.startswith("_")}
    return names


def java_class(jvm, name):
    """The class ``sparkdp.<name>`` from the jar's class loader, or None."""
    try:
        return jvm.py4j.reflection.ReflectionUtil.classForName("sparkdp." + name)
    except Exception:  # pylint: disable=broad-except - py4j raises Py4JJavaError
        return None


def scala_method_names(jvm, name):
    """Public methods of ``sparkdp.<name>`` and its companion ``<name>$``, snake_case."""
    names = set()
    for class_name in (name, name + "$"):
        jclass = java_class(jvm, class_name)
        if jclass is None:
            continue
        for method in jclass.getMethods():
            method_name = str(method.getName())
            declared_in = str(method.getDeclaringClass().getName())
            if (declared_in.startswith("sparkdp.") and "$" not in method_name
                    and method_name not in JVM_ARTEFACTS):
                names.add(snake_case(method_name))
    return names


def scala_case_objects(name):
    """The case objects inside Scala's ``object <name>`` (an enum's members), lower case.

    Read from the jar's entries ``sparkdp/<name>$<Member>$.class``.
    """
    pattern = re.compile(r"sparkdp/{}\$([A-Za-z0-9_]+)\$\.class".format(re.escape(name)))
    with zipfile.ZipFile(str(JAR_PATH)) as jar:
        matches = [pattern.fullmatch(entry) for entry in jar.namelist()]
    return {match.group(1).lower() for match in matches if match}


def scala_names(jvm, name, python_class):
    names = scala_method_names(jvm, name)
    if isinstance(python_class, enum.EnumMeta):
        names |= scala_case_objects(name)
    return names


def scala_top_level_classes():
    """Top-level classes of package ``sparkdp`` in the jar (not sub-packages)."""
    with zipfile.ZipFile(str(JAR_PATH)) as jar:
        entries = jar.namelist()
    return {entry[len("sparkdp/"):-len(".class")] for entry in entries
            if re.fullmatch(r"sparkdp/[A-Za-z0-9_]+\.class", entry)}


@pytest.fixture(scope="module")
def jvm(spark):
    return _java.jvm_of(spark)


@pytest.mark.parametrize("name", sorted(python_classes()))
def test_python_class_and_scala_class_have_the_same_names(jvm, name):
    python_class = python_classes()[name]
    assert java_class(jvm, name) is not None, "Scala lacks class sparkdp.{}".format(name)
    python_side = python_names(python_class)
    scala_side = scala_names(jvm, name, python_class)
    missing_in_scala = {n for n in python_side - scala_side if (name, n) not in PYTHON_ONLY}
    missing_in_python = {n for n in scala_side - python_side if (name, n) not in SCALA_ONLY}
    assert not missing_in_scala, "Scala sparkdp.{} lacks {}".format(name, sorted(missing_in_scala))
    assert not missing_in_python, "Python sparkdp.{} lacks {}".format(
        name, sorted(missing_in_python))


def test_every_public_scala_class_has_a_python_class(jvm):
    query_expr = java_class(jvm, "QueryExpr")
    throwable = jvm.py4j.reflection.ReflectionUtil.classForName("java.lang.Throwable")
    lacking = []
    for name in sorted(scala_top_level_classes()):
        jclass = java_class(jvm, name)
        if name in python_classes() or name in SCALA_ONLY_CLASSES:
            continue
        if throwable.isAssignableFrom(jclass):
            # Exceptions: Python raises the mapped built-in or sparkdp exception.
            assert "sparkdp." + name in _java.JAVA_TO_PYTHON_EXCEPTION, name
            continue
        if query_expr is not None and query_expr.isAssignableFrom(jclass):
            continue  # the query tree: Python builds it only through QueryBuilder
        lacking.append(name)
    assert not lacking, "Python sparkdp lacks the Scala classes {}".format(lacking)


def test_exceptions_map_to_existing_java_classes(jvm):
    for java_name in _java.JAVA_TO_PYTHON_EXCEPTION:
        assert jvm.py4j.reflection.ReflectionUtil.classForName(java_name) is not None
    assert sparkdp.AnalyticsInternalError in _java.JAVA_TO_PYTHON_EXCEPTION.values()


def test_allow_lists_name_only_real_differences(jvm):
    """An allow-list entry that no longer differs must go (keeps the lists honest)."""
    classes = python_classes()
    for (name, member), reason in SCALA_ONLY.items():
        assert reason
        if name in classes and java_class(jvm, name) is not None:
            assert member in scala_names(jvm, name, classes[name]), (name, member)
            assert member not in python_names(classes[name]), (name, member)
    for (name, member), reason in PYTHON_ONLY.items():
        assert reason
        assert member in python_names(classes[name]), (name, member)
        if java_class(jvm, name) is not None:
            assert member not in scala_names(jvm, name, classes[name]), (name, member)


def test_snake_case():
    assert snake_case("fromDataFrame") == "from_dataframe"
    assert snake_case("countDistinct") == "count_distinct"
    assert snake_case("maxRowsPerGroup") == "max_rows_per_group"
    assert snake_case("getGroups") == "get_groups"
