"""Programme and consultation endpoints for staff (the public sign-up is the HTML pages, with one-time codes).

Thin: reads through programmes.selectors (scope and the access log), writes one service call each.

No ``from __future__ import annotations`` here: ninja reads the annotations at import time.
"""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dolbom.lib.api import ERRORS, access_context, actor
from dolbom.lib.errors import Forbidden
from dolbom.programmes import selectors, services
from dolbom.programmes.errors import ProgrammeErrorCode
from dolbom.programmes.models import (
    Allocation,
    Attendance,
    BookingStatus,
    ConsultationBooking,
    PartyCounting,
    Programme,
    Session,
    SessionStatus,
    Signup,
    SignupStatus,
    WelfareReferral,
)

router = Router(tags=["programmes"])


def _staff(request: HttpRequest) -> None:
    if not selectors.can_see_programmes(actor(request)):
        raise Forbidden(ProgrammeErrorCode.NOT_ALLOWED)


# Schemas ---------------------------------------------------------------------------------------

class ProgrammeIn(Schema):
    name: str
    organiser: str
    organiser_code: str = ""
    venue: str
    audience: str
    contact: str
    description: str = ""
    dong_id: int | None = Field(None, description="The dong whose office runs it; empty for a city-wide programme")
    rrule: str = Field(..., description="e.g. FREQ=MONTHLY;BYDAY=2SA,4SA;BYMONTH=5,6,7,8,9,10,11")
    season_starts_on: dt.date
    season_ends_on: dt.date
    start_time: dt.time
    duration_minutes: int = 90
    capacity: int
    reserved: int = 0
    reserve_release_hours: int = 72
    party_counting: PartyCounting = PartyCounting.PERSONS
    max_party_size: int = 4
    allocation: Allocation = Allocation.FIRST_COME
    limit_per_month: int | None = None
    signup_opens_days: int = 14
    signup_closes_hours: int = 24
    offer_hours: int = 24
    manager_ids: list[int] = []


class ProgrammeOut(Schema):
    id: int
    name: str
    organiser: str
    venue: str
    audience: str
    contact: str
    dong: str | None
    rrule: str
    season_starts_on: dt.date
    season_ends_on: dt.date
    capacity: int
    reserved: int
    party_counting: PartyCounting
    allocation: Allocation
    limit_per_month: int | None

    @staticmethod
    def resolve_dong(obj: Programme) -> str | None:
        return obj.dong.name if obj.dong_id else None


class ProgrammeSessionOut(Schema):
    id: int
    programme_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: SessionStatus
    capacity: int
    reserved: int
    taken: int
    free: int
    waiting: int
    signup_opens_at: dt.datetime
    signup_closes_at: dt.datetime
    seed_commitment: str
    drawn_at: dt.datetime | None

    @staticmethod
    def resolve_waiting(obj: Session) -> int:
        return getattr(obj, "waiting_count", 0)


class ProgrammeSummaryOut(Schema):
    capacity: int
    taken: int
    entries: int
    people: int
    confirmed: int
    offered: int
    waiting: int
    applied: int
    cancelled: int
    passed_over: int
    conversions: int
    joined_waiting: int
    attended: int
    no_show: int
    fill_rate: float
    no_show_rate: float | None


class ProgrammeSignupOut(Schema):
    id: int
    session_id: int
    number: int
    status: SignupStatus
    name: str
    phone: str
    party_size: int
    places: int
    source: str
    referred: bool
    resident_id: int | None
    queue_rank: int | None
    offer_expires_at: dt.datetime | None
    attendance: Attendance
    checkin_code: str


class StaffSignupIn(Schema):
    resident_id: int
    party_size: int = 1
    consent: str = Field("", description="'' to use the consent on record, or 'written' / 'verbal' given now")
    referred: bool = False


class ReasonIn(Schema):
    reason: str


class MoveIn(ReasonIn):
    position: int


class CapacityIn(ReasonIn):
    capacity: int
    reserved: int | None = None


class AdviserOut(Schema):
    id: int
    name: str
    kind: str
    organisation: str
    venue: str
    dong_id: int | None


class ConsultationOut(Schema):
    slot_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    booking_id: int | None
    name: str | None
    topic: str | None
    status: BookingStatus | None


class OutcomeIn(Schema):
    attended: bool
    outcome: str = ""
    welfare_need: str = ""
    consent_given: bool = False
    dong_id: int | None = None


class ConsultationBookingOut(Schema):
    id: int
    slot_id: int
    status: BookingStatus
    outcome: str


class WelfareReferralOut(Schema):
    id: int
    dong_id: int
    need: str
    status: str
    name: str
    created_at: dt.datetime
    case_id: int | None

    @staticmethod
    def resolve_name(obj: WelfareReferral) -> str:
        return obj.booking.name


# Programmes and sessions ---------------------------------------------------------------------------

@router.get("/programmes", response=list[ProgrammeOut], summary="Programmes")
def programmes(request: HttpRequest):
    _staff(request)
    return list(selectors.programme_list())


@router.post("/programmes", response={201: ProgrammeOut, **ERRORS}, summary="Define a programme and its season")
def programme_create(request: HttpRequest, body: ProgrammeIn):
    from django.contrib.auth.models import User

    from dolbom.areas.models import Dong

    data = body.dict()
    dong_id, manager_ids = data.pop("dong_id"), data.pop("manager_ids")
    data["dong"] = Dong.objects.filter(pk=dong_id).first() if dong_id else None
    data["managers"] = list(User.objects.filter(pk__in=manager_ids, staff__isnull=False))
    programme = services.programme_create(actor=actor(request), data=services.ProgrammeData(**data))
    return Status(201, programme)


@router.get("/programmes/{programme_id}/sessions", response={200: list[ProgrammeSessionOut], **ERRORS},
            summary="A programme's sessions with their places")
def programme_sessions(request: HttpRequest, programme_id: int):
    _staff(request)
    programme = selectors.programme_get(programme_id)
    return list(selectors.sessions_with_counts(programme.sessions.all()).order_by("starts_at"))


@router.get("/programmes/sessions/{session_id}/summary", response={200: ProgrammeSummaryOut, **ERRORS},
            summary="The organiser's figures for a session (no names)")
def session_summary(request: HttpRequest, session_id: int):
    _staff(request)
    summary = selectors.session_summary(selectors.session_get(session_id))
    return {**summary.__dict__, "fill_rate": summary.fill_rate, "no_show_rate": summary.no_show_rate}


@router.get("/programmes/sessions/{session_id}/signups", response={200: list[ProgrammeSignupOut], **ERRORS},
            summary="The list for a session (logged in the access log)")
def session_signups(request: HttpRequest, session_id: int):
    session = selectors.session_get(session_id)
    return selectors.session_signups(viewer=actor(request), session=session, context=access_context(request))


@router.post("/programmes/sessions/{session_id}/signups", response={201: ProgrammeSignupOut, **ERRORS},
             summary="Sign a resident up from the registry, with their consent")
def session_signup(request: HttpRequest, session_id: int, body: StaffSignupIn):
    from dolbom.registry.selectors import resident_get

    resident = resident_get(viewer=actor(request), resident_id=body.resident_id,
                            context=access_context(request, default_purpose="프로그램 신청"))
    signup, _token = services.signup_register(actor=actor(request), session=selectors.session_get(session_id),
                                              resident=resident, party_size=body.party_size,
                                              consent_method=body.consent, referred=body.referred)
    return Status(201, signup)


@router.post("/programmes/sessions/{session_id}/capacity", response={200: ProgrammeSessionOut, **ERRORS},
             summary="Change a session's places, with a reason")
def session_capacity(request: HttpRequest, session_id: int, body: CapacityIn):
    session = services.session_capacity_set(actor=actor(request), session=selectors.session_get(session_id),
                                            capacity=body.capacity, reserved=body.reserved, reason=body.reason)
    return selectors.sessions_with_counts(Session.objects.filter(pk=session.pk)).get()


@router.post("/programmes/sessions/{session_id}/draw", response={200: dict, **ERRORS},
             summary="Draw a lottery session whose sign-up has closed")
def session_draw(request: HttpRequest, session_id: int):
    services.lottery_draw(session_id=session_id, actor=actor(request))
    return lottery(request, session_id)


@router.get("/programmes/sessions/{session_id}/lottery", response={200: dict, **ERRORS},
            summary="The lottery's publication: commitment, then seed, order and a program to re-run it")
def lottery(request: HttpRequest, session_id: int):
    _staff(request)
    return selectors.lottery_publication(selectors.session_get(session_id))


def _signup(request: HttpRequest, signup_id: int) -> Signup:
    return selectors.signup_get(viewer=actor(request), signup_id=signup_id, context=access_context(request))


@router.post("/programmes/signups/{signup_id}/cancel", response={200: ProgrammeSignupOut, **ERRORS},
             summary="Cancel a sign-up (the place goes to the waiting list)")
def signup_cancel(request: HttpRequest, signup_id: int, body: ReasonIn):
    return services.signup_cancel(actor=actor(request), signup=_signup(request, signup_id), reason=body.reason)


@router.post("/programmes/signups/{signup_id}/move", response={200: ProgrammeSignupOut, **ERRORS},
             summary="Move a waiting-list entry, with a reason")
def signup_move(request: HttpRequest, signup_id: int, body: MoveIn):
    return services.waitlist_move(actor=actor(request), signup=_signup(request, signup_id), position=body.position,
                                  reason=body.reason)


@router.post("/programmes/signups/{signup_id}/confirm", response={200: ProgrammeSignupOut, **ERRORS},
             summary="Confirm a waiting entry out of order, with a reason")
def signup_confirm(request: HttpRequest, signup_id: int, body: ReasonIn):
    return services.signup_confirm_override(actor=actor(request), signup=_signup(request, signup_id),
                                            reason=body.reason)


@router.post("/programmes/signups/{signup_id}/checkin", response={200: ProgrammeSignupOut, **ERRORS},
             summary="Check a family in at the door")
def signup_checkin(request: HttpRequest, signup_id: int):
    return services.checkin(actor=actor(request), signup=_signup(request, signup_id))


# Consultations ----------------------------------------------------------------------------------

@router.get("/consultations/advisers", response=list[AdviserOut], summary="Village tax accountants and lawyers")
def advisers(request: HttpRequest):
    _staff(request)
    return list(selectors.adviser_list())


@router.get("/consultations/advisers/{adviser_id}/day", response={200: list[ConsultationOut], **ERRORS},
            summary="The adviser's day list (logged in the access log)")
def adviser_day(request: HttpRequest, adviser_id: int, date: dt.date = Query(None)):  # noqa: B008
    adviser = selectors.adviser_get(adviser_id)
    user = actor(request)
    if not (selectors.can_record_outcome(user, adviser) or selectors.can_book_for_residents(user)):
        raise Forbidden(ProgrammeErrorCode.NOT_ALLOWED)
    rows = selectors.adviser_day(viewer=user, adviser=adviser, day=date or timezone.localdate(),
                                 context=access_context(request))
    return [{"slot_id": s.pk, "starts_at": s.starts_at, "ends_at": s.ends_at, "booking_id": b.pk if b else None,
             "name": b.name if b else None, "topic": b.topic if b else None, "status": b.status if b else None}
            for s, b in rows]


@router.post("/consultations/bookings/{booking_id}/outcome", response={200: ConsultationBookingOut, **ERRORS},
             summary="Note what was advised; a welfare need (with consent) goes to the dong office")
def booking_outcome(request: HttpRequest, booking_id: int, body: OutcomeIn):
    from dolbom.areas.models import Dong

    booking: ConsultationBooking = selectors.booking_get(viewer=actor(request), booking_id=booking_id,
                                                         context=access_context(request))
    dong = Dong.objects.filter(pk=body.dong_id).first() if body.dong_id else None
    return services.booking_outcome_record(actor=actor(request), booking=booking, attended=body.attended,
                                           outcome=body.outcome, welfare_need=body.welfare_need,
                                           consent_given=body.consent_given, dong=dong)


@router.get("/consultations/referrals", response=list[WelfareReferralOut],
            summary="Welfare referrals from consultations waiting for the dong office (logged)")
def referrals(request: HttpRequest, status: str = "new"):
    return selectors.referral_list(viewer=actor(request), context=access_context(request), status=status)
