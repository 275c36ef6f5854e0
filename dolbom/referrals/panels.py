"""The referrals box on the case page (cases/panels.py). The case was already opened through case_get,
which logged the view; the referrals shown are that case's own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from dolbom.accounts.scope import can_write_cases
from dolbom.cases.models import Case
from dolbom.referrals.selectors import case_referrals


def case_referrals_panel(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {"case": case, "referrals": list(case_referrals(case=case)), "today": timezone.localdate(),
            "can_refer": can_write_cases(request.user) and not case.is_closed}
