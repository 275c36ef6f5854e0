"""The start-page panel of the inspections app (registered in apps.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from dolbom.inspections import selectors
from dolbom.inspections.models import ActionStatus, InspectionStatus, RiskLevel


def dashboard_visible(user) -> bool:
    return selectors.is_inspector(user) or selectors.is_lead(user)


def dashboard_panel(request: HttpRequest) -> dict:
    today = timezone.localdate()
    inspections = selectors.inspection_visible(request.user)
    actions = selectors.action_visible(request.user).filter(status=ActionStatus.OPEN)
    return {
        "synced_today": inspections.filter(synced_at__date=today).count(),
        "submitted": inspections.filter(status=InspectionStatus.SUBMITTED).count(),
        "open_actions": actions.count(),
        "overdue_actions": actions.filter(due_on__lt=today).count(),
        "high_risk": selectors.facility_visible(request.user).filter(active=True, risk_level=RiskLevel.HIGH).count(),
        "is_inspector": selectors.is_inspector(request.user),
    }
