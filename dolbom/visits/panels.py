"""The visits box on the start page (web/dashboard.py): a visiting worker's day, in visit order."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from dolbom.visits.models import VisitStatus
from dolbom.visits.selectors import worker_day
from dolbom.web.views.common import access_context


def dashboard_my_visits(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    visits = worker_day(viewer=request.user, date=today, context=access_context(request))
    return {"visits": visits, "today": today, "open": sum(1 for v in visits if v.status == VisitStatus.OPEN)}
