"""Forms of the auditor pages: the access-log filters and the month of the review."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.audit.models import AccessAction
from dolbom.web.forms import DateInput


class AccessLogFilterForm(forms.Form):
    actor_username = forms.CharField(label=_("User ID"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("Action"), choices=[("", _("All"))] + AccessAction.choices, required=False)
    resident_id = forms.IntegerField(label=_("Resident no."), min_value=1, required=False)
    date_from = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput(), required=False)
    outside_caseload_only = forms.BooleanField(label=_("Views outside the caseload only"), required=False)

    def clean(self) -> dict:
        d = super().clean()
        # A reversed range would silently find nothing: the auditor would read "no access" where there was one.
        if d.get("date_from") and d.get("date_to") and d["date_from"] > d["date_to"]:
            self.add_error("date_to", _("The end date is before the start date: the start date must come first."))
        return d


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}), required=False)

    def year_month(self) -> tuple[int, int] | None:
        value = (getattr(self, "cleaned_data", {}).get("month") or "").strip()
        if not value:
            today = timezone.localdate()
            return today.year, today.month
        try:
            year, month = (int(p) for p in value.split("-"))
        except ValueError:
            return None
        return (year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
