"""The header menu, extended by each domain app from its AppConfig.ready().

Apps add their pages here instead of editing the base template, so that a new domain (referrals,
visits, check-ins, discovery) brings its own menu entry and its own rule for who sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    url_name: str  # e.g. "visits:plan"
    label: Any  # a lazy translation
    visible: Callable[[Any], bool]  # user -> bool
    order: int = 100
    sections: tuple[str, ...] = field(default_factory=tuple)  # url names (without namespace) that mark it active


_ITEMS: dict[str, NavItem] = {}


def nav_register(item: NavItem) -> None:
    _ITEMS[item.url_name] = item


def nav_items_for(user: Any) -> list[dict[str, Any]]:
    items = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.url_name)):
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": item.label, "sections": item.sections})
    return items
