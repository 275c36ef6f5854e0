"""The subsidies pages' number filter: Django's own ``intcomma`` (django.contrib.humanize) under the
app's library, so its templates load only Django's, the shell's and their own app's tag libraries."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()
register.filter("intcomma", intcomma, is_safe=True)
