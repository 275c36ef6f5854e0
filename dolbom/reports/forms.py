"""Forms of the report pages: downloads (with their reason) and the annual plan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import indicators
from dolbom.reports.models import PlanVersion
from dolbom.reports.plan import SECTIONS

FORMATS = (("xlsx", _("Excel (.xlsx)")), ("csv", _("CSV for Excel")), ("pdf", _("PDF")), ("docx", _("Word (.docx)")))
NARRATIVE_MAX = 20_000


class ExportForm(forms.Form):
    """A download asks why (개인정보의 안전성 확보조치 기준 §8): the reason is kept in the access log."""

    indicator = forms.CharField(widget=forms.HiddenInput, max_length=80)
    period = forms.CharField(widget=forms.HiddenInput, max_length=7)
    dong = forms.CharField(widget=forms.HiddenInput, required=False, max_length=12)
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS[:3])
    reason = forms.CharField(label=_("Reason for the download"), max_length=300, min_length=2,
                             error_messages={"required": _("Say why you are downloading this file: it is kept in "
                                                           "the access log."),
                                             "min_length": _("Say why you are downloading this file: it is kept in "
                                                             "the access log.")})

    def __init__(self, *args: Any, formats: tuple[str, ...] = ("xlsx", "csv", "pdf"), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [c for c in FORMATS if c[0] in formats]


class PeopleExportForm(forms.Form):
    indicator = forms.CharField(widget=forms.HiddenInput, max_length=80)
    dong = forms.CharField(widget=forms.HiddenInput, required=False, max_length=12)
    reason = forms.CharField(label=_("Reason for the download"), max_length=300, min_length=2)


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Plan year"), min_value=2020, max_value=2100)


class PlanEditForm(forms.Form):
    """Every section's narrative and the year's targets; ``base`` is the version the writer started from,
    so that two writers cannot overwrite each other (the second is asked to reload)."""

    base = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
    regenerate = forms.BooleanField(label=_("Recompute the figures from today's data"), required=False)

    def __init__(self, *args: Any, version: PlanVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["base"] = version.number
        for key, label in SECTIONS:
            self.fields[f"section_{key}"] = forms.CharField(
                label=label, required=False, max_length=NARRATIVE_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                initial=version.narrative.get(key, ""))
        targets = {t["indicator"]: t for t in version.targets}
        for ind in indicators():
            if "annual_plan" not in ind.tags:
                continue
            t = targets.get(ind.key, {})
            self.fields[f"target_{ind.key}"] = forms.DecimalField(
                label=ind.label, required=False, max_digits=14, decimal_places=2, initial=t.get("target"))
            self.fields[f"target_note_{ind.key}"] = forms.CharField(
                label=_("note"), required=False, max_length=200, initial=t.get("note", ""))

    def narrative(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"section_{key}", "").strip() for key, _label in SECTIONS}

    def targets(self) -> list[dict[str, Any]]:
        out = []
        for name, value in self.cleaned_data.items():
            if name.startswith("target_") and not name.startswith("target_note_") and value is not None:
                key = name.removeprefix("target_")
                out.append({"indicator": key, "target": float(value),
                            "note": self.cleaned_data.get(f"target_note_{key}", "").strip()})
        return out

    def target_rows(self) -> list[tuple[Any, Any]]:
        return [(self[name], self[f"target_note_{name.removeprefix('target_')}"]) for name in self.fields
                if name.startswith("target_") and not name.startswith("target_note_")]

    def section_fields(self) -> list[Any]:
        return [self[f"section_{key}"] for key, _label in SECTIONS]
