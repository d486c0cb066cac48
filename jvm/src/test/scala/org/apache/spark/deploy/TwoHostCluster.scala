package org.apache.spark.deploy

import org.apache.spark.SparkConf
import org.apache.spark.deploy.master.Master
import org.apache.spark.deploy.worker.Worker

/** A standalone Spark cluster inside the test JVM whose workers have different host addresses (127.0.0.1,
  * 127.0.0.2, …: all loopback on Linux), each starting one executor JVM with one core and 1024 MB.
  *
  * Why not `local-cluster`: its workers all have this machine's host name, and Spark never starts a speculative
  * copy of a task on a host where an attempt already runs, so speculation cannot happen there. In this package
  * because Master and Worker are `private[deploy]`.
  *
  * Example:
  * {{{
  * val cluster = TwoHostCluster.start(Seq("127.0.0.1", "127.0.0.2"))
  * SparkSession.builder().master(cluster.masterUrl)...
  * cluster.stop()
  * }}}
  */
object TwoHostCluster {

  /** A running cluster: its master URL and how to stop it. */
  final class Running private[TwoHostCluster] (val masterUrl: String, stopAll: () => Unit) {
    def stop(): Unit = stopAll()
  }

  /** Starts the master on 127.0.0.1 and one worker (1 core, 1024 MB) on each of `workerHosts`. The workers build
    * the executors' command from `SPARK_HOME`.
    */
  def start(workerHosts: Seq[String]): Running = {
    val conf = new SparkConf(false)
    val (masterEnv, _, _) = Master.startRpcEnvAndEndpoint("127.0.0.1", 0, 0, conf)
    val masterUrl = "spark://" + masterEnv.address.hostPort
    val workerEnvs = workerHosts.zipWithIndex.map { case (host, index) =>
      Worker.startRpcEnvAndEndpoint(host, 0, 0, 1, 1024, Array(masterUrl), null, Some(index + 1), conf)
    }
    new Running(masterUrl, () => {
      workerEnvs.foreach { env => env.shutdown(); env.awaitTermination() }
      masterEnv.shutdown()
      masterEnv.awaitTermination()
    })
  }
}
