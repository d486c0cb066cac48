package sparkdp.compat

import scala.collection.convert.{DecorateAsJava, DecorateAsScala}

/** `asScala` / `asJava` on the Scala 2.12 line (Spark 3.x). Import `sparkdp.compat.CollectionConverters._`
  * instead of `scala.collection.JavaConverters._` (deprecated in 2.13) or `scala.jdk.CollectionConverters._`
  * (missing in 2.12), so that one source compiles on both lines; the 2.13 twin is in src/main/scala-2.13.
  */
private[sparkdp] object CollectionConverters extends DecorateAsJava with DecorateAsScala
