"""The start page, filled by the domain apps from their AppConfig.ready().

``web`` is the shell and imports no domain app, so the dashboard shows what the apps register: cases
its caseload panels, audit the auditor's start links. A user for whom no panel is visible (a partner
worker today) sees the empty-state message of web/dashboard.html.

Slots: ``top`` spans the page under the heading; ``main`` and ``side`` are the wide and the narrow
column below it.
"""

from __future__ import annotations

from dolbom.web.panels import Panel, PanelRegistry

DashboardPanel = Panel[[]]  # context(request) -> dict

dashboard_panels: PanelRegistry[[]] = PanelRegistry("dashboard", slots=("top", "main", "side"))


def dashboard_panel_register(panel: DashboardPanel) -> None:
    dashboard_panels.register(panel)
