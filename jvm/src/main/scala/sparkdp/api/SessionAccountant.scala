package sparkdp


/** Which sessions of one family (a session and those `partitionAndCreate` made from it, recursively) may act,
  * with Tumult Core's `PrivacyAccountant` states. It holds no budget: each session keeps its own remaining
  * budget, and every budget number (the parent's charge, each child's budget) comes from Rust.
  *
  * - A new session is `Active`. `split(n)` (partitionAndCreate) makes it `WaitingForChildren` and gives n
  *   children: the first `Active`, the others `WaitingForSibling`.
  * - Using a session that is `WaitingForChildren` retires all its children and makes it `Active` again, and
  *   using a `WaitingForSibling` child retires the siblings before it (Tumult's `force_activate`, each with
  *   Tumult's warning): children are used in order, each one's interaction finished before the next begins, as
  *   Tumult Core's `ParallelQueryable` requires.
  * - `retire()` (stop) retires the session and its descendants; the next sibling becomes `Active`, or, after
  *   the last child, the parent.
  *
  * The family shares one lock (every session's actions are serialized) and one query counter, so that two
  * queries of the family never share a query index: the noise streams (secret, query, measure, cell) of a
  * parent's and a child's queries are distinct, and so are their result tables in the shared warehouse.
  *
  * Example:
  * {{{
  * val parent = SessionAccountant.root()
  * val Seq(first, second) = parent.split(2)
  * first.retire(); second.retire()   // parent.isActive again
  * }}}
  */
private[sparkdp] final class SessionAccountant private (
    private val parent: Option[SessionAccountant],
    val lock: AnyRef,
    private val queryCounter: java.util.concurrent.atomic.AtomicLong
) {
  import SessionAccountant._

  private var state: State = if (parent.isEmpty) Active else WaitingForSibling
  private var children: Vector[SessionAccountant] = Vector.empty

  /** A fresh query index of the family (each call, failed query or not, uses a new one). */
  def nextQueryIndex(): Long = queryCounter.getAndIncrement()

  /** True while this session may act. */
  def isActive: Boolean = lock.synchronized(state == Active)

  /** True once stopped (directly, or by the activity of related sessions). */
  def isRetired: Boolean = lock.synchronized(state == Retired)

  /** Makes this session the active one of its family (Tumult's `Session._activate_accountant` and Tumult Core's
    * `force_activate`), or throws `SessionStoppedException` (RuntimeError, Tumult's text) when it is retired.
    * A session waiting for its children retires them all, and a waiting sibling the siblings before it, each
    * with Tumult's warning (Python `UserWarning`; Scala logs it).
    */
  def activate(): Unit = lock.synchronized {
    state match {
      case Active => ()
      case Retired =>
        throw new SessionStoppedException("This session is no longer active, and no new queries can be performed")
      case WaitingForChildren =>
        SessionWarnings.warn(
          SessionWarnings.UserWarning,
          "Activating a Session that is waiting for its children (created with partition_and_create) to finish " +
            "may cause unexpected behavior."
        )
        children.foreach(_.retireWithoutActivatingNext())
        state = Active
      case WaitingForSibling =>
        SessionWarnings.warn(
          SessionWarnings.UserWarning,
          "Activating a Session that is waiting for one of its siblings to finish may cause unexpected behavior."
        )
        retirePrecedingSiblings()
    }
  }

  /** Splits this active session into `count` children (partitionAndCreate); this session waits for them. */
  def split(count: Int): Seq[SessionAccountant] = lock.synchronized {
    require(state == Active && count > 0, s"split($count) of a session that is $state")
    children = Vector.fill(count)(new SessionAccountant(Some(this), lock, queryCounter))
    children.head.state = Active
    state = WaitingForChildren
    children
  }

  /** Stops this session and its descendants; the next sibling, or after the last child the parent, becomes
    * active. Idempotent.
    */
  def retire(): Unit = lock.synchronized {
    if (state != Retired) {
      state match {
        case WaitingForChildren => children.foreach(_.retireWithoutActivatingNext())
        case WaitingForSibling  => retirePrecedingSiblings()
        case Active | Retired   => ()
      }
      state = Retired
      parent.foreach(_.activateAfter(this))
    }
  }

  private def retireWithoutActivatingNext(): Unit = {
    children.foreach(_.retireWithoutActivatingNext())
    state = Retired
  }

  private def retirePrecedingSiblings(): Unit = parent.foreach { family =>
    family.children.takeWhile(_ ne this).foreach(_.retireWithoutActivatingNext())
    state = Active
  }

  private def activateAfter(child: SessionAccountant): Unit = {
    val index = children.indexWhere(_ eq child)
    if (state == WaitingForChildren) {
      if (index == children.length - 1) state = Active
      else if (children(index + 1).state == WaitingForSibling) children(index + 1).state = Active
    }
  }
}

private[sparkdp] object SessionAccountant {

  /** Tumult Core's `PrivacyAccountantState` (without its integer codes). */
  private sealed trait State
  private case object Active extends State
  private case object WaitingForSibling extends State
  private case object WaitingForChildren extends State
  private case object Retired extends State

  /** The accountant of a session built by `Session.Builder`: active, without parent. */
  def root(): SessionAccountant = new SessionAccountant(None, new Object, new java.util.concurrent.atomic.AtomicLong(0L))
}
