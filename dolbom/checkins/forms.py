from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dolbom.checkins.models import AlertStatus, CampaignKind, Frequency, Severity, Slot, Topic

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]


class EnrolForm(forms.Form):
    case = forms.TypedChoiceField(label=_("Client"), coerce=int)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices, initial=Frequency.WEEKLY)
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int, initial=1)
    second_weekday = forms.TypedChoiceField(label=_("Second day (twice a week)"), choices=[("", "-")] + WEEKDAYS,
                                            coerce=int, empty_value=None, required=False)
    window_start = forms.TimeField(label=_("From"), initial="10:00", widget=forms.TimeInput(attrs={"type": "time"}))
    window_end = forms.TimeField(label=_("Until"), initial="12:00", widget=forms.TimeInput(attrs={"type": "time"}))
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=30)
    honorific = forms.CharField(label=_("Honorific"), max_length=20, initial="어르신")
    topics = forms.MultipleChoiceField(label=_("Topics to ask about"), choices=Topic.choices,
                                       initial=Topic.values, widget=forms.CheckboxSelectMultiple, required=False)
    opted_out = forms.MultipleChoiceField(label=_("Topics opted out"), choices=Topic.choices,
                                          widget=forms.CheckboxSelectMultiple, required=False)
    note = forms.CharField(label=_("Note for the caller"), max_length=200, required=False)

    def __init__(self, *args, cases: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = cases


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("paused", "paused"), ("active", "active"), ("stopped", "stopped")])
    note = forms.CharField(max_length=300, required=False)


class MemoryForm(forms.Form):
    slot = forms.ChoiceField(choices=Slot.choices)
    value = forms.CharField(label=_("What we know"), max_length=300, required=False)
    ask_next = forms.BooleanField(label=_("Ask about it next call"), required=False)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)


class SayForm(forms.Form):
    text = forms.CharField(label=_("The client says"), max_length=1000, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class CallbackForm(forms.Form):
    reached = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "1",
                                     choices=[("1", _("Reached")), ("0", _("Not reached"))])
    note = forms.CharField(label=_("Note"), max_length=1000)


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("active", _("Not closed")), ("", _("All"))] + list(AlertStatus.choices))
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", _("All"))] + list(Severity.choices))
    mine = forms.BooleanField(label=_("My clients only"), required=False)
    escalated = forms.BooleanField(label=_("Escalated only"), required=False)


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    message = forms.CharField(label=_("What the caller says first"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    dong = forms.TypedChoiceField(label=_("Dong"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, dongs: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dong"].choices = [("", _("All dongs"))] + dongs


class SettingsForm(forms.Form):
    max_attempts = forms.IntegerField(label=_("tries before a call-back"), min_value=1, max_value=10)
    retry_minutes = forms.IntegerField(label=_("minutes between tries"), min_value=5, max_value=240)
    escalate_after_minutes = forms.IntegerField(
        label=_("minutes before an unacknowledged high alert escalates"), min_value=5, max_value=1440)
    missed_in_row_alert = forms.IntegerField(label=_("missed calls in a row that raise an alert"), min_value=1,
                                             max_value=10)
