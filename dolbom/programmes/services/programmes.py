"""Defining programmes and running their sessions: the season's schedule, places, reserved places released
before the session, the lottery, cancellation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile
from dolbom.areas.models import Dong
from dolbom.lib import recurrence
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.programmes import lottery, selectors
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.models import (
    ACTIVE,
    Allocation,
    EventKind,
    PartyCounting,
    Pool,
    Programme,
    Session,
    SessionStatus,
    Signup,
    SignupStatus,
)
from dolbom.programmes.services.common import (
    busy_answer,
    event,
    moment_text,
    notify,
    require_reason,
    session_lock,
)
from dolbom.programmes.services.places import end_signup, take_places
from dolbom.programmes.services.waitlist import offers_expire, promote

MAX_SEASON = dt.timedelta(days=731)


@dataclass
class ProgrammeData:
    name: str
    organiser: str
    venue: str
    audience: str
    contact: str
    rrule: str
    season_starts_on: dt.date
    season_ends_on: dt.date
    start_time: dt.time
    capacity: int
    description: str = ""
    organiser_code: str = ""
    dong: Dong | None = None
    duration_minutes: int = 90
    reserved: int = 0
    reserve_release_hours: int = 72
    party_counting: str = PartyCounting.PERSONS
    max_party_size: int = 4
    allocation: str = Allocation.FIRST_COME
    limit_per_month: int | None = None
    signup_opens_days: int = 14
    signup_opens_time: dt.time = dt.time(10, 0)
    signup_closes_hours: int = 24
    offer_hours: int = 24
    managers: list[User] = field(default_factory=list)


def _validate(data: ProgrammeData) -> None:
    for value in (data.name, data.organiser, data.venue, data.audience, data.contact):
        if not (value or "").strip():
            raise DomainError(E.FIELDS_REQUIRED)
    try:
        recurrence.parse(data.rrule)
    except recurrence.RuleError as exc:
        raise DomainError(E.RULE_INVALID) from exc
    if data.season_ends_on < data.season_starts_on or data.season_ends_on - data.season_starts_on > MAX_SEASON:
        raise DomainError(E.SEASON_INVALID)
    if data.capacity < 1 or not 0 <= data.reserved < data.capacity or data.max_party_size < 1:
        raise DomainError(E.CAPACITY_INVALID)
    if data.party_counting not in PartyCounting.values or data.allocation not in Allocation.values:
        raise DomainError(E.FIELDS_REQUIRED)
    if data.limit_per_month is not None and data.limit_per_month < 1:
        raise DomainError(E.FIELDS_REQUIRED)


@transaction.atomic
def programme_create(*, actor: User, data: ProgrammeData, schedule: bool = True) -> Programme:
    """A programme and, by default, every session of its season. A dong officer defines programmes of
    their own dong; city-wide ones (no dong) are the city team's."""
    p = profile(actor)
    if not selectors.can_define_programmes(actor) or p is None:
        raise Forbidden(E.NOT_ALLOWED)
    if p.role == Role.DONG_OFFICER and (data.dong is None or data.dong.pk != p.dong_id):
        raise Forbidden(E.NOT_ALLOWED)
    _validate(data)
    values = {k: v for k, v in data.__dict__.items() if k != "managers"}
    for key in ("name", "organiser", "venue", "audience", "contact", "description", "organiser_code"):
        values[key] = values[key].strip()
    values["rrule"] = data.rrule.strip().upper()
    programme = Programme.objects.create(created_by=actor, **values)
    if data.managers:
        programme.managers.set(data.managers)
    if schedule:
        _schedule(programme)
    return programme


DESCRIPTIVE = ("name", "organiser", "organiser_code", "venue", "audience", "description", "contact")


@transaction.atomic
def programme_update(*, actor: User, programme: Programme, managers: list[User] | None = None,
                     active: bool | None = None, **fields: str) -> Programme:
    """Change what a programme says about itself, who runs it, or stop it taking new sessions. Places,
    windows and allocation are the sessions' (session_capacity_set, with a reason): families already signed
    up were told them."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if not selectors.can_manage(actor, locked):
        raise Forbidden(E.NOT_ALLOWED)
    unknown = set(fields) - set(DESCRIPTIVE)
    if unknown:
        raise ValueError(f"not a descriptive field: {sorted(unknown)}")
    for key, value in fields.items():
        setattr(locked, key, (value or "").strip())
    if any(not getattr(locked, key) for key in ("name", "organiser", "venue", "audience", "contact")):
        raise DomainError(E.FIELDS_REQUIRED)
    if active is not None:
        locked.active = active
    locked.save()
    if managers is not None:
        locked.managers.set(managers)
    return locked


def _session_times(programme: Programme, day: dt.date) -> dict[str, dt.datetime | None]:
    tz = timezone.get_current_timezone()
    starts = dt.datetime.combine(day, programme.start_time, tz)
    opens = dt.datetime.combine(day - dt.timedelta(days=programme.signup_opens_days), programme.signup_opens_time, tz)
    closes = starts - dt.timedelta(hours=programme.signup_closes_hours)
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(minutes=programme.duration_minutes),
            "signup_opens_at": min(opens, closes), "signup_closes_at": closes,
            "reserve_release_at": starts - dt.timedelta(hours=programme.reserve_release_hours)
            if programme.reserved else None}


def _schedule(programme: Programme) -> list[Session]:
    created = []
    for day in recurrence.between(programme.rrule, programme.season_starts_on, until=programme.season_ends_on):
        times = _session_times(programme, day)
        if Session.objects.filter(programme=programme, starts_at=times["starts_at"]).exists():
            continue
        seed = lottery.new_seed() if programme.allocation == Allocation.LOTTERY else ""
        try:
            with transaction.atomic():
                created.append(Session.objects.create(
                    programme=programme, capacity=programme.capacity, reserved=programme.reserved,
                    lottery_seed=seed, seed_commitment=lottery.commitment(seed) if seed else "", **times))
        except IntegrityError:  # scheduled by another request a moment ago
            continue
    return created


@transaction.atomic
def sessions_schedule(*, actor: User, programme: Programme) -> list[Session]:
    """Create the season's sessions that do not exist yet (idempotent)."""
    if not selectors.can_manage(actor, programme):
        raise Forbidden(E.NOT_ALLOWED)
    return _schedule(programme)


def _locked_for(actor: User, session: Session) -> Session:
    locked = session_lock(session.pk)
    if locked is None:
        raise NotFound(E.SESSION_NOT_FOUND)
    if not selectors.can_manage(actor, locked.programme):
        raise Forbidden(E.NOT_ALLOWED)
    return locked


@busy_answer
@transaction.atomic
def session_capacity_set(*, actor: User, session: Session, capacity: int, reserved: int | None = None,
                         reason: str) -> Session:
    """Change a session's places (a bigger room, a sick instructor), with a reason. Never below the places
    already taken: the CHECK constraints would refuse it anyway."""
    reason = require_reason(reason)
    now = timezone.now()
    locked = _locked_for(actor, session)
    reserved = locked.reserved if reserved is None else reserved
    reserved_taken = locked.taken - locked.taken_general
    if capacity < 1 or not 0 <= reserved <= capacity:
        raise DomainError(E.CAPACITY_INVALID)
    if capacity < locked.taken or reserved < reserved_taken or capacity - reserved < locked.taken_general:
        raise DomainError(E.CAPACITY_BELOW_TAKEN, taken=locked.taken)
    before = {"capacity": locked.capacity, "reserved": locked.reserved}
    try:
        with transaction.atomic():
            Session.objects.filter(pk=locked.pk).update(capacity=capacity, reserved=reserved)
    except IntegrityError as exc:
        raise DomainError(E.CAPACITY_BELOW_TAKEN, taken=locked.taken) from exc
    locked.capacity, locked.reserved = capacity, reserved
    event(EventKind.CAPACITY_CHANGED, actor=actor, session=locked, reason=reason, at=now, before=before,
          after={"capacity": capacity, "reserved": reserved})
    promote(locked, now)
    return locked


@busy_answer
@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str) -> Session:
    """Cancel a session: every family is told, every place and every monthly sign-up is freed."""
    reason = require_reason(reason)
    now = timezone.now()
    locked = _locked_for(actor, session)
    if locked.status == SessionStatus.CANCELLED:
        return locked
    for row in Signup.objects.select_for_update().filter(session=locked, status__in=ACTIVE):
        end_signup(locked, row, status=SignupStatus.CANCELLED, now=now, reason=f"회차 취소: {reason}", actor=actor,
             kind=EventKind.CANCELLED)
        notify(row.phone, f"[{locked.programme.name}] {moment_text(locked.starts_at)} 회차가 취소되었습니다 ({reason}). "
                          "불편을 드려 죄송합니다.", reference=f"programmes-session-cancel-{row.pk}")
    Session.objects.filter(pk=locked.pk).update(status=SessionStatus.CANCELLED, cancelled_reason=reason[:300])
    locked.status = SessionStatus.CANCELLED
    event(EventKind.SESSION_CANCELLED, actor=actor, session=locked, reason=reason, at=now)
    return locked


@busy_answer
@transaction.atomic
def reserve_release(*, session_id: int, now: dt.datetime | None = None) -> bool:
    """Reserved places nobody was referred to by their release time go to the waiting list and the public."""
    now = now or timezone.now()
    locked = session_lock(session_id)
    if (locked is None or locked.reserve_released_at is not None or locked.reserve_release_at is None
            or locked.reserve_release_at > now or locked.status != SessionStatus.SCHEDULED):
        return False
    used = locked.taken - locked.taken_general
    released = locked.reserved - used
    Session.objects.filter(pk=locked.pk).update(reserved=used, reserve_released_at=now)
    locked.reserved, locked.reserve_released_at = used, now
    event(EventKind.RESERVE_RELEASED, session=locked, at=now, released=released)
    promote(locked, now)
    return True


@busy_answer
@transaction.atomic
def lottery_draw(*, session_id: int, actor: User | None = None, now: dt.datetime | None = None) -> list[Signup]:
    """Draw the lottery once sign-up has closed (the job does it; staff may press the button). The order
    is lottery.order(seed, receipt numbers), which anyone can re-run from the public page."""
    now = now or timezone.now()
    locked = session_lock(session_id)
    if locked is None:
        raise NotFound(E.SESSION_NOT_FOUND)
    if actor is not None and not selectors.can_manage(actor, locked.programme):
        raise Forbidden(E.NOT_ALLOWED)
    if locked.programme.allocation != Allocation.LOTTERY:
        raise DomainError(E.NOT_A_LOTTERY)
    if locked.drawn_at is not None:
        raise DomainError(E.ALREADY_DRAWN)
    if now < locked.signup_closes_at:
        raise DomainError(E.DRAW_NOT_DUE, closes=moment_text(locked.signup_closes_at))
    applicants = {s.number: s for s in Signup.objects.select_for_update().filter(session=locked,
                                                                                 status=SignupStatus.APPLIED)}
    order = lottery.order(locked.lottery_seed, list(applicants))
    waiting_rank = 0
    for rank, number in enumerate(order, start=1):
        row = applicants[number]
        row.drawn_rank = rank
        if locked.status == SessionStatus.SCHEDULED and take_places(locked, row.places, Pool.GENERAL):
            row.status, row.drawn_confirmed, row.confirmed_at = SignupStatus.CONFIRMED, True, now
            text = f"추첨 결과 당첨되었습니다. 입장 코드 {row.checkin_code}."
        else:
            waiting_rank += 1
            row.status, row.queue_rank, row.was_waiting = SignupStatus.WAITING, waiting_rank, True
            text = f"추첨 결과 대기 {waiting_rank}번입니다. 자리가 나면 문자로 알려 드립니다."
        row.save(update_fields=["drawn_rank", "status", "drawn_confirmed", "confirmed_at", "queue_rank",
                                "was_waiting"])
        event(EventKind.DRAWN, actor=actor, session=locked, signup=row, at=now, rank=rank, result=row.status)
        notify(row.phone, f"[{locked.programme.name}] {moment_text(locked.starts_at)} {text}",
               reference=f"programmes-draw-{row.pk}")
    Session.objects.filter(pk=locked.pk).update(drawn_at=now)
    locked.drawn_at = now
    event(EventKind.DRAWN, actor=actor, session=locked, at=now, applicants=len(order), seed=locked.lottery_seed)
    return [applicants[n] for n in order]


def tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: expire offers, release reserved places, draw lotteries that are due."""
    now = now or timezone.now()
    expired = offers_expire(now=now)
    released = sum(reserve_release(session_id=pk, now=now) for pk in Session.objects.filter(
        reserve_release_at__lte=now, reserve_released_at__isnull=True, status=SessionStatus.SCHEDULED,
        starts_at__gt=now).values_list("pk", flat=True))
    drawn = 0
    for pk in Session.objects.filter(programme__allocation=Allocation.LOTTERY, drawn_at__isnull=True,
                                     signup_closes_at__lte=now, status=SessionStatus.SCHEDULED).values_list(
            "pk", flat=True):
        try:
            lottery_draw(session_id=pk, now=now)
            drawn += 1
        except DomainError:
            continue
    return {"expired": expired, "released": released, "drawn": drawn}
