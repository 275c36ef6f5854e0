"""The header menu, extended by each domain app from its AppConfig.ready().

Apps add their pages here instead of editing the base template, so that a new domain (referrals,
visits, check-ins, discovery) brings its own menu entry and its own rule for who sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    url_name: str  # e.g. "visits:plan"
    label: Any  # a lazy translation
    visible: Callable[[Any], bool]  # user -> bool
    order: int = 100
    # url names that mark it active: "plan" is the item's own namespace's, "cases:plan_print" another app's
    sections: tuple[str, ...] = field(default_factory=tuple)


_ITEMS: dict[str, NavItem] = {}

# Which entries a user sees is asked of every app on every page (a visit worker's, an inspector's, a
# programme officer's row: three queries and ~5 ms of CPU a page). The answer is kept this long per user,
# role and dong: a role or dong changed shows at once, a new assignment in another app within the minute.
# The menu only offers links; every page still checks its own access.
NAV_CACHE_SECONDS = 60


def nav_register(item: NavItem) -> None:
    _ITEMS[item.url_name] = item


def _visible_url_names(user: Any) -> list[str]:
    staff = getattr(user, "staff", None)
    key = f"web:nav:{user.pk}:{getattr(staff, 'role', '')}:{getattr(staff, 'dong_id', '')}:{len(_ITEMS)}"
    names = cache.get(key)
    if names is None:
        names = [item.url_name for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.url_name))
                 if item.visible(user)]
        cache.set(key, names, NAV_CACHE_SECONDS)
    return names


def nav_items_for(user: Any) -> list[dict[str, Any]]:
    items = []
    for item in (_ITEMS[name] for name in _visible_url_names(user) if name in _ITEMS):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        # Sections are matched on the namespaced view name: "plan_print" is a page of cases and of visits,
        # and the printable support plan must not light up the visit routes.
        namespace = item.url_name.partition(":")[0]
        sections = tuple(s if ":" in s else f"{namespace}:{s}" for s in item.sections)
        items.append({"url": url, "label": item.label, "sections": sections})
    return items
