"""Other domains' panels on the case page, registered from their AppConfig.ready().

The case page must not import the apps built on cases (referrals, meetings, visits, check-ins,
discovery: docs/ARCHITECTURE.md, "Layers"), so each of them registers what it shows about a case. The
case was fetched through case_get before any panel runs: the view was logged once, and a panel must
only read what belongs to that case (no query per row: prefetch in the context function).

Slots: ``facts`` is a ``<dt>``/``<dd>`` pair appended to the case's facts list; ``main`` is a card
under the step forms, above the plan and survey records.
"""

from __future__ import annotations

from dolbom.cases.models import Case
from dolbom.web.panels import Panel, PanelRegistry

CasePanel = Panel[[Case]]  # context(request, case) -> dict

case_panels: PanelRegistry[[Case]] = PanelRegistry("case page", slots=("facts", "main"))


def case_panel_register(panel: CasePanel) -> None:
    case_panels.register(panel)
