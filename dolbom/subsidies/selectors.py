"""Reads of subsidy programmes and applications. Visibility is enforced here and nowhere else.

- programme officers (ProgrammeOfficer rows: the department that runs it): every application of their
  programmes, and the programme's rules, selection and ledger;
- city integrated-care team: every application (and they may manage every programme);
- dong welfare officer: applications from their dong (the office takes applications on people's behalf);
- case manager: applications from their dong and of their own clients;
- partner worker, auditor, nurse: none.

Programmes, rounds, categories and the public board hold no personal data and are readable by any staff
member (the board by anyone, with counts only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile, role_of, visible_by_role
from dolbom.audit.logged import log_list, logged_get
from dolbom.cases.models import Case
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import NotFound
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import (
    Application,
    ApplicationStatus,
    Category,
    Decision,
    Document,
    Objection,
    ObjectionStatus,
    Pointer,
    Programme,
    ProgrammeOfficer,
    ProgrammeStatus,
    Round,
    RuleSet,
    RuleSetStatus,
    SuggestionStatus,
    WelfareSuggestion,
)

READ_PURPOSE = "지원사업 신청 처리"
LIST_LIMIT = 300
# Statuses that hold a place or money, and those still waiting for a decision.
APPROVED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.COMPLETED, ApplicationStatus.PAID)
PENDING_STATUSES = (ApplicationStatus.RECEIVED, ApplicationStatus.INCOMPLETE, ApplicationStatus.ELIGIBLE,
                    ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED)


# Who may do what ------------------------------------------------------------------------------

_PROGRAMME_IDS = "_dolbom_subsidy_programme_ids"


def officer_programme_ids(user: User) -> list[int]:
    """Asked by the menu, the dashboard and every permission check of a page: read once per user object
    (one per request), as Django keeps a user's permissions; officer_assign forgets it."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, _PROGRAMME_IDS, None)
    if cached is None:
        cached = list(ProgrammeOfficer.objects.filter(user_id=user.pk).values_list("programme_id", flat=True))
        setattr(user, _PROGRAMME_IDS, cached)
    return cached


def officer_programmes_forget(user: User) -> None:
    if hasattr(user, _PROGRAMME_IDS):
        delattr(user, _PROGRAMME_IDS)


def can_manage(user: User, programme: Programme) -> bool:
    """Set rules, run selections, decide: the programme's officers and the city team."""
    return role_of(user) == Role.CITY_TEAM or programme.pk in officer_programme_ids(user)


def can_take_applications(user: User) -> bool:
    return role_of(user) in (Role.DONG_OFFICER, Role.CASE_MANAGER, Role.CITY_TEAM) or bool(officer_programme_ids(user))


def can_see_programmes(user: User) -> bool:
    return profile(user) is not None


def can_point(user: User) -> bool:
    return role_of(user) in (Role.CASE_MANAGER, Role.DONG_OFFICER, Role.CITY_TEAM)


# Scope ---------------------------------------------------------------------------------------

def application_visible(viewer: User) -> QuerySet[Application]:
    officer = Q(programme_id__in=officer_programme_ids(viewer))
    return visible_by_role(
        viewer, Application.objects.all(), kind="subsidy_application", dong="dong_id",
        caseload=Q(resident_id__in=Case.objects.filter(manager=viewer).values("resident_id")),
        # A department officer may hold any role on the ladder; their programmes are theirs to see.
        roles={role: officer for role in Role},
    )


def _in_own_work(viewer: User, application: Application) -> bool:
    return application.programme_id in officer_programme_ids(viewer) or (
        application.resident_id is not None
        and Case.objects.filter(manager=viewer, resident_id=application.resident_id).exists())


def application_get(*, viewer: User, application_id: int, context: AccessContext) -> Application:
    return logged_get(
        application_visible(viewer).select_related("programme", "round", "category", "resident", "dong",
                                                   "rule_set", "household"),
        application_id, viewer=viewer, context=context, record_type="subsidy_application",
        missing=SubsidyErrorCode.APPLICATION_NOT_FOUND, resident="resident_id",
        in_caseload=lambda a: _in_own_work(viewer, a), default_purpose=READ_PURPOSE)


def application_for_write(*, viewer: User) -> QuerySet[Application]:
    """What a service may lock for a write (accounts.scope.lock_in_scope)."""
    return application_visible(viewer)


@dataclass(frozen=True)
class ApplicationFilters:
    programme_id: int | None = None
    round_id: int | None = None
    category_id: int | None = None
    status: str = ""
    dong_id: int | None = None
    query: str = ""  # receipt number
    ids: tuple[int, ...] | None = None  # exactly these (a selection run's order)


def application_list(*, viewer: User, context: AccessContext, filters: ApplicationFilters | None = None,
                     limit: int = LIST_LIMIT) -> list[Application]:
    """A list with names: the residents shown are logged like a search (안전성 확보조치 기준 §8)."""
    f = filters or ApplicationFilters()
    qs = application_visible(viewer).select_related("programme", "round", "category", "dong")
    if f.programme_id:
        qs = qs.filter(programme_id=f.programme_id)
    if f.round_id:
        qs = qs.filter(round_id=f.round_id)
    if f.category_id:
        qs = qs.filter(category_id=f.category_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.dong_id:
        qs = qs.filter(dong_id=f.dong_id)
    if f.query:
        qs = qs.filter(number__icontains=f.query.strip())
    if f.ids is not None:
        qs = qs.filter(pk__in=f.ids)
    rows = list(qs.order_by("rank", "received_at", "pk")[:limit])
    log_list(viewer=viewer, context=context, record_type="subsidy_application_list",
             resident_ids=[a.resident_id for a in rows], record_id=f.programme_id or "")
    return rows


def applications_of_resident(*, viewer: User, resident_id: int) -> list[Application]:
    """For the resident and case pages, whose view is already logged."""
    return list(application_visible(viewer).filter(resident_id=resident_id)
                .select_related("programme", "category").order_by("-received_at"))


def document_get(*, viewer: User, document_id: int, context: AccessContext) -> Document:
    return logged_get(Document.objects.filter(application__in=application_visible(viewer)).select_related(
        "application"), document_id, viewer=viewer, context=context, record_type="subsidy_document",
        missing=SubsidyErrorCode.DOCUMENT_NOT_FOUND, resident="application__resident_id",
        default_purpose=READ_PURPOSE)


def decision_get(*, viewer: User, decision_id: int, context: AccessContext) -> Decision:
    return logged_get(Decision.objects.filter(application__in=application_visible(viewer)).select_related(
        "application__programme", "application__round", "application__category", "rule_set", "decided_by__staff"),
        decision_id, viewer=viewer, context=context, record_type="subsidy_decision",
        missing=SubsidyErrorCode.APPLICATION_NOT_FOUND, resident="application__resident_id",
        default_purpose=READ_PURPOSE)


# Programmes (no personal data) ---------------------------------------------------------------

def programme_list(*, viewer: User | None = None, public: bool = False) -> QuerySet[Programme]:
    qs = Programme.objects.select_related("budget").prefetch_related("categories", "rounds")
    if public:
        qs = qs.exclude(status=ProgrammeStatus.DRAFT)
    return qs


def programme_get(*, code: str, public: bool = False) -> Programme:
    programme = programme_list(public=public).filter(code=code).first()
    if programme is None:
        raise NotFound(SubsidyErrorCode.PROGRAMME_NOT_FOUND)
    return programme


def round_get(*, programme: Programme, number: int) -> Round:
    round = programme.rounds.filter(number=number).first()
    if round is None:
        raise NotFound(SubsidyErrorCode.PROGRAMME_NOT_FOUND)
    return round


def rule_set_in_force(*, programme: Programme, on: dt.date) -> RuleSet | None:
    """The latest published version effective on ``on`` (a decision uses the version of its receipt day)."""
    return (RuleSet.objects.filter(programme=programme, status=RuleSetStatus.PUBLISHED, effective_from__lte=on)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on)).order_by("-version").first())


def rule_set_versions(*, programme: Programme) -> QuerySet[RuleSet]:
    return RuleSet.objects.filter(programme=programme).select_related("created_by__staff").order_by("-version")


def round_open(*, programme: Programme, at: dt.datetime | None = None) -> Round | None:
    at = at or timezone.now()
    return programme.rounds.filter(opens_at__lte=at, closes_at__gte=at, status="open").order_by("number").first()


# The public board (counts only, like the national EV portal) ---------------------------------

@dataclass(frozen=True)
class BoardRow:
    category: Category
    announced: int
    received: int
    selected: int
    approved: int
    remaining: int


def board(*, programme: Programme) -> list[BoardRow]:
    """Announced / received / selected / remaining per category: no names, no one's data."""
    counts = {row["category_id"]: row for row in Application.objects.filter(programme=programme)
              .exclude(status=ApplicationStatus.WITHDRAWN).values("category_id").annotate(
                  received=Count("pk"),
                  selected=Count("pk", filter=Q(status__in=(ApplicationStatus.SELECTED, *APPROVED_STATUSES))),
                  approved=Count("pk", filter=Q(status__in=APPROVED_STATUSES)))}
    rows = []
    for cat in programme.categories.all():
        c = counts.get(cat.pk, {})
        rows.append(BoardRow(category=cat, announced=cat.units_announced, received=c.get("received", 0),
                             selected=c.get("selected", 0), approved=c.get("approved", 0),
                             remaining=max(0, cat.units_announced - c.get("selected", 0))))
    return rows


def status_counts(*, programme: Programme) -> dict[str, int]:
    return dict(Application.objects.filter(programme=programme).values_list("status").annotate(n=Count("pk")))


def amounts_by_status(*, programme: Programme) -> dict[str, int]:
    return {s: int(v or 0) for s, v in Application.objects.filter(programme=programme).values_list("status")
            .annotate(total=Sum("amount"))}


# Care links ---------------------------------------------------------------------------------

def suggestion_list(*, viewer: User, context: AccessContext, open_only: bool = True) -> list[WelfareSuggestion]:
    """The dong welfare team's suggestions: refusals for lack of means, passed on with consent."""
    qs = visible_by_role(viewer, WelfareSuggestion.objects.all(), kind="subsidy_suggestion", dong="dong_id")
    if open_only:
        qs = qs.filter(status=SuggestionStatus.OPEN)
    rows = list(qs.select_related("application__programme", "dong", "resident")[:LIST_LIMIT])
    log_list(viewer=viewer, context=context, record_type="subsidy_suggestion_list",
             resident_ids=[s.resident_id for s in rows])
    return rows


def suggestion_visible(viewer: User) -> QuerySet[WelfareSuggestion]:
    return visible_by_role(viewer, WelfareSuggestion.objects.all(), kind="subsidy_suggestion", dong="dong_id")


def open_suggestion_count(viewer: User) -> int:
    return suggestion_visible(viewer).filter(status=SuggestionStatus.OPEN).count()


def pointers_of_resident(*, resident_id: int) -> list[Pointer]:
    return list(Pointer.objects.filter(resident_id=resident_id).select_related("programme", "created_by__staff"))


def pointer_queue(*, viewer: User) -> QuerySet[Pointer]:
    return visible_by_role(viewer, Pointer.objects.filter(status="open"), kind="subsidy_pointer",
                           dong="resident__dong_id", caseload=Q(created_by=viewer),
                           roles={role: Q(programme_id__in=officer_programme_ids(viewer)) for role in Role}
                           ).select_related("programme", "resident", "created_by__staff")


def open_objections(*, programme: Programme) -> QuerySet[Objection]:
    return Objection.objects.filter(decision__application__programme=programme, status=ObjectionStatus.OPEN)
