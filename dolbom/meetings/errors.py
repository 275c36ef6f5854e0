from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class MeetingErrorCode(StrEnum):
    MEETING_NOT_FOUND = "meeting_not_found"
    AGENDA_ITEM_NOT_FOUND = "agenda_item_not_found"
    COUNCIL_NOT_FOUND = "council_not_found"
    ACTION_ITEM_NOT_FOUND = "action_item_not_found"
    NOT_ALLOWED = "not_allowed"
    MEETING_SIGNED = "meeting_signed"
    FIELDS_REQUIRED = "fields_required"
    CHAIR_INVALID = "chair_invalid"
    NOT_INTEGRATED_SUPPORT = "not_integrated_support"
    CASE_CLOSED = "case_closed"
    ALREADY_ON_AGENDA = "already_on_agenda"
    ALREADY_DECIDED = "already_decided"
    ALREADY_INVITED = "already_invited"
    MEMBER_KIND_INVALID = "member_kind_invalid"
    DECISION_INVALID = "decision_invalid"
    NO_PLAN = "no_plan"
    SERVICES_REQUIRED = "services_required"
    MINUTES_REQUIRED = "minutes_required"
    ONLY_CHAIR_SIGNS = "only_chair_signs"
    RULE_INVALID = "rule_invalid"
    DUE_DATE_REQUIRED = "due_date_required"
    ALREADY_DONE = "already_done"
    OWNER_INVALID = "owner_invalid"

    @classmethod
    def messages(cls) -> dict[MeetingErrorCode, str]:
        return {
            cls.MEETING_NOT_FOUND: _("The meeting does not exist or is outside your scope."),
            cls.AGENDA_ITEM_NOT_FOUND: _("The agenda item does not exist or is outside your scope."),
            cls.COUNCIL_NOT_FOUND: _("The council does not exist or is outside your scope."),
            cls.ACTION_ITEM_NOT_FOUND: _("The action item does not exist or is outside your scope."),
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.MEETING_SIGNED: _("The minutes are signed; the meeting is read-only."),
            cls.FIELDS_REQUIRED: _("Fill in the date, the place and the title."),
            cls.CHAIR_INVALID: _("The chair must be a city, dong or case-management staff member."),
            cls.NOT_INTEGRATED_SUPPORT: _("Cases can only be put on the agenda of an integrated support meeting."),
            cls.CASE_CLOSED: _("A closed case cannot be put on the agenda."),
            cls.ALREADY_ON_AGENDA: _("The case is already on this meeting's agenda."),
            cls.ALREADY_DECIDED: _("A decision is already recorded for this agenda item."),
            cls.ALREADY_INVITED: _("This person is already invited."),
            cls.MEMBER_KIND_INVALID: _("Choose one of the five legal member kinds."),
            cls.DECISION_INVALID: _("Choose a decision."),
            cls.NO_PLAN: _("The case has no support plan to approve or change yet."),
            cls.SERVICES_REQUIRED: _("Choose at least one service to add."),
            cls.MINUTES_REQUIRED: _("Write the minutes before signing them."),
            cls.ONLY_CHAIR_SIGNS: _("Only the chair signs the minutes."),
            cls.RULE_INVALID: _("The recurrence rule is not valid (e.g. FREQ=MONTHLY;BYDAY=2TU)."),
            cls.DUE_DATE_REQUIRED: _("An action item needs a title, an owner and a due date."),
            cls.ALREADY_DONE: _("The action item is already done."),
            cls.OWNER_INVALID: _("The owner must be an active staff member."),
        }
