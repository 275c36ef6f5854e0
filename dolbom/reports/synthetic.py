"""Synthetic activity history for the existing domains: what two years of integrated care would leave in the
tables, so that the dashboards of the demo have months to show and bench/reports.py has a city to measure.

On a registry already generated (``dolbom registry generate-city``), it writes for the ``months`` before
now: cases that move through the Act's steps (timeline events with the same shapes cases/events.py writes,
surveys, eligibility decisions, support plans, follow-ups every 90 days, a reassessment now and then,
closures with a legal reason), consents and referrals to partner institutions with their answers, the
dongs' monthly integrated support meetings with their decisions, home visits, check-in enrolments with
weekly calls and the alerts some calls raise, and bimonthly crisis-discovery cycles with visit lists and
outcomes. Each record counts in the dong it had at the time (a case opened in 금암1동 in 2024 stays there).

Everything is written in one transaction, straight to the tables (reports/bulk.py): the services would
take hours for a full city, and this is test data, marked by its numbers (cases ``YYYY-H…``, cycles "…
(이력)"). Only past events are written: nothing lands in today's work lists except the follow-ups that the
simulated cases really have overdue. A Python loop runs per case (a few thousand at full size); the rows
that come by the hundred thousand (visits, calls) are expanded with numpy.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from dolbom.accounts.models import Role, StaffProfile
from dolbom.accounts.services import staff_create
from dolbom.cases.models import (
    Case,
    CaseEvent,
    EligibilityDecision,
    FollowUp,
    NeedsSurvey,
    SupportPlan,
    SupportPlanLine,
)
from dolbom.checkins.models import Alert, Call, Enrolment
from dolbom.discovery.models import Cycle, VisitListEntry
from dolbom.lib.metrics import month_add
from dolbom.meetings.models import AgendaItem, Meeting
from dolbom.referrals.models import Institution, Referral, Service
from dolbom.registry.models import Consent, Resident
from dolbom.reports.bulk import insert
from dolbom.reports.geography import Geography
from dolbom.visits.models import Visit

DAY = dt.timedelta(days=1)
# A small partner catalogue for a registry without one (the benchmark's city): category, institution kind.
CATALOGUE = [("A02", "home_nursing_agency", "방문간호"), ("A01", "clinic", "방문진료"), ("B01", "home_care_agency", "방문요양"),
             ("C02", "meal_delivery", "식사 배달"), ("C03", "welfare_centre", "병원동행"), ("D01", "housing_repair", "집수리"),
             ("E02", "senior_welfare_centre", "안부 확인 전화"), ("F02", "mental_health_centre", "정서 지원·상담")]
CLOSURE_REASONS = (["no_longer_needed"] * 55 + ["admitted"] * 20 + ["death"] * 12 + ["refusal"] * 13)
OUTCOMES = (["supported_public"] * 40 + ["supported_private"] * 18 + ["closed_counselled"] * 15 + ["not_target"] * 10
            + ["rejected"] * 3 + ["no_contact"] * 5 + ["empty_house"] * 3 + ["moved"] * 3 + ["long_hospital"] * 2
            + ["investigating"] * 1)


@dataclass
class Result:
    counts: dict[str, int]
    seconds: float


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), timezone.get_current_timezone())


class Table:
    """Rows for one model, with every concrete field filled (explicit value, the field's default, or NULL/"")."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.rows: list[list[Any]] = []
        self._defaults = {}
        now = timezone.now()
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = now
            elif f.default is not NOT_PROVIDED:
                value = f.default() if callable(f.default) else f.default
            elif f.null:
                value = None
            else:
                value = ""
            self._defaults[f.attname] = value

    def add(self, **values: Any) -> None:
        self.rows.append([values.get(f.attname, self._defaults[f.attname]) for f in self.fields])

    def write(self) -> int:
        if not self.rows:
            return 0
        pk = self.model._meta.pk
        position = self.fields.index(pk)
        if all(row[position] == "" for row in self.rows):  # no id given: the database numbers the rows
            fields = [f for f in self.fields if f is not pk]
            rows: Any = (row[:position] + row[position + 1:] for row in self.rows)
        else:
            fields, rows = self.fields, self.rows
        return insert(self.model, [f.name for f in fields], rows)


def _next_id(model: type[models.Model]) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _managers(geo: Geography, today: dt.date, out: TextIO | None) -> dict[int, User]:
    """A case manager per dong valid today: the dong's own, or one made for the history."""
    found: dict[int, User] = {}
    for p in StaffProfile.objects.filter(role=Role.CASE_MANAGER, dong__isnull=False).select_related("user"):
        found.setdefault(p.dong_id, p.user)
    for dong_id in geo.base(today):
        if dong_id not in found:
            dong = geo.dongs[dong_id]
            username = f"hist-{dong.key}"
            # No password: the history's case managers are names on old records, not logins.
            user = User.objects.filter(username=username).first() or staff_create(
                username=username, password=None, display_name=f"{dong.name} 사례관리(이력)",
                role=Role.CASE_MANAGER, dong=_dong(dong_id))
            found[dong_id] = user
    return found


def _dong(dong_id: int):
    from dolbom.areas.models import Dong

    return Dong.objects.get(pk=dong_id)


def _services(rng: np.random.Generator) -> list[tuple[int, int, str]]:
    """(service id, institution id, institution code) of the active services, made when there are none."""
    rows = list(Service.objects.filter(active=True).values_list("pk", "institution_id", "institution__code"))
    if rows:
        return rows
    now = timezone.now()
    for i, (category, kind, name) in enumerate(CATALOGUE):
        inst = Institution.objects.create(code=f"HIST-{i:03d}", name=f"전주 {name} 센터(이력)", kind=kind, updated_at=now)
        Service.objects.create(institution=inst, code=f"HIST-SV-{i:03d}", name=name, category_code=category,
                               citywide=True, capacity=int(rng.integers(20, 200)), updated_at=now)
    return list(Service.objects.filter(active=True).values_list("pk", "institution_id", "institution__code"))


def generate_activity(*, months: int = 24, seed: int = 20260327, rate: float = 1.0,
                      out: TextIO | None = None) -> Result:
    """Write the history (see the module's docstring). ``rate`` scales every kind of activity."""
    import time

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    now = timezone.now()
    today = timezone.localdate()
    start = month_add(today.replace(day=1), -months)
    geo = Geography.load()
    managers = _managers(geo, today, out)
    services = _services(rng)
    residents = list(Resident.objects.filter(deceased_on__isnull=True).values_list(
        "pk", "household_id", "household__area__original_dong_id", "birth_date", "sex", "is_older",
        "has_severe_disability", "has_mental_illness", "lives_alone", "name"))
    if not residents:
        return Result({}, 0.0)
    taken = set(Case.objects.values_list("resident_id", flat=True))
    ids = np.array([r[0] for r in residents])
    age = np.array([(today - r[3]).days / 365.25 for r in residents])
    weight = np.where(age >= 65, np.where([r[8] for r in residents], 12.0, 5.0),
                      np.where(np.array([r[6] or r[7] for r in residents]), 3.0, 0.15))
    weight = np.where(np.isin(ids, list(taken)), 0.0, weight)
    households = len({r[1] for r in residents})
    n_cases = min(int(round(rate * households * 0.02 * months / 12)), int((weight > 0).sum()))
    chosen = rng.choice(len(residents), size=n_cases, replace=False, p=weight / weight.sum())
    # Opening dates: more cases lately (the programme grows), none in the last week.
    span = (now - dt.timedelta(days=7) - _local(start, 9)).total_seconds()
    # Density rising linearly to 1.6 times its start: x = F⁻¹(u) of f(x) = (1 + 0.6x) / 1.3 on [0, 1].
    frac = np.clip((-1 + np.sqrt(1 + 1.56 * rng.random(n_cases))) / 0.6, 0, 1)
    opened = [_local(start, 9) + dt.timedelta(seconds=float(s)) for s in np.sort(frac) * span]
    rng.shuffle(chosen)

    tables = {m: Table(m) for m in (Consent, Case, CaseEvent, NeedsSurvey, EligibilityDecision, SupportPlan,
                                    SupportPlanLine, FollowUp, Referral, Meeting, AgendaItem, Visit, Enrolment, Call,
                                    Alert, Cycle, VisitListEntry)}
    next_ids = {m: _next_id(m) for m in tables}

    def new_id(model: type[models.Model]) -> int:
        value = next_ids[model]
        next_ids[model] += 1
        return value

    plans_by_dong_month: dict[tuple[int, dt.date], list[tuple[int, User, dt.datetime, int]]] = defaultdict(list)
    serving: list[tuple[int, int, int, int, User, dt.datetime, dt.datetime, str, str]] = []
    for k, idx in enumerate(chosen):
        rid, household_id, area_dong, _birth, sex, _older, _dis, _men, _alone, name = residents[int(idx)]
        t0 = opened[k]
        dong_id = geo.resolve(area_dong, t0.date()) or area_dong
        manager = managers.get(geo.resolve(dong_id, today) or dong_id) or next(iter(managers.values()))
        sim = _CaseHistory(tables, new_id, rng, now, new_id(Case), manager, geo.name(dong_id))
        sim.run(rid, t0)
        if sim.plan_at is not None:
            plans_by_dong_month[(dong_id, sim.plan_at.date().replace(day=1))].append(
                (sim.case_id, manager, sim.plan_at, sim.plan_version))
            serving.append((sim.case_id, rid, household_id, dong_id, manager, sim.plan_at, sim.closed_at or now,
                            str(sex), str(name)))
        sim.write(rid, dong_id, t0)

    _referrals(tables, new_id, serving, services, rng, now)
    _meetings(tables, new_id, plans_by_dong_month, geo, managers, start, today, rng, now)
    _visits(tables, serving, rng, today)
    _checkins(tables, new_id, serving, rng, now)
    _discovery(tables, new_id, residents, geo, managers, start, today, rate, rng, now)

    counts: dict[str, int] = {}
    with transaction.atomic():
        for model, table in tables.items():
            counts[model._meta.label] = table.write()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(tables)):
                    cursor.execute(sql)
    if out is not None:
        out.write("활동 이력: " + ", ".join(f"{k.split('.')[1]} {v:,}" for k, v in counts.items() if v) + "\n")
    return Result(counts, time.perf_counter() - started)


class _CaseHistory:
    """One simulated case: its steps from opening to now (or closure), as rows of the case tables."""

    def __init__(self, tables: dict, new_id, rng: np.random.Generator, now: dt.datetime, case_id: int,
                 manager: User, dong_name: str) -> None:
        self.tables, self.new_id, self.rng, self.now = tables, new_id, rng, now
        self.case_id, self.manager, self.dong_name = case_id, manager, dong_name
        self.events: list[tuple[dt.datetime, str, dict, dict]] = []
        self.status = ""
        self.origin = ""
        self.applied_at: dt.datetime | None = None
        self.consent_id: int | None = None
        self.closed_at: dt.datetime | None = None
        self.closure_reason = ""
        self.first_plan: dt.date | None = None
        self.due: dt.date | None = None
        self.plan_at: dt.datetime | None = None
        self.plan_version = 0
        self.survey_seq = 0

    def step(self, at: dt.datetime, type_: str, new_status: str, **extra: Any) -> None:
        self.events.append((at, type_, {"status": self.status}, {"status": new_status, **extra}))
        self.status = new_status

    def plan_cycle(self, at: dt.datetime) -> dt.datetime:
        """Needs survey, eligibility decision and a support plan from ``at``; returns the plan's time."""
        rng, t = self.rng, self.tables
        self.survey_seq += 1
        at = at + dt.timedelta(days=float(rng.exponential(9)) + 1)
        survey_id = self.new_id(NeedsSurvey)
        adl, iadl = int(rng.integers(7, 21)), int(rng.integers(10, 31))
        t[NeedsSurvey].add(id=survey_id, case_id=self.case_id, sequence=self.survey_seq, surveyed_on=at.date(),
                           surveyed_by_id=self.manager.pk, adl_total=adl, iadl_total=iadl,
                           needs=["안부확인", "식사지원"], created_at=at)
        self.step(at, "survey_recorded", "surveyed", survey_id=survey_id, sequence=self.survey_seq, adl_total=adl,
                  iadl_total=iadl)
        at = at + dt.timedelta(days=float(rng.exponential(6)) + 1)
        decision_id = self.new_id(EligibilityDecision)
        t[EligibilityDecision].add(
            id=decision_id, case_id=self.case_id, sequence=self.survey_seq, survey_id=survey_id, decided_on=at.date(),
            decided_by_id=self.manager.pk, physical_function="보행 시 보조 필요", medical_need="만성질환 관리",
            nutrition="결식 잦음", housing="안전 손잡이 필요", medical_need_level="medium", care_need_level="high",
            explanation="판정 결과를 본인에게 설명함", explained_at=at, created_at=at)
        self.step(at, "decision_recorded", "decided", decision_id=decision_id, medical_need_level="medium",
                  care_need_level="high")
        at = at + dt.timedelta(days=float(rng.exponential(6)) + 1)
        self.plan_version += 1
        plan_id = self.new_id(SupportPlan)
        t[SupportPlan].add(id=plan_id, case_id=self.case_id, version=self.plan_version, decision_id=decision_id,
                           goals="혼자서도 안전하게 생활", starts_on=at.date(), created_by_id=self.manager.pk,
                           created_at=at)
        t[SupportPlanLine].add(plan_id=plan_id, position=1, domain="medical", content="방문간호", method="간호사 방문",
                               quantity="월 2회", starts_on=at.date(), ends_on=at.date() + dt.timedelta(days=180),
                               provider="전주 방문간호센터")
        self.first_plan = self.first_plan or at.date()
        self.due = at.date() + dt.timedelta(days=90)
        self.step(at, "plan_created", "in_service", plan_id=plan_id, version=self.plan_version, lines=1,
                  next_follow_up_due=self.due.isoformat())
        return at

    def run(self, resident_id: int, t0: dt.datetime) -> None:
        rng = self.rng
        self.origin = str(rng.choice(["application"] * 65 + ["crisis_discovery"] * 20 + ["community_referral"] * 10
                                     + ["hospital_discharge"] * 5))
        self.status = "discovered" if self.origin != "application" else "applied"
        t = t0
        if self.status == "discovered":
            self.events.append((t, "discovered", {}, {"origin": self.origin, "dong": self.dong_name}))
            t = t + dt.timedelta(days=float(rng.exponential(6)) + 0.5)
            if rng.random() < 0.1:
                self.closed_at, self.closure_reason = t + dt.timedelta(days=14), "refusal"
        if self.closed_at is None:
            self.applied_at = t
            self.consent_id = self.new_id(Consent)
            self.tables[Consent].add(id=self.consent_id, resident_id=resident_id, purpose="case_management",
                                     recipient="전주시 (통합돌봄)", given_at=t, recorded_by_id=self.manager.pk)
            self.step(t, "application_recorded", "applied", applicant_type="self", applied_at=t.isoformat(),
                      consent_id=self.consent_id)
            self._serve(t)
        if self.closed_at is not None and self.closed_at < self.now:
            self.events.append((self.closed_at, "closed", {"status": self.status},
                                {"status": "closed", "closure_reason": self.closure_reason}))
            self.status = "closed"

    def _serve(self, t: dt.datetime) -> None:
        rng = self.rng
        self.plan_at = self.plan_cycle(t)
        end_at = self.plan_at + dt.timedelta(days=float(rng.lognormal(np.log(240), 0.6)))
        reassessed = False
        while self.due is not None and self.status == "in_service":
            done = self.due + dt.timedelta(days=int(np.clip(rng.normal(-3, 12), -30, 45)))
            done_at = _local(done, 15)
            if done_at >= end_at or done_at >= self.now:
                break
            change = not reassessed and rng.random() < 0.08
            self.tables[FollowUp].add(case_id=self.case_id, due_on=self.due, done_on=done,
                                      done_by_id=self.manager.pk, outcome="change" if change else "continue",
                                      note="모니터링 실시", created_at=done_at)
            if change:
                reassessed = True
                self.step(done_at, "follow_up_recorded", "reassessment", outcome="change", next_follow_up_due=None)
                self.due = None
                # The services go on at least a month after the new plan: a case is not closed mid-reassessment.
                end_at = max(end_at, self.plan_cycle(done_at) + dt.timedelta(days=30))
            else:
                self.due = done + dt.timedelta(days=90)
                self.step(done_at, "follow_up_recorded", "in_service", outcome="continue",
                          next_follow_up_due=self.due.isoformat())
        if end_at < self.now and self.status == "in_service":
            self.closed_at, self.closure_reason = end_at, str(rng.choice(CLOSURE_REASONS))

    def write(self, resident_id: int, dong_id: int, t0: dt.datetime) -> None:
        for at, type_, old, new in self.events:
            if at < self.now:
                self.tables[CaseEvent].add(case_id=self.case_id, type=type_, actor_id=self.manager.pk, at=at,
                                           old=old, new=new, note="")
        closed = self.status == "closed"
        self.tables[Case].add(
            id=self.case_id, number=f"{t0:%Y}-H{self.case_id:06d}", resident_id=resident_id, dong_id=dong_id,
            manager_id=self.manager.pk, status=self.status, origin=self.origin, applied_at=self.applied_at,
            applicant_type="self" if self.applied_at else "", explained_at=self.applied_at, consent_id=self.consent_id,
            first_plan_on=self.first_plan, next_follow_up_due=self.due if self.status == "in_service" else None,
            closed_at=self.closed_at if closed else None, closure_reason=self.closure_reason if closed else "",
            opened_at=t0, updated_at=self.now)


def _referrals(tables: dict, new_id, serving: list, services: list, rng: np.random.Generator,
               now: dt.datetime) -> None:
    for case_id, rid, _household, _dong, manager, plan_at, until, _sex, _name in serving:
        for _ in range(1 + int(rng.poisson(0.8))):
            created = plan_at + dt.timedelta(hours=float(rng.exponential(48)) + 1)
            if created >= now:
                continue
            service_id, institution_id, code = services[int(rng.integers(len(services)))]
            consent_id = new_id(Consent)
            # Consent to share with that institution (Act; PIPA §17), by its stable code as the product records it.
            tables[Consent].add(id=consent_id, resident_id=rid, purpose="information_sharing",
                                recipient=code, recipient_code=code,
                                given_at=created, recorded_by_id=manager.pk)
            respond_by = (created + dt.timedelta(days=7)).date()
            row: dict[str, Any] = dict(case_id=case_id, service_id=service_id, institution_id=institution_id,
                                       consent_id=consent_id, created_by_id=manager.pk, created_at=created,
                                       respond_by=respond_by, status="requested")
            answered = None if rng.random() < 0.05 else created + dt.timedelta(hours=float(rng.exponential(40)) + 0.5)
            if answered is not None and answered < now:
                row["responded_at"] = answered
                if rng.random() < 0.12:
                    row.update(status="declined", decline_reason="정원이 차서 받을 수 없음")
                else:
                    row.update(status="started", started_on=(answered + dt.timedelta(days=3)).date())
            if until < now and row["status"] in ("requested", "started"):
                row.update(status="ended", ended_at=until, end_reason="case_closed")
            tables[Referral].add(**row)


def _meetings(tables: dict, new_id, plans: dict, geo: Geography, managers: dict, start: dt.date, today: dt.date,
              rng: np.random.Generator, now: dt.datetime) -> None:
    month = start
    while month < today.replace(day=1):
        # The third Thursday of the month, 14:00.
        first = month
        thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14)
        at = _local(thursday, 14)
        for dong_id in geo.base(month_add(month, 1) - DAY):
            manager = managers.get(geo.resolve(dong_id, today) or dong_id) or next(iter(managers.values()))
            meeting_id = new_id(Meeting)
            tables[Meeting].add(id=meeting_id, kind="integrated_support", title=f"{geo.name(dong_id)} 통합지원회의",
                                dong_id=dong_id, scheduled_at=at, place=f"{geo.name(dong_id)} 행정복지센터",
                                status="signed" if at < now else "scheduled", minutes="안건별 결정 사항 기록",
                                signed_at=at + dt.timedelta(hours=3) if at < now else None,
                                signed_by_id=manager.pk if at < now else None, created_by_id=manager.pk,
                                created_at=at - dt.timedelta(days=10))
            previous = plans.get((dong_id, month_add(month, -1)), [])
            position = 0
            for case_id, case_manager, plan_at, version in previous:
                if rng.random() < 0.3 and at < now:
                    position += 1
                    tables[AgendaItem].add(meeting_id=meeting_id, case_id=case_id, position=position,
                                           reason="plan_pending", added_by_id=case_manager.pk,
                                           added_at=plan_at + DAY, decision=str(rng.choice(
                                               ["approve_plan"] * 7 + ["change_plan", "add_services", "escalate"])),
                                           decision_note="회의 결정", plan_version=version,
                                           decided_by_id=manager.pk, decided_at=at + dt.timedelta(hours=1))
        month = month_add(month, 1)


def _visits(tables: dict, serving: list, rng: np.random.Generator, today: dt.date) -> None:
    """Home visits every two weeks or so while a case is in service; only days already past."""
    kinds = np.array(["home_nursing", "follow_up", "home_medical", "care_check"])
    skills = {"home_nursing": "nurse", "home_medical": "nurse", "follow_up": "case_manager", "care_check": "social_worker"}
    for case_id, _rid, household_id, _dong, manager, plan_at, until, _sex, _name in serving:
        first = plan_at.date() + dt.timedelta(days=int(rng.integers(3, 15)))
        last = min(until.date(), today - DAY)
        if first > last:
            continue
        n = max(0, (last - first).days // 14)
        offsets = np.cumsum(rng.integers(10, 19, size=n + 1)) - 10
        offsets = offsets[offsets <= (last - first).days]
        if not len(offsets):
            continue
        kind = kinds[rng.integers(len(kinds), size=len(offsets))]
        status = rng.choice(np.array(["done"] * 88 + ["not_home"] * 7 + ["rescheduled"] * 5), size=len(offsets))
        for off, k, s in zip(offsets.tolist(), kind.tolist(), status.tolist(), strict=True):
            due = first + dt.timedelta(days=off)
            tables[Visit].add(case_id=case_id, household_id=household_id, visit_type=k, skill=skills[k],
                              duration_minutes=40, window_start=dt.time(9), window_end=dt.time(17), priority=2,
                              due_on=due, status=s, outcome_at=_local(due, 11), outcome_by_id=manager.pk,
                              outcome_note="", created_by_id=manager.pk, created_at=_local(due - 7 * DAY, 9))


def _checkins(tables: dict, new_id, serving: list, rng: np.random.Generator, now: dt.datetime) -> None:
    """A third of the clients in service get weekly check-in calls; some calls raise an alert."""
    for case_id, rid, _household, dong_id, manager, plan_at, until, _sex, name in serving:
        if rng.random() > 0.35:
            continue
        enrolled = plan_at + dt.timedelta(days=10)
        if enrolled >= now:
            continue
        enrolment_id = new_id(Enrolment)
        stopped = until < now
        tables[Enrolment].add(id=enrolment_id, case_id=case_id, resident_id=rid,
                              status="stopped" if stopped else "active", frequency="weekly",
                              weekday=int(enrolled.weekday()), window_start=dt.time(10), window_end=dt.time(12),
                              preferred_name=name[1:] if len(name) > 1 else name,
                              honorific="어르신", topics=["health", "meals", "sleep"], opted_out=[],
                              enrolled_by_id=manager.pk, created_at=enrolled, updated_at=until if stopped else now)
        end = min(until, now - dt.timedelta(hours=2))
        weeks = int((end - enrolled).total_seconds() // (7 * 86400))
        if weeks <= 0:
            continue
        statuses = rng.choice(np.array(["completed"] * 86 + ["missed"] * 11 + ["cancelled"] * 3), size=weeks)
        minutes = rng.integers(0, 110, size=weeks)
        for w, (s, m) in enumerate(zip(statuses.tolist(), minutes.tolist(), strict=True)):
            due_at = enrolled + dt.timedelta(days=7 * (w + 1), minutes=m)
            call_id = new_id(Call)
            tables[Call].add(id=call_id, enrolment_id=enrolment_id, dong_id=dong_id, kind="routine", status=s,
                             channel="voice", due_at=due_at, attempts=1 if s == "completed" else 3,
                             started_at=due_at if s == "completed" else None,
                             ended_at=due_at + dt.timedelta(minutes=6) if s == "completed" else None,
                             summary="안부 확인 완료" if s == "completed" else "", created_at=due_at - DAY)
            if s == "completed" and rng.random() < 0.04:
                created = due_at + dt.timedelta(minutes=7)
                ack = created + dt.timedelta(minutes=float(rng.exponential(25)) + 1)
                severity = str(rng.choice(["high"] * 2 + ["medium"] * 4 + ["low"] * 4))
                tables[Alert].add(case_id=case_id, dong_id=dong_id, call_id=call_id,
                                  kind=str(rng.choice(["health", "meals", "sleep", "mood"])), severity=severity,
                                  excerpt="", status="closed", created_at=created, acknowledged_at=ack,
                                  acknowledged_by_id=manager.pk, acted_at=ack + dt.timedelta(hours=2),
                                  action_note="전화로 확인함", closed_at=ack + DAY, closed_by_id=manager.pk,
                                  close_note="확인 완료")


def _discovery(tables: dict, new_id, residents: list, geo: Geography, managers: dict, start: dt.date,
               today: dt.date, rate: float, rng: np.random.Generator, now: dt.datetime) -> None:
    """A national crisis-discovery cycle every second month, with its visit lists and outcomes."""
    heads: dict[int, tuple[int, int, float]] = {}
    for r in residents:
        rid, household_id, area_dong, birth, _sex, _older, _dis, _men, alone, _name = r
        age = (today - birth).days / 365.25
        score = (3.0 if age >= 65 else 1.0) * (2.0 if alone else 1.0)
        if household_id not in heads or score > heads[household_id][2]:
            heads[household_id] = (rid, area_dong, score)
    household_ids = np.array(list(heads))
    weights = np.array([heads[h][2] for h in household_ids])
    weights = weights / weights.sum()
    per_cycle = min(len(household_ids), max(1, int(round(rate * len(household_ids) * 0.005))))
    any_manager = next(iter(managers.values()))
    month = start
    while month < today.replace(day=1):
        cycle_id = new_id(Cycle)
        due_on = month_add(month, 1) + dt.timedelta(days=14)
        tables[Cycle].add(id=cycle_id, name=f"{month:%Y년 %m월} 정기 발굴 (이력)", kind="national", starts_on=month,
                          due_on=due_on, households_per_worker_limit=550, created_by_id=any_manager.pk,
                          created_at=_local(month, 9), scored_at=_local(month, 10), scored_by_id=any_manager.pk)
        picked = rng.choice(len(household_ids), size=per_cycle, replace=False, p=weights)
        outcomes = rng.choice(np.array(OUTCOMES), size=per_cycle)
        finished = _local(due_on, 18) < now
        ranks: dict[int, int] = defaultdict(int)
        for i, outcome in zip(picked.tolist(), outcomes.tolist(), strict=True):
            household_id = int(household_ids[i])
            rid, area_dong, _score = heads[household_id]
            dong_id = geo.resolve(area_dong, month) or area_dong
            ranks[dong_id] += 1
            done = finished or rng.random() < 0.5
            manager = managers.get(geo.resolve(dong_id, today) or dong_id, any_manager)
            at = _local(month + dt.timedelta(days=int(rng.integers(5, 40))), 16)
            tables[VisitListEntry].add(cycle_id=cycle_id, dong_id=dong_id, household_id=household_id, resident_id=rid,
                                       source="model", rank=ranks[dong_id], score=float(rng.random()),
                                       probability=float(rng.random()), reasons=["단전·단수", "건강보험료 체납"],
                                       listed_at=_local(month, 10), outcome=outcome if done and at < now else "",
                                       outcome_at=at if done and at < now else None,
                                       outcome_by_id=manager.pk if done and at < now else None)
        month = month_add(month, 2)


def add_recent_events(*, count: int = 1000, seed: int = 7) -> dict[str, int]:
    """``count`` new records in the current month (calls, visits, alerts, case steps), as a day's work would
    add them: what the incremental refresh has to pick up (bench/reports.py)."""
    rng = np.random.default_rng(seed)
    now = timezone.now()
    today = timezone.localdate()
    enrolments = list(Enrolment.objects.filter(status="active").values_list("pk", "case_id", "case__dong_id")[:5000])
    cases = list(Case.objects.filter(status="in_service").values_list("pk", "manager_id", "resident__household_id",
                                                                      "next_follow_up_due")[:5000])
    calls, visits, alerts, events = Table(Call), Table(Visit), Table(Alert), Table(CaseEvent)
    for i in range(count):
        kind = i % 4
        at = now - dt.timedelta(minutes=int(rng.integers(1, 600)))
        if kind in (0, 1) and enrolments:
            pk, case_id, dong_id = enrolments[int(rng.integers(len(enrolments)))]
            status = "completed" if rng.random() < 0.87 else "missed"
            calls.add(enrolment_id=pk, dong_id=dong_id, kind="routine", status=status, channel="voice", due_at=at,
                      attempts=1, created_at=at)
            if kind == 1 and rng.random() < 0.2:
                alerts.add(case_id=case_id, dong_id=dong_id, kind="health", severity="medium", status="open",
                           created_at=at)
        elif kind == 2 and cases:
            case_id, manager_id, household_id, _due = cases[int(rng.integers(len(cases)))]
            visits.add(case_id=case_id, household_id=household_id, visit_type="follow_up", skill="case_manager",
                       duration_minutes=40, window_start=dt.time(9), window_end=dt.time(17), priority=2,
                       due_on=today, status="done", outcome_at=at, outcome_by_id=manager_id,
                       created_by_id=manager_id, created_at=at)
        elif cases:
            case_id, manager_id, _household, _due = cases[int(rng.integers(len(cases)))]
            due = (today + dt.timedelta(days=90)).isoformat()
            events.add(case_id=case_id, type="follow_up_recorded", actor_id=manager_id, at=at,
                       old={"status": "in_service"}, new={"status": "in_service", "outcome": "continue",
                                                          "next_follow_up_due": due}, note="")
    with transaction.atomic():
        written = {t.model._meta.label: t.write() for t in (calls, visits, alerts, events)}
    return written

