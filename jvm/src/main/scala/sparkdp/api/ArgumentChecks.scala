package sparkdp

/** Argument validation that keeps the message exactly as written (Scala's `require` prefixes
  * "requirement failed: ", which would break Tumult's wording that users and the Python layer match on).
  */
private[sparkdp] object ArgumentChecks {

  /** Throws `IllegalArgumentException(message)` unless `isValid`.
    *
    * Example: `requireArgument(max >= 1, s"MaxRowsPerID max must be at least 1, not $max.")`
    */
  def requireArgument(isValid: Boolean, message: => String): Unit =
    if (!isValid) throw new IllegalArgumentException(message)
}
