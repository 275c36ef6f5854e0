"""Widgets and forms every page shares. A domain's own forms live in its app (cases/forms.py,
registry/forms.py, ...); they check shapes (dates, numbers, choices) and the services decide what the
law allows, so a refused step always carries the service's own message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BLANK = [("", "---------")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def now_local() -> dt.datetime:
    """The initial value of a date-time field: now, to the minute (what a datetime-local input shows)."""
    return timezone.localtime().replace(second=0, microsecond=0)


# The purpose page (web/purpose.html) asked before a record outside the caseload opens.
class PurposeForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose of access"), min_length=2, max_length=300)
