"""Auditor pages: the access log and its monthly review. They show who looked, never what was seen."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.audit.errors import AuditErrorCode
from dolbom.audit.export import review_workbook
from dolbom.audit.forms import AccessLogFilterForm, MonthForm
from dolbom.audit.models import AccessAction
from dolbom.audit.selectors import (
    AccessLogFilters,
    access_log_list,
    access_log_monthly_review,
    lockouts_current,
    security_events_recent,
    sign_ins_recent,
)
from dolbom.audit.services import access_log_write, lockout_lift
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.web.views.common import access_context, error_page

PAGE_SIZE = 50
# The review page lists the first rows of its long lists; the whole lists are in the download and the log.
REVIEW_ROWS_SHOWN = 10


@login_required
def access_log_page(request: HttpRequest) -> HttpResponse:
    form = AccessLogFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid() and "date_to" in form.errors:
        # A reversed date range is refused with its reason, not answered with an empty list.
        return render(request, "audit/log.html", {"form": form, "page": None, "query": "",
                                                  "actions": dict(AccessAction.choices)}, status=400)
    data = form.cleaned_data if form.is_valid() else {}
    filters = AccessLogFilters(
        actor_username=data.get("actor_username", ""), action=data.get("action", ""),
        resident_id=data.get("resident_id"), date_from=data.get("date_from"), date_to=data.get("date_to"),
        outside_caseload_only=data.get("outside_caseload_only", False),
    )
    try:
        rows = access_log_list(viewer=request.user, filters=filters)
    except DomainError as exc:
        return error_page(request, exc)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {
        "form": form, "page": page, "query": query.urlencode(), "actions": dict(AccessAction.choices),
    })


@login_required
def monthly_review_page(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.GET or None)
    form.is_valid()
    year_month = form.year_month()
    if year_month is None:
        return error_page(request, DomainError(AuditErrorCode.MONTH_INVALID))
    try:
        review = access_log_monthly_review(viewer=request.user, year=year_month[0], month=year_month[1])
    except DomainError as exc:
        return error_page(request, exc)
    by_action = [(label, review.by_action.get(value, 0)) for value, label in AccessAction.choices]
    month = f"{year_month[0]:04d}-{year_month[1]:02d}"
    if request.GET.get("format") == "xlsx":
        # The review leaves the system as a file for the records of the monthly check (§8②): logged.
        access_log_write(actor=request.user, action=AccessAction.EXPORT, record_type="access_log_review",
                         record_id=month, context=access_context(request))
        response = HttpResponse(review_workbook(review, by_action=by_action, month=month),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="dolbom-access-review-{month}.xlsx"'
        return response
    return render(request, "audit/review.html", {
        "form": form, "review": review, "by_action": by_action, "month": month,
        "actions": dict(AccessAction.choices), "shown": REVIEW_ROWS_SHOWN,
        "denied": review.denied[:REVIEW_ROWS_SHOWN], "after_hours": review.after_hours[:REVIEW_ROWS_SHOWN],
        "first_day": f"{month}-01", "last_day": _last_day(year_month[0], year_month[1]),
    })


def _last_day(year: int, month: int) -> str:
    return (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()


@login_required
def lockouts_page(request: HttpRequest) -> HttpResponse:
    """Locked accounts and addresses (django-axes), the recent sign-ins and failures, and changes to how
    people sign in: the auditor sees them and lifts a lockout."""
    try:
        locks = lockouts_current(viewer=request.user)
        sign_ins = sign_ins_recent(viewer=request.user)
        events = security_events_recent(viewer=request.user)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "audit/lockouts.html", {"locks": locks, "sign_ins": sign_ins, "events": events})


@login_required
@require_POST
def lockout_lift_page(request: HttpRequest) -> HttpResponse:
    try:
        lockout_lift(actor=request.user, kind=request.POST.get("kind", ""), value=request.POST.get("value", "")[:255],
                     context=AccessContext.from_request(request))
    except DomainError as exc:
        return error_page(request, exc)
    messages.success(request, _("The lockout was lifted."))
    return redirect("audit:lockouts")
