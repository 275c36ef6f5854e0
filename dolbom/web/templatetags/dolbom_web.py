"""The shell's template helpers: who is logged in and what the header menu offers them (web/nav.py)."""

from __future__ import annotations

from typing import Any

from django import template

from dolbom.accounts.scope import profile
from dolbom.web.nav import nav_items_for

register = template.Library()


@register.simple_tag
def nav_for(user: Any) -> dict[str, Any]:
    p = profile(user)
    return {
        "name": p.display_name if p else getattr(user, "username", ""),
        "role": p.get_role_display() if p else "",
        "dong": p.dong.name if p and p.dong_id else "",
        "items": nav_items_for(user),
    }


@register.filter
def thousands(value: Any) -> str:
    """12345 -> '12,345' (humanize's intcomma without loading another library)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
