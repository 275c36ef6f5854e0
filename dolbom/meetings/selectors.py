"""Reads of meetings, councils and action items. Visibility is enforced here and nowhere else.

Who sees an agenda case (a client's name, case and decision):
- city integrated-care team: every agenda case;
- dong welfare officer, case manager: agenda cases whose case they may see anyway (cases.selectors);
- partner-institution worker, visiting nurse: only at a meeting they are invited to, and only cases whose
  client has an active consent to share information with their institution (registry.Consent with purpose
  information_sharing and recipient_code = their institution code). Withdrawal ends it at once. A visiting
  nurse also sees there the cases she visits (cases.selectors.case_visible);
- auditor: none (the access log only).
A refused direct read answers 404, like a record that does not exist, and writes a DENIED access-log row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile
from dolbom.audit.logged import log_list, logged_get, with_default_purpose
from dolbom.audit.models import AccessAction
from dolbom.audit.services import access_log_write
from dolbom.cases.models import Case, CaseStatus, SupportPlan
from dolbom.cases.selectors import case_visible
from dolbom.lib import recurrence
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, NotFound
from dolbom.meetings.errors import MeetingErrorCode
from dolbom.meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaReason,
    Attendee,
    Council,
    CouncilKind,
    CouncilMember,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from dolbom.registry.models import Consent, ConsentPurpose

CASE_STAFF = frozenset({Role.DONG_OFFICER, Role.CASE_MANAGER})
INSTITUTION_ROLES = frozenset({Role.PARTNER, Role.NURSE})


def consent_to_share_q(institution_code: str, resident_field: str = "case__resident") -> Q:
    """Active consent of the item's client to share with this institution, as a filter on agenda items."""
    now = timezone.now()
    active = Consent.objects.filter(
        resident=OuterRef(resident_field), purpose=ConsentPurpose.INFORMATION_SHARING, recipient_code=institution_code,
        given_at__lte=now,
    ).filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=now)).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate()))
    return Q(Exists(active))


# Councils ---------------------------------------------------------------------------------------

def council_visible(viewer: User) -> QuerySet[Council]:
    p = profile(viewer)
    qs = Council.objects.all()
    if p is None or p.role == Role.AUDITOR:
        return qs.none()
    if p.role == Role.PARTNER:
        return qs.filter(Exists(CouncilMember.objects.filter(council=OuterRef("pk"), user=viewer)))
    return qs


def council_list(*, viewer: User) -> QuerySet[Council]:
    return council_visible(viewer).select_related("dong", "chair__staff").filter(active=True)


def council_get(*, viewer: User, council_id: int) -> Council:
    council = council_visible(viewer).select_related("dong", "chair__staff").filter(pk=council_id).first()
    if council is None:
        raise NotFound(MeetingErrorCode.COUNCIL_NOT_FOUND)
    return council


def council_members(*, council: Council) -> QuerySet[CouncilMember]:
    return council.members.select_related("user__staff")


def council_upcoming_dates(*, council: Council, today: dt.date | None = None, count: int = 6) -> list[dt.date]:
    today = today or timezone.localdate()
    return recurrence.upcoming(council.rrule, council.starts_on, after=today, count=count)


def can_manage_council(viewer: User, council: Council) -> bool:
    p = profile(viewer)
    if p is None:
        return False
    if p.role == Role.CITY_TEAM or (council.chair_id is not None and council.chair_id == viewer.pk):
        return True
    return (council.kind == CouncilKind.DONG_COUNCIL and p.role in CASE_STAFF and p.dong_id is not None
            and p.dong_id == council.dong_id)


# Meetings ---------------------------------------------------------------------------------------

def meeting_visible(viewer: User) -> QuerySet[Meeting]:
    """Meetings themselves (date, place, attendees; no client data). Agenda cases are filtered apart."""
    p = profile(viewer)
    qs = Meeting.objects.all()
    if p is None or p.role == Role.AUDITOR:
        return qs.none()
    if p.role == Role.CITY_TEAM:
        return qs
    invited = Q(Exists(Attendee.objects.filter(meeting=OuterRef("pk"), user=viewer)))
    own = invited | Q(chair=viewer) | Q(created_by=viewer)
    councils = Q(kind=MeetingKind.COUNCIL, council__in=council_visible(viewer))
    if p.role in CASE_STAFF:
        own_dong = Q(dong_id=p.dong_id) if p.dong_id else Q(pk__in=[])
        # A meeting that decides on one of your cases (e.g. a city-level meeting) is yours to read too.
        own_cases = Q(Exists(AgendaItem.objects.filter(meeting=OuterRef("pk"), case__in=case_visible(viewer))))
        return qs.filter(own | own_dong | own_cases | councils)
    return qs.filter(own | councils)


def can_organise(viewer: User, meeting: Meeting) -> bool:
    """Who may change a meeting: agenda, attendees, decisions, minutes, action items."""
    p = profile(viewer)
    if p is None or p.role in (Role.AUDITOR, Role.PARTNER):
        return False
    if p.role == Role.CITY_TEAM or viewer.pk in (meeting.chair_id, meeting.created_by_id):
        return True
    if meeting.council_id is not None:
        return can_manage_council(viewer, meeting.council)
    return False


@dataclass(frozen=True)
class MeetingFilters:
    kind: str = ""
    upcoming: bool = False
    council_id: int | None = None


def meeting_list(*, viewer: User, filters: MeetingFilters | None = None) -> QuerySet[Meeting]:
    f = filters or MeetingFilters()
    qs = meeting_visible(viewer).select_related("dong", "chair__staff", "council")
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.council_id:
        qs = qs.filter(council_id=f.council_id)
    if f.upcoming:
        qs = qs.filter(status=MeetingStatus.SCHEDULED)
    return qs.order_by("scheduled_at", "pk")


def meeting_get(*, viewer: User, meeting_id: int, context: AccessContext) -> Meeting:
    # The meeting itself holds no client data (agenda cases are read apart): only a refusal is logged.
    return logged_get(meeting_visible(viewer).select_related("dong", "chair__staff", "council", "signed_by__staff"),
                      meeting_id, viewer=viewer, context=context, record_type="meeting",
                      missing=MeetingErrorCode.MEETING_NOT_FOUND, log_view=False)


def meeting_attendees(*, meeting: Meeting) -> QuerySet[Attendee]:
    return meeting.attendees.select_related("user__staff")


# Agenda -----------------------------------------------------------------------------------------

def agenda_item_visible(viewer: User) -> QuerySet[AgendaItem]:
    p = profile(viewer)
    qs = AgendaItem.objects.all()
    if p is None:
        return qs.none()
    if p.role == Role.CITY_TEAM:
        return qs
    if p.role in CASE_STAFF:
        return qs.filter(case__in=case_visible(viewer))
    if p.role in INSTITUTION_ROLES:
        invited = Q(Exists(Attendee.objects.filter(meeting=OuterRef("meeting"), user=viewer)))
        allowed = consent_to_share_q(p.institution_code) if p.institution_code else Q(pk__in=[])
        if p.role == Role.NURSE:
            # A visiting nurse also sees, at a meeting she attends, the cases she visits anyway.
            allowed |= Q(case__in=case_visible(viewer))
        return qs.filter(invited & allowed)
    return qs.none()


def _agenda_rows(qs: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    return qs.select_related("case__resident", "case__dong", "case__manager__staff", "decided_by__staff",
                             "meeting").prefetch_related("service_requests").order_by("position")


def _log_agenda(viewer: User, meeting: Meeting, items: list[AgendaItem], context: AccessContext) -> None:
    log_list(viewer=viewer, context=with_default_purpose(context, f"통합지원회의 #{meeting.pk} 안건 검토"),
             record_type="meeting_agenda", record_id=meeting.pk, resident_ids=[i.case.resident_id for i in items])


@dataclass(frozen=True)
class Agenda:
    items: list[AgendaItem]
    hidden: int  # agenda cases on this meeting the viewer may not see (only the count is shown)


def meeting_agenda(*, viewer: User, meeting: Meeting, context: AccessContext) -> Agenda:
    """The agenda cases the viewer may see, logged with every client shown."""
    items = list(_agenda_rows(agenda_item_visible(viewer).filter(meeting=meeting)))
    _log_agenda(viewer, meeting, items, context)
    hidden = AgendaItem.objects.filter(meeting=meeting).count() - len(items)
    return Agenda(items=items, hidden=hidden)


def agenda_item_get(*, viewer: User, meeting_id: int, item_id: int, context: AccessContext) -> AgendaItem:
    """One agenda case. Out of scope (or no consent for the viewer's institution): 404 and a DENIED row."""
    meeting = meeting_get(viewer=viewer, meeting_id=meeting_id, context=context)
    return logged_get(_agenda_rows(agenda_item_visible(viewer).filter(meeting=meeting)), item_id, viewer=viewer,
                      context=context, record_type="meeting_agenda_item",
                      missing=MeetingErrorCode.AGENDA_ITEM_NOT_FOUND, resident="case__resident_id",
                      in_caseload=lambda i: i.case.manager_id == viewer.pk,
                      default_purpose=f"통합지원회의 #{meeting.pk} 안건 검토",
                      within=AgendaItem.objects.filter(meeting=meeting))


def case_meeting_items(*, viewer: User, case_id: int, context: AccessContext) -> list[AgendaItem]:
    """A case's agenda items across meetings, as far as the viewer may see them; logged."""
    items = list(_agenda_rows(agenda_item_visible(viewer).filter(case_id=case_id)).order_by("meeting__scheduled_at"))
    if items:
        access_log_write(actor=viewer, action=AccessAction.VIEW, record_type="case_meeting_items",
                         record_id=case_id, resident_id=items[0].case.resident_id,
                         context=with_default_purpose(context, "사례의 통합지원회의 안건 조회"),
                         in_caseload=items[0].case.manager_id == viewer.pk)
    else:
        resident_id = Case.objects.filter(pk=case_id).values_list("resident_id", flat=True).first()
        if resident_id is None:  # as for a case out of scope: the answer must not tell which ids exist
            raise NotFound(MeetingErrorCode.AGENDA_ITEM_NOT_FOUND)
        if not case_visible(viewer).filter(pk=case_id).exists():
            access_log_write(actor=viewer, action=AccessAction.DENIED, record_type="case_meeting_items",
                             record_id=case_id, resident_id=resident_id, context=context)
            raise NotFound(MeetingErrorCode.AGENDA_ITEM_NOT_FOUND)
    return items


def latest_plan_version() -> Subquery:
    return Subquery(SupportPlan.objects.filter(case=OuterRef("pk")).order_by("-version").values("version")[:1])


def plan_pending_q() -> Q:
    """A case waiting for plan approval: decided without a plan, or its latest plan version not yet
    approved by an integrated support meeting. Needs the ``latest_plan`` annotation."""
    approved = AgendaItem.objects.filter(case=OuterRef("pk"), decision=Decision.APPROVE_PLAN,
                                         plan_version=OuterRef("latest_plan"))
    return Q(status=CaseStatus.DECIDED) | (Q(status=CaseStatus.IN_SERVICE, latest_plan__isnull=False)
                                           & ~Q(Exists(approved)))


def escalated_q() -> Q:
    """Escalated by a dong meeting and not decided by a city-level meeting since. Needs ``escalated_at``."""
    decided_since = AgendaItem.objects.filter(case=OuterRef("pk"), meeting__dong__isnull=True,
                                              decided_at__gt=OuterRef("escalated_at"))
    return Q(escalated_at__isnull=False) & ~Q(Exists(decided_since))


def escalated_at() -> Subquery:
    return Subquery(AgendaItem.objects.filter(case=OuterRef("pk"), decision=Decision.ESCALATE)
                    .order_by("-decided_at").values("decided_at")[:1])


def case_escalation_pending(case: Case) -> bool:
    return Case.objects.filter(pk=case.pk).annotate(escalated_at=escalated_at()).filter(escalated_q()).exists()


def agenda_reason_for(case: Case, *, plan_pending: bool, escalated: bool = False) -> AgendaReason:
    if escalated:
        return AgendaReason.ESCALATED
    if case.meeting_requested and not case.meeting_outcome:
        return AgendaReason.MARKED
    return AgendaReason.PLAN_PENDING if plan_pending else AgendaReason.OTHER


@dataclass(frozen=True)
class Candidate:
    case: Case
    reason: AgendaReason


CANDIDATE_LIMIT = 100


def agenda_candidates(*, viewer: User, meeting: Meeting, context: AccessContext,
                      limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
    """Cases the viewer could put on this meeting's agenda: in scope, open, in the meeting's dong (if it has
    one), marked for a meeting without an outcome yet, waiting for plan approval, or (for a city-level meeting)
    escalated by a dong meeting; and not already on the agenda of a meeting whose minutes are unsigned.
    Escalated and marked cases first."""
    pending_elsewhere = AgendaItem.objects.filter(case=OuterRef("pk"), meeting__status=MeetingStatus.SCHEDULED)
    wanted = Q(meeting_requested=True, meeting_outcome="") | plan_pending_q()
    if meeting.dong_id is None:
        wanted |= escalated_q()
    qs = (case_visible(viewer).exclude(status=CaseStatus.CLOSED)
          .annotate(latest_plan=latest_plan_version(), escalated_at=escalated_at())
          .filter(wanted).exclude(Exists(pending_elsewhere)))
    if meeting.dong_id:
        qs = qs.filter(dong_id=meeting.dong_id)
    cases = list(qs.select_related("resident", "dong", "manager__staff")
                 .order_by(F("escalated_at").desc(nulls_last=True), "-meeting_requested", "opened_at")[:limit])
    city_decided = set(AgendaItem.objects.filter(case__in=[c.pk for c in cases], meeting__dong__isnull=True)
                       .exclude(decided_at=None).values_list("case_id", "decided_at"))
    log_list(viewer=viewer, context=with_default_purpose(context, f"통합지원회의 #{meeting.pk} 안건 구성"),
             record_type="meeting_candidates", record_id=meeting.pk, resident_ids=[c.resident_id for c in cases])
    approved = set(AgendaItem.objects.filter(case__in=[c.pk for c in cases], decision=Decision.APPROVE_PLAN)
                   .values_list("case_id", "plan_version"))
    return [Candidate(case=c, reason=agenda_reason_for(
        c, plan_pending=c.status == CaseStatus.DECIDED or (
            c.status == CaseStatus.IN_SERVICE and (c.pk, c.latest_plan) not in approved),
        escalated=meeting.dong_id is None and c.escalated_at is not None and not any(
            cid == c.pk and at > c.escalated_at for cid, at in city_decided))) for c in cases]


# Action items -----------------------------------------------------------------------------------

def action_item_visible(viewer: User) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(Q(meeting__in=meeting_visible(viewer)) | Q(owner=viewer))


def action_item_get(*, viewer: User, item_id: int) -> ActionItem:
    item = action_item_visible(viewer).select_related("meeting__council", "owner__staff").filter(pk=item_id).first()
    if item is None:
        raise NotFound(MeetingErrorCode.ACTION_ITEM_NOT_FOUND)
    return item


def meeting_action_items(*, meeting: Meeting) -> QuerySet[ActionItem]:
    return meeting.action_items.select_related("owner__staff", "done_by__staff")


@dataclass(frozen=True)
class OwnerOverdue:
    owner: User
    items: list[ActionItem]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def oldest_due(self) -> dt.date:
        return min(i.due_on for i in self.items)


def action_items_overdue_by_owner(*, viewer: User, today: dt.date | None = None,
                                  owner_id: int | None = None) -> list[OwnerOverdue]:
    """Open action items past their due date, grouped by owner, most overdue first."""
    today = today or timezone.localdate()
    qs = (action_item_visible(viewer).filter(done_at__isnull=True, due_on__lt=today)
          .select_related("owner__staff", "meeting__council").order_by("owner_id", "due_on", "pk"))
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    groups: dict[int, OwnerOverdue] = {}
    for item in qs:
        groups.setdefault(item.owner_id, OwnerOverdue(owner=item.owner, items=[])).items.append(item)
    return sorted(groups.values(), key=lambda g: (-g.count, g.oldest_due))


def my_open_action_items(*, viewer: User) -> QuerySet[ActionItem]:
    return (ActionItem.objects.filter(owner=viewer, done_at__isnull=True)
            .select_related("meeting__council").order_by("due_on"))



def staff_user_get(*, user_id: int | None) -> User:
    """A staff member to invite, to chair or to own an action item (staff names are not personal data
    of residents)."""
    user = User.objects.select_related("staff").filter(pk=user_id, is_active=True, staff__isnull=False).first()
    if user is None:
        raise DomainError(MeetingErrorCode.OWNER_INVALID)
    return user


def staff_choices() -> QuerySet[User]:
    return (User.objects.filter(is_active=True, staff__isnull=False).exclude(staff__role=Role.AUDITOR)
            .select_related("staff").order_by("staff__role", "staff__display_name"))
