"""Widgets and forms every page shares. A domain's own forms live in its app (cases/forms.py,
registry/forms.py, ...); they check shapes (dates, numbers, choices) and the services decide what the
law allows, so a refused step always carries the service's own message."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
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


# Telephone numbers ------------------------------------------------------------------------------
# A contact number on a form may be a mobile (010-1234-5678), a Seoul line (02-123-4567), a regional line
# (063-123-4567) or an internet phone (070-1234-5678). "010-12" is none of them: refused at the field,
# so that a dong officer does not learn of a typo only when the call fails.
_PHONE_DIGITS = re.compile(r"[\s\-.()]")
_PHONE = re.compile(r"(02)(\d{3,4})(\d{4})|(0[3-6][1-5]|070|050\d|01[016789])(\d{3,4})(\d{4})|(1[5-9]\d\d)(\d{4})")


def phone_clean(value: str) -> str:
    """``value`` as ``0XX-XXXX-XXXX``; ValidationError when it is not a Korean telephone number."""
    digits = _PHONE_DIGITS.sub("", unicodedata.normalize("NFKC", value or ""))
    if digits.startswith("+82"):
        digits = "0" + digits[3:].removeprefix("0")
    match = _PHONE.fullmatch(digits)
    if match is None:
        raise forms.ValidationError(_("Enter a telephone number such as 010-1234-5678 or 063-123-4567."),
                                    code="phone")
    return "-".join(g for g in match.groups() if g)


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return phone_clean(value) if value else ""


class NotificationSettingsForm(forms.Form):
    mute_sound = forms.BooleanField(label=_("Mute the alert tone on this account"), required=False)
    alert_phone = forms.CharField(label=_("Mobile number for urgent alerts (text message)"), max_length=20,
                                  required=False, help_text=_("High check-in alerts about your clients are sent "
                                                              "here. Leave empty to receive none."))
