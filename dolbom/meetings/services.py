"""Writes on meetings, councils and action items. Each is one transaction, names its actor, and writes the
case-timeline row of an agenda change in the same transaction.

Scope is checked again here (a service is never a way around the selectors): an organiser may only put a
case on the agenda, or decide on it, if that case is in their own case scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import lock_in_scope, profile, role_of
from dolbom.areas.models import Dong
from dolbom.cases import services as case_services
from dolbom.cases.models import Case, CaseStatus, SupportPlanLine
from dolbom.cases.selectors import case_visible
from dolbom.lib import recurrence
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.meetings import events
from dolbom.meetings.errors import MeetingErrorCode
from dolbom.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Council,
    CouncilKind,
    CouncilMember,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MemberKind,
    ServiceRequest,
)
from dolbom.meetings.selectors import (
    CASE_STAFF,
    agenda_reason_for,
    can_manage_council,
    can_organise,
    case_escalation_pending,
    meeting_visible,
)
from dolbom.referrals.models import Service
from dolbom.referrals.services import referral_create

CHAIR_ROLES = frozenset({Role.CITY_TEAM, Role.DONG_OFFICER, Role.CASE_MANAGER})


def _lock_meeting(actor: User, meeting: Meeting) -> Meeting:
    locked = lock_in_scope(meeting_visible(actor), meeting.pk, MeetingErrorCode.MEETING_NOT_FOUND, actor=actor,
                           record_type="meeting", subjects="agenda__case__resident_id")
    if not can_organise(actor, locked):
        raise Forbidden(MeetingErrorCode.NOT_ALLOWED)
    return locked


def _open(meeting: Meeting) -> None:
    if meeting.is_signed:
        raise DomainError(MeetingErrorCode.MEETING_SIGNED)


def _case_meeting(meeting: Meeting) -> None:
    if meeting.kind != MeetingKind.INTEGRATED_SUPPORT:
        raise DomainError(MeetingErrorCode.NOT_INTEGRATED_SUPPORT)


# Integrated support meeting ---------------------------------------------------------------------

@transaction.atomic
def meeting_schedule(*, actor: User, title: str, scheduled_at: dt.datetime, place: str, chair: User,
                     dong: Dong | None = None) -> Meeting:
    """Schedule an integrated support meeting (Act §15). Dong staff schedule their own dong's meetings;
    city-level meetings (no dong) are the city team's."""
    p = profile(actor)
    if p is None or p.role not in CHAIR_ROLES:
        raise Forbidden(MeetingErrorCode.NOT_ALLOWED)
    if p.role in CASE_STAFF and (dong is None or dong.pk != p.dong_id):
        raise Forbidden(MeetingErrorCode.NOT_ALLOWED)
    if not title.strip() or not place.strip() or scheduled_at is None:
        raise DomainError(MeetingErrorCode.FIELDS_REQUIRED)
    if role_of(chair) not in CHAIR_ROLES or not chair.is_active:
        raise DomainError(MeetingErrorCode.CHAIR_INVALID)
    return Meeting.objects.create(kind=MeetingKind.INTEGRATED_SUPPORT, title=title.strip(), dong=dong,
                                  scheduled_at=scheduled_at, place=place.strip(), chair=chair, created_by=actor)


@transaction.atomic
def attendee_invite(*, actor: User, meeting: Meeting, user: User, member_kind: MemberKind | str) -> Attendee:
    meeting = _lock_meeting(actor, meeting)
    _open(meeting)
    if member_kind not in MemberKind.values:
        raise DomainError(MeetingErrorCode.MEMBER_KIND_INVALID)
    p = profile(user)
    if p is None or not user.is_active:
        raise DomainError(MeetingErrorCode.OWNER_INVALID)
    if meeting.attendees.filter(user=user).exists():
        raise DomainError(MeetingErrorCode.ALREADY_INVITED)
    return Attendee.objects.create(meeting=meeting, user=user, member_kind=member_kind,
                                   institution=p.institution or (p.dong.name if p.dong_id else ""),
                                   invited_by=actor, invited_at=timezone.now())


@transaction.atomic
def agenda_add(*, actor: User, meeting: Meeting, case: Case, note: str = "") -> AgendaItem:
    meeting = _lock_meeting(actor, meeting)
    _open(meeting)
    _case_meeting(meeting)
    locked = lock_in_scope(case_visible(actor), case.pk, MeetingErrorCode.AGENDA_ITEM_NOT_FOUND, actor=actor,
                           record_type="case", resident="resident_id")
    if locked.status == CaseStatus.CLOSED:
        raise DomainError(MeetingErrorCode.CASE_CLOSED)
    if meeting.agenda.filter(case=locked).exists():
        raise DomainError(MeetingErrorCode.ALREADY_ON_AGENDA)
    latest = locked.plans.order_by("-version").values_list("version", flat=True).first()
    approved = latest is not None and AgendaItem.objects.filter(
        case=locked, decision=Decision.APPROVE_PLAN, plan_version=latest).exists()
    pending = locked.status == CaseStatus.DECIDED or (locked.status == CaseStatus.IN_SERVICE and not approved)
    position = (meeting.agenda.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, case=locked, position=position, note=note.strip()[:300],
                                     reason=agenda_reason_for(locked, plan_pending=pending, escalated=(
                                         meeting.dong_id is None and case_escalation_pending(locked))),
                                     added_by=actor, added_at=timezone.now())
    events.meeting_agenda_added(item=item, actor=actor)
    return item


@dataclass(frozen=True)
class DecisionInput:
    decision: Decision | str
    note: str = ""
    service_ids: Sequence[int] = ()
    plan_line_id: int | None = None
    due_days: int | None = None
    closure_reason: str = ""


def _institution_name(service: Any) -> str:
    institution = getattr(service, "institution", None)
    return str(getattr(institution, "name", "") or "")


def _add_services(actor: User, item: AgendaItem, data: DecisionInput) -> list[ServiceRequest]:
    ids = list(dict.fromkeys(int(i) for i in data.service_ids))
    if not ids:
        raise DomainError(MeetingErrorCode.SERVICES_REQUIRED)
    services = {s.pk: s for s in Service.objects.filter(pk__in=ids).select_related("institution")}
    if len(services) != len(ids):
        raise DomainError(MeetingErrorCode.SERVICES_REQUIRED)
    plan_line = None
    if data.plan_line_id:
        plan_line = SupportPlanLine.objects.filter(pk=data.plan_line_id, plan__case=item.case).first()
    requests = []
    for sid in ids:
        service = services[sid]
        request = ServiceRequest(item=item, service_id=sid, service_name=str(getattr(service, "name", service))[:200],
                                 institution_name=_institution_name(service)[:200])
        try:
            # One savepoint per service: a refusal (no consent to share with that institution) leaves the
            # other referrals and the decision itself in place.
            with transaction.atomic():
                referral = referral_create(actor=actor, case=item.case, service=service, plan_line=plan_line,
                                           note=data.note.strip(), due_days=data.due_days)
            request.referral_id = referral.pk
        except DomainError as exc:
            request.refusal_code = str(exc.code)[:50]
            request.refusal_message = exc.message[:300]
        request.save()
        requests.append(request)
    return requests


@transaction.atomic
def agenda_decision_record(*, actor: User, item: AgendaItem, data: DecisionInput) -> AgendaItem:
    """The meeting's decision on one agenda case. Final, except that 'add services' may be repeated until
    the minutes are signed (e.g. once the client has consented to a refused institution)."""
    meeting = _lock_meeting(actor, item.meeting)
    _open(meeting)
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk, meeting=meeting)
    case = case_visible(actor).select_related("dong").filter(pk=item.case_id).first()
    if case is None:
        raise NotFound(MeetingErrorCode.AGENDA_ITEM_NOT_FOUND)
    item.case = case
    decision = data.decision
    if decision not in Decision.values:
        raise DomainError(MeetingErrorCode.DECISION_INVALID)
    if item.decision and not (item.decision == decision == Decision.ADD_SERVICES):
        raise DomainError(MeetingErrorCode.ALREADY_DECIDED)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(MeetingErrorCode.CASE_CLOSED)
    note = data.note.strip()
    if decision in (Decision.CHANGE_PLAN, Decision.ESCALATE, Decision.CLOSE) and not note:
        raise DomainError(MeetingErrorCode.DECISION_INVALID)
    if decision in (Decision.APPROVE_PLAN, Decision.CHANGE_PLAN):
        item.plan_version = case.plans.order_by("-version").values_list("version", flat=True).first()
        if item.plan_version is None:
            raise DomainError(MeetingErrorCode.NO_PLAN)
    requests = _add_services(actor, item, data) if decision == Decision.ADD_SERVICES else []
    item.decision = decision
    item.decision_note = "\n".join(s for s in (item.decision_note, note) if s) if requests else note
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save()
    events.meeting_decision(item=item, actor=actor, requests=requests)
    if case.meeting_requested:
        # The case workflow keeps the outcome of the meeting it was marked for; this is that outcome.
        case_services.meeting_outcome_note(actor=actor, case=case, outcome=_outcome_text(item, requests))
    if decision == Decision.CLOSE:
        case_services.case_close(actor=actor, case=case, reason=data.closure_reason, note=note)
    return item


def _outcome_text(item: AgendaItem, requests: list[ServiceRequest]) -> str:
    text = f"{item.meeting.title}: {events.DECISION_KO[Decision(item.decision)]}"
    if requests:
        text += " (" + ", ".join(r.service_name + ("" if r.referral_id else " 보류") for r in requests) + ")"
    return text + (f" — {item.decision_note}" if item.decision_note else "")


# Minutes ----------------------------------------------------------------------------------------

@transaction.atomic
def minutes_write(*, actor: User, meeting: Meeting, minutes: str, topics: str | None = None) -> Meeting:
    meeting = _lock_meeting(actor, meeting)
    _open(meeting)
    meeting.minutes = minutes.strip()
    fields = ["minutes"]
    if topics is not None:
        meeting.topics = topics.strip()
        fields.append("topics")
    meeting.save(update_fields=fields)
    return meeting


@transaction.atomic
def minutes_sign(*, actor: User, meeting: Meeting) -> Meeting:
    """The chair signs the minutes off; the meeting is read-only from then on. Agenda cases still
    undecided are carried over: they become candidates for the next meeting again."""
    meeting = _lock_meeting(actor, meeting)
    _open(meeting)
    # A council session whose chair has no login (a mayor, a dong head) is signed by its secretary, i.e.
    # whoever may organise it; otherwise only the chair.
    if meeting.chair_id != actor.pk and meeting.chair_id is not None:
        raise Forbidden(MeetingErrorCode.ONLY_CHAIR_SIGNS)
    if not meeting.minutes.strip():
        raise DomainError(MeetingErrorCode.MINUTES_REQUIRED)
    meeting.status = MeetingStatus.SIGNED
    meeting.signed_at = timezone.now()
    meeting.signed_by = actor
    meeting.save(update_fields=["status", "signed_at", "signed_by"])
    return meeting


# Action items -----------------------------------------------------------------------------------

@transaction.atomic
def action_item_add(*, actor: User, meeting: Meeting, title: str, owner: User, due_on: dt.date) -> ActionItem:
    meeting = _lock_meeting(actor, meeting)
    _open(meeting)
    if not title.strip() or due_on is None:
        raise DomainError(MeetingErrorCode.DUE_DATE_REQUIRED)
    if profile(owner) is None or not owner.is_active:
        raise DomainError(MeetingErrorCode.OWNER_INVALID)
    return ActionItem.objects.create(meeting=meeting, title=title.strip()[:200], owner=owner, due_on=due_on,
                                     created_by=actor)


@transaction.atomic
def action_item_done(*, actor: User, item: ActionItem, note: str = "") -> ActionItem:
    """Done by its owner or by an organiser of its meeting; tracked even after the minutes are signed."""
    from dolbom.meetings.selectors import action_item_visible

    item = lock_in_scope(action_item_visible(actor).select_related("meeting__council"), item.pk,
                         MeetingErrorCode.ACTION_ITEM_NOT_FOUND, actor=actor, record_type="meeting_action_item")
    if item.owner_id != actor.pk and not can_organise(actor, item.meeting):
        raise Forbidden(MeetingErrorCode.NOT_ALLOWED)
    if item.done_at is not None:
        raise DomainError(MeetingErrorCode.ALREADY_DONE)
    item.done_at = timezone.now()
    item.done_by = actor
    item.done_note = note.strip()[:300]
    item.save(update_fields=["done_at", "done_by", "done_note"])
    return item


# Councils ---------------------------------------------------------------------------------------

def _check_rule(rule: str) -> None:
    try:
        recurrence.parse(rule)
    except recurrence.RuleError as exc:
        raise DomainError(MeetingErrorCode.RULE_INVALID) from exc


@transaction.atomic
def council_create(*, actor: User, name: str, kind: CouncilKind | str, rrule: str, starts_on: dt.date,
                   time: dt.time, place: str, dong: Dong | None = None, chair: User | None = None,
                   chair_title: str = "") -> Council:
    if role_of(actor) != Role.CITY_TEAM:
        raise Forbidden(MeetingErrorCode.NOT_ALLOWED)
    if not name.strip() or not place.strip() or kind not in CouncilKind.values:
        raise DomainError(MeetingErrorCode.FIELDS_REQUIRED)
    _check_rule(rule=rrule)
    return Council.objects.create(name=name.strip(), kind=kind, dong=dong, rrule=rrule.strip().upper(),
                                  starts_on=starts_on, time=time, place=place.strip(), chair=chair,
                                  chair_title=chair_title.strip())


@transaction.atomic
def council_member_add(*, actor: User, council: Council, name: str = "", user: User | None = None,
                       institution: str = "", title: str = "") -> CouncilMember:
    if not can_manage_council(actor, council):
        raise Forbidden(MeetingErrorCode.NOT_ALLOWED)
    p = profile(user) if user is not None else None
    name = name.strip() or (p.display_name if p else "")
    if not name:
        raise DomainError(MeetingErrorCode.FIELDS_REQUIRED)
    return CouncilMember.objects.create(council=council, user=user, name=name,
                                        institution=institution.strip() or (p.institution if p else ""),
                                        title=title.strip())


@transaction.atomic
def council_sessions_schedule(*, actor: User, council: Council, count: int = 3,
                              today: dt.date | None = None) -> list[Meeting]:
    """Create the next ``count`` sessions from the recurrence rule; sessions that exist are kept as they are."""
    if not can_manage_council(actor, council):
        raise Forbidden(MeetingErrorCode.NOT_ALLOWED)
    return _schedule(council, actor, count=count, today=today or timezone.localdate())


def _schedule(council: Council, actor: User, *, count: int, today: dt.date) -> list[Meeting]:
    tz = timezone.get_current_timezone()
    created = []
    for day in recurrence.upcoming(council.rrule, council.starts_on, after=today, count=count):
        at = dt.datetime.combine(day, council.time, tzinfo=tz)
        if Meeting.objects.filter(council=council, scheduled_at=at).exists():
            continue
        try:
            with transaction.atomic():
                created.append(Meeting.objects.create(
                    kind=MeetingKind.COUNCIL, council=council, title=f"{council.name} {day:%Y-%m-%d}",
                    dong=council.dong, scheduled_at=at, place=council.place, chair=council.chair,
                    created_by=actor))
        except IntegrityError:  # another organiser scheduled the same sitting a moment ago
            continue
    return created


# The standing councils of Jeonju's integrated care (seeded once; the city team edits them later).
STANDING_COUNCILS: list[tuple[str, CouncilKind, str, dt.date, dt.time, str, str]] = [
    ("전주시 통합돌봄 협의체", CouncilKind.CITY_COUNCIL, "FREQ=MONTHLY;INTERVAL=3;BYDAY=3WE", dt.date(2026, 1, 1),
     dt.time(14, 0), "전주시청 4층 회의실", "부시장"),
    ("통합돌봄 실무자 월례회의", CouncilKind.PRACTITIONERS, "FREQ=MONTHLY;BYDAY=1TH", dt.date(2026, 1, 1),
     dt.time(14, 0), "전주시청 통합돌봄과 회의실", "통합돌봄과장"),
    ("통합돌봄 팀장 분기회의", CouncilKind.TEAM_LEADERS, "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR", dt.date(2026, 1, 1),
     dt.time(15, 0), "전주시청 통합돌봄과 회의실", "복지환경국장"),
    ("통합돌봄 행정협의회", CouncilKind.ADMINISTRATIVE, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", dt.date(2026, 1, 5),
     dt.time(10, 0), "전주시청 통합돌봄과 회의실", "통합돌봄과장"),
    ("시장 주재 합동간부회의 (출연기관장 참석)", CouncilKind.JOINT_EXECUTIVE, "FREQ=MONTHLY;BYDAY=1MO",
     dt.date(2026, 1, 1), dt.time(9, 0), "전주시청 4층 대회의실", "시장"),
]
DONG_COUNCIL_RULE = "FREQ=MONTHLY;BYDAY=2TU"


@transaction.atomic
def councils_seed(*, today: dt.date | None = None) -> list[Council]:
    """The standing councils and one care council per current dong; idempotent (system setup, no actor)."""
    from dolbom.areas.selectors import dong_list_valid_on

    today = today or timezone.localdate()
    created = []
    for name, kind, rule, starts_on, time, place, chair_title in STANDING_COUNCILS:
        council, new = Council.objects.get_or_create(name=name, defaults=dict(
            kind=kind, rrule=rule, starts_on=starts_on, time=time, place=place, chair_title=chair_title))
        if new:
            created.append(council)
    for dong in dong_list_valid_on(today).order_by("name"):
        council, new = Council.objects.get_or_create(kind=CouncilKind.DONG_COUNCIL, dong=dong, defaults=dict(
            name=f"{dong.name} 통합돌봄회의체", rrule=DONG_COUNCIL_RULE, starts_on=dt.date(2026, 1, 1),
            time=dt.time(10, 0), place=f"{dong.name} 행정복지센터 회의실", chair_title="동장"))
        if new:
            created.append(council)
    return created
