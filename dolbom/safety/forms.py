"""Forms of the safety pages: shape only; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.accounts.models import Role
from dolbom.safety.models import (
    WORKER_OUTCOMES,
    AbsenceReason,
    Centre,
    DeviceKind,
    EndReason,
    FalseAlarmReason,
    Outcome,
)

_DATE = forms.DateInput(attrs={"type": "date"})
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class WorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        staff = getattr(obj, "staff", None)
        return staff.display_name if staff else obj.get_username()


class InstallForm(forms.Form):
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=Centre.objects.all())
    worker = WorkerChoice(label=_("Emergency worker"), queryset=User.objects.none())
    installed_on = forms.DateField(label=_("Installed on"), widget=_DATE, initial=timezone.localdate)
    gateway_serial = forms.CharField(label=_("Gateway serial number"), max_length=64)
    gateway_model = forms.CharField(label=_("Gateway model"), max_length=60, required=False)
    activity_1 = forms.CharField(label=_("Activity sensor (living room)"), max_length=64, required=False)
    activity_2 = forms.CharField(label=_("Activity sensor (bedroom)"), max_length=64, required=False)
    door = forms.CharField(label=_("Door sensor"), max_length=64, required=False)
    fire = forms.CharField(label=_("Fire detector"), max_length=64, required=False)
    gas = forms.CharField(label=_("Gas detector"), max_length=64, required=False)
    button = forms.CharField(label=_("Emergency button"), max_length=64, required=False)

    DEVICE_FIELDS = (("activity_1", DeviceKind.ACTIVITY, "거실"), ("activity_2", DeviceKind.ACTIVITY, "침실"),
                     ("door", DeviceKind.DOOR, "현관"), ("fire", DeviceKind.FIRE, "주방"),
                     ("gas", DeviceKind.GAS, "주방"), ("button", DeviceKind.BUTTON, ""))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = (User.objects.filter(staff__role=Role.EMERGENCY_WORKER,
                                                              safety_responder__active=True)
                                          .select_related("staff").order_by("staff__display_name"))


class DeviceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DeviceKind.choices)
    serial = forms.CharField(label=_("Serial number"), max_length=64)
    location = forms.CharField(label=_("Location"), max_length=40, required=False)
    component = forms.CharField(label=_("Channel"), max_length=20, required=False)


class ReplaceForm(forms.Form):
    serial = forms.CharField(label=_("New serial number"), max_length=64)


class SettingsForm(forms.Form):
    caution_hours = forms.DecimalField(label=_("Caution after (hours)"), min_value=1, max_value=72, decimal_places=1)
    warning_hours = forms.DecimalField(label=_("Warning after (hours)"), min_value=1, max_value=72, decimal_places=1)
    danger_hours = forms.DecimalField(label=_("Danger after (hours)"), min_value=1, max_value=72, decimal_places=1)
    quiet_start = forms.TimeField(label=_("Quiet hours from"), required=False, widget=_TIME)
    quiet_end = forms.TimeField(label=_("Quiet hours until"), required=False, widget=_TIME)
    checkin_on_caution = forms.BooleanField(label=_("Automatic check-in call on a caution"), required=False)


class AbsenceForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("From"), widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("Until"), widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    reason = forms.ChoiceField(label=_("Reason"), choices=AbsenceReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["starts_at"].initial = now
        self.fields["ends_at"].initial = now + dt.timedelta(days=3)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"),
                                choices=[(o.value, o.label) for o in WORKER_OUTCOMES if o != Outcome.FALSE_ALARM])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class FalseAlarmForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=FalseAlarmReason.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class WaitlistForm(forms.Form):
    note = forms.CharField(label=_("Why the service is needed"), max_length=300, required=False)


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("End reason"), choices=EndReason.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))

    def month_start(self) -> dt.date:
        raw = (self.cleaned_data.get("month") if self.is_valid() else "") or ""
        try:
            year, month = (int(x) for x in raw.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            today = timezone.localdate()
            return today.replace(day=1)


class SafetySettingsForm(forms.ModelForm):
    class Meta:
        from dolbom.safety.models import SafetySettings

        model = SafetySettings
        fields = ("escalate_lead_seconds", "escalate_city_seconds", "heartbeat_minutes", "heartbeats_missed",
                  "silent_install_hours", "low_battery_pct", "flap_events", "flap_seconds")
