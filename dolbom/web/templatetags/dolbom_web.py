"""The shell's template helpers: who is logged in and what the header menu offers them (web/nav.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache

from dolbom.accounts.scope import profile
from dolbom.web.nav import NAV_CACHE_SECONDS, nav_items_for

register = template.Library()


@register.simple_tag
def nav_for(user: Any) -> dict[str, Any]:
    p = profile(user)
    return {
        "name": p.display_name if p else getattr(user, "username", ""),
        "role": p.get_role_display() if p else "",
        "dong": _dong_name(p) if p and p.dong_id else "",
        "items": nav_items_for(user),
    }


def _dong_name(p: Any) -> str:
    # The header's dong on every page: one query a page for a name that changes with a reorganisation of
    # the dongs, if ever; kept as long as the menu (web/nav.py NAV_CACHE_SECONDS).
    key = f"web:dong-name:{p.dong_id}"
    name = cache.get(key)
    if name is None:
        name = p.dong.name
        cache.set(key, name, NAV_CACHE_SECONDS)
    return name


@register.filter
def thousands(value: Any) -> str:
    """12345 -> '12,345' (humanize's intcomma without loading another library)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
