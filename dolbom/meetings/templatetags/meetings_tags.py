from __future__ import annotations

from django import template

from dolbom.lib.recurrence import describe

register = template.Library()


@register.filter
def rule_text(rule: str) -> str:
    return describe(rule)
