"""Forms of the referral pages; they validate input and hand clean values to one service each."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.areas.models import Dong
from dolbom.areas.selectors import dong_list_valid_on
from dolbom.referrals.categories import category_choices
from dolbom.referrals.models import Institution, InstitutionKind, ReferralStatus, Service
from dolbom.registry.forms import AreaChoiceField, consent_time_clean
from dolbom.web.forms import DateInput, DateTimeInput, PhoneField


def _area(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def now_local():
    return timezone.localtime().replace(second=0, microsecond=0)


def _current_dongs():
    return dong_list_valid_on(timezone.localdate()).order_by("name")


class ReferralCreateForm(forms.Form):
    plan_line = forms.TypedChoiceField(label=_("Support plan line"), coerce=int, required=False, empty_value=None)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    note = forms.CharField(label=_("Note for the institution"), required=False, widget=_area(3))
    due_days = forms.IntegerField(label=_("Days to answer"), min_value=1, max_value=30, initial=3)

    def __init__(self, *args: Any, lines: list[tuple[int, str]], services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_line"].choices = [("", _("(not from a plan line)"))] + lines
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = (
            lambda s: f"{s.category_label} · {s.name} — {s.institution.name} (대기 {s.waiting})")


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(ReferralStatus.choices))
    dong = forms.TypedChoiceField(label=_("Dong"), coerce=int, required=False, empty_value=None)
    mine = forms.BooleanField(label=_("My cases only"), required=False)
    overdue = forms.BooleanField(label=_("Answer overdue"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dong"].choices = [("", _("All"))] + [(d.pk, d.name) for d in _current_dongs()]


class AcceptForm(forms.Form):
    """Accepting needs no input; the form keeps the action table uniform."""


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), widget=_area())


class StartForm(forms.Form):
    started_on = forms.DateField(label=_("Started on"), widget=DateInput(), initial=timezone.localdate)


class ActivityForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("What was done"), widget=_area())


class ChangeForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("What changed"), widget=_area())


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput(), initial=timezone.localdate)
    outcome = forms.CharField(label=_("Outcome"), widget=_area(3))


class InstitutionForm(forms.Form):
    code = forms.CharField(label=_("Institution code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=InstitutionKind.choices)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    dongs = forms.ModelMultipleChoiceField(label=_("Dongs served"), queryset=Dong.objects.none(), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dongs"].queryset = _current_dongs()

    @staticmethod
    def initial_from(inst: Institution) -> dict[str, Any]:
        return {"code": inst.code, "name": inst.name, "kind": inst.kind, "phone": inst.phone,
                "contact_person": inst.contact_person, "email": inst.email, "address": inst.address,
                "dongs": list(inst.dongs.all()), "active": inst.active}


class ServiceForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.order_by("name"))
    code = forms.CharField(label=_("Service code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    category_code = forms.ChoiceField(label=_("Resource category"), choices=category_choices)
    eligibility = forms.CharField(label=_("Eligibility notes"), required=False, widget=_area())
    citywide = forms.BooleanField(label=_("Whole city"), required=False)
    dongs = forms.ModelMultipleChoiceField(label=_("Dongs served"), queryset=Dong.objects.none(), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, initial=0)
    waiting = forms.IntegerField(label=_("Waiting list"), min_value=0, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dongs"].queryset = _current_dongs()

    @staticmethod
    def initial_from(s: Service) -> dict[str, Any]:
        return {"institution": s.institution, "code": s.code, "name": s.name, "category_code": s.category_code,
                "eligibility": s.eligibility, "citywide": s.citywide, "dongs": list(s.dongs.all()),
                "capacity": s.capacity, "waiting": s.waiting, "active": s.active}


class ServiceFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Resource category"), required=False)
    dong = forms.TypedChoiceField(label=_("Dong"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Search"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from dolbom.referrals.categories import categories

        super().__init__(*args, **kwargs)
        majors = [(code, name) for code, name in categories().majors.items()]
        self.fields["category"].choices = [("", _("All"))] + majors + category_choices()
        self.fields["dong"].choices = [("", _("All"))] + [(d.pk, d.name) for d in _current_dongs()]


class DischargeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    rrn = forms.CharField(label=_("Resident registration number"), max_length=14,
                          help_text=_("Checked against the name and the birth date."))
    phone = PhoneField(label=_("Contact"), required=False)
    road_address = forms.CharField(label=_("Road-name address"), max_length=200)
    address_detail = forms.CharField(label=_("Address detail"), max_length=100, required=False)
    area = AreaChoiceField(label=_("Area of the address"), to_field_name="kostat_code")
    discharge_on = forms.DateField(label=_("Discharge date"), widget=DateInput(), initial=timezone.localdate)
    # The notice hands the person's details to the city (PIPA §17): only with their consent, ticked here.
    consent_given = forms.BooleanField(label=_("The person consented to this notice"), error_messages={
        "required": _("The notice can be sent only with the person's consent: tick the box once they agreed.")})
    note = forms.CharField(label=_("Notes"), required=False, widget=_area(3))


class ShareConsentForm(forms.Form):
    """Consent to share with one institution, chosen from the directory so the code is never typed.

    Its fields belong to the referral page's one form (``form=`` attribute), so that recording the consent
    posts the half-filled referral along and it comes back as it was (the view keeps it as a draft)."""

    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.filter(active=True)
                                         .order_by("name"), to_field_name="code")
    given_at = forms.DateTimeField(label=_("Given at"), widget=DateTimeInput(), initial=now_local)
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput(), required=False)
    method = forms.ChoiceField(label=_("Method"), choices=[("written", _("Written")), ("verbal", _("Verbal, recorded"))])
    consent_note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, form_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if form_id:
                field.widget.attrs["form"] = form_id
            # Recording the consent must not wait for the referral's required fields, nor the reverse.
            field.widget.attrs.pop("required", None)
        self.use_required_attribute = False

    def clean_given_at(self) -> Any:
        return consent_time_clean(self.cleaned_data["given_at"])
