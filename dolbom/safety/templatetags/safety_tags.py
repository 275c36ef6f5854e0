"""Small filters for the safety pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def span(seconds: int) -> str:
    """A duration as the board reads it: "45초", "12분", "3시간 20분", "2일"."""
    if seconds < 60:
        return _("%(n)ds") % {"n": seconds}
    if seconds < 3600:
        return _("%(n)dmin") % {"n": seconds // 60}
    if seconds < 48 * 3600:
        return _("%(h)dh %(m)dmin") % {"h": seconds // 3600, "m": seconds % 3600 // 60}
    return _("%(n)d days") % {"n": seconds // 86400}


@register.filter
def age(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return "-"
    return _("%(span)s ago") % {"span": span(max(0, int((now - moment).total_seconds())))}


@register.filter
def until(moment: dt.datetime | None, now: dt.datetime) -> str:
    """How long until a deadline, or how long it is overdue."""
    if moment is None:
        return "-"
    seconds = int((moment - now).total_seconds())
    if seconds < 0:
        return _("overdue by %(span)s") % {"span": span(-seconds)}
    return _("in %(span)s") % {"span": span(seconds)}


@register.filter
def hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


@register.filter
def log_detail(entry) -> str:
    """What a log row adds to its kind: the levels of a raise, whom an escalation reached, the 119 report."""
    from dolbom.safety.models import Escalation, Level

    data = entry.data or {}
    if entry.kind == "level" and data.get("to"):
        return f"{Level(data['from']).label} → {Level(data['to']).label}" if data.get("from") else str(Level(data["to"]).label)
    if entry.kind == "escalated" and data.get("to") is not None:
        return str(Escalation(int(data["to"])).label)
    if entry.kind == "opened" and data.get("report_119") == "sent":
        return _("119 reported by the gateway")
    if entry.kind in ("false_alarm", "resolved") and data.get("outcome"):
        from dolbom.safety.models import FalseAlarmReason, Outcome

        text = str(Outcome(data["outcome"]).label)
        if data.get("reason"):
            text += f" ({FalseAlarmReason(data['reason']).label})"
        return text
    return ""


@register.filter
def may(user, what: str) -> bool:
    """Whether the user may reach a part of the service (the selectors' rule, for showing a tab or a button)."""
    from dolbom.safety import selectors

    return {"waitlist": selectors.can_add_to_waitlist, "devices": selectors.can_manage_devices,
            "install": selectors.can_install}[what](user)
