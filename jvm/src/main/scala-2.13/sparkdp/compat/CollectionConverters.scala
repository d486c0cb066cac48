package sparkdp.compat

import scala.collection.convert.{AsJavaExtensions, AsScalaExtensions}

/** `asScala` / `asJava` on the Scala 2.13 line (Spark 4.x): the same extensions `scala.jdk.CollectionConverters`
  * provides, under the name the shared sources import (the 2.12 twin is in src/main/scala-2.12).
  */
private[sparkdp] object CollectionConverters extends AsJavaExtensions with AsScalaExtensions
