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
