"""Telling a database that is busy or away from one that refused the request.

Both the API (dolbom/api.py) and the pages (web/middleware.py) answer 503 with Retry-After when the transaction
could not run at all, so nothing was written and the same request may be sent again.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError, connection


def database_gone(exc: BaseException) -> bool:
    """PostgreSQL could not be reached or ended the session (a restart, a failover): SQLSTATE class 08 or
    57P01-57P03, or a failure of the client library before any answer (no SQLSTATE)."""
    if connection.vendor != "postgresql":
        return False
    state = getattr(exc.__cause__, "sqlstate", None)
    return state is None or state.startswith("08") or state in {"57P01", "57P02", "57P03"}


def database_busy(exc: BaseException) -> bool:
    """SQLite's busy timeout ran out under a burst of writes (settings: immediate transactions)."""
    return isinstance(exc, OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def database_unavailable(exc: BaseException) -> bool:
    """Busy, away, or the connection closed under the request: try again, nothing was written."""
    if isinstance(exc, InterfaceError):
        return True
    return isinstance(exc, OperationalError) and (database_busy(exc) or database_gone(exc))
