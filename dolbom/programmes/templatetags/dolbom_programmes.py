"""Template helpers of the programme pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from dolbom.integrations.messaging import phone_display
from dolbom.lib.recurrence import describe
from dolbom.programmes.models import Session
from dolbom.programmes.selectors import signup_window

register = template.Library()


@register.filter
def rule_text(rule: str) -> str:
    return describe(rule)


@register.filter
def phone(number: str) -> str:
    """010-1234-5678 for a stored 01012345678; anything else as it is."""
    return phone_display(number) if number and len(number) == 11 and number.isdigit() else (number or "-")


@register.filter
def window_label(session: Session) -> str:
    return {"not_open": _("Not open yet"), "open": _("Sign-up open"), "closed": _("Sign-up closed"),
            "cancelled": _("Cancelled"), "past": _("Held")}[signup_window(session).state]
