"""Reads of programmes and consultations; visibility of the people in them is enforced here and nowhere else.

Programmes, sessions, slots and their free places are public facts (the public pages show them). The
people are not: a sign-up, a booking and a welfare referral are personal data (PIPA), seen by

- the city team: all;
- a dong officer or a case manager: those of programmes, advisers and referrals of their own dong (the
  role ladder, accounts/scope.py), and the sign-ups and bookings they made themselves;
- the staff in charge of a programme (``Programme.managers``, e.g. the librarian running it, a partner
  account): that programme's sign-ups;
- an adviser (their own login, usually a partner account): the bookings of their own slots;
- an auditor: none (the access log only).

Every list that shows people writes an access-log row, every single record a VIEW or DENIED row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile, role_of, visible_by_role
from dolbom.audit.logged import log_list, logged_get
from dolbom.audit.models import AccessAction
from dolbom.audit.services import access_log_write
from dolbom.lib.access import AccessContext
from dolbom.programmes import lottery
from dolbom.programmes.errors import ProgrammeErrorCode
from dolbom.programmes.models import (
    Adviser,
    Attendance,
    BookingStatus,
    ConsultationBooking,
    ConsultationSlot,
    Programme,
    ReferralStatus,
    Session,
    SessionStatus,
    Signup,
    SignupStatus,
    WelfareReferral,
)

# Roles that may see the people of what they run or made (never auditors: they read the access log only).
_OWN_ROLES = (Role.DONG_OFFICER, Role.CASE_MANAGER, Role.PARTNER, Role.NURSE)
STAFF_SIGNUP_ROLES = frozenset({Role.CITY_TEAM, Role.DONG_OFFICER, Role.CASE_MANAGER})


# Who may do what -------------------------------------------------------------------------------

def can_define_programmes(user: User) -> bool:
    return role_of(user) in (Role.CITY_TEAM, Role.DONG_OFFICER)


def can_see_programmes(user: User) -> bool:
    return role_of(user) not in (None, Role.AUDITOR)


def can_manage(user: User, programme: Programme) -> bool:
    """Run a programme's sessions: the city team, the dong officers of its dong, its staff in charge."""
    p = profile(user)
    if p is None or p.role == Role.AUDITOR:
        return False
    if p.role == Role.CITY_TEAM:
        return True
    if p.role == Role.DONG_OFFICER and programme.dong_id is not None and programme.dong_id == p.dong_id:
        return True
    return programme.managers.filter(pk=user.pk).exists()


def can_sign_up_residents(user: User) -> bool:
    return role_of(user) in STAFF_SIGNUP_ROLES


def can_manage_adviser(user: User, adviser: Adviser) -> bool:
    """Define an adviser's hours and slots: the city team, or the dong officers of the adviser's dong."""
    p = profile(user)
    if p is None:
        return False
    return p.role == Role.CITY_TEAM or (p.role == Role.DONG_OFFICER and adviser.dong_id is not None
                                        and adviser.dong_id == p.dong_id)


def can_record_outcome(user: User, adviser: Adviser) -> bool:
    return adviser.user_id == user.pk or can_manage_adviser(user, adviser)


def can_book_for_residents(user: User) -> bool:
    return role_of(user) in STAFF_SIGNUP_ROLES


def is_adviser(user: User) -> bool:
    return user.is_authenticated and Adviser.objects.filter(user=user, active=True).exists()


def managed_programmes(user: User) -> QuerySet[Programme]:
    qs = Programme.objects.all()
    p = profile(user)
    if p is None or p.role == Role.AUDITOR:
        return qs.none()
    if p.role == Role.CITY_TEAM:
        return qs
    q = Q(managers=user)
    if p.role == Role.DONG_OFFICER and p.dong_id:
        q |= Q(dong_id=p.dong_id)
    return qs.filter(q).distinct()


# Scope of the people ---------------------------------------------------------------------------

def _manager_of(viewer: User, programme_path: str) -> Q:
    through = Programme.managers.through
    return Q(Exists(through.objects.filter(programme_id=OuterRef(programme_path), user_id=viewer.pk)))


def signup_visible(viewer: User) -> QuerySet[Signup]:
    own = _manager_of(viewer, "programme_id") | Q(created_by_id=viewer.pk)
    return visible_by_role(viewer, Signup.objects.all(), kind="programme_signup", dong="programme__dong_id",
                           roles={role: own for role in _OWN_ROLES})


def booking_visible(viewer: User) -> QuerySet[ConsultationBooking]:
    own = Q(adviser__user_id=viewer.pk) | Q(created_by_id=viewer.pk)
    return visible_by_role(viewer, ConsultationBooking.objects.all(), kind="consultation_booking",
                           dong="adviser__dong_id", roles={role: own for role in _OWN_ROLES})


def referral_visible(viewer: User) -> QuerySet[WelfareReferral]:
    return visible_by_role(viewer, WelfareReferral.objects.all(), kind="welfare_referral", dong="dong_id",
                           roles={role: Q(created_by_id=viewer.pk) for role in _OWN_ROLES})


def _log_people(*, viewer: User, context: AccessContext, record_type: str, record_id: int | str,
                resident_ids: list[int | None], shown: int) -> None:
    """A list that shows people: log_list with the registry residents on it. Most sign-ups and bookings
    come from the public page and are no registry resident; the list still shows people, so a row is
    written for it too (with the count), and the record id leads the auditor to who was on it."""
    if any(i is not None for i in resident_ids):
        log_list(viewer=viewer, context=context, record_type=record_type, record_id=record_id,
                 resident_ids=resident_ids)
    elif shown:
        access_log_write(actor=viewer, action=AccessAction.SEARCH, record_type=record_type, record_id=record_id,
                         context=context, query=f"{shown} people (not in the registry)")


# Programmes and sessions (public facts) --------------------------------------------------------

def programme_list(*, active_only: bool = False) -> QuerySet[Programme]:
    qs = Programme.objects.select_related("dong").annotate(session_count=Count("sessions"))
    return qs.filter(active=True) if active_only else qs


def _one(qs: QuerySet, pk: int, missing: ProgrammeErrorCode):
    """A record that is no one's personal data (a programme, a session, a slot), or NotFound."""
    from dolbom.lib.errors import NotFound

    row = qs.filter(pk=pk).first()
    if row is None:
        raise NotFound(missing)
    return row


def programme_get(programme_id: int) -> Programme:
    return _one(Programme.objects.select_related("dong"), programme_id, ProgrammeErrorCode.PROGRAMME_NOT_FOUND)


def session_get(session_id: int) -> Session:
    return _one(Session.objects.select_related("programme", "programme__dong"), session_id,
                ProgrammeErrorCode.SESSION_NOT_FOUND)


def sessions_with_counts(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.select_related("programme").annotate(
        waiting_count=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)),
        applied_count=Count("signups", filter=Q(signups__status=SignupStatus.APPLIED)),
        offered_count=Count("signups", filter=Q(signups__status=SignupStatus.OFFERED)),
    )


def public_programmes(*, now: dt.datetime | None = None) -> QuerySet[Programme]:
    now = now or timezone.now()
    return Programme.objects.filter(active=True, sessions__starts_at__gte=now,
                                    sessions__status=SessionStatus.SCHEDULED).distinct().order_by("name")


def public_sessions(programme: Programme, *, now: dt.datetime | None = None, limit: int = 40) -> list[Session]:
    now = now or timezone.now()
    qs = programme.sessions.filter(starts_at__gte=now).order_by("starts_at")[:limit]
    return list(sessions_with_counts(Session.objects.filter(pk__in=qs)).order_by("starts_at"))


@dataclass(frozen=True)
class Window:
    state: str  # "not_open", "open", "closed", "cancelled", "past"
    opens_at: dt.datetime
    closes_at: dt.datetime


def signup_window(session: Session, *, now: dt.datetime | None = None) -> Window:
    now = now or timezone.now()
    if session.status == SessionStatus.CANCELLED:
        state = "cancelled"
    elif now >= session.starts_at:
        state = "past"
    elif now < session.signup_opens_at:
        state = "not_open"
    elif now >= session.signup_closes_at:
        state = "closed"
    else:
        state = "open"
    return Window(state, session.signup_opens_at, session.signup_closes_at)


@dataclass(frozen=True)
class Summary:
    """The organiser's figures for one session: counts only, no names."""

    capacity: int
    taken: int
    entries: int  # sign-ups received
    people: int  # people in them
    confirmed: int
    confirmed_people: int
    offered: int
    waiting: int
    applied: int
    cancelled: int
    passed_over: int
    conversions: int  # waiting-list entries that got a place
    joined_waiting: int
    attended: int
    attended_people: int
    no_show: int
    staff: int  # signed up by staff
    referred: int

    @property
    def fill_rate(self) -> float:
        return self.taken / self.capacity if self.capacity else 0.0

    @property
    def no_show_rate(self) -> float | None:
        marked = self.attended + self.no_show
        return self.no_show / marked if marked else None


def session_summary(session: Session) -> Summary:
    rows = Signup.objects.filter(session=session)

    def c(**kw: object) -> Count:
        return Count("pk", filter=Q(**kw))

    def s(**kw: object) -> Sum:
        return Sum("party_size", filter=Q(**kw), default=0)

    agg = rows.aggregate(
        entries=Count("pk"), people=Sum("party_size", default=0),
        confirmed=c(status=SignupStatus.CONFIRMED), confirmed_people=s(status=SignupStatus.CONFIRMED),
        offered=c(status=SignupStatus.OFFERED), waiting=c(status=SignupStatus.WAITING),
        applied=c(status=SignupStatus.APPLIED), cancelled=c(status=SignupStatus.CANCELLED),
        passed_over=c(status=SignupStatus.PASSED_OVER),
        conversions=c(was_waiting=True, status=SignupStatus.CONFIRMED), joined_waiting=c(was_waiting=True),
        attended=c(attendance=Attendance.ATTENDED), attended_people=s(attendance=Attendance.ATTENDED),
        no_show=c(attendance=Attendance.NO_SHOW), staff=c(source="staff"), referred=c(referred=True),
    )
    return Summary(capacity=session.capacity, taken=session.taken, **agg)


def lottery_publication(session: Session) -> dict[str, object]:
    """What the public lottery page shows: the commitment before the draw; after it the seed, the receipt
    numbers that took part, the order the published algorithm gives and what each got at the draw."""
    out: dict[str, object] = {"commitment": session.seed_commitment, "drawn": session.drawn_at is not None}
    if session.drawn_at is None:
        out["numbers"] = sorted(Signup.objects.filter(session=session, status=SignupStatus.APPLIED)
                                .values_list("number", flat=True))
        return out
    drawn = list(Signup.objects.filter(session=session, drawn_rank__isnull=False).order_by("drawn_rank")
                 .values_list("number", "places", "drawn_confirmed"))
    numbers = sorted(n for n, _, _ in drawn)
    out.update(numbers=numbers, seed=session.lottery_seed, rows=drawn,
               order=lottery.order(session.lottery_seed, numbers),
               snippet=lottery.snippet(session.lottery_seed, numbers))
    out["reproduced"] = out["order"] == [n for n, _, _ in drawn]
    return out


# People: sign-ups -------------------------------------------------------------------------------

STATUS_ORDER = {SignupStatus.CONFIRMED: 0, SignupStatus.OFFERED: 1, SignupStatus.APPLIED: 2,
                SignupStatus.WAITING: 3, SignupStatus.PASSED_OVER: 4, SignupStatus.CANCELLED: 5}


def session_signups(*, viewer: User, session: Session, context: AccessContext) -> list[Signup]:
    """The list for a session, confirmed first, then offers, applicants, the waiting list in its order."""
    rows = list(signup_visible(viewer).filter(session=session).select_related("created_by__staff", "resident"))
    rows.sort(key=lambda s: (STATUS_ORDER.get(SignupStatus(s.status), 9), s.queue_rank or 0, s.number))
    _log_people(viewer=viewer, context=context, record_type="programme_session", record_id=session.pk,
                resident_ids=[s.resident_id for s in rows], shown=len(rows))
    return rows


def waiting_list(session: Session) -> QuerySet[Signup]:
    return Signup.objects.filter(session=session, status=SignupStatus.WAITING).order_by("queue_rank", "number")


def waiting_position(signup: Signup) -> int | None:
    if signup.status != SignupStatus.WAITING:
        return None
    ahead = Signup.objects.filter(session_id=signup.session_id, status=SignupStatus.WAITING).filter(
        Q(queue_rank__lt=signup.queue_rank) | Q(queue_rank=signup.queue_rank, number__lt=signup.number))
    return ahead.count() + 1


def signup_get(*, viewer: User, signup_id: int, context: AccessContext) -> Signup:
    return logged_get(signup_visible(viewer).select_related("session__programme", "resident"), signup_id,
                      viewer=viewer, context=context, record_type="programme_signup",
                      missing=ProgrammeErrorCode.SIGNUP_NOT_FOUND, resident="resident_id")


def signup_by_token(token: str) -> Signup:
    """The person's own sign-up, by the token of their link (nothing to log: no staff member reads it)."""
    from dolbom.lib.errors import NotFound
    from dolbom.programmes.services.common import token_hash

    signup = Signup.objects.select_related("session__programme").filter(
        manage_token_hash=token_hash(token or "")).first()
    if signup is None or signup.purged_at is not None:
        raise NotFound(ProgrammeErrorCode.SIGNUP_NOT_FOUND)
    return signup


def checkin_search(*, viewer: User, session: Session, query: str, context: AccessContext) -> list[Signup]:
    """At the door: by name, by the last four digits of the phone, or by the code on the confirmation."""
    query = "".join(query.split()).replace("-", "")
    if not query:
        return []
    qs = signup_visible(viewer).filter(session=session, status__in=(SignupStatus.CONFIRMED, SignupStatus.OFFERED))
    if query.isdigit():
        if len(query) < 4:
            return []
        qs = qs.filter(phone__endswith=query[-8:])
    elif query.isascii() and query.isalpha():
        qs = qs.filter(checkin_code=query.upper())
    else:
        qs = qs.filter(name__contains=query)
    rows = list(qs.order_by("name", "number")[:30])
    _log_people(viewer=viewer, context=context, record_type="programme_checkin", record_id=session.pk,
                resident_ids=[s.resident_id for s in rows], shown=len(rows))
    return rows


def resident_signups(*, viewer: User, resident_id: int) -> list[Signup]:
    """A resident's sign-ups, for the resident page (the page's resident_get logged the read)."""
    return list(signup_visible(viewer).filter(resident_id=resident_id).select_related("session__programme")
                .order_by("-session__starts_at")[:20])


def open_sessions_for_staff(*, now: dt.datetime | None = None) -> QuerySet[Session]:
    now = now or timezone.now()
    return sessions_with_counts(Session.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now,
                                                       programme__active=True)).order_by("starts_at")


# Consultations ----------------------------------------------------------------------------------

def adviser_list(*, active_only: bool = True) -> QuerySet[Adviser]:
    qs = Adviser.objects.select_related("dong", "user__staff")
    return qs.filter(active=True) if active_only else qs


def adviser_get(adviser_id: int) -> Adviser:
    return _one(Adviser.objects.select_related("dong"), adviser_id, ProgrammeErrorCode.ADVISER_NOT_FOUND)


def slot_get(slot_id: int) -> ConsultationSlot:
    return _one(ConsultationSlot.objects.select_related("adviser"), slot_id, ProgrammeErrorCode.SLOT_NOT_FOUND)


def _booked() -> Q:
    return Q(Exists(ConsultationBooking.objects.filter(slot_id=OuterRef("pk")).exclude(
        status=BookingStatus.CANCELLED)))


def open_slots(*, adviser: Adviser | None = None, kind: str = "", now: dt.datetime | None = None
               ) -> QuerySet[ConsultationSlot]:
    """Slots a resident may book now: future, not cancelled, free, within the adviser's booking horizon."""
    now = now or timezone.now()
    qs = ConsultationSlot.objects.filter(cancelled_at__isnull=True, starts_at__gt=now, adviser__active=True)
    if adviser is not None:
        qs = qs.filter(adviser=adviser)
    if kind:
        qs = qs.filter(adviser__kind=kind)
    qs = qs.exclude(_booked()).select_related("adviser").order_by("starts_at", "adviser__name")
    return qs.filter(pk__in=[s.pk for s in qs if s.starts_at <= now + dt.timedelta(days=s.adviser.booking_opens_days)])


def adviser_calendar(adviser: Adviser, *, start: dt.date, end: dt.date) -> list[ConsultationSlot]:
    """The adviser's slots between two days, each with ``booked`` (a public fact: taken or free)."""
    tz = timezone.get_current_timezone()
    qs = (ConsultationSlot.objects.filter(adviser=adviser, starts_at__gte=dt.datetime.combine(start, dt.time(), tz),
                                          starts_at__lt=dt.datetime.combine(end, dt.time(), tz))
          .annotate(booked=_booked()).order_by("starts_at"))
    return list(qs)


def adviser_day(*, viewer: User, adviser: Adviser, day: dt.date, context: AccessContext
                ) -> list[tuple[ConsultationSlot, ConsultationBooking | None]]:
    """The adviser's day list: each slot with the booking the viewer may see (logged: it shows people)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(), tz)
    slots = list(ConsultationSlot.objects.filter(adviser=adviser, starts_at__gte=start,
                                                 starts_at__lt=start + dt.timedelta(days=1)).order_by("starts_at"))
    bookings = {b.slot_id: b for b in booking_visible(viewer).filter(slot__in=slots).exclude(
        status=BookingStatus.CANCELLED).select_related("resident")}
    _log_people(viewer=viewer, context=context, record_type="consultation_day", record_id=f"{adviser.pk}:{day}",
                resident_ids=[b.resident_id for b in bookings.values()], shown=len(bookings))
    return [(s, bookings.get(s.pk)) for s in slots]


def booking_get(*, viewer: User, booking_id: int, context: AccessContext) -> ConsultationBooking:
    return logged_get(booking_visible(viewer).select_related("slot", "adviser", "resident"), booking_id,
                      viewer=viewer, context=context, record_type="consultation_booking",
                      missing=ProgrammeErrorCode.BOOKING_NOT_FOUND, resident="resident_id")


def booking_by_token(token: str) -> ConsultationBooking:
    from dolbom.lib.errors import NotFound
    from dolbom.programmes.services.common import token_hash

    booking = ConsultationBooking.objects.select_related("slot", "adviser").filter(
        manage_token_hash=token_hash(token or "")).first()
    if booking is None or booking.purged_at is not None:
        raise NotFound(ProgrammeErrorCode.BOOKING_NOT_FOUND)
    return booking


def reschedule_options(booking: ConsultationBooking, *, now: dt.datetime | None = None) -> QuerySet[ConsultationSlot]:
    """Free slots of advisers of the same kind (a tax question can go to another village tax accountant)."""
    return open_slots(kind=booking.adviser.kind, now=now).exclude(pk=booking.slot_id)


# Welfare referrals ------------------------------------------------------------------------------

def referral_list(*, viewer: User, context: AccessContext, status: str = ReferralStatus.NEW
                  ) -> list[WelfareReferral]:
    qs = referral_visible(viewer).select_related("booking__adviser", "dong", "case")
    if status:
        qs = qs.filter(status=status)
    rows = list(qs.order_by("-created_at")[:100])
    _log_people(viewer=viewer, context=context, record_type="welfare_referral_list", record_id=status or "all",
                resident_ids=[r.booking.resident_id for r in rows], shown=len(rows))
    return rows


def referral_get(*, viewer: User, referral_id: int, context: AccessContext) -> WelfareReferral:
    return logged_get(referral_visible(viewer).select_related("booking__adviser", "booking__slot", "dong", "case"),
                      referral_id, viewer=viewer, context=context, record_type="welfare_referral",
                      missing=ProgrammeErrorCode.REFERRAL_NOT_FOUND, resident="booking__resident_id")


def referrals_waiting_count(viewer: User) -> int:
    return referral_visible(viewer).filter(status=ReferralStatus.NEW).count()


def require(condition: bool) -> None:
    from dolbom.lib.errors import Forbidden

    if not condition:
        raise Forbidden(ProgrammeErrorCode.NOT_ALLOWED)

