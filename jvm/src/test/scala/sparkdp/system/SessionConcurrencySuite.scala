package sparkdp.system

import java.util.concurrent.{Callable, Executors, TimeUnit}

import sparkdp.compat.CollectionConverters._
import scala.util.{Failure, Success, Try}

import org.scalatest.funsuite.AnyFunSuite

import sparkdp._

/** Threads evaluating on one session never overspend (issue 11 #5): checking and charging the budget are one
  * atomic step, so of eight concurrent queries of ε = 1 on a session of ε = 3 exactly three are answered, the
  * others are refused for lack of budget, and what was charged is exactly what the answered ones asked.
  */
class SessionConcurrencySuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark

  test("eight threads on a session of epsilon 3: three answers, five refusals, nothing left, nothing overspent") {
    val session = Session.fromDataFrame(PureDPBudget(3), "checkouts", Library.checkoutsDf(spark), AddRowsWithID("member_id"))
    // Widen the read-then-write window of the charge: an evaluate that were not atomic would let two threads
    // read the same remaining budget here and one charge would be lost (more answers than the budget allows).
    session.pauseBeforeChargeForTests = () => Thread.sleep(300)
    val pool = Executors.newFixedThreadPool(8)
    try {
      val query = QueryBuilder("checkouts").enforce(MaxRowsPerID(2)).count()
      val tasks = (1 to 8).map(_ => new Callable[Try[Long]] {
        override def call(): Try[Long] = Try(session.evaluate(query, PureDPBudget(1)).collect().head.getLong(0))
      })
      val outcomes = pool.invokeAll(tasks.asJava).asScala.map(_.get(10, TimeUnit.MINUTES))
      val answered = outcomes.collect { case Success(count) => count }
      val refused = outcomes.collect { case Failure(error) => error }
      assert(answered.length == 3, s"outcomes: $outcomes")
      assert(refused.forall(_.isInstanceOf[InsufficientBudgetException]), s"refusals: $refused")
      // The accounting invariant: what the answered queries asked plus what remains is the session's budget.
      assert(session.remainingPrivacyBudget == PureDPBudget(3.0 - answered.length))
      assert(session.remainingPrivacyBudget == PureDPBudget(0))
    } finally {
      pool.shutdownNow()
      session.stop()
    }
  }
}
