"""Higher apps' panels on the resident page, registered from their AppConfig.ready().

registry sits below cases (docs/ARCHITECTURE.md, "Layers"), so the resident's cases and the forms that
start one are a panel that cases registers. The resident was fetched through resident_get before any
panel runs (the view is logged once). ``bound`` holds the forms a refused POST sends back, by name, so
that a panel shows them with their errors.

Slot: ``main``, between the personal details and the consents.
"""

from __future__ import annotations

from django.forms import Form

from dolbom.registry.models import Resident
from dolbom.web.panels import Panel, PanelRegistry

ResidentPanel = Panel[[Resident, dict[str, Form]]]  # context(request, resident, bound) -> dict

resident_panels: PanelRegistry[[Resident, dict[str, Form]]] = PanelRegistry("resident page", slots=("main",))


def resident_panel_register(panel: ResidentPanel) -> None:
    resident_panels.register(panel)
