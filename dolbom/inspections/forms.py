"""Shapes of the inspection pages' forms; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.areas.models import BoundaryArea
from dolbom.inspections.models import (
    CareProgramme,
    CoachingMaterial,
    CoachingTopic,
    FacilityKind,
    RiskLevel,
    Surface,
)
from dolbom.inspections.services import FacilityFields
from dolbom.web.forms import DateInput, textarea


class FacilityForm(forms.Form):
    code = forms.CharField(label=_("Facility code"), max_length=20)
    name = forms.CharField(label=_("Facility name"), max_length=100)
    kind = forms.ChoiceField(label=_("Facility type"), choices=FacilityKind.choices)
    operator = forms.CharField(label=_("Operator"), max_length=100)
    road_address = forms.CharField(label=_("Road-name address"), max_length=200)
    area = forms.ModelChoiceField(label=_("Dong (boundary area)"), queryset=BoundaryArea.objects.order_by("name"))
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=126.9, max_value=127.3)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=35.7, max_value=36.0)
    diners_per_day = forms.IntegerField(label=_("Diners per day"), min_value=1, max_value=2000)
    group_meal_service = forms.BooleanField(label=_("Registered group meal service (50 or more a meal)"),
                                            required=False)
    has_dietitian = forms.BooleanField(label=_("Has a dietitian"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    programmes = forms.MultipleChoiceField(label=_("Care programmes that use the kitchen"),
                                           choices=CareProgramme.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)
    note = forms.CharField(label=_("Note"), required=False, widget=textarea())

    def fields_value(self) -> FacilityFields:
        d = self.cleaned_data
        return FacilityFields(code=d["code"], name=d["name"], kind=d["kind"], operator=d["operator"],
                              road_address=d["road_address"], area=d["area"], diners_per_day=d["diners_per_day"],
                              contact_name=d["contact_name"], contact_phone=d["contact_phone"],
                              programmes=list(d["programmes"]), risk_level=d["risk_level"],
                              group_meal_service=d["group_meal_service"], has_dietitian=d["has_dietitian"],
                              lon=d["lon"], lat=d["lat"], note=d["note"])


class RiskForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=200)


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("File"), choices=[("xlsx", "Excel (.xlsx)"), ("pdf", "PDF")])
    reason = forms.CharField(label=_("Reason for the download"), min_length=2, max_length=300)


class ProofForm(forms.Form):
    proof_note = forms.CharField(label=_("Proof (what was done)"), required=False, widget=textarea(3))
    photo = forms.ImageField(label=_("Photo"), required=False)


class ActionForm(forms.Form):
    item = forms.ChoiceField(label=_("Checklist item"), required=False)
    description = forms.CharField(label=_("What must be corrected"), max_length=500)
    owner = forms.CharField(label=_("Owner at the facility"), max_length=50)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, *args, items=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [(i.code, f"{i.number}. {i.text}") for i in items]


class CoachingForm(forms.Form):
    given_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    topics = forms.MultipleChoiceField(label=_("Training given"), choices=CoachingTopic.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    materials = forms.MultipleChoiceField(label=_("Materials left"), choices=CoachingMaterial.choices,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=0, max_value=500, initial=1)
    note = forms.CharField(label=_("Note"), required=False, widget=textarea())


class ThresholdForm(forms.Form):
    instrument = forms.IntegerField(widget=forms.HiddenInput)
    surface = forms.ChoiceField(label=_("Surface"), choices=[("", _("Default for other surfaces"))]
                                + list(Surface.choices), required=False)
    pass_max = forms.IntegerField(label=_("Pass up to (RLU)"), min_value=0)
    caution_max = forms.IntegerField(label=_("Caution up to (RLU)"), min_value=0)
    source = forms.CharField(label=_("Source of the limits"), max_length=300, required=False)


class InstrumentForm(forms.Form):
    model = forms.CharField(label=_("Instrument model"), max_length=100)
    maker = forms.CharField(label=_("Maker"), max_length=100)


class ContactForm(forms.Form):
    gu = forms.ChoiceField(label=_("District"), choices=[("완산구", "완산구"), ("덕진구", "덕진구")])
    department = forms.CharField(label=_("Department"), max_length=100)
    officer = forms.CharField(label=_("Officer"), max_length=50)
    phone = forms.CharField(label=_("Work mobile"), max_length=20)


class SummerRoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2022, max_value=2100,
                              initial=lambda: timezone.localdate().year)


class PlanForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time_limit = forms.FloatField(label=_("Solver time (seconds)"), min_value=1, max_value=30, initial=5)


class EscalationForm(forms.Form):
    note = forms.CharField(label=_("Note to the sanitation department"), required=False, widget=textarea())
