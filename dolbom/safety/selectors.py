"""Reads of the safety app. Visibility is enforced here and nowhere else.

- city integrated-care team: every home, incident, ticket and the waiting list
- dong welfare officer: the homes of their dong (and its waiting list)
- case manager: their dong's homes and the homes of their own clients
- emergency worker: the homes assigned to them; a team lead every home of their centre
- partner worker, nurse, auditor: none

An incident, a home and its devices are about a person (where they live, that they have not moved for a
day): one record read writes a VIEW row (audit.logged_get), a list of people a SEARCH row (log_list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile, role_of, visible_by_role
from dolbom.audit.logged import log_list, logged_get
from dolbom.lib.access import AccessContext
from dolbom.safety.errors import SafetyErrorCode
from dolbom.safety.models import (
    Absence,
    Device,
    DeviceStatus,
    DeviceTicket,
    Event,
    Home,
    HomeStatus,
    Incident,
    IncidentLog,
    Reject,
    Responder,
    Severity,
)

# Who answers alarms and keeps the equipment; who may put a resident on the waiting list.
RESPONDER_ROLES = frozenset({Role.EMERGENCY_WORKER, Role.CITY_TEAM, Role.DONG_OFFICER, Role.CASE_MANAGER})
DEVICE_ROLES = frozenset({Role.EMERGENCY_WORKER, Role.CITY_TEAM})
WAITLIST_ROLES = frozenset({Role.DONG_OFFICER, Role.CASE_MANAGER, Role.CITY_TEAM})
INSTALL_ROLES = frozenset({Role.CITY_TEAM})
SAFETY_ROLES = RESPONDER_ROLES


def can_use_safety(user: User) -> bool:
    return role_of(user) in SAFETY_ROLES


def can_respond(user: User) -> bool:
    return role_of(user) in RESPONDER_ROLES


def can_manage_devices(user: User) -> bool:
    return role_of(user) in DEVICE_ROLES


def can_add_to_waitlist(user: User) -> bool:
    return role_of(user) in WAITLIST_ROLES


def can_install(user: User) -> bool:
    return role_of(user) in INSTALL_ROLES


def is_lead(user: User) -> bool:
    return Responder.objects.filter(user_id=user.pk, is_lead=True, active=True).exists()


def _worker_rule(viewer: User, prefix: str = "") -> Q:
    """An emergency worker's own homes, and a team lead's whole centre (``prefix`` reaches the home)."""
    led = Responder.objects.filter(user_id=viewer.pk, is_lead=True, active=True).values("centre_id")
    return Q(**{f"{prefix}worker_id": viewer.pk}) | Q(**{f"{prefix}centre_id__in": led})


def _caseload(viewer: User, prefix: str = "") -> Q:
    from dolbom.cases.models import Case

    return Q(**{f"{prefix}resident_id__in": Case.objects.filter(manager=viewer).values("resident_id")})


def home_visible(viewer: User) -> QuerySet[Home]:
    return visible_by_role(viewer, Home.objects.all(), kind="safety_home", dong="dong_id",
                           caseload=_caseload(viewer), roles={Role.EMERGENCY_WORKER: _worker_rule(viewer)})


def incident_visible(viewer: User) -> QuerySet[Incident]:
    return visible_by_role(viewer, Incident.objects.all(), kind="safety_incident", dong="dong_id",
                           caseload=_caseload(viewer, "home__"),
                           roles={Role.EMERGENCY_WORKER: _worker_rule(viewer, "home__")})


def ticket_visible(viewer: User) -> QuerySet[DeviceTicket]:
    return visible_by_role(viewer, DeviceTicket.objects.all(), kind="safety_ticket", dong="dong_id",
                           caseload=_caseload(viewer, "home__"),
                           roles={Role.EMERGENCY_WORKER: _worker_rule(viewer, "home__")})


def device_visible(viewer: User) -> QuerySet[Device]:
    return Device.objects.filter(home__in=home_visible(viewer))


def absence_visible(viewer: User) -> QuerySet[Absence]:
    return Absence.objects.filter(home__in=home_visible(viewer))


def _in_caseload(viewer: User, resident_id: int) -> bool:
    from dolbom.cases.models import Case

    p = profile(viewer)
    if p is None:
        return False
    if p.role == Role.EMERGENCY_WORKER:
        return Home.objects.filter(_worker_rule(viewer), resident_id=resident_id).exists()
    return Case.objects.filter(manager=viewer, resident_id=resident_id).exists()


# One record ---------------------------------------------------------------------------------------

def _with_people(qs: QuerySet) -> QuerySet:
    return qs.select_related("resident", "household", "dong", "centre", "worker__staff")


def home_get(*, viewer: User, home_id: int, context: AccessContext) -> Home:
    return logged_get(_with_people(home_visible(viewer)), home_id, viewer=viewer, context=context,
                      record_type="safety_home", missing=SafetyErrorCode.HOME_NOT_FOUND, resident="resident_id",
                      in_caseload=lambda h: _in_caseload(viewer, h.resident_id))


def incident_get(*, viewer: User, incident_id: int, context: AccessContext) -> Incident:
    qs = incident_visible(viewer).select_related(
        "home__resident", "home__household", "home__worker__staff", "home__centre", "dong", "acknowledged_by__staff",
        "resolved_by__staff", "case", "checkin_call")
    return logged_get(qs, incident_id, viewer=viewer, context=context, record_type="safety_incident",
                      missing=SafetyErrorCode.INCIDENT_NOT_FOUND, resident="home__resident_id",
                      in_caseload=lambda i: _in_caseload(viewer, i.home.resident_id))


def incident_log(*, incident: Incident) -> QuerySet[IncidentLog]:
    """The log of an incident already read through incident_get (which wrote the access log)."""
    return incident.log.select_related("actor__staff", "event").order_by("at", "pk")


# The live board ------------------------------------------------------------------------------------

RECENT_HOURS = 2


@dataclass(frozen=True)
class Board:
    open: list[Incident]
    recent: list[Incident]
    counts: dict[int, int]
    tickets: list[DeviceTicket]
    held: int
    shown: tuple[int, ...] = field(default_factory=tuple)  # residents on screen, for the access log


def board(*, viewer: User, now: dt.datetime | None = None, limit: int = 200) -> Board:
    """What the emergency worker's screen shows: open incidents by severity, then age; the last two hours'
    resolved ones; the open device tickets, apart."""
    now = now or timezone.now()
    related = ("home__resident", "home__household", "dong", "acknowledged_by__staff", "home__worker__staff")
    visible = incident_visible(viewer)
    open_ = list(visible.filter(resolved_at__isnull=True).select_related(*related)
                 .order_by("severity", "opened_at", "pk")[:limit])
    recent = list(visible.filter(resolved_at__gte=now - dt.timedelta(hours=RECENT_HOURS))
                  .select_related(*related, "resolved_by__staff").order_by("-resolved_at")[:20])
    counts = {1: 0, 2: 0, 3: 0}
    for incident in open_:
        counts[incident.severity] = counts.get(incident.severity, 0) + 1
    tickets = list(ticket_visible(viewer).filter(resolved_at__isnull=True)
                   .select_related("home__resident", "home__household", "dong", "device", "gateway")
                   .order_by("-holds_verdict", "opened_at")[:50])
    held = ticket_visible(viewer).filter(resolved_at__isnull=True, holds_verdict=True).values("home_id").distinct().count()
    shown = tuple(sorted({i.home.resident_id for i in open_ + recent} | {t.home.resident_id for t in tickets}))
    return Board(open=open_, recent=recent, counts=counts, tickets=tickets, held=held, shown=shown)


@dataclass(frozen=True)
class BoardCounts:
    open: dict[int, int]  # open incidents by severity
    tickets: int  # open device tickets


def board_counts(*, viewer: User) -> BoardCounts:
    """The start page's box: the board's counts, in the same scope, from two aggregates. Counts name nobody,
    so nothing is logged. The board's own queries join five tables each for the rows it shows; planning those
    with the scope's subqueries cost 25-30 ms of PostgreSQL on every start page, for numbers."""
    rows = (incident_visible(viewer).filter(resolved_at__isnull=True).order_by().values("severity")
            .annotate(n=Count("pk")).values_list("severity", "n"))
    tickets = ticket_visible(viewer).filter(resolved_at__isnull=True).count()
    return BoardCounts(open={s.value: 0 for s in Severity} | dict(rows), tickets=tickets)


def board_log(*, viewer: User, context: AccessContext, shown: Iterable[int]) -> None:
    log_list(viewer=viewer, context=context, record_type="safety_board", resident_ids=shown)


# Lists ------------------------------------------------------------------------------------------------

def home_list(*, viewer: User, context: AccessContext, status: str = HomeStatus.ACTIVE, dong_id: int | None = None,
              query: str = "", limit: int = 300) -> list[Home]:
    qs = _with_people(home_visible(viewer)).select_related("clock")
    if status:
        qs = qs.filter(status=status)
    if dong_id:
        qs = qs.filter(dong_id=dong_id)
    if query.strip():
        q = query.strip()
        qs = qs.filter(Q(resident__name__contains=q) | Q(household__number=q) | Q(gateways__serial=q)).distinct()
    homes = list(qs.annotate(faults=Exists(DeviceTicket.objects.filter(home=OuterRef("pk"), resolved_at__isnull=True)))
                 .order_by("dong__name", "pk")[:limit])
    log_list(viewer=viewer, context=context, record_type="safety_home_list", resident_ids=[h.resident_id for h in homes])
    return homes


def home_devices(*, home: Home) -> QuerySet[Device]:
    return home.devices.select_related("resident", "gateway").order_by("status", "kind", "pk")


def home_active_devices(*, home: Home) -> QuerySet[Device]:
    return home.devices.filter(status=DeviceStatus.ACTIVE).order_by("kind", "pk")


def home_events(*, home: Home, limit: int = 25) -> QuerySet[Event]:
    return Event.objects.filter(home=home).select_related("device").order_by("-occurred_at", "-pk")[:limit]


def home_incidents(*, home: Home, limit: int = 30) -> QuerySet[Incident]:
    return home.incidents.select_related("resolved_by__staff").order_by("-opened_at")[:limit]


def home_tickets(*, home: Home) -> QuerySet[DeviceTicket]:
    return home.tickets.select_related("device", "gateway").order_by("-opened_at")[:30]


def home_absences(*, home: Home) -> QuerySet[Absence]:
    return home.absences.select_related("registered_by__staff").order_by("-starts_at")[:20]


def ticket_list(*, viewer: User, context: AccessContext, open_only: bool = True, limit: int = 300) -> list[DeviceTicket]:
    qs = ticket_visible(viewer).select_related("home__resident", "home__household", "dong", "device", "gateway")
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    tickets = list(qs.order_by("-holds_verdict", "opened_at")[:limit])
    log_list(viewer=viewer, context=context, record_type="safety_ticket_list",
             resident_ids=[t.home.resident_id for t in tickets])
    return tickets


def ticket_get(*, viewer: User, ticket_id: int, context: AccessContext) -> DeviceTicket:
    return logged_get(ticket_visible(viewer).select_related("home", "device", "gateway"), ticket_id, viewer=viewer,
                      context=context, record_type="safety_ticket", missing=SafetyErrorCode.TICKET_NOT_FOUND,
                      resident="home__resident_id", in_caseload=lambda t: _in_caseload(viewer, t.home.resident_id))


def _live_home(viewer: User, resident_id: int) -> QuerySet[Home]:
    return home_visible(viewer).filter(resident_id=resident_id).exclude(status=HomeStatus.ENDED).order_by("-pk")


def home_for_resident(*, viewer: User, resident_id: int) -> Home | None:
    """The resident's live home (or waiting-list entry), for the resident and case pages, which logged the read."""
    return _live_home(viewer, resident_id).select_related("clock", "worker__staff", "centre").first()


def home_status_for_resident(*, viewer: User, resident_id: int) -> Home | None:
    """The case page's box: which live home, in what status, and nothing the box does not show (the
    resident page's clock, worker and centre are three joins on every case page)."""
    return _live_home(viewer, resident_id).only("pk", "status").first()


def rejects_by_code(*, since: dt.datetime) -> list[dict]:
    """Refused events by code (no personal data: serial numbers and codes only)."""
    from django.db.models import Count, Max

    return list(Reject.objects.filter(received_at__gte=since).values("code")
                .annotate(count=Count("pk"), last=Max("received_at")).order_by("-count"))


def rejects_recent(*, limit: int = 20) -> QuerySet[Reject]:
    return Reject.objects.order_by("-received_at", "-pk")[:limit]


# The waiting list ----------------------------------------------------------------------------------

# Points for need: the crisis-discovery model's probability of needing support, living alone, age. Written as
# points (not a lexicographic sort) so that the reason shown adds up to the order: a 70-year-old living alone
# in a household in crisis comes before a 90-year-old with family.
CRISIS_POINTS = 50
ALONE_POINTS = 30
AGE_POINTS = ((85, 20), (80, 15), (75, 10), (65, 5))


@dataclass(frozen=True)
class Waiting:
    home: Home
    points: int
    crisis: float | None
    age: int
    lives_alone: bool
    reasons: list[str]


def _age_points(age: int) -> int:
    return next((points for floor, points in AGE_POINTS if age >= floor), 0)


def waiting_list(*, viewer: User, context: AccessContext, today: dt.date | None = None,
                 limit: int = 300) -> list[Waiting]:
    """Homes waiting for equipment, most in need first, each with the points that put it there."""
    from django.db.models import Subquery
    from django.utils.translation import gettext as _

    from dolbom.discovery.models import VisitListEntry

    today = today or timezone.localdate()
    latest = (VisitListEntry.objects.filter(household_id=OuterRef("household_id"), probability__isnull=False)
              .order_by("-listed_at", "-pk").values("probability")[:1])
    homes = list(_with_people(home_visible(viewer)).filter(status=HomeStatus.WAITING)
                 .annotate(crisis=Subquery(latest)))
    rows = []
    for home in homes:
        age = home.resident.age_on(today)
        crisis = home.crisis  # type: ignore[attr-defined]
        reasons = []
        points = 0
        if crisis is not None:
            p = round(crisis * CRISIS_POINTS)
            points += p
            reasons.append(_("crisis-discovery score %(score).2f (+%(points)d)") % {"score": crisis, "points": p})
        if home.resident.lives_alone:
            points += ALONE_POINTS
            reasons.append(_("lives alone (+%(points)d)") % {"points": ALONE_POINTS})
        if (a := _age_points(age)) > 0:
            points += a
            reasons.append(_("aged %(age)d (+%(points)d)") % {"age": age, "points": a})
        rows.append(Waiting(home=home, points=points, crisis=crisis, age=age, lives_alone=home.resident.lives_alone,
                            reasons=reasons))
    rows.sort(key=lambda w: (-w.points, w.home.applied_on, w.home.pk))
    rows = rows[:limit]
    log_list(viewer=viewer, context=context, record_type="safety_waiting_list",
             resident_ids=[w.home.resident_id for w in rows])
    return rows
