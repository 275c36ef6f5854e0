"""Sign-in lockout, with django-axes: per account and per address, each with its own budget.

Axes counts failures per account and per address (settings.AXES_LOCKOUT_PARAMETERS) against one limit.
A dong office's PCs reach the server from one address behind the office's NAT, so the address gets a larger
budget (DOLBOM_LOCKOUT_ADDRESS_FAILURES) than an account (DOLBOM_LOCKOUT_ACCOUNT_FAILURES): the handler
scales the address's count to the account's limit. A password guessed across many accounts from one address
is stopped by the address; one account guessed from many addresses by the account.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        by_account, by_address = (_failures(qs) for qs in self.get_user_attempts(request, credentials))
        account_limit = settings.DOLBOM_LOCKOUT_ACCOUNT_FAILURES
        address_limit = max(settings.DOLBOM_LOCKOUT_ADDRESS_FAILURES, 1)
        return max(by_account, by_address * account_limit // address_limit)


def cool_off_start() -> Any:
    """Failures older than this no longer count (None: they count until lifted)."""
    cool_off = settings.AXES_COOLOFF_TIME
    return timezone.now() - cool_off if cool_off else None
