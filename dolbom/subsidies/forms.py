"""Forms of the subsidy pages. They check shapes (dates, numbers, files); the services decide.

The facts form is built from the programme's rule set, so a new programme's questions appear without
code: each declared fact of the rules becomes a field of its type, with its Korean label and choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dolbom.areas.selectors import dong_list_valid_on
from dolbom.subsidies.models import ApplicationStatus, Category, Programme, RefusalReason, SuggestionStatus
from dolbom.subsidies.rules.compiled import CompiledRules
from dolbom.subsidies.rules.facts import STANDARD_FACTS
from dolbom.web.forms import DateInput, textarea

# Standard facts an applicant states when no record answers them (registry facts fill the rest).
DECLARABLE = ("income_tier", "has_disability", "lives_alone", "household_size")


def _dongs() -> list[tuple[Any, str]]:
    return [("", "---------")] + [(d.pk, d.name) for d in dong_list_valid_on(timezone.localdate()).order_by("name")]


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + list(ApplicationStatus.choices))
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    query = forms.CharField(label=_("Receipt number"), required=False, max_length=30)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All"))] + [(c.pk, c.name) for c in programme.categories.all()]


class ApplicantForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    name = forms.CharField(label=_("Applicant"), max_length=50)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    address = forms.CharField(label=_("Address of the building or where the car is kept"), max_length=200)
    rrn = forms.CharField(label=_("Resident registration number (optional)"), max_length=14, required=False,
                          help_text=_("Used only to find the applicant in the city's records; stored encrypted."))
    dong = forms.TypedChoiceField(label=_("Dong"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = programme.categories.all()
        self.fields["dong"].choices = _dongs()


def facts_form_class(compiled: CompiledRules, *, with_residence: bool = True) -> type[forms.Form]:
    """A form of the facts the applicant states for this rule set."""
    fields: dict[str, forms.Field] = {}
    used = compiled.facts_used
    if with_residence and "residence_months" in used:
        fields["resident_since"] = forms.DateField(label=_("Moved into the city on (resident register)"),
                                                   widget=DateInput(), required=False)
    if compiled.definition.selection_mode == "delivery_order":
        fields["delivered_on"] = forms.DateField(label=_("Delivery / registration date"), widget=DateInput(),
                                                 required=False)
    for fact in compiled.definition.facts:
        fields[fact.key] = _field(fact.type, fact.label + (f" ({fact.unit})" if fact.unit else ""), fact.choices,
                                  fact.min, fact.max)
    for key in DECLARABLE:
        if key in used:
            f = STANDARD_FACTS[key]
            fields[key] = _field(f.type, f.label, {k: str(v) for k, v in f.choices.items()}, None, None)
    return type("FactsForm", (forms.Form,), fields)


def _field(kind: str, label: Any, choices: dict[str, str], lo: float | None, hi: float | None) -> forms.Field:
    if kind == "bool":
        return forms.BooleanField(label=label, required=False)
    if kind == "int":
        return forms.IntegerField(label=label, required=False, min_value=lo, max_value=hi)
    if kind == "double":
        return forms.FloatField(label=label, required=False, min_value=lo, max_value=hi)
    if choices:
        return forms.ChoiceField(label=label, required=False, choices=[("", "---------"), *choices.items()])
    return forms.CharField(label=label, required=False, max_length=100)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds


class ReviewForm(forms.Form):
    accept = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "1",
                                    choices=[("1", pgettext_lazy("subsidies", "Accept")), ("0", _("Reject: ask again"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class UpdateForm(forms.Form):
    reason = forms.CharField(label=_("Why it changes (kept with the version)"), max_length=200)


class ApproveForm(forms.Form):
    legal_basis = forms.CharField(label=_("Legal basis (empty: the programme's)"), required=False, widget=textarea(2))


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RefusalReason.choices)
    text = forms.CharField(label=_("Reason in plain words (empty: from the rules' check)"), required=False,
                           widget=textarea(2))
    legal_basis = forms.CharField(label=_("Legal basis (empty: the programme's)"), required=False, widget=textarea(2))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=150)


class ObjectionForm(forms.Form):
    grounds = forms.CharField(label=_("Grounds of the objection"), widget=textarea(4), max_length=4000)


class ObjectionDecideForm(forms.Form):
    upheld = forms.TypedChoiceField(label=_("Outcome"), coerce=lambda v: v == "1",
                                    choices=[("1", _("Upheld: decide again")), ("0", _("Dismissed"))])
    note = forms.CharField(label=_("Reasons"), widget=textarea(3))


class InspectionForm(forms.Form):
    due_on = forms.DateField(label=_("Inspection on"), widget=DateInput())


class CompletionForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "1",
                                    choices=[("1", _("Conditions met")), ("0", _("Conditions not met"))])
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Inspector's note"), widget=textarea(2))


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput(), initial=timezone.localdate)
    reference = forms.CharField(label=_("Payment reference"), max_length=60)
    amount = forms.IntegerField(label=_("Amount (empty: as approved)"), required=False, min_value=1)


class ClawbackForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount to recover (won)"), min_value=1)
    reason = forms.CharField(label=_("Reason"), widget=textarea(2))
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=200,
                                  initial="보조금 관리에 관한 법률 제33조, 「전주시 보조금 관리 조례」")
    due_on = forms.DateField(label=_("Pay back by"), widget=DateInput())


class RecoveredForm(forms.Form):
    recovered_on = forms.DateField(label=_("Recovered on"), widget=DateInput(), initial=timezone.localdate)


class PointerForm(forms.Form):
    programme = forms.ModelChoiceField(label=pgettext_lazy("subsidies", "Programme"), queryset=Programme.objects.filter(status="open"))
    note = forms.CharField(label=_("Why this household (for the office)"), required=False, max_length=300)


class SuggestionForm(forms.Form):
    status = forms.ChoiceField(label=_("Outcome"), choices=[c for c in SuggestionStatus.choices if c[0] != "open"])
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


# The rules editor: one row per rule, the way the notice lists them --------------------------------

class EligibilityRow(forms.Form):
    key = forms.RegexField(label=_("Key"), regex=r"^[a-z][a-z0-9_]{0,39}$", max_length=40)
    label = forms.CharField(label=_("Requirement"), max_length=120)
    when = forms.CharField(label=_("Applies when"), max_length=2000, initial="true")
    rule = forms.CharField(label=_("Condition (CEL)"), max_length=2000)
    pass_text = forms.CharField(label=_("Sentence when met"), max_length=200, required=False)
    fail_text = forms.CharField(label=_("Sentence when not met"), max_length=200, required=False)
    means = forms.BooleanField(label=_("Means test"), required=False)


class TierRow(forms.Form):
    key = forms.RegexField(label=_("Key"), regex=r"^[a-z][a-z0-9_]{0,39}$", max_length=40)
    label = forms.CharField(label=_("Amount line"), max_length=120)
    when = forms.CharField(label=_("Applies when"), max_length=2000, initial="true")
    value = forms.CharField(label=_("Amount (CEL, won)"), max_length=2000)
    explain = forms.CharField(label=_("Sentence"), max_length=200, required=False)


class ScoreRow(forms.Form):
    key = forms.RegexField(label=_("Key"), regex=r"^[a-z][a-z0-9_]{0,39}$", max_length=40)
    label = forms.CharField(label=_("Score item"), max_length=120)
    when = forms.CharField(label=_("When (CEL)"), max_length=2000)
    points = forms.IntegerField(label=_("Points"), min_value=-1000, max_value=1000)
    explain = forms.CharField(label=_("Sentence"), max_length=200, required=False)


EligibilityFormSet = formset_factory(EligibilityRow, extra=1, can_delete=True)
TierFormSet = formset_factory(TierRow, extra=1, can_delete=True)
TopUpFormSet = formset_factory(TierRow, extra=1, can_delete=True)
ScoreFormSet = formset_factory(ScoreRow, extra=1, can_delete=True)


class RulesForm(forms.Form):
    effective_from = forms.DateField(label=_("In force from"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("What changed"), max_length=300)
    cap = forms.CharField(label=_("Overall cap (CEL, empty: none)"), max_length=2000, required=False)
    round_down_to = forms.IntegerField(label=_("Round down to (won)"), min_value=1, max_value=1_000_000)
