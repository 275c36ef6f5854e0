"""Forms of the case pages: one per legal step, the list filters, the export reason and the city's
follow-up intervals. They check shapes; the services decide what the law allows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.cases.models import (
    ApplicantType,
    CaseOrigin,
    CaseStatus,
    ClosureReason,
    ExOfficioReason,
    FollowUpOutcome,
    NeedLevel,
    ServiceDomain,
)
from dolbom.cases.rules import ADL_ITEMS, IADL_ITEMS, SCORES
from dolbom.cases.services import Application, PlanLine
from dolbom.web.forms import BLANK, DateInput, DateTimeInput, now_local, textarea


def _lines(text: str) -> list[str]:
    return [s.strip() for s in text.replace(",", "\n").splitlines() if s.strip()]


# Starting a case (offered on the resident page) ---------------------------------------------------

class ApplicationForm(forms.Form):
    applicant_type = forms.ChoiceField(label=_("Applicant"), choices=ApplicantType.choices)
    applicant_name = forms.CharField(label=_("Applicant name"), max_length=50, required=False)
    applicant_relation = forms.CharField(label=_("Relation to the person"), max_length=50, required=False)
    ex_officio_reason = forms.ChoiceField(label=_("Ex officio reason"), choices=BLANK + ExOfficioReason.choices,
                                          required=False)
    explained_at = forms.DateTimeField(label=_("Explanation given at"), widget=DateTimeInput(), required=False)
    consent_at = forms.DateTimeField(label=_("Prior consent given at"), widget=DateTimeInput(), required=False)
    applied_at = forms.DateTimeField(label=_("Applied at"), widget=DateTimeInput(), required=False,
                                     help_text=_("Leave empty for now."))

    def application(self) -> Application:
        d = self.cleaned_data
        return Application(
            applicant_type=d["applicant_type"], applied_at=d["applied_at"], applicant_name=d["applicant_name"],
            applicant_relation=d["applicant_relation"], ex_officio_reason=d["ex_officio_reason"],
            explained_at=d["explained_at"], consent_at=d["consent_at"],
        )


class DiscoverForm(forms.Form):
    origin = forms.ChoiceField(label=_("Discovered through"),
                               choices=[c for c in CaseOrigin.choices if c[0] != CaseOrigin.APPLICATION])
    note = forms.CharField(label=_("What was found"), max_length=300, required=False, widget=textarea())


# Case steps ---------------------------------------------------------------------------------------

SCORE_CHOICES = [(s, str(s)) for s in SCORES]


class SurveyForm(forms.Form):
    """Needs survey (Decree §10): the five legal items, ADL/IADL scored 1–3."""

    surveyed_on = forms.DateField(label=_("Surveyed on"), widget=DateInput(), initial=timezone.localdate)
    # 1. identity, household and living environment
    housing_type = forms.CharField(label=_("Housing type"), max_length=100, required=False)
    living_environment = forms.CharField(label=_("Household and living environment"), required=False,
                                         widget=textarea())
    # 2. benefits already received
    benefits_received = forms.CharField(label=_("Benefits already received (one per line)"), required=False,
                                        widget=textarea())
    # 3. functioning and health: ADL/IADL fields are added in __init__
    physical_health = forms.CharField(label=_("Physical health"), required=False, widget=textarea())
    mental_health = forms.CharField(label=_("Mental health"), required=False, widget=textarea())
    # 4. needs
    needs = forms.CharField(label=_("Needs (one per line)"), widget=textarea())
    # 5. other
    other = forms.CharField(label=_("Other"), required=False, widget=textarea())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prefix, items in (("adl", ADL_ITEMS), ("iadl", IADL_ITEMS)):
            for key, label in items.items():
                # No score in advance: an item left untouched must not read as "independent" (1).
                self.fields[f"{prefix}_{key}"] = forms.TypedChoiceField(
                    label=label, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
                    error_messages={"required": _("Choose a score for this item.")},
                )

    def score_rows(self, prefix: str) -> list[forms.BoundField]:
        items = ADL_ITEMS if prefix == "adl" else IADL_ITEMS
        return [self[f"{prefix}_{key}"] for key in items]

    @property
    def adl_rows(self) -> list[forms.BoundField]:
        return self.score_rows("adl")

    @property
    def iadl_rows(self) -> list[forms.BoundField]:
        return self.score_rows("iadl")

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "surveyed_on": d["surveyed_on"],
            "household_environment": {"housing_type": d["housing_type"], "notes": d["living_environment"]},
            "benefits_received": _lines(d["benefits_received"]),
            "adl": {k: d[f"adl_{k}"] for k in ADL_ITEMS},
            "iadl": {k: d[f"iadl_{k}"] for k in IADL_ITEMS},
            "health": {"physical": d["physical_health"], "mental": d["mental_health"]},
            "needs": _lines(d["needs"]),
            "other": d["other"],
        }


class DecisionForm(forms.Form):
    """종합판정 (Decree §11): five factors and two levels, and what the person was told."""

    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput(), initial=timezone.localdate)
    physical_function = forms.CharField(label=_("Physical function and ADL"), widget=textarea())
    medical_need = forms.CharField(label=_("Medical need"), widget=textarea())
    nutrition = forms.CharField(label=_("Nutrition"), widget=textarea())
    housing = forms.CharField(label=_("Housing"), widget=textarea())
    other_factors = forms.CharField(label=_("Other"), required=False, widget=textarea())
    medical_need_level = forms.ChoiceField(label=_("Medical-need level"), choices=NeedLevel.choices)
    care_need_level = forms.ChoiceField(label=_("Care-need level"), choices=NeedLevel.choices)
    explanation = forms.CharField(label=_("Explanation given to the person"), widget=textarea())
    explained_at = forms.DateTimeField(label=_("Explained at"), widget=DateTimeInput(), initial=now_local)


class PlanForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), widget=textarea(3))
    starts_on = forms.DateField(label=_("Plan starts on"), widget=DateInput(), initial=timezone.localdate)
    provider_linkage = forms.CharField(label=_("How providers link up"), required=False, widget=textarea())
    client_opinion = forms.CharField(label=_("The person's opinion"), required=False, widget=textarea())
    family_opinion = forms.CharField(label=_("The family's opinion"), required=False, widget=textarea())


class PlanLineForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=BLANK + ServiceDomain.choices)
    content = forms.CharField(label=_("Content"), max_length=200)
    method = forms.CharField(label=_("Method"), max_length=100)
    quantity = forms.CharField(label=_("Quantity"), max_length=100)
    starts_on = forms.DateField(label=_("Start"), widget=DateInput())
    ends_on = forms.DateField(label=_("End"), widget=DateInput())
    provider = forms.CharField(label=_("Provider"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The line's fields sit in table cells under column headings: each needs its own accessible name.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def plan_line(self) -> PlanLine:
        return PlanLine(**self.cleaned_data)


PlanLineFormSet = forms.formset_factory(PlanLineForm, extra=4, max_num=20)


def plan_lines(formset: forms.BaseFormSet) -> list[PlanLine]:
    # Rows left empty are simply unused; the service refuses a plan without any line.
    return [f.plan_line() for f in formset.forms if f.has_changed() and f.cleaned_data]


class MeetingRequestForm(forms.Form):
    reason = forms.CharField(label=_("Why a meeting is needed"), required=False, widget=textarea())


class MeetingOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Meeting outcome"), required=False, widget=textarea())


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput(), initial=timezone.localdate)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    note = forms.CharField(label=_("What the follow-up found"), required=False, widget=textarea())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea())


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Closure reason"), choices=BLANK + ClosureReason.choices, required=False)
    note = forms.CharField(label=_("Closure note"), required=False, widget=textarea())


# Lists and settings ------------------------------------------------------------------------------

class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All"))] + CaseStatus.choices, required=False)
    dong = forms.TypedChoiceField(label=_("Dong"), coerce=int, empty_value=None, required=False)
    overdue = forms.BooleanField(label=_("Follow-up overdue only"), required=False)
    mine = forms.BooleanField(label=_("My cases only"), required=False)
    # Set by the dashboard's "overdue by worker" links; the list still shows only cases in scope.
    manager = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, dongs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dong"].choices = [("", _("All"))] + dongs


class ExportReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the download"), min_length=2, max_length=300)


class CitySettingsForm(forms.Form):
    first_follow_up_days = forms.IntegerField(label=_("First follow-up within (days after the first plan)"))
    follow_up_interval_days = forms.IntegerField(label=_("Later follow-ups every (days)"))


class PlanBundle:
    """The plan form and its service lines, validated together."""

    def __init__(self, data: Any = None, auto_id: str = "id_%s") -> None:
        self.form = PlanForm(data, auto_id=auto_id)
        self.lines = PlanLineFormSet(data, prefix="lines", auto_id=auto_id)

    def is_valid(self) -> bool:
        return self.form.is_valid() & self.lines.is_valid()

    def service_kwargs(self) -> dict[str, Any]:
        return {**self.form.cleaned_data, "lines": plan_lines(self.lines)}
