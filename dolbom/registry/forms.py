"""Forms of the resident pages: the search, the consent record, registering a resident, changing their
contact and target groups, and a household's move. They check shapes; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.areas.models import BoundaryArea
from dolbom.areas.selectors import dong_for_area
from dolbom.lib.errors import DomainError
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import ConsentPurpose, Resident
from dolbom.registry.services import CONSENT_CLOCK_SKEW, Address, TargetGroups
from dolbom.web.forms import DateInput, DateTimeInput, PhoneField, now_local, textarea


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, initials (ㄱㅁㅅ) or registration number"), max_length=50, required=False)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    recipient = forms.CharField(label=_("Recipient"), max_length=100)
    given_at = forms.DateTimeField(label=_("Given at"), widget=DateTimeInput(), initial=now_local)
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_given_at(self) -> dt.datetime:
        return consent_time_clean(self.cleaned_data["given_at"])


def consent_time_clean(given_at: dt.datetime) -> dt.datetime:
    """Refused at the field as well as by the service, so the officer sees it beside the time they typed."""
    if given_at and given_at > timezone.now() + CONSENT_CLOCK_SKEW:
        raise forms.ValidationError(DomainError(RegistryErrorCode.CONSENT_IN_FUTURE).message, code="future")
    return given_at


# Areas -----------------------------------------------------------------------------------------------

class AreaChoiceField(forms.ModelChoiceField):
    """The 2021 boundary areas an address lies in, named for people: "금암1동 (현 금암동)" after a merger."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", BoundaryArea.objects.select_related("original_dong").order_by("name"))
        super().__init__(**kwargs)

    def label_from_instance(self, area: BoundaryArea) -> str:
        try:
            today = dong_for_area(area=area, day=timezone.localdate())
        except DomainError:
            return area.name
        renamed = f" ({_('now')} {today.name})" if today.name != area.name else ""
        return f"{area.name}{renamed} · {today.gu}"


# Registering a resident ------------------------------------------------------------------------------

class _GroupsMixin(forms.Form):
    is_older = forms.BooleanField(label=_("Older person (65 or over)"), required=False)
    has_severe_disability = forms.BooleanField(label=_("Person with a severe disability"), required=False)
    has_mental_illness = forms.BooleanField(label=_("Person with mental illness"), required=False)
    is_other_target = forms.BooleanField(label=_("Other target group"), required=False)

    def groups(self, *, older_from_age: bool = False) -> TargetGroups:
        d = self.cleaned_data
        return TargetGroups(is_older=None if older_from_age and not d["is_older"] else d["is_older"],
                            has_severe_disability=d["has_severe_disability"],
                            has_mental_illness=d["has_mental_illness"], is_other_target=d["is_other_target"])


class ResidentRegisterForm(_GroupsMixin):
    name = forms.CharField(label=_("Name"), max_length=50)
    rrn = forms.CharField(label=_("Resident registration number"), max_length=14,
                          widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    phone = PhoneField(label=_("Phone"), required=False)
    household_number = forms.CharField(label=_("Existing household no."), max_length=20, required=False,
                                       help_text=_("To add the person to a household already registered. "
                                                   "Otherwise enter the address of a new household."))
    road_address = forms.CharField(label=_("Road-name address"), max_length=200, required=False)
    address_detail = forms.CharField(label=_("Address detail"), max_length=100, required=False)
    area = AreaChoiceField(label=_("Area of the address"), required=False)

    field_order = ["name", "rrn", "phone", "is_older", "has_severe_disability", "has_mental_illness",
                   "is_other_target", "household_number", "road_address", "address_detail", "area"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_older"].help_text = _("Ticked automatically at 65 or over, from the registration number.")

    def _bound(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[n] for n in names]

    @property
    def person_fields(self) -> list[forms.BoundField]:
        return self._bound(("name", "rrn", "phone"))

    @property
    def group_fields(self) -> list[forms.BoundField]:
        return self._bound(("is_older", "has_severe_disability", "has_mental_illness", "is_other_target"))

    @property
    def household_fields(self) -> list[forms.BoundField]:
        return self._bound(("household_number", "road_address", "address_detail", "area"))

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        if not d.get("household_number"):
            if not (d.get("road_address") or "").strip():
                self.add_error("road_address", _("Enter the address of the new household, or an existing "
                                                 "household number."))
            if not d.get("area"):
                self.add_error("area", _("Choose the area the address lies in."))
        return d

    def address(self) -> Address | None:
        d = self.cleaned_data
        if d.get("household_number"):
            return None
        return Address(road_address=d["road_address"], address_detail=d["address_detail"], area=d["area"])


class ResidentDetailsForm(_GroupsMixin):
    phone = PhoneField(label=_("Phone"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=200,
                             help_text=_("Kept in the history with your name."))

    field_order = ["phone", "is_older", "has_severe_disability", "has_mental_illness", "is_other_target", "reason"]

    @staticmethod
    def initial_for(resident: Resident) -> dict[str, Any]:
        return {"phone": resident.phone, "is_older": resident.is_older,
                "has_severe_disability": resident.has_severe_disability,
                "has_mental_illness": resident.has_mental_illness, "is_other_target": resident.is_other_target}


class HouseholdMoveForm(forms.Form):
    road_address = forms.CharField(label=_("New road-name address"), max_length=200)
    address_detail = forms.CharField(label=_("Address detail"), max_length=100, required=False)
    area = AreaChoiceField(label=_("Area of the address"),
                           help_text=_("An area of another dong moves the household and its members there."))
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, widget=textarea())

    def address(self) -> Address:
        d = self.cleaned_data
        return Address(road_address=d["road_address"], address_detail=d["address_detail"], area=d["area"])
