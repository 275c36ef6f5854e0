from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from dolbom.lib.errors import DomainError


class ProgrammeErrorCode(StrEnum):
    PROGRAMME_NOT_FOUND = "programme_not_found"
    SESSION_NOT_FOUND = "session_not_found"
    SIGNUP_NOT_FOUND = "signup_not_found"
    ADVISER_NOT_FOUND = "adviser_not_found"
    SLOT_NOT_FOUND = "slot_not_found"
    BOOKING_NOT_FOUND = "booking_not_found"
    REFERRAL_NOT_FOUND = "welfare_referral_not_found"
    NOT_ALLOWED = "not_allowed"
    FIELDS_REQUIRED = "fields_required"
    RULE_INVALID = "rule_invalid"
    SEASON_INVALID = "season_invalid"
    CAPACITY_INVALID = "capacity_invalid"
    CAPACITY_BELOW_TAKEN = "capacity_below_taken"
    PARTY_SIZE_INVALID = "party_size_invalid"
    NAME_REQUIRED = "name_required"
    PRIVACY_CONSENT_REQUIRED = "privacy_consent_required"
    NOT_OPEN_YET = "signup_not_open_yet"
    CLOSED = "signup_closed"
    SESSION_CANCELLED = "session_cancelled"
    ALREADY_SIGNED_UP = "already_signed_up"
    MONTHLY_LIMIT = "monthly_limit"
    RATE_LIMITED = "rate_limited"
    BUSY = "busy"
    NOT_ACTIVE = "signup_not_active"
    NOT_OFFERED = "not_offered"
    OFFER_EXPIRED = "offer_expired"
    NOT_WAITING = "not_waiting"
    DOES_NOT_FIT = "does_not_fit"
    REASON_REQUIRED = "reason_required"
    POSITION_INVALID = "position_invalid"
    CONSENT_REQUIRED = "consent_required"
    NO_RESERVED_PLACES = "no_reserved_places"
    NOT_A_LOTTERY = "not_a_lottery"
    ALREADY_DRAWN = "already_drawn"
    DRAW_NOT_DUE = "draw_not_due"
    NOT_CHECKED_IN = "not_checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CONFIRMED = "not_confirmed"
    SESSION_NOT_STARTED = "session_not_started"
    CODE_UNKNOWN = "checkin_code_unknown"
    SLOT_TAKEN = "slot_taken"
    SLOT_PAST = "slot_past"
    SLOT_INVALID = "slot_invalid"
    ALREADY_BOOKED = "already_booked"
    CUTOFF_PASSED = "cancel_cutoff_passed"
    BOOKING_NOT_ACTIVE = "booking_not_active"
    TOPIC_REQUIRED = "topic_required"
    OUTCOME_REQUIRED = "outcome_required"
    REFERRAL_DONE = "welfare_referral_done"
    DONG_REQUIRED = "dong_required"

    @classmethod
    def messages(cls) -> dict[ProgrammeErrorCode, str]:
        return {
            cls.PROGRAMME_NOT_FOUND: _("The programme does not exist or is outside your scope."),
            cls.SESSION_NOT_FOUND: _("The session does not exist or is outside your scope."),
            cls.SIGNUP_NOT_FOUND: _("The sign-up does not exist or the link is no longer valid."),
            cls.ADVISER_NOT_FOUND: _("The adviser does not exist or is outside your scope."),
            cls.SLOT_NOT_FOUND: _("The consultation slot does not exist."),
            cls.BOOKING_NOT_FOUND: _("The booking does not exist or the link is no longer valid."),
            cls.REFERRAL_NOT_FOUND: _("The welfare referral does not exist or is outside your scope."),
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.FIELDS_REQUIRED: _("Fill in every required field."),
            cls.RULE_INVALID: _("The recurrence rule is not valid (e.g. FREQ=MONTHLY;BYDAY=2SA,4SA)."),
            cls.SEASON_INVALID: _("The season must end on or after the day it starts, within two years."),
            cls.CAPACITY_INVALID: _("Places must be at least 1, and reserved places fewer than the places."),
            cls.CAPACITY_BELOW_TAKEN: _("%(taken)s places are already taken: the capacity cannot be lower."),
            cls.PARTY_SIZE_INVALID: _("The party must be between 1 and %(max)s people."),
            cls.NAME_REQUIRED: _("Enter the name of the person signing up."),
            cls.PRIVACY_CONSENT_REQUIRED: _("Agree to the collection of your name and phone number to sign up."),
            cls.NOT_OPEN_YET: _("Sign-up for this session opens at %(opens)s."),
            cls.CLOSED: _("Sign-up for this session has closed."),
            cls.SESSION_CANCELLED: _("This session has been cancelled."),
            cls.ALREADY_SIGNED_UP: _("This phone number has already signed up for this session."),
            cls.MONTHLY_LIMIT: _("A family may sign up for %(limit)s session(s) of this programme a month "
                                 "(waiting lists included)."),
            cls.RATE_LIMITED: _("Too many sign-ups from this phone number or address. Try again later."),
            cls.BUSY: _("Many people are signing up at once. Try again in a moment."),
            cls.NOT_ACTIVE: _("This sign-up has already ended."),
            cls.NOT_OFFERED: _("No place is on offer for this sign-up."),
            cls.OFFER_EXPIRED: _("The offer has expired and the place went to the next family."),
            cls.NOT_WAITING: _("This sign-up is not on the waiting list."),
            cls.DOES_NOT_FIT: _("The party does not fit in the free places."),
            cls.REASON_REQUIRED: _("Give a reason: every manual change is logged."),
            cls.POSITION_INVALID: _("Choose a position on the waiting list."),
            cls.CONSENT_REQUIRED: _("The resident's consent is required."),
            cls.NO_RESERVED_PLACES: _("This session has no reserved places."),
            cls.NOT_A_LOTTERY: _("This session allocates places first come, first served."),
            cls.ALREADY_DRAWN: _("The lottery for this session has already been drawn."),
            cls.DRAW_NOT_DUE: _("The lottery is drawn when sign-up closes, at %(closes)s."),
            cls.NOT_CHECKED_IN: _("This sign-up is not checked in."),
            cls.ALREADY_CHECKED_IN: _("Already checked in."),
            cls.NOT_CONFIRMED: _("Only a confirmed sign-up can be checked in."),
            cls.SESSION_NOT_STARTED: _("Attendance is closed only after the session has started."),
            cls.CODE_UNKNOWN: _("No confirmed sign-up has this code."),
            cls.SLOT_TAKEN: _("This time has just been booked by someone else. Choose another time."),
            cls.SLOT_PAST: _("This time is no longer bookable."),
            cls.SLOT_INVALID: _("Consultation slots are 20 or 30 minutes, within the adviser's hours."),
            cls.ALREADY_BOOKED: _("This phone number already has a booking with this adviser."),
            cls.CUTOFF_PASSED: _("Less than %(hours)s hours before the consultation: call %(contact)s to change or "
                                 "cancel it."),
            cls.BOOKING_NOT_ACTIVE: _("This booking has already ended."),
            cls.TOPIC_REQUIRED: _("Write what you would like to ask about."),
            cls.OUTCOME_REQUIRED: _("Write what was advised."),
            cls.REFERRAL_DONE: _("This welfare referral has already been handled."),
            cls.DONG_REQUIRED: _("Choose the dong office to notify."),
        }


class Busy(DomainError):
    """SQLite serialises writers; a sign-up that waited past the busy timeout is told to retry (503),
    not shown a server error."""

    status_code = 503


class RateLimited(DomainError):
    status_code = 429
