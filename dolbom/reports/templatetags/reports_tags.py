"""``{{ figure|figure }}``: a published figure as the page shows it, or the "hidden" mark of a suppressed one.

A filter rather than an included template: a dashboard shows a few hundred figures, and an include per
figure was a third of the city dashboard's rendering time."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter(name="figure")
def figure(f) -> str:  # noqa: ANN001 - a reports.selectors.Figure
    if f.hidden:
        return format_html('<span class="hidden-value" title="{0}">{0}</span>', _("hidden"))
    return f.text
