from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class DiscoveryErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    CYCLE_NOT_FOUND = "cycle_not_found"
    CYCLE_NAME_TAKEN = "cycle_name_taken"
    CYCLE_DATES = "cycle_dates"
    ENTRY_NOT_FOUND = "entry_not_found"
    FILE_INVALID = "file_invalid"
    FILE_FORMAT = "file_format"
    NO_IMPORTS = "no_imports"
    NO_MODEL = "no_model"
    MODEL_NOT_FOUND = "model_not_found"
    TOO_FEW_LABELS = "too_few_labels"
    OUTCOME_INVALID = "outcome_invalid"
    ALREADY_IN_CASE = "already_in_case"
    ALREADY_LISTED = "already_listed"
    REPORTER_REQUIRED = "reporter_required"
    SOURCE_INVALID = "source_invalid"
    OBJECTION_EXISTS = "objection_exists"
    RESIDENT_NOT_FOUND = "resident_not_found"
    LIMIT_INVALID = "limit_invalid"

    @classmethod
    def messages(cls) -> dict[DiscoveryErrorCode, str]:
        return {
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.CYCLE_NOT_FOUND: _("The discovery cycle does not exist."),
            cls.CYCLE_NAME_TAKEN: _("A discovery cycle with this name already exists."),
            cls.CYCLE_DATES: _("The due date must be after the start date."),
            cls.ENTRY_NOT_FOUND: _("The visit-list entry does not exist or is outside your scope."),
            cls.FILE_INVALID: _("The file '%(file)s' has %(count)s error(s); nothing from it was imported."),
            cls.FILE_FORMAT: _("The file '%(file)s' is neither CSV nor Parquet."),
            cls.NO_IMPORTS: _("Import the cycle's source files before scoring."),
            cls.NO_MODEL: _("No model has been trained yet. Run 'dolbom discovery retrain' first."),
            cls.MODEL_NOT_FOUND: _("The model version does not exist."),
            cls.TOO_FEW_LABELS: _("Retraining needs at least %(minimum)s visit outcomes of each kind (supported and not); there are %(positive)s and %(negative)s."),
            cls.OUTCOME_INVALID: _("Choose one of the coded outcomes."),
            cls.ALREADY_IN_CASE: _("This household already has an open case."),
            cls.ALREADY_LISTED: _("This household is already on this cycle's visit list."),
            cls.REPORTER_REQUIRED: _("Write who reported the person and what they said."),
            cls.SOURCE_INVALID: _("Choose who reported the person."),
            cls.OBJECTION_EXISTS: _("An objection is already recorded for this resident."),
            cls.RESIDENT_NOT_FOUND: _("The resident does not exist or is outside your scope."),
            cls.LIMIT_INVALID: _("The limit must be a positive number of households."),
        }
