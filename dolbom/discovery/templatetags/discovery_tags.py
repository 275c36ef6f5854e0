from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.584 → '58.4%'; None (nothing listed yet) → '-'."""
    if value is None or value == "":
        return "-"
    return f"{float(value) * 100:.{int(digits)}f}%"
