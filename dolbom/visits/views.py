"""Visit pages: the morning plan with its map, the printable route list, a worker's day."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dolbom.areas.map import jeonju_map
from dolbom.lib.errors import DomainError
from dolbom.visits import selectors, services
from dolbom.visits.models import VisitStatus
from dolbom.visits.selectors import PlanDetail
from dolbom.web.views.common import access_context, error_page, forbidden_page

DEFAULT_TIME_LIMIT = 10.0


def _date(request: HttpRequest) -> dt.date:
    raw = request.POST.get("date") or request.GET.get("date") or ""
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return timezone.localdate()


def _map_context(detail: PlanDetail | None) -> dict:
    proj, shapes = jeonju_map()
    lines = []
    if detail is not None:
        for r in detail.routes:
            if not r.stops:
                continue
            office = proj.xy(r.worker.base_dong.centroid_lon, r.worker.base_dong.centroid_lat)
            pts = [office]
            stops = []
            for s in r.stops:
                hh = s.visit.household
                lon, lat = (hh.lon, hh.lat) if hh.lon is not None else (hh.dong.centroid_lon, hh.dong.centroid_lat)
                xy = proj.xy(lon, lat)
                pts.append(xy)
                stops.append({"x": xy[0], "y": xy[1], "order": s.order})
            pts.append(office)
            lines.append({"colour": r.colour, "points": " ".join(f"{x},{y}" for x, y in pts), "stops": stops,
                          "office_x": office[0] - 5, "office_y": office[1] - 5,
                          "worker": str(r.worker)})
    return {"width": 900, "height": proj.height, "shapes": shapes, "lines": lines}


@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    if not selectors.can_plan_visits(request.user):
        return forbidden_page(request)
    date = _date(request)
    if request.method == "POST":
        try:
            limit = float(request.POST.get("time_limit") or DEFAULT_TIME_LIMIT)
        except ValueError:
            limit = DEFAULT_TIME_LIMIT
        try:
            services.visits_plan(actor=request.user, date=date, time_limit=limit)
        except DomainError as exc:
            return error_page(request, exc)
        return redirect(f"{reverse('visits:plan')}?date={date.isoformat()}")
    plan = selectors.day_plan_latest(viewer=request.user, date=date)
    detail = selectors.day_plan_detail(viewer=request.user, plan=plan, context=access_context(request)) \
        if plan else None
    workers = selectors.worker_list(viewer=request.user).count()
    return render(request, "visits/plan.html", {
        "date": date, "detail": detail, "map": _map_context(detail), "workers": workers,
        "time_limit": DEFAULT_TIME_LIMIT, "reasons": services.REASON_LABELS,
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
