"""A finite-budget noise test for every transformation and session feature (Scala twin:
TransformationNoiseSuite.scala).

Each test evaluates once over a keyset of 2000 cells whose true answers are
known from the data (noise = released - truth) and tests the draws against the
exact noise distribution that Tumult's stability for the transformation
implies, computed here from Tumult's rules and not read from the plan: a
count's L1 sensitivity is the output's protected change (AddOneRow 1,
AddMaxRows(n) n, AddMaxRowsInMaxGroups(c, g, r) g*r, and under zCDP grouped by
c an L2 of r*sqrt(g)), a clamped sum's is that times max(|low|, |high|);
discrete Laplace of scale D1/eps under PureDP and ApproxDP, discrete Gaussian
of sigma^2 = D2^2/(2 rho) under RhoZCDP. The statistics (KS at alpha = 1e-6
per statistic, power against a wrong scale x/÷ 1.5 above 0.999, checked) are
noise_statistics.py's.

Uses the session-scoped ``spark`` fixture of conftest.py (FAILS without the jar).
"""
import pytest

from noise_statistics import DiscreteGaussian, DiscreteLaplace, assert_fits
from sparkdp import (
    AddMaxRows,
    AddMaxRowsInMaxGroups,
    AddOneRow,
    AddRowsWithID,
    ApproxDPBudget,
    BinningSpec,
    ColumnType,
    KeySet,
    MaxRowsPerID,
    PureDPBudget,
    QueryBuilder,
    RhoZCDPBudget,
    Session,
    TruncationStrategy,
)

CELLS = 2000


def cell(i):
    return "c{:04d}".format(i)


def index(cell_name):
    return int(cell_name[1:])


@pytest.fixture(scope="module")
def cell_keys(spark):
    """cell_keys(column): a KeySet of the 2000 cell names in ``column``."""
    def make(column="cell"):
        return KeySet.from_dataframe(spark.createDataFrame([(cell(i),) for i in range(CELLS)], column + " string"))
    return make


@pytest.fixture(scope="module")
def cells_with_x(spark):
    """One row per cell: (cell, x = i mod 8)."""
    return spark.createDataFrame([(cell(i), i % 8) for i in range(CELLS)], "cell string, x bigint")


def session(budget, change, data):
    return Session.from_dataframe(budget, "t", data, change)


def assert_noise(dp, query, budget, key_columns, value_column, expected, truth, cells=CELLS):
    """Evaluates ``query`` with the session's whole budget; tests released - truth against ``expected``."""
    try:
        released = dp.evaluate(query, budget).collect()
        assert len(released) == cells, len(released)
        noise = [row[value_column] - truth("|".join(str(row[c]) for c in key_columns)) for row in released]
        assert_fits(noise, expected)
    finally:
        dp.stop()


def count_noise(dp, query, budget, expected, truth, key="cell"):
    assert_noise(dp, query, budget, [key], "count", expected, truth)


# ---------------------------------------------------------------- row-wise


def test_select_keeps_add_max_rows(cells_with_x, cell_keys):
    """select keeps AddMaxRows(2): a count's noise is discrete Laplace of scale 2 at PureDP(1)."""
    budget = PureDPBudget(1)
    count_noise(session(budget, AddMaxRows(2), cells_with_x),
                QueryBuilder("t").select(["cell"]).groupby(cell_keys()).count(), budget,
                DiscreteLaplace(2), lambda _: 1)


def test_rename_carries_the_grouping_column(cells_with_x, cell_keys):
    """rename carries AddMaxRowsInMaxGroups(cell, 2, 3) to the new name: sigma^2 = 2*3^2/(2 rho) = 18."""
    budget = RhoZCDPBudget(0.5)
    query = QueryBuilder("t").rename({"cell": "key"}).groupby(cell_keys("key")).count()
    count_noise(session(budget, AddMaxRowsInMaxGroups("cell", 2, 3), cells_with_x), query, budget,
                DiscreteGaussian(18), lambda _: 1, key="key")


def test_filter_keeps_add_max_rows(spark, cell_keys):
    """filter keeps AddMaxRows(2): sigma^2 = 2^2/(2 rho) = 4 at RhoZCDP(0.5)."""
    budget = RhoZCDPBudget(0.5)
    data = spark.createDataFrame([(cell(i), x) for i in range(CELLS) for x in (0, 1)], "cell string, x bigint")
    count_noise(session(budget, AddMaxRows(2), data),
                QueryBuilder("t").filter("x = 1").groupby(cell_keys()).count(), budget,
                DiscreteGaussian(4), lambda _: 1)


def test_replace_null_and_nan_sum(spark, cell_keys):
    """replace_null_and_nan changes values, keeps AddOneRow: a sum clamped to [0, 5] has Laplace scale 5."""
    budget = PureDPBudget(1)
    data = spark.createDataFrame([(cell(i), None if i % 2 == 0 else i % 7) for i in range(CELLS)],
                                 "cell string, x bigint")
    query = QueryBuilder("t").replace_null_and_nan({"x": 9}).groupby(cell_keys()).sum("x", 0, 5)

    def truth(key):
        i = index(key)
        return 5 if i % 2 == 0 else min(i % 7, 5)
    assert_noise(session(budget, AddOneRow(), data), query, budget, ["cell"], "x_sum", DiscreteLaplace(5), truth)


@pytest.fixture(scope="module")
def special_y(spark):
    """Per cell: y = 1.0, null, +inf, -inf, and NaN for even i."""
    inf = float("inf")
    rows = []
    for i in range(CELLS):
        rows += [(cell(i), 1.0), (cell(i), None), (cell(i), inf), (cell(i), -inf)]
        if i % 2 == 0:
            rows.append((cell(i), float("nan")))
    return spark.createDataFrame(rows, "cell string, y double")


def test_drop_null_and_nan_keeps_add_max_rows(special_y, cell_keys):
    """drop_null_and_nan keeps AddMaxRows(3): Laplace scale 3 at PureDP(1)."""
    budget = PureDPBudget(1)
    query = QueryBuilder("t").drop_null_and_nan(["y"]).groupby(cell_keys()).count()
    count_noise(session(budget, AddMaxRows(3), special_y), query, budget, DiscreteLaplace(3),
                lambda _: 3)  # 1.0, +inf, -inf


def test_replace_infinity_keeps_add_one_row(special_y, cell_keys):
    """replace_infinity keeps AddOneRow: a count of the replaced value has scale 1/eps = 0.5 at ApproxDP(2, 1e-6)."""
    budget = ApproxDPBudget(2, 1e-6)
    query = QueryBuilder("t").replace_infinity({"y": (-1.0, 2.5)}).filter("y = 2.5").groupby(cell_keys()).count()
    count_noise(session(budget, AddOneRow(), special_y), query, budget, DiscreteLaplace(0.5),
                lambda _: 1)  # the +inf row


def test_drop_infinity_keeps_add_max_rows(special_y, cell_keys):
    """drop_infinity keeps AddMaxRows(2): Laplace scale 2 at PureDP(1)."""
    budget = PureDPBudget(1)
    query = QueryBuilder("t").drop_infinity(["y"]).groupby(cell_keys()).count()
    count_noise(session(budget, AddMaxRows(2), special_y), query, budget, DiscreteLaplace(2),
                lambda key: 3 if index(key) % 2 == 0 else 2)  # 1.0, null (and NaN)


def test_bin_column_keeps_add_one_row(spark):
    """bin_column keeps AddOneRow: counts per (cell, bin) have Laplace scale 2 at PureDP(0.5)."""
    budget = PureDPBudget(0.5)
    # 500 cells x 4 bins; ages 10 and 18 "[0, 18]", 30 "(18, 40]", 70 and 100 "(65, 100]".
    data = spark.createDataFrame([(cell(i), age) for i in range(500) for age in (10, 18, 30, 70, 100)],
                                 "cell string, age bigint")
    spec = BinningSpec([0, 18, 40, 65, 100])
    keys = (KeySet.from_dataframe(spark.createDataFrame([(cell(i),) for i in range(500)], "cell string"))
            * KeySet.from_dict({"age_bin": spec.bins()}))
    truth = {"[0, 18]": 2, "(18, 40]": 1, "(40, 65]": 0, "(65, 100]": 2}
    query = QueryBuilder("t").bin_column("age", spec, "age_bin").groupby(keys).count()
    assert_noise(session(budget, AddOneRow(), data), query, budget, ["cell", "age_bin"], "count",
                 DiscreteLaplace(2), lambda key: truth[key.split("|")[1]])


def test_histogram_keeps_add_one_row(spark):
    """histogram keeps AddOneRow: 1000 bins' counts have sigma^2 = 1/(2 rho) = 1 at RhoZCDP(0.5).

    1000 cells (a CASE WHEN of 1000 bins is what Spark compiles in reasonable
    time): the KS threshold is 0.085 and the power check needs a distance of
    0.147, which the discrete Gaussian's 0.19 passes.
    """
    budget = RhoZCDPBudget(0.5)
    bins = 1000
    # v = i + 1 falls in bin i ("[0, 1]", "(1, 2]", ...); bins of even i get a second row.
    data = spark.createDataFrame([(i + 1,) for i in range(bins) for _ in range(2 if i % 2 == 0 else 1)], "v bigint")
    spec = BinningSpec(list(range(bins + 1)))
    bin_index = {name: i for i, name in enumerate(spec.bins())}
    query = QueryBuilder("t").histogram("v", spec, "bin")  # builds its KeySet on the active SparkSession
    assert_noise(session(budget, AddOneRow(), data), query, budget, ["bin"], "count", DiscreteGaussian(1),
                 lambda key: 2 if bin_index[key] % 2 == 0 else 1, cells=bins)


# ---------------------------------------------------------------- map family


def test_map_sum_keeps_add_one_row(cells_with_x, cell_keys):
    """map changes values, keeps AddOneRow: a sum of 2x clamped to [0, 10] has scale 10/eps = 5 at PureDP(2)."""
    budget = PureDPBudget(2)
    query = (QueryBuilder("t").map(lambda row: {"x2": row["x"] * 2}, {"x2": ColumnType.INTEGER}, augment=True)
             .groupby(cell_keys()).sum("x2", 0, 10))
    assert_noise(session(budget, AddOneRow(), cells_with_x), query, budget, ["cell"], "x2_sum",
                 DiscreteLaplace(5), lambda key: min(2 * (index(key) % 8), 10))


def five_copies():
    """Five rows per input row, all with k = the row's cell. Made by a function so that cloudpickle ships it
    by value: the Python workers cannot import this test module."""
    return lambda row: [{"k": row["cell"]}] * 5


def test_flat_map_max_rows_1(cells_with_x, cell_keys):
    """flat_map(max_rows=1) under AddOneRow is AddMaxRows(1): Laplace scale 1 at ApproxDP(1, 1e-6)."""
    budget = ApproxDPBudget(1, 1e-6)
    query = QueryBuilder("t").flat_map(five_copies(), {"k": ColumnType.VARCHAR}, max_rows=1).groupby(cell_keys("k")).count()
    count_noise(session(budget, AddOneRow(), cells_with_x), query, budget, DiscreteLaplace(1), lambda _: 1, key="k")


def test_flat_map_max_rows_3_under_add_max_rows(cells_with_x, cell_keys):
    """flat_map(max_rows=3) under AddMaxRows(2) is AddMaxRows(6): Laplace scale 6 at PureDP(1)."""
    budget = PureDPBudget(1)
    query = QueryBuilder("t").flat_map(five_copies(), {"k": ColumnType.VARCHAR}, max_rows=3).groupby(cell_keys("k")).count()
    count_noise(session(budget, AddMaxRows(2), cells_with_x), query, budget, DiscreteLaplace(6), lambda _: 3, key="k")


def test_flat_map_max_rows_3_sum(cells_with_x, cell_keys):
    """flat_map(max_rows=3) under AddOneRow, then a sum clamped to [0, 4]: L2 = 3*4, sigma^2 = 144/(2 rho) = 36."""
    budget = RhoZCDPBudget(2)

    def values(row):  # 7, 2, 1 kept: clamped 4 + 2 + 1 = 7
        return [{"k": row["cell"], "v": v} for v in (7, 2, 1, 9, 9)]
    query = (QueryBuilder("t").flat_map(values, {"k": ColumnType.VARCHAR, "v": ColumnType.INTEGER}, max_rows=3)
             .groupby(cell_keys("k")).sum("v", 0, 4))
    assert_noise(session(budget, AddOneRow(), cells_with_x), query, budget, ["k"], "v_sum",
                 DiscreteGaussian(36), lambda _: 7)


def test_grouping_flat_map(cells_with_x, cell_keys):
    """A grouping flat_map(max_rows=3) under AddOneRow is AddMaxRowsInMaxGroups(g, 3, 1): grouped by g,
    sigma^2 = 3/(2 rho) = 1 at RhoZCDP(1.5)."""
    budget = RhoZCDPBudget(1.5)

    def neighbours(row):  # g = c_i, c_(i+1), c_i: the repeat is dropped, each g gets 2 rows
        i = int(row["cell"][1:])
        return [{"g": "c{:04d}".format(j)} for j in (i, (i + 1) % 2000, i)]
    query = (QueryBuilder("t").flat_map(neighbours, {"g": ColumnType.VARCHAR}, augment=True, grouping=True, max_rows=3)
             .groupby(cell_keys("g")).count())
    count_noise(session(budget, AddOneRow(), cells_with_x), query, budget, DiscreteGaussian(1), lambda _: 2, key="g")


def test_flat_map_by_id(spark, cell_keys):
    """flat_map_by_id keeps AddRowsWithID: with MaxRowsPerID(2) a count has Laplace scale 2 at PureDP(1)."""
    budget = PureDPBudget(1)
    data = spark.createDataFrame([("id%d" % i, cell(i)) for i in range(CELLS) for _ in range(3)], "id string, cell string")
    query = (QueryBuilder("t").flat_map_by_id(lambda rows: [{"k": row["cell"]} for row in rows], {"k": ColumnType.VARCHAR})
             .enforce(MaxRowsPerID(2)).groupby(cell_keys("k")).count())
    count_noise(session(budget, AddRowsWithID("id"), data), query, budget, DiscreteLaplace(2), lambda _: 2, key="k")


def test_flat_map_under_add_max_rows_in_max_groups(cells_with_x, cell_keys):
    """flat_map(max_rows=2) under AddMaxRowsInMaxGroups(cell, 2, 3) is (cell, 2, 6): grouped by cell,
    sigma^2 = 2*6^2/(2 rho) = 36 at RhoZCDP(1)."""
    budget = RhoZCDPBudget(1)
    query = (QueryBuilder("t").flat_map(lambda row: [{"k": "new"}] * 3, {"k": ColumnType.VARCHAR}, augment=True, max_rows=2)
             .groupby(cell_keys()).count())
    count_noise(session(budget, AddMaxRowsInMaxGroups("cell", 2, 3), cells_with_x), query, budget,
                DiscreteGaussian(36), lambda _: 2)


# ---------------------------------------------------------------- joins


@pytest.fixture(scope="module")
def shops(spark):
    """Private shops s_0 ... s_666, one row each."""
    return spark.createDataFrame([("s%d" % j,) for j in range((CELLS + 2) // 3)], "shop string")


@pytest.fixture(scope="module")
def labels_of_shops(spark):
    """Public: s_j -> c_(3j), c_(3j+1), c_(3j+2) (key multiplicity 3)."""
    return spark.createDataFrame([("s%d" % (i // 3), cell(i)) for i in range(CELLS)], "shop string, label string")


def test_join_public_by_name_multiplicity_1(spark, cell_keys):
    """join_public by name, key multiplicity 1, keeps AddOneRow: Laplace scale 1 at PureDP(1)."""
    budget = PureDPBudget(1)
    data = spark.createDataFrame([("s%d" % i,) for i in range(CELLS)], "shop string")
    labels = spark.createDataFrame([("s%d" % i, cell(i)) for i in range(CELLS)], "shop string, label string")
    dp = (Session.Builder().with_privacy_budget(budget).with_private_dataframe("t", data, AddOneRow())
          .with_public_dataframe("labels", labels).build())
    count_noise(dp, QueryBuilder("t").join_public("labels").groupby(cell_keys("label")).count(), budget,
                DiscreteLaplace(1), lambda _: 1, key="label")


def test_join_public_by_dataframe_multiplicity_3(shops, labels_of_shops, cell_keys):
    """join_public by DataFrame, key multiplicity 3, makes AddOneRow AddMaxRows(3): Laplace scale 3 at PureDP(1)."""
    budget = PureDPBudget(1)
    count_noise(session(budget, AddOneRow(), shops),
                QueryBuilder("t").join_public(labels_of_shops).groupby(cell_keys("label")).count(), budget,
                DiscreteLaplace(3), lambda _: 1, key="label")


def test_join_public_by_name_multiplicity_3_zcdp(shops, labels_of_shops, cell_keys):
    """join_public by name, key multiplicity 3, under RhoZCDP(0.5): AddMaxRows(3), sigma^2 = 9."""
    budget = RhoZCDPBudget(0.5)
    dp = (Session.Builder().with_privacy_budget(budget).with_private_dataframe("t", shops, AddOneRow())
          .with_public_dataframe("labels", labels_of_shops).build())
    count_noise(dp, QueryBuilder("t").join_public("labels", ["shop"]).groupby(cell_keys("label")).count(), budget,
                DiscreteGaussian(9), lambda _: 1, key="label")


def test_join_public_under_add_max_rows_in_max_groups(shops, labels_of_shops, cell_keys):
    """join_public with key multiplicity 3 under AddMaxRowsInMaxGroups(shop, 2, 1) is (shop, 2, 3): grouped by
    label, L1 = 2*3, Laplace scale 6 at PureDP(1)."""
    budget = PureDPBudget(1)
    count_noise(session(budget, AddMaxRowsInMaxGroups("shop", 2, 1), shops),
                QueryBuilder("t").join_public(labels_of_shops).groupby(cell_keys("label")).count(), budget,
                DiscreteLaplace(6), lambda _: 1, key="label")


def test_join_private_two_id_tables(spark, cell_keys):
    """join_private of two ID tables keeps AddRowsWithID: with MaxRowsPerID(2) Laplace scale 2 at PureDP(1)."""
    budget = PureDPBudget(1)
    left = spark.createDataFrame([("id%d" % i, cell(i)) for i in range(CELLS)], "id string, cell string")
    right = spark.createDataFrame([("id%d" % i, z) for i in range(CELLS) for z in (0, 1)], "id string, z bigint")
    dp = (Session.Builder().with_privacy_budget(budget).with_id_space("people")
          .with_private_dataframe("left", left, AddRowsWithID("id", "people"))
          .with_private_dataframe("right", right, AddRowsWithID("id", "people")).build())
    query = QueryBuilder("left").join_private(QueryBuilder("right")).enforce(MaxRowsPerID(2)).groupby(cell_keys()).count()
    count_noise(dp, query, budget, DiscreteLaplace(2), lambda _: 2)


def keyed_tables(spark, budget, left_change=None):
    """Left: (k_i, c_i) once per key; right: (k_i, 0), (k_i, 1), and (k_i, 2) for i = 0 mod 4."""
    left = spark.createDataFrame([("k%d" % i, cell(i)) for i in range(CELLS)], "k string, cell string")
    right = spark.createDataFrame(
        [("k%d" % i, z) for i in range(CELLS) for z in ((0, 1, 2) if i % 4 == 0 else (0, 1))], "k string, z bigint")
    return (Session.Builder().with_privacy_budget(budget).with_private_dataframe("left", left, left_change or AddOneRow())
            .with_private_dataframe("right", right, AddOneRow()).build())


def test_join_private_drop_excess(spark, cell_keys):
    """DropExcess(1) and DropExcess(2) on AddOneRow tables: AddMaxRows(1*2*1 + 2*2*1 = 6), Laplace scale 6."""
    budget = PureDPBudget(1)
    query = (QueryBuilder("left").join_private(QueryBuilder("right"), TruncationStrategy.DropExcess(1),
                                               TruncationStrategy.DropExcess(2)).groupby(cell_keys()).count())
    count_noise(keyed_tables(spark, budget), query, budget, DiscreteLaplace(6), lambda _: 2)


def test_join_private_drop_non_unique(spark, cell_keys):
    """DropNonUnique on both AddOneRow tables: AddMaxRows(1 + 1 = 2), Laplace scale 2 at ApproxDP(1, 1e-6)."""
    budget = ApproxDPBudget(1, 1e-6)
    query = (QueryBuilder("left").join_private(QueryBuilder("right"), TruncationStrategy.DropNonUnique(),
                                               TruncationStrategy.DropNonUnique()).groupby(cell_keys()).count())
    # every right key has 2 or 3 rows: all dropped
    count_noise(keyed_tables(spark, budget), query, budget, DiscreteLaplace(2), lambda _: 0)


def test_join_private_drop_excess_with_add_max_rows(spark, cell_keys):
    """DropExcess(1) on both, left AddMaxRows(2), right AddOneRow: AddMaxRows(1*2*1 + 1*2*2 = 6), scale 6."""
    budget = PureDPBudget(1)
    query = (QueryBuilder("left").join_private(QueryBuilder("right"), TruncationStrategy.DropExcess(1),
                                               TruncationStrategy.DropExcess(1)).groupby(cell_keys()).count())
    count_noise(keyed_tables(spark, budget, AddMaxRows(2)), query, budget, DiscreteLaplace(6), lambda _: 1)


# ---------------------------------------------------------------- session features


def test_view_of_a_flat_map(cells_with_x, cell_keys):
    """create_view of a flat_map(max_rows=3) under AddOneRow is AddMaxRows(3): Laplace scale 3 at PureDP(1)."""
    budget = PureDPBudget(1)
    dp = session(budget, AddOneRow(), cells_with_x)
    dp.create_view(QueryBuilder("t").flat_map(five_copies(), {"k": ColumnType.VARCHAR}, max_rows=3), "expanded", cache=False)
    count_noise(dp, QueryBuilder("expanded").groupby(cell_keys("k")).count(), budget, DiscreteLaplace(3),
                lambda _: 3, key="k")


@pytest.fixture(scope="module")
def parts(spark):
    """Each cell once in part "a" and once in part "b"."""
    return spark.createDataFrame([(cell(i), p) for i in range(CELLS) for p in ("a", "b")], "cell string, part string")


def test_partition_child_of_add_max_rows(parts, cell_keys):
    """partition_and_create: a child of AddMaxRows(2) is AddMaxRows(2): Laplace scale 2 at PureDP(1)."""
    budget = PureDPBudget(1)
    dp = session(budget, AddMaxRows(2), parts)
    try:
        children = dp.partition_and_create("t", budget, "part", {"pa": "a", "pb": "b"})
        count_noise(children["pa"], QueryBuilder("pa").groupby(cell_keys()).count(), budget,
                    DiscreteLaplace(2), lambda _: 1)
    finally:
        dp.stop()


def test_partition_child_of_add_max_rows_in_max_groups(parts, cell_keys):
    """partition_and_create on the grouping column: a child of AddMaxRowsInMaxGroups(part, 4, 3) is
    AddMaxRows(3*sqrt(4) = 6) under zCDP: sigma^2 = 36 at RhoZCDP(0.5)."""
    budget = RhoZCDPBudget(0.5)
    dp = session(budget, AddMaxRowsInMaxGroups("part", 4, 3), parts)
    try:
        children = dp.partition_and_create("t", budget, "part", {"pa": "a", "pb": "b"})
        count_noise(children["pa"], QueryBuilder("pa").groupby(cell_keys()).count(), budget,
                    DiscreteGaussian(36), lambda _: 1)
    finally:
        dp.stop()
