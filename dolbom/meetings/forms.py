"""Forms of the meeting pages. They check shapes; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.cases.models import ClosureReason
from dolbom.meetings.models import Decision, MemberKind
from dolbom.meetings.selectors import staff_choices
from dolbom.web.forms import BLANK, DateInput, DateTimeInput


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        staff = obj.staff
        where = staff.institution or (staff.dong.name if staff.dong_id else "")
        return f"{staff.display_name} · {staff.get_role_display()}" + (f" · {where}" if where else "")


def _staff(roles: frozenset[str] | None = None) -> Any:
    qs = staff_choices().select_related("staff__dong")
    return qs.filter(staff__role__in=roles) if roles else qs


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=100)
    chair = StaffChoiceField(label=_("Chair"), queryset=User.objects.none())
    dong = forms.TypedChoiceField(label=_("Dong"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, dongs: list[tuple[int, str]], chair_roles: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = _staff(chair_roles)
        self.fields["dong"].choices = [("", _("City level (all dongs)"))] + dongs


class AttendeeForm(forms.Form):
    user = StaffChoiceField(label=_("Attendee"), queryset=User.objects.none())
    member_kind = forms.ChoiceField(label=_("Member kind"), choices=BLANK + list(MemberKind.choices))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _staff()


class AgendaAddForm(forms.Form):
    case_id = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=BLANK + list(Decision.choices))
    note = forms.CharField(label=_("Decision note"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    # Check boxes, not a multi-select list box: a list box needs Ctrl-click to choose two, which keyboard
    # and screen-reader users cannot discover.
    services = forms.TypedMultipleChoiceField(label=_("Services to add"), coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    due_days = forms.IntegerField(label=_("Days to answer"), min_value=1, max_value=30, required=False)
    closure_reason = forms.ChoiceField(label=_("Closure reason"), required=False,
                                       choices=BLANK + list(ClosureReason.choices))

    def __init__(self, *args: Any, services: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = services


class MinutesForm(forms.Form):
    topics = forms.CharField(label=_("Agenda topics"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    minutes = forms.CharField(label=_("Meeting minutes"), widget=forms.Textarea(attrs={"rows": 8}), required=False,
                              help_text=_("Write case decisions on each agenda case, not here: every attendee "
                                          "reads the minutes."))


class ActionItemForm(forms.Form):
    # Every attendee sees a meeting's action items, whatever consent each agenda client gave.
    title = forms.CharField(label=_("Action item"), max_length=200,
                            help_text=_("No client names: every attendee sees the action items."))
    owner = StaffChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff()
        if not self.is_bound:
            self.initial.setdefault("due_on", timezone.localdate() + timezone.timedelta(days=14))


class DoneForm(forms.Form):
    note = forms.CharField(label=_("Result of the action"), max_length=300, required=False)


class ScheduleForm(forms.Form):
    count = forms.IntegerField(label=_("Sessions to create"), min_value=1, max_value=26, initial=3)


class CouncilMemberForm(forms.Form):
    user = StaffChoiceField(label=_("Staff member"), queryset=User.objects.none(), required=False)
    name = forms.CharField(label=_("Name (if not a staff member)"), max_length=50, required=False)
    institution = forms.CharField(label=_("Institution"), max_length=100, required=False)
    title = forms.CharField(label=_("Title"), max_length=50, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _staff()
