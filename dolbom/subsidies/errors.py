from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class SubsidyErrorCode(StrEnum):
    PROGRAMME_NOT_FOUND = "programme_not_found"
    APPLICATION_NOT_FOUND = "application_not_found"
    DOCUMENT_NOT_FOUND = "document_not_found"
    NOT_ALLOWED = "not_allowed"
    RULES_INVALID = "rules_invalid"
    NO_RULES_IN_FORCE = "no_rules_in_force"
    ROUND_NOT_OPEN = "round_not_open"
    ROUND_NOT_CLOSED = "round_not_closed"
    CATEGORY_UNKNOWN = "category_unknown"
    FACT_INVALID = "fact_invalid"
    FACTS_MISSING = "facts_missing"
    BAD_STATUS = "bad_status"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_REFUSED = "file_type_refused"
    FILE_DAMAGED = "file_damaged"
    FILE_INFECTED = "file_infected"
    DOCUMENT_KIND_UNKNOWN = "document_kind_unknown"
    BUDGET_EXCEEDED = "budget_exceeded"
    NO_PLACES_LEFT = "no_places_left"
    NOT_ELIGIBLE = "not_eligible"
    REASON_REQUIRED = "reason_required"
    OBJECTION_LATE = "objection_late"
    OBJECTION_OPEN = "objection_open"
    OBJECTION_CLOSED = "objection_closed"
    NOTHING_MISSING = "nothing_missing"
    DUE_DATE_INVALID = "due_date_invalid"
    AMOUNT_INVALID = "amount_invalid"
    NO_HOUSEHOLD = "no_household"
    CONSENT_REQUIRED = "consent_required"
    ALREADY_APPLIED = "already_applied"
    DUPLICATE_CODE = "duplicate_code"

    @classmethod
    def messages(cls) -> dict[SubsidyErrorCode, str]:
        return {
            cls.PROGRAMME_NOT_FOUND: _("The programme does not exist."),
            cls.APPLICATION_NOT_FOUND: _("The application does not exist or is outside your scope."),
            cls.DOCUMENT_NOT_FOUND: _("The document does not exist or is outside your scope."),
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.RULES_INVALID: _("The rules cannot be used: %(error)s"),
            cls.NO_RULES_IN_FORCE: _("No published rules of this programme are in force on that day."),
            cls.ROUND_NOT_OPEN: _("This round is not receiving applications."),
            cls.ROUND_NOT_CLOSED: _("Close the round before running its selection."),
            cls.CATEGORY_UNKNOWN: _("Choose one of the programme's categories."),
            cls.FACT_INVALID: _("%(label)s: %(error)s"),
            cls.FACTS_MISSING: _("Still missing: %(missing)s"),
            cls.BAD_STATUS: _("This step is not possible while the application is '%(status)s'."),
            cls.FILE_TOO_LARGE: _("The file is larger than %(limit)s MB."),
            cls.FILE_TYPE_REFUSED: _("Only PDF, JPEG and PNG files are accepted."),
            cls.FILE_DAMAGED: _("The file cannot be opened as a %(kind)s file."),
            cls.FILE_INFECTED: _("The virus scan refused the file."),
            cls.DOCUMENT_KIND_UNKNOWN: _("This programme does not ask for that document."),
            cls.BUDGET_EXCEEDED: _("The budget left (%(left)s won) does not cover %(amount)s won."),
            cls.NO_PLACES_LEFT: _("No places are left in %(category)s."),
            cls.NOT_ELIGIBLE: _("The application does not meet the rules; it can only be refused."),
            cls.REASON_REQUIRED: _("Give the reason and the legal basis."),
            cls.OBJECTION_LATE: _("The period to object ended on %(until)s."),
            cls.OBJECTION_OPEN: _("An objection to this decision is already under review."),
            cls.OBJECTION_CLOSED: _("This objection has already been answered."),
            cls.NOTHING_MISSING: _("Nothing is missing: there is nothing to ask for."),
            cls.DUE_DATE_INVALID: _("The deadline must be in the future."),
            cls.AMOUNT_INVALID: _("The amount must be more than zero and at most what was paid."),
            cls.NO_HOUSEHOLD: _("The application is not linked to a registry household; record the inspection "
                                "date directly."),
            cls.CONSENT_REQUIRED: _("Agree to the collection and use of personal data to apply."),
            cls.ALREADY_APPLIED: _("This person already has an application in this round."),
            cls.DUPLICATE_CODE: _("A programme with this code already exists."),
        }
