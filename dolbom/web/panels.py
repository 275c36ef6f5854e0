"""Panels that a higher app adds to a page it does not own, registered from its AppConfig.ready().

A page of a lower app (the dashboard in ``web``, the resident page in ``registry``, the case page in
``cases``) must not import the apps above it (docs/ARCHITECTURE.md, "Layers"). Instead it owns a
``PanelRegistry``; each higher app registers a template and a function that builds its context, and the
page renders whatever is registered, in order. The same shape as the menu's ``nav_register``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

P = ParamSpec("P")


def everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class Panel(Generic[P]):
    key: str  # unique within one page, e.g. "referrals"
    template: str  # rendered with the context below (and the request's context processors)
    context: Callable[Concatenate[HttpRequest, P], dict[str, Any]]  # (request, *the page's objects) -> context
    visible: Callable[[Any], bool] = everyone  # user -> bool
    order: int = 100
    slot: str = "main"  # where on the page: each page documents its slots


class PanelRegistry(Generic[P]):
    """The panels of one page. ``render`` builds each visible panel's context in the view (so a
    refusal surfaces there, not halfway through a template) and returns the HTML per slot."""

    def __init__(self, page: str, slots: tuple[str, ...]) -> None:
        self.page = page
        self.slots = slots
        self._panels: dict[str, Panel[P]] = {}

    def register(self, panel: Panel[P]) -> None:
        if panel.slot not in self.slots:
            raise ValueError(f"{self.page}: unknown slot {panel.slot!r} (one of {', '.join(self.slots)})")
        self._panels[panel.key] = panel

    def panels_for(self, user: Any) -> list[Panel[P]]:
        return [p for p in sorted(self._panels.values(), key=lambda p: (p.order, p.key)) if p.visible(user)]

    def render(self, request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> dict[str, list[SafeString]]:
        html: dict[str, list[SafeString]] = defaultdict(list)
        for panel in self.panels_for(request.user):
            context = panel.context(request, *args, **kwargs)
            html[panel.slot].append(render_to_string(panel.template, context, request=request))
        return dict(html)
