"""Writes of the referrals app, one module per part: the directory, the referral loop, discharge intake."""

from dolbom.referrals.services.directory import institution_save, service_save
from dolbom.referrals.services.discharge import discharge_notify
from dolbom.referrals.services.referrals import (
    change_report,
    delivery_record,
    referral_accept,
    referral_cancel,
    referral_complete,
    referral_create,
    referral_decline,
    referral_reminders_mark,
    referral_start,
    referrals_end_for_case,
    referrals_end_for_closed_cases,
    referrals_end_for_consent,
)

__all__ = [
    "change_report", "delivery_record", "discharge_notify",
    "institution_save", "referral_accept", "referral_cancel", "referral_complete", "referral_create",
    "referral_decline", "referral_reminders_mark", "referral_start", "referrals_end_for_case",
    "referrals_end_for_closed_cases", "referrals_end_for_consent", "service_save",
]
