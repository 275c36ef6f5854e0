"""Template helpers of the programme pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from dolbom.lib.recurrence import describe
from dolbom.programmes.models import Session
from dolbom.programmes.selectors import signup_window

register = template.Library()


@register.filter
def rule_text(rule: str) -> str:
    return describe(rule)


@register.filter
def window_label(session: Session) -> str:
    return {"not_open": _("Not open yet"), "open": _("Sign-up open"), "closed": _("Sign-up closed"),
            "cancelled": _("Cancelled"), "past": _("Held")}[signup_window(session).state]
