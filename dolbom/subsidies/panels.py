"""What subsidies adds to other apps' pages: the case page, the resident page, the dashboard."""

from __future__ import annotations

from typing import Any

from django.forms import Form
from django.http import HttpRequest


def case_panel(request: HttpRequest, case) -> dict[str, Any]:
    from dolbom.subsidies import selectors
    from dolbom.subsidies.forms import PointerForm

    return {"case": case, "resident": case.resident,
            "applications": selectors.applications_of_resident(viewer=request.user, resident_id=case.resident_id),
            "pointers": selectors.pointers_of_resident(resident_id=case.resident_id),
            "form": PointerForm(), "can_point": selectors.can_point(request.user)}


def resident_panel(request: HttpRequest, resident, bound: dict[str, Form]) -> dict[str, Any]:
    from dolbom.subsidies import selectors

    return {"resident": resident,
            "applications": selectors.applications_of_resident(viewer=request.user, resident_id=resident.pk),
            "can_apply": selectors.can_take_applications(request.user),
            "programmes": selectors.programme_list().filter(status="open")}


def dashboard_panel(request: HttpRequest) -> dict[str, Any]:
    from dolbom.subsidies import selectors

    return {"suggestions": selectors.open_suggestion_count(request.user),
            "pointers": selectors.pointer_queue(viewer=request.user).count()}


def _dashboard_visible(user) -> bool:
    from dolbom.subsidies.selectors import can_point

    return can_point(user)


def register() -> None:
    from dolbom.cases.panels import CasePanel, case_panel_register
    from dolbom.registry.panels import ResidentPanel, resident_panel_register
    from dolbom.subsidies.selectors import can_point, can_take_applications
    from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register

    case_panel_register(CasePanel(key="subsidies", template="subsidies/_case_panel.html", context=case_panel,
                                  visible=can_point, order=40))
    resident_panel_register(ResidentPanel(key="subsidies", template="subsidies/_resident_panel.html",
                                          context=resident_panel, visible=can_take_applications, order=40))
    dashboard_panel_register(DashboardPanel(key="subsidies", template="subsidies/_dashboard_panel.html",
                                            context=dashboard_panel, visible=_dashboard_visible, order=60,
                                            slot="side"))
