"""Visit pages: the morning plan with its map, the printable route list, a worker's day."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.lib.errors import DomainError
from dolbom.visits import selectors, services
from dolbom.visits.map import day_map
from dolbom.visits.models import VisitStatus
from dolbom.web.views.common import access_context, error_page, forbidden_page


def _date(request: HttpRequest) -> dt.date:
    raw = request.POST.get("date") or request.GET.get("date") or ""
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return timezone.localdate()


@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    if not selectors.can_plan_visits(request.user):
        return forbidden_page(request)
    date = _date(request)
    if request.method == "POST":
        # How long the solver may think is the server's setting (DOLBOM_VISITS_TIME_LIMIT), not a
        # planner's: a page must not be able to hold a worker for minutes.
        try:
            services.visits_plan(actor=request.user, date=date, time_limit=settings.DOLBOM_VISITS_TIME_LIMIT)
        except DomainError as exc:
            return error_page(request, exc)
        messages.success(request, _("The day is planned."))
        return redirect(f"{reverse('visits:plan')}?date={date.isoformat()}")
    plan = selectors.day_plan_latest(viewer=request.user, date=date)
    detail = selectors.day_plan_detail(viewer=request.user, plan=plan, context=access_context(request)) \
        if plan else None
    workers = selectors.worker_list(viewer=request.user).count()
    return render(request, "visits/plan.html", {
        "date": date, "detail": detail, "map": day_map(day=date, detail=detail, viewer=request.user),
        "workers": workers, "reasons": services.REASON_LABELS,
    })


@login_required
def plan_print(request: HttpRequest) -> HttpResponse:
    if not selectors.can_plan_visits(request.user):
        return forbidden_page(request)
    date = _date(request)
    plan = selectors.day_plan_latest(viewer=request.user, date=date)
    detail = selectors.day_plan_detail(viewer=request.user, plan=plan, context=access_context(request)) \
        if plan else None
    return render(request, "visits/plan_print.html", {"date": date, "detail": detail,
                                                      "reasons": services.REASON_LABELS})


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    date = _date(request)
    visits = selectors.worker_day(viewer=request.user, date=date, context=access_context(request))
    return render(request, "visits/my_day.html", {"date": date, "visits": visits, "Status": VisitStatus,
                                                  "tomorrow": date + dt.timedelta(days=1)})


@login_required
@require_POST
def visit_mark(request: HttpRequest, visit_id: int) -> HttpResponse:
    try:
        visit = selectors.visit_get(viewer=request.user, visit_id=visit_id, context=access_context(request))
        reschedule = request.POST.get("reschedule_to") or ""
        services.visit_mark(actor=request.user, visit=visit, outcome=request.POST.get("outcome", ""),
                            note=request.POST.get("note", ""),
                            reschedule_to=dt.date.fromisoformat(reschedule) if reschedule else None)
    except DomainError as exc:
        return error_page(request, exc)
    except ValueError:
        return redirect(f"{reverse('visits:my_day')}?date={_date(request).isoformat()}")
    return redirect(f"{reverse('visits:my_day')}?date={_date(request).isoformat()}")
