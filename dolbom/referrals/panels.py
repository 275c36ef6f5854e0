"""The referrals box on the case page (cases/panels.py): the case was already opened through case_get,
which logged the view, and the referrals shown are that case's own. And the start page's panels and the
bell's counts for partner workers and staff (web/dashboard.py, web/notifications.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from dolbom.accounts.scope import can_write_cases
from dolbom.cases.models import Case
from dolbom.referrals.models import ReferralStatus
from dolbom.referrals.selectors import (
    ReferralFilters,
    case_referrals,
    institution_of,
    referral_list,
    referral_list_logged,
)
from dolbom.web.views.common import access_context


def case_referrals_panel(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {"case": case, "referrals": list(case_referrals(case=case)), "today": timezone.localdate(),
            "can_refer": can_write_cases(request.user) and not case.is_closed}


# The start page (web/dashboard.py) ------------------------------------------------------------------

def dashboard_partner_referrals(request: HttpRequest) -> dict[str, Any]:
    """A partner worker's start page: the referrals to their institution that wait for them or run."""
    rows = referral_list_logged(viewer=request.user, context=access_context(request), limit=20)
    institution = institution_of(request.user)
    return {"rows": rows, "today": timezone.localdate(), "institution": institution,
            "waiting": sum(1 for r in rows if r.status == ReferralStatus.REQUESTED)}


def dashboard_overdue_answers(request: HttpRequest) -> dict[str, Any]:
    """Staff: referrals in their scope whose institution has not answered in time (a count and a link)."""
    return {"overdue": referral_list(viewer=request.user, filters=ReferralFilters(overdue=True)).count()}


def partner_waiting_count(user: Any) -> int:
    """The bell for a partner worker: referrals waiting for their institution's answer."""
    return referral_list(viewer=user, filters=ReferralFilters(status=ReferralStatus.REQUESTED)).count()


def overdue_answers_count(user: Any) -> int:
    return referral_list(viewer=user, filters=ReferralFilters(overdue=True)).count()
