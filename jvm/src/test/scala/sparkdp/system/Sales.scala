package sparkdp.system

import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.apache.spark.sql.types.{DoubleType, IntegerType, StringType, StructField, StructType}

/** Small deterministic sales data for the aggregation suites: (member_id, shop, units, price). `units` has a
  * null and values outside [0, 100]; `price` has null, NaN, +inf and -inf. Member 1 has 30 identical rows in
  * shop "a", so whichever rows a truncation keeps, the kept data are the same; every other member has at most
  * 3 rows in at most 2 shops. Shop "z" is in the data but in no keyset; shop "d" in the keyset but not the data.
  */
object Sales {

  final case class Sale(member: Int, shop: String, units: java.lang.Integer, price: java.lang.Double)

  val schema: StructType = StructType(
    Seq(
      StructField("member_id", IntegerType, nullable = false),
      StructField("shop", StringType),
      StructField("units", IntegerType),
      StructField("price", DoubleType)
    )
  )

  private def sale(member: Int, shop: String, units: Integer, price: java.lang.Double) = Sale(member, shop, units, price)

  val heavyMember: Sale = sale(1, "a", 5, 1.5)

  /** Every row but member 1's 30. */
  val others: Seq[Sale] = Seq(
    sale(2, "a", 10, 2.25),
    sale(2, "a", null, Double.NaN),
    sale(2, "b", 3, 10.0),
    sale(3, "b", 200, Double.PositiveInfinity),
    sale(3, "b", -7, Double.NegativeInfinity),
    sale(3, "c", 4, 7.75),
    sale(4, "c", 6, null),
    sale(5, "z", 9, 3.0)
  )

  val heavyRows = 30

  /** The rows a truncation keeping `heavyKept` of member 1's rows keeps. */
  def kept(heavyKept: Int): Seq[Sale] = Seq.fill(heavyKept)(heavyMember) ++ others

  def dataframe(spark: SparkSession, sales: Seq[Sale]): DataFrame =
    spark.createDataFrame(
      spark.sparkContext.parallelize(sales.map(s => Row(s.member, s.shop, s.units, s.price)), 3),
      schema
    )

  val keysetShops: Seq[String] = Seq("a", "b", "c", "d")
}
