from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class ReportErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    INDICATOR_UNKNOWN = "indicator_unknown"
    PERIOD_INVALID = "period_invalid"
    DONG_UNKNOWN = "dong_unknown"
    DIMENSION_INVALID = "dimension_invalid"
    FORMAT_INVALID = "format_invalid"
    EXPORT_REASON_REQUIRED = "export_reason_required"
    PEOPLE_NOT_AVAILABLE = "people_not_available"
    PLAN_NOT_FOUND = "plan_not_found"
    PLAN_EXISTS = "plan_exists"
    PLAN_YEAR_INVALID = "plan_year_invalid"
    PLAN_STALE = "plan_stale"
    PLAN_SIGNED = "plan_signed"
    PLAN_NOT_LATEST = "plan_not_latest"
    SIGN_NOT_ALLOWED = "sign_not_allowed"
    TARGET_INVALID = "target_invalid"
    NARRATIVE_TOO_LONG = "narrative_too_long"

    @classmethod
    def messages(cls) -> dict[ReportErrorCode, str]:
        return {
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.INDICATOR_UNKNOWN: _("There is no such indicator."),
            cls.PERIOD_INVALID: _("Choose a month (2025-03), a quarter (2025-Q1) or a year (2025)."),
            cls.DONG_UNKNOWN: _("There is no such dong."),
            cls.DIMENSION_INVALID: _("This indicator cannot be cut that way."),
            cls.FORMAT_INVALID: _("Choose Excel, CSV or PDF."),
            cls.EXPORT_REASON_REQUIRED: _("Say why you are downloading this file: it is kept in the access log."),
            cls.PEOPLE_NOT_AVAILABLE: _("There is no list of people behind this figure, or your role may not "
                                        "download one."),
            cls.PLAN_NOT_FOUND: _("There is no plan for that year."),
            cls.PLAN_EXISTS: _("A plan for that year already exists."),
            cls.PLAN_YEAR_INVALID: _("Choose a year between 2020 and 2100."),
            cls.PLAN_STALE: _("Someone saved a newer version meanwhile. Reload the plan and make your change "
                              "again."),
            cls.PLAN_SIGNED: _("This version is signed off and can no longer change; save a new version."),
            cls.PLAN_NOT_LATEST: _("Only the latest version can be signed off."),
            cls.SIGN_NOT_ALLOWED: _("Only the team lead signs off the annual plan."),
            cls.TARGET_INVALID: _("A target needs a known indicator and a number."),
            cls.NARRATIVE_TOO_LONG: _("A section's text is too long (20,000 characters at most)."),
        }
