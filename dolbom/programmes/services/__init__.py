"""Writes of the programmes app: ``programmes.py`` (definitions, sessions, lottery), ``signups.py`` (entering a
session: sign-ups, cancelling, attendance), ``waitlist.py`` (the waiting list, offers and their expiry),
``places.py`` (the counters and locks both share), ``consultations.py`` (advisers, slots, bookings, referrals
to the dong), ``retention.py``. Every write is one transaction that names its actor (none: the resident,
identified by a one-time code or their link) and writes its event row (models.ProgrammeEvent)."""

from dolbom.programmes.services.consultations import (
    adviser_create,
    booking_apply,
    booking_cancel,
    booking_outcome_record,
    booking_register,
    booking_reschedule,
    booking_start,
    schedule_create,
    slot_add,
    slots_generate,
    welfare_referral_close,
    welfare_referral_open_case,
)
from dolbom.programmes.services.programmes import (
    ProgrammeData,
    lottery_draw,
    programme_create,
    programme_update,
    reserve_release,
    session_cancel,
    session_capacity_set,
    sessions_schedule,
    tick,
)
from dolbom.programmes.services.retention import personal_data_purge
from dolbom.programmes.services.signups import (
    attendance_close,
    checkin,
    checkin_by_code,
    checkin_undo,
    signup_apply,
    signup_cancel,
    signup_register,
    signup_start,
)
from dolbom.programmes.services.waitlist import (
    offer_accept,
    offers_expire,
    signup_confirm_override,
    waitlist_move,
)

__all__ = [
    "ProgrammeData", "adviser_create", "attendance_close", "booking_apply", "booking_cancel",
    "booking_outcome_record", "booking_register", "booking_reschedule", "booking_start", "checkin",
    "checkin_by_code", "checkin_undo", "lottery_draw", "offer_accept", "offers_expire", "personal_data_purge",
    "programme_create", "programme_update", "reserve_release", "schedule_create", "session_cancel", "session_capacity_set",
    "sessions_schedule", "signup_apply", "signup_cancel", "signup_confirm_override", "signup_register",
    "signup_start", "slot_add", "slots_generate", "tick", "waitlist_move", "welfare_referral_close",
    "welfare_referral_open_case",
]
