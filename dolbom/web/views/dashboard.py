"""The start page: my cases, the step each one waits for, and what is overdue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dolbom.accounts.scope import can_read_access_log, can_see_personal_data
from dolbom.cases.models import CaseStatus
from dolbom.cases.selectors import (
    NEXT_STEP,
    STEP_LABELS,
    CaseFilters,
    case_counts_by_status,
    case_list_logged,
    follow_ups_overdue_by,
)
from dolbom.web.views.common import access_context


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_see_personal_data(user):
        # Auditors and partner workers have no caseload; their start page only points to what they may use.
        return render(request, "web/dashboard_limited.html", {"is_auditor": can_read_access_log(user)})
    cases = case_list_logged(viewer=user, context=access_context(request),
                             filters=CaseFilters(mine=True), limit=100)
    open_cases = [c for c in cases if c.status != CaseStatus.CLOSED]
    rows = [(c, STEP_LABELS.get(NEXT_STEP.get(c.status, ""), "")) for c in open_cases]
    counts = case_counts_by_status(viewer=user, mine=True)
    return render(request, "web/dashboard.html", {
        "rows": rows,
        "counts": [(CaseStatus(k).label, k, v) for k, v in counts.items()],
        "overdue_by_dong": follow_ups_overdue_by(viewer=user, by="dong"),
        "overdue_by_manager": follow_ups_overdue_by(viewer=user, by="manager"),
    })
