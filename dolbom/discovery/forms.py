from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dolbom.discovery.models import COMMUNITY_SOURCES, DEFAULT_HOUSEHOLDS_PER_WORKER, CycleKind, Outcome


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.parquet"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(label=_("Source files (CSV or Parquet, one per agency)"))


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=CycleKind.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label=_("Visits due on (default: eight weeks later)"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))
    households_per_worker_limit = forms.IntegerField(
        label=_("Households per worker (warning above)"), min_value=1, required=False,
        widget=forms.NumberInput(attrs={"placeholder": str(DEFAULT_HOUSEHOLDS_PER_WORKER)}))


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "---------"), *Outcome.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralForm(forms.Form):
    resident_id = forms.IntegerField(widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("Reported by"), choices=[(s.value, s.label) for s in COMMUNITY_SOURCES])
    reporter_name = forms.CharField(label=_("Reporter's name and contact"), max_length=50)
    note = forms.CharField(label=_("What was reported"), widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(forms.Form):
    resident_id = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("How the objection was made"), max_length=300, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, RRN or phone"), max_length=50)


class LimitForm(forms.Form):
    households_per_worker_limit = forms.IntegerField(label=_("Households per worker (warning above)"), min_value=1)
