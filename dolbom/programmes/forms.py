"""Forms of the programme pages: they check the shape of what was typed; the services decide the rest."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.areas.models import Dong
from dolbom.programmes.models import AdviserKind, Allocation, PartyCounting


def _dongs() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=Dong.objects.filter(valid_to__isnull=True).order_by("name"),
                                  required=False, label=_("Dong"), empty_label=_("City-wide"))


class StaffChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        staff = getattr(obj, "staff", None)
        return f"{staff.display_name} ({staff.institution or staff.get_role_display()})" if staff else obj.username


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    organiser = forms.CharField(label=_("Organiser"), max_length=100)
    organiser_code = forms.CharField(label=_("Organiser code"), max_length=40, required=False,
                                     help_text=_("The code consents to share name and phone are recorded under."))
    venue = forms.CharField(label=_("Venue"), max_length=150)
    audience = forms.CharField(label=_("Audience"), max_length=150,
                               help_text=_("e.g. families with children under 13"))
    contact = forms.CharField(label=_("Contact"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    dong = _dongs()
    rrule = forms.CharField(label=_("Recurrence rule"), max_length=120, initial="FREQ=MONTHLY;BYDAY=2SA,4SA",
                            help_text=_("e.g. FREQ=MONTHLY;BYDAY=2SA,4SA (2nd and 4th Saturday)"))
    season_starts_on = forms.DateField(label=_("Season starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    season_ends_on = forms.DateField(label=_("Season ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Start time"), initial=dt.time(13, 30),
                                 widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=10, max_value=600, initial=90)
    capacity = forms.IntegerField(label=_("Places per session"), min_value=1, max_value=1000, initial=10)
    party_counting = forms.ChoiceField(label=_("Party sizes"), choices=PartyCounting.choices)
    max_party_size = forms.IntegerField(label=_("Largest party"), min_value=1, max_value=20, initial=4)
    allocation = forms.ChoiceField(label=_("Allocation"), choices=Allocation.choices)
    reserved = forms.IntegerField(label=_("Reserved places"), min_value=0, initial=0,
                                  help_text=_("Held for residents referred by a case manager."))
    reserve_release_hours = forms.IntegerField(label=_("Reserved places released (hours before)"), min_value=0,
                                               initial=72)
    limit_per_month = forms.IntegerField(label=_("Sessions per family a month"), min_value=1, required=False,
                                         help_text=_("Empty: no limit. Waiting lists count."))
    signup_opens_days = forms.IntegerField(label=_("Sign-up opens (days before)"), min_value=0, max_value=365,
                                           initial=14)
    signup_opens_time = forms.TimeField(label=_("Sign-up opens at"), initial=dt.time(10, 0),
                                        widget=forms.TimeInput(attrs={"type": "time"}))
    signup_closes_hours = forms.IntegerField(label=_("Sign-up closes (hours before)"), min_value=0, initial=24)
    offer_hours = forms.IntegerField(label=_("Hours to accept a freed place"), min_value=1, max_value=168, initial=24)
    managers = StaffChoice(label=_("Staff in charge"), required=False,
                           queryset=User.objects.filter(staff__isnull=False, is_active=True)
                           .select_related("staff").order_by("staff__display_name"))


class ProgrammeEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    organiser = forms.CharField(label=_("Organiser"), max_length=100)
    organiser_code = forms.CharField(label=_("Organiser code"), max_length=40, required=False)
    venue = forms.CharField(label=_("Venue"), max_length=150)
    audience = forms.CharField(label=_("Audience"), max_length=150)
    contact = forms.CharField(label=_("Contact"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    managers = ProgrammeForm.base_fields["managers"]
    active = forms.BooleanField(label=_("Taking sign-ups (shown on the public page)"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CapacityForm(ReasonForm):
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000)
    reserved = forms.IntegerField(label=_("Reserved places"), min_value=0, max_value=1000)
    field_order = ["capacity", "reserved", "reason"]


class MoveForm(ReasonForm):
    position = forms.IntegerField(label=_("New position"), min_value=1)
    field_order = ["position", "reason"]


CONSENT_CHOICES = [("", _("Use the consent on record")), ("written", _("Consent given now, in writing")),
                   ("verbal", _("Consent given now, by phone"))]


class StaffSignupForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Session"), queryset=None)  # set in __init__
    party_size = forms.IntegerField(label=_("Party size"), min_value=1, max_value=20, initial=1)
    referred = forms.BooleanField(label=_("Referred by a case manager (may take a reserved place)"), required=False)
    consent = forms.ChoiceField(label=_("Consent to share name and phone with the organiser"),
                                choices=CONSENT_CHOICES, required=False)

    def __init__(self, *args, sessions=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.programme.name} · {timezone.localtime(s.starts_at):%Y-%m-%d %H:%M} · "
            f"{s.capacity - s.taken}/{s.capacity}")


class CheckinSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, last 4 digits of the phone, or the code"), max_length=40, required=False)


class AdviserForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=AdviserKind.choices)
    organisation = forms.CharField(label=_("Office"), max_length=100, required=False)
    venue = forms.CharField(label=_("Venue"), max_length=150)
    contact = forms.CharField(label=_("Contact for changes"), max_length=100)
    dong = _dongs()
    user = forms.ModelChoiceField(label=_("Login"), required=False,
                                  queryset=User.objects.filter(staff__isnull=False, is_active=True).order_by("username"))
    cancel_cutoff_hours = forms.IntegerField(label=_("Online changes until (hours before)"), min_value=0, initial=24)
    booking_opens_days = forms.IntegerField(label=_("Bookable (days ahead)"), min_value=1, max_value=365, initial=31)


class ScheduleForm(forms.Form):
    rrule = forms.CharField(label=_("Recurrence rule"), max_length=120, initial="FREQ=MONTHLY;BYDAY=4MO")
    starts_on = forms.DateField(label=_("From (date)"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until (date)"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("From (time)"), initial=dt.time(15, 0),
                                 widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Until (time)"), initial=dt.time(17, 0),
                               widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.TypedChoiceField(label=_("Slot length (minutes)"), coerce=int,
                                          choices=[(20, "20"), (30, "30")])


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M"])
    minutes = forms.TypedChoiceField(label=_("Slot length (minutes)"), coerce=int, choices=[(20, "20"), (30, "30")])
    venue = forms.CharField(label=_("Venue"), max_length=150, required=False)


class StaffBookingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    topic = forms.CharField(label=_("Topic"), widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(forms.Form):
    attended = forms.TypedChoiceField(label=_("Attendance"), coerce=lambda v: v == "1",
                                      choices=[("1", _("Consulted")), ("0", _("No-show"))], widget=forms.RadioSelect)
    outcome = forms.CharField(label=_("What was advised"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    welfare_need = forms.CharField(label=_("Welfare need to pass to the dong office"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    consent_given = forms.BooleanField(label=_("The person agreed that the dong office be told"), required=False)
    dong = forms.ModelChoiceField(label=_("Dong office to notify"), required=False,
                                  queryset=Dong.objects.filter(valid_to__isnull=True).order_by("name"))


class ReferralCaseForm(forms.Form):
    resident_id = forms.IntegerField(widget=forms.HiddenInput)


# Public forms (no account): labels and help in plain words, autocomplete hints for phones.

class PublicSignupForm(forms.Form):
    name = forms.CharField(label=_("Name of the person signing up"), max_length=50,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel",
                                                          "placeholder": "010-1234-5678"}))
    party_size = forms.TypedChoiceField(label=_("How many people come"), coerce=int)
    privacy = forms.BooleanField(label=_("I agree to the collection and use of my name and phone number as "
                                         "described above."), required=False)

    def __init__(self, *args, max_party: int = 4, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_size"].choices = [(n, _("%(n)s people") % {"n": n}) for n in range(1, max_party + 1)]


class PublicBookingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel",
                                                          "placeholder": "010-1234-5678"}))
    topic = forms.CharField(label=_("What would you like to ask about?"), max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    privacy = forms.BooleanField(label=_("I agree to the collection and use of my name and phone number as "
                                         "described above."), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("The 6-digit code sent to your phone"), max_length=10,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "pattern": "[0-9 ]*"}))
