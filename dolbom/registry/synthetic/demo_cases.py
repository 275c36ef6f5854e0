"""Demo cases in every step of the Act's workflow, made through the real case services.

Nothing is written to the case tables directly: each case is opened, surveyed, decided, planned,
followed up and closed by the same service functions a dong officer's clicks call, so the demo's
timelines, consents and follow-up dates are exactly what the product would produce. Dates in the past
are passed where a service accepts them (application, survey, decision, plan start, follow-up), so that
some follow-ups are overdue; the services stamp the timeline itself with the current time.

A few hundred cases: a Python loop over cases is fine here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.services import staff_create
from dolbom.areas.selectors import dong_list_valid_on
from dolbom.cases.models import (
    ApplicantType,
    Case,
    CaseOrigin,
    CaseStatus,
    ClosureReason,
    ExOfficioReason,
    FollowUpOutcome,
    NeedLevel,
    ServiceDomain,
)
from dolbom.cases.rules import ADL_ITEMS, IADL_ITEMS
from dolbom.cases.services import (
    Application,
    PlanLine,
    case_application_record,
    case_close,
    case_discover,
    case_open,
    eligibility_decision_record,
    follow_up_record,
    meeting_outcome_note,
    meeting_request,
    plan_create,
    survey_record,
)
from dolbom.registry.models import Resident
from dolbom.registry.synthetic import tables

# Where each scenario stops. The first seven cover every status, so a dozen cases already show all.
SCENARIOS: tuple[str, ...] = (
    "in_service", "discovered", "applied", "surveyed", "decided", "in_service_overdue", "reassessment",
    "closed", "in_service_followed_up", "discovered_discharge", "closed_refusal", "in_service_overdue_meeting",
)

_NEEDS = ("병원동행", "식사지원", "방문간호", "주거환경 개선", "안부확인", "가사지원", "방문진료", "재활운동",
          "정신건강 상담", "일자리 연계", "복약관리", "이동지원")
_DIAGNOSES = ("고혈압", "당뇨", "퇴행성 관절염", "경도 인지장애", "뇌졸중 후유증", "우울증", "만성 폐질환", "골다공증")
_BENEFITS = ("기초연금", "기초생활수급(생계)", "노인맞춤돌봄서비스", "장기요양 재가급여", "장애인활동지원",
             "긴급복지 생계지원", "의료급여")
_HOUSING = ("아파트", "단독주택", "다세대주택", "원룸", "영구임대아파트")
_HOSPITALS = ("전북대학교병원", "예수병원", "대자인병원", "전주병원")
_PLAN_LINES: tuple[tuple[str, str, str, str, str], ...] = (
    (ServiceDomain.MEDICAL, "방문진료", "의사 방문", "월 1회", "전주시 {gu}보건소"),
    (ServiceDomain.MEDICAL, "방문간호", "간호사 방문", "주 1회", "전주 방문간호센터"),
    (ServiceDomain.MEDICAL, "병원동행", "동행 매니저", "월 2회", "전주시 병원동행 서비스"),
    (ServiceDomain.CARE, "재가 요양", "요양보호사 방문", "주 3회 3시간", "{dong} 재가노인복지센터"),
    (ServiceDomain.DAILY_LIVING, "도시락 배달", "배달", "주 5회", "전주시 푸드뱅크"),
    (ServiceDomain.DAILY_LIVING, "안부확인", "AI 안부전화", "주 2회", "전주시 통합돌봄과"),
    (ServiceDomain.HOUSING, "안전손잡이·문턱 제거", "주거환경 개선", "1회", "전주시 주거복지센터"),
    (ServiceDomain.OTHER, "여가·사회참여 프로그램", "복지관 이용", "주 1회", "{gu} 노인복지관"),
)


def ensure_dong_managers(assigned: dict[int, User] | None = None) -> dict[int, User]:
    """One case manager per current dong, reused if present (no usable password: they own demo cases).

    Dongs in ``assigned`` keep the manager given there (the demo's own login, say).
    """
    managers: dict[int, User] = dict(assigned or {})
    for dong in dong_list_valid_on(timezone.localdate()):
        if dong.pk in managers:
            continue
        username = f"cm-{dong.key}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_create(username=username, password=None, display_name=f"{dong.name} 사례관리사",
                                role=Role.CASE_MANAGER, dong=dong)
        managers[dong.pk] = user
    return managers


def _pick_residents(managers_by_dong: dict[int, User], per_dong: int, rng: random.Random) -> dict[int, list[Resident]]:
    """Residents in the Act's target groups first; anyone in the dong if it has too few."""
    busy = Q(cases__status__in=[s for s in CaseStatus if s != CaseStatus.CLOSED])
    targets = Q(is_older=True) | Q(has_severe_disability=True) | Q(has_mental_illness=True) | Q(is_other_target=True)
    picked: dict[int, list[Resident]] = {}
    for dong_id in sorted(managers_by_dong):
        base = Resident.objects.filter(dong_id=dong_id, deceased_on__isnull=True).exclude(busy).select_related("dong")
        pool = list(base.filter(targets).order_by("pk")[: per_dong * 20])
        if len(pool) < per_dong:
            pool += list(base.exclude(targets).order_by("pk")[: per_dong - len(pool)])
        rng.shuffle(pool)
        picked[dong_id] = pool[:per_dong]
    return picked


def _person_name(rng: random.Random) -> str:
    surname = rng.choices([s for s, _ in tables.SURNAMES[:20]], weights=[w for _, w in tables.SURNAMES[:20]])[0]
    return surname + rng.choice(tables.GIVEN_NAMES_FEMALE[2] + tables.GIVEN_NAMES_MALE[2])


def _at(now: dt.datetime, days_ago: int, hour: int = 10) -> dt.datetime:
    moment = timezone.localtime(now - dt.timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return min(moment, now)


class _Builder:
    """Walks one case through the services, with dates counted back from today."""

    def __init__(self, *, actor: User, resident: Resident, rng: random.Random, now: dt.datetime) -> None:
        self.actor, self.resident, self.rng, self.now = actor, resident, rng, now
        self.today = timezone.localdate(now)
        self.case: Case | None = None

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=max(days_ago, 0))

    def discover(self, origin: CaseOrigin) -> None:
        notes = {
            CaseOrigin.CRISIS_DISCOVERY: "위기정보 연계: 단전 예고, 건강보험료 3개월 체납",
            CaseOrigin.COMMUNITY_REFERRAL: "명예사회복지공무원(통장) 제보: 우편물이 쌓이고 인기척 없음",
            CaseOrigin.HOSPITAL_DISCHARGE: f"{self.rng.choice(_HOSPITALS)} 퇴원 예정 통보 (의료사회복지팀)",
        }
        self.case = case_discover(actor=self.actor, resident=self.resident, origin=origin, note=notes[origin],
                                  manager=self.actor)

    def apply(self, days_ago: int, applicant: ApplicantType, reason: ExOfficioReason | str = "") -> None:
        applied_at = _at(self.now, days_ago)
        kwargs: dict = {"applicant_type": applicant, "applied_at": applied_at}
        if applicant == ApplicantType.RELATIVE:
            kwargs |= {"applicant_name": _person_name(self.rng), "applicant_relation": self.rng.choice(("딸", "아들", "배우자", "며느리"))}
        elif applicant == ApplicantType.GUARDIAN:
            kwargs |= {"applicant_name": _person_name(self.rng), "applicant_relation": "성년후견인"}
        elif applicant == ApplicantType.INSTITUTION_STAFF:
            kwargs |= {"applicant_name": _person_name(self.rng),
                       "applicant_relation": f"{self.rng.choice(_HOSPITALS)} 의료사회복지사",
                       "consent_at": applied_at - dt.timedelta(hours=2)}
        elif applicant == ApplicantType.EX_OFFICIO:
            # Act §11(2): explained to the person and consent obtained before the ex officio application.
            kwargs |= {"ex_officio_reason": reason, "explained_at": applied_at - dt.timedelta(days=1),
                       "consent_at": applied_at - dt.timedelta(days=1, hours=-1)}
        application = Application(**kwargs)
        if self.case is None:
            self.case = case_open(actor=self.actor, resident=self.resident, application=application, manager=self.actor)
        else:
            self.case = case_application_record(actor=self.actor, case=self.case, application=application)

    def survey(self, days_ago: int) -> None:
        rng = self.rng
        frail = self.resident.is_older or self.resident.has_severe_disability
        weights = (0.45, 0.35, 0.2) if frail else (0.8, 0.15, 0.05)
        survey_record(
            actor=self.actor, case=self.case, surveyed_on=self.day(days_ago),
            household_environment={"housing": rng.choice(_HOUSING), "lives_alone": self.resident.lives_alone,
                                   "stairs_without_rail": rng.random() < 0.3},
            benefits_received=rng.sample(_BENEFITS, rng.randint(0, 2)),
            adl={k: rng.choices((1, 2, 3), weights=weights)[0] for k in ADL_ITEMS},
            iadl={k: rng.choices((1, 2, 3), weights=weights)[0] for k in IADL_ITEMS},
            health={"diagnoses": rng.sample(_DIAGNOSES, rng.randint(1, 3)), "medications": rng.randint(0, 8)},
            needs=rng.sample(_NEEDS, rng.randint(1, 4)),
            other="",
        )

    def decide(self, days_ago: int) -> None:
        survey = self.case.surveys.order_by("-sequence").first()
        care = (NeedLevel.HIGH if survey.adl_total >= 13 else NeedLevel.MEDIUM if survey.iadl_total >= 16
                else NeedLevel.LOW)
        medical = self.rng.choice((NeedLevel.LOW, NeedLevel.MEDIUM, NeedLevel.MEDIUM, NeedLevel.HIGH))
        decided_on = self.day(days_ago)
        eligibility_decision_record(
            actor=self.actor, case=self.case, decided_on=decided_on,
            physical_function=f"ADL 합계 {survey.adl_total}점, IADL 합계 {survey.iadl_total}점",
            medical_need=", ".join(survey.health.get("diagnoses", [])) + " 관리 필요",
            nutrition=self.rng.choice(("결식 잦음", "식사 준비 어려움", "양호")),
            housing=self.rng.choice(("계단 난간 없음", "욕실 미끄럼 위험", "양호", "난방 불량")),
            other_factors="", medical_need_level=medical, care_need_level=care,
            explanation="판정 결과와 이용 가능한 서비스를 본인에게 설명함",
            explained_at=min(_at(self.now, days_ago, hour=15), self.now),
        )

    def plan(self, days_ago: int) -> None:
        starts = self.day(days_ago)
        gu = self.resident.dong.gu
        lines = [
            PlanLine(domain=d, content=c, method=m, quantity=q, starts_on=starts, ends_on=starts + dt.timedelta(days=180),
                     provider=p.format(gu=gu, dong=self.resident.dong.name))
            for d, c, m, q, p in self.rng.sample(_PLAN_LINES, self.rng.randint(1, 3))
        ]
        plan_create(actor=self.actor, case=self.case, goals="살던 곳에서 안전하고 건강하게 생활", lines=lines,
                    starts_on=starts, provider_linkage="사례관리사가 월 1회 제공기관과 일정 공유",
                    client_opinion="집에서 계속 지내고 싶다", family_opinion="")

    def follow_up(self, days_ago: int, outcome: FollowUpOutcome) -> None:
        note = "서비스 정상 제공, 만족" if outcome == FollowUpOutcome.CONTINUE else "낙상 후 거동 악화: 재판정 필요"
        follow_up_record(actor=self.actor, case=self.case, done_on=self.day(days_ago), outcome=outcome, note=note)

    def meeting(self, outcome: bool) -> None:
        meeting_request(actor=self.actor, case=self.case, reason="여러 기관 서비스 조정 필요")
        if outcome:
            meeting_outcome_note(actor=self.actor, case=self.case, outcome="방문간호와 재가요양 일정 조정, 계획 승인")

    def close(self, reason: ClosureReason) -> None:
        notes = {
            ClosureReason.DEATH: "가족으로부터 사망 통보",
            ClosureReason.ADMITTED: "요양원 입소로 지원 불필요",
            ClosureReason.NO_LONGER_NEEDED: "목표 달성, 자립 생활 가능",
            ClosureReason.REFUSAL: "본인이 서비스를 명시적으로 거부함",
            ClosureReason.OTHER_MINISTRY: "타 시·도 전출",
        }
        case_close(actor=self.actor, case=self.case, reason=reason, note=notes[ClosureReason(reason)])


def _run(b: _Builder, scenario: str, rng: random.Random) -> None:
    applicants = (ApplicantType.SELF, ApplicantType.SELF, ApplicantType.RELATIVE, ApplicantType.GUARDIAN,
                  ApplicantType.INSTITUTION_STAFF)
    if scenario == "discovered":
        b.discover(CaseOrigin.CRISIS_DISCOVERY)
    elif scenario == "discovered_discharge":
        b.discover(CaseOrigin.HOSPITAL_DISCHARGE)
    elif scenario == "applied":
        b.apply(rng.randint(1, 10), rng.choice(applicants))
    elif scenario == "surveyed":
        b.discover(CaseOrigin.HOSPITAL_DISCHARGE)
        b.apply(rng.randint(12, 20), ApplicantType.EX_OFFICIO, ExOfficioReason.HOSPITAL_DISCHARGE)
        b.survey(rng.randint(3, 10))
    elif scenario == "decided":
        b.apply(rng.randint(25, 40), ApplicantType.GUARDIAN)
        b.survey(rng.randint(15, 22))
        b.decide(rng.randint(1, 10))
    elif scenario in ("in_service", "in_service_overdue", "in_service_overdue_meeting", "in_service_followed_up",
                      "reassessment", "closed"):
        # Overdue: the plan started 100-170 days ago, so the first follow-up (90 days) is past.
        start = {"in_service": rng.randint(5, 40), "in_service_overdue": rng.randint(100, 170),
                 "in_service_overdue_meeting": rng.randint(100, 140), "in_service_followed_up": rng.randint(120, 160),
                 "reassessment": rng.randint(110, 150), "closed": rng.randint(100, 200)}[scenario]
        if scenario == "in_service_overdue":
            b.discover(CaseOrigin.COMMUNITY_REFERRAL)
            b.apply(start + 30, ApplicantType.EX_OFFICIO, ExOfficioReason.CANNOT_LIVE_ALONE)
        elif scenario == "closed" and rng.random() < 0.5:
            b.discover(CaseOrigin.CRISIS_DISCOVERY)
            b.apply(start + 30, ApplicantType.EX_OFFICIO, ExOfficioReason.EMERGENCY_WELFARE)
        else:
            b.apply(start + 30, rng.choice(applicants))
        b.survey(start + 20)
        b.decide(start + 10)
        if scenario in ("in_service_followed_up", "in_service_overdue_meeting"):
            b.meeting(outcome=scenario == "in_service_followed_up")
        b.plan(start)
        if scenario == "in_service_followed_up":
            b.follow_up(start - 85, FollowUpOutcome.CONTINUE)
        elif scenario == "reassessment":
            b.follow_up(start - 88, FollowUpOutcome.CHANGE)
        elif scenario == "closed":
            b.follow_up(start - 80, FollowUpOutcome.CONTINUE)
            b.close(rng.choice((ClosureReason.DEATH, ClosureReason.ADMITTED, ClosureReason.NO_LONGER_NEEDED,
                                ClosureReason.OTHER_MINISTRY)))
    elif scenario == "closed_refusal":
        b.discover(CaseOrigin.COMMUNITY_REFERRAL)
        b.close(ClosureReason.REFUSAL)
    else:  # pragma: no cover - SCENARIOS and this switch are kept together
        raise ValueError(scenario)


@transaction.atomic
def seed_demo_cases(*, managers_by_dong: dict[int, User], rng_seed: int, count: int) -> Counter[str]:
    """Open ``count`` cases spread over the dongs and over every step; returns the count per status.

    Case i goes to dong i mod n and scenario (i div n + dong) mod 12, so every dong gets a mix of steps and
    any twelve consecutive cases cover every status. Each case is worked by its dong's manager, who may
    see the residents of that dong (the services check scope as for any user).
    """
    rng = random.Random(rng_seed)
    dong_ids = sorted(managers_by_dong)
    if not dong_ids or count <= 0:
        return Counter()
    per_dong = -(-count // len(dong_ids))
    residents = _pick_residents(managers_by_dong, per_dong, rng)
    now = timezone.now()
    statuses: Counter[str] = Counter()
    taken = {d: 0 for d in dong_ids}
    for i in range(count):
        d = i % len(dong_ids)
        dong_id = dong_ids[d]
        if taken[dong_id] >= len(residents[dong_id]):
            continue  # a tiny city may have fewer residents in a dong than cases asked for
        resident = residents[dong_id][taken[dong_id]]
        taken[dong_id] += 1
        scenario = SCENARIOS[(i // len(dong_ids) + d) % len(SCENARIOS)]
        builder = _Builder(actor=managers_by_dong[dong_id], resident=resident, rng=rng, now=now)
        _run(builder, scenario, rng)
        builder.case.refresh_from_db(fields=["status"])
        statuses[builder.case.status] += 1
    return statuses
