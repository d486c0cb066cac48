"""Exception classes of sparkdp that are not Python built-ins.

Bad input raises ``ValueError``, an unknown name in a session lookup raises
``KeyError`` and an exhausted privacy budget raises ``RuntimeError``, as in
Tumult Analytics. Only a failure that is our bug, not the caller's, gets a class
of its own, so that "you did X" can be told apart from "we broke".
"""

__all__ = ["AnalyticsInternalError"]


class AnalyticsInternalError(AssertionError):
    """Raised when sparkdp itself fails, e.g. a panic inside the native library.

    Tumult Analytics uses the same name (and also derives it from
    ``AssertionError``) for internal errors. Seeing one means a bug in sparkdp,
    not in the calling program; please report it with the message.

    Example:
        >>> from sparkdp import AnalyticsInternalError
        >>> issubclass(AnalyticsInternalError, ValueError)
        False
    """
