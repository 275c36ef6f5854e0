from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class VisitErrorCode(StrEnum):
    VISIT_NOT_FOUND = "visit_not_found"
    NOT_ALLOWED = "not_allowed"
    NOT_OPEN = "not_open"
    WINDOW_INVALID = "window_invalid"
    DURATION_INVALID = "duration_invalid"
    RESCHEDULE_DATE_REQUIRED = "reschedule_date_required"
    OUTCOME_INVALID = "outcome_invalid"
    NO_LOCATION = "no_location"
    WEEKDAYS_INVALID = "weekdays_invalid"
    DATES_INVALID = "dates_invalid"
    TIME_LIMIT_INVALID = "time_limit_invalid"

    @classmethod
    def messages(cls) -> dict[VisitErrorCode, str]:
        return {
            cls.VISIT_NOT_FOUND: _("The visit does not exist or is outside your scope."),
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.NOT_OPEN: _("This visit already has an outcome."),
            cls.WINDOW_INVALID: _("The time window must end after it starts and leave room for the visit."),
            cls.DURATION_INVALID: _("The visit must last between 5 and 240 minutes."),
            cls.RESCHEDULE_DATE_REQUIRED: _("Choose a later date for the rescheduled visit."),
            cls.OUTCOME_INVALID: _("Choose done, not at home or rescheduled."),
            cls.NO_LOCATION: _("The household has no map position; it cannot be routed."),
            cls.WEEKDAYS_INVALID: _("Choose at least one weekday (0 = Monday … 6 = Sunday)."),
            cls.DATES_INVALID: _("The end date must not be before the start date."),
            cls.TIME_LIMIT_INVALID: _("The solver's time limit must be between 1 and %(max)d seconds."),
        }
