package sparkdp.bridge

/**
 * One Int64 column of an Arrow batch crossing the JNI edge, as plain arrays.
 *
 * @param name   the column name, e.g. `"key"`
 * @param values the values; at a null position the value is meaningless (0 after decoding)
 * @param isNull `Some(flags)` for a nullable column (`flags(i)` is true where row `i` is null, same length as
 *               `values`), `None` for a column declared not null
 * {{{
 * Int64Column("key", Array(7L, 0L, 9L), Some(Array(false, true, false)))   // 7, null, 9
 * Int64Column("count", Array(2L, 1L), None)                                 // not-null column
 * }}}
 */
final case class Int64Column(name: String, values: Array[Long], isNull: Option[Array[Boolean]]) {
  require(name != null && name.nonEmpty, "Int64Column name must not be empty")
  require(values != null, s"Int64Column '$name': values must not be null")
  require(isNull.forall(flags => flags != null && flags.length == values.length),
    s"Int64Column '$name': isNull has ${isNull.map(f => if (f == null) "null" else f.length.toString).orNull} " +
      s"flags but there are ${values.length} values")

  /** The number of rows. */
  def length: Int = values.length

  /**
   * The column's values with nulls as `None`, for tests and small results.
   *
   * @return one element per row
   * {{{
   * Int64Column("key", Array(7L, 0L), Some(Array(false, true))).toOptions   // Seq(Some(7), None)
   * }}}
   */
  def toOptions: IndexedSeq[Option[Long]] = values.indices.map { row =>
    if (isNull.exists(flags => flags(row))) None else Some(values(row))
  }

  // Arrays compare by reference. Two columns are equal when name, nullability and every row (value or
  // null) are; the meaningless value under a null is ignored.
  override def equals(other: Any): Boolean = other match {
    case that: Int64Column =>
      name == that.name && isNull.isDefined == that.isNull.isDefined && toOptions == that.toOptions
    case _ => false
  }

  override def hashCode: Int = (name, isNull.isDefined, toOptions).hashCode

  override def toString: String =
    s"Int64Column($name, ${toOptions.map(_.fold("null")(_.toString)).mkString("[", ", ", "]")}" +
      s"${if (isNull.isEmpty) ", not null" else ""})"
}
