"""Demo: visiting workers of the demo dong office, a day of visits on its cases and visit-list
households, a recurring home-nursing visit from a support plan, and this morning's plan already run."""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.services import staff_create
from dolbom.areas.models import Dong
from dolbom.cases.models import Case, CaseStatus
from dolbom.registry.models import Household
from dolbom.visits import services
from dolbom.visits.models import Priority, Skill, Visit, VisitType

DEMO_DONG = "서신동"
DEMO_USERS = [
    ("nurse", "오세영", Role.NURSE, DEMO_DONG, "전주시 보건소", "방문간호사 (오늘의 방문 경로)"),
]
# A worker without a demo login: a social worker of the same office. The office's one nurse is the demo
# login, so that logging in as the nurse shows the day's nursing visits (a second nurse would get them all:
# the solver uses as few workers as it can).
EXTRA_WORKERS = [
    ("social1", "장하람", Role.DONG_OFFICER, Skill.SOCIAL_WORKER),
]
KINDS = [
    (VisitType.HOME_NURSING, Skill.NURSE, 40),
    (VisitType.HOME_MEDICAL, Skill.NURSE, 30),
    (VisitType.FOLLOW_UP, Skill.CASE_MANAGER, 30),
    (VisitType.CARE_CHECK, Skill.SOCIAL_WORKER, 20),
]
WINDOWS = [(dt.time(9), dt.time(17)), (dt.time(9), dt.time(12)), (dt.time(13), dt.time(17)), (dt.time(10), dt.time(15))]


def seed_demo(*, seed: int, out: TextIO) -> None:
    dong = Dong.objects.filter(name=DEMO_DONG, valid_to__isnull=True).first()
    officer = User.objects.filter(username="officer").first()
    if dong is None or officer is None or Visit.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    roles = [("nurse", Skill.NURSE), ("manager", Skill.CASE_MANAGER)]
    for username, name, role, skill in EXTRA_WORKERS:
        if not User.objects.filter(username=username).exists():
            staff_create(username=username, password=None, display_name=name, role=role, dong=dong)
        roles.append((username, skill))
    for username, skill in roles:
        user = User.objects.filter(username=username).first()
        if user is not None:
            services.worker_set(actor=officer, user=user, skill=skill, base_dong=dong)

    cases = list(Case.objects.filter(dong=dong).exclude(status=CaseStatus.CLOSED).select_related("resident")
                 .order_by("pk")[:16])
    for k, case in enumerate(cases):
        if k == 0:
            continue  # its visits come from the recurring home-nursing visit below: one visit a day, not two
        kind, skill, minutes = KINDS[k % 3]
        start, end = WINDOWS[k % len(WINDOWS)]
        services.visit_create(actor=officer, household=case.resident.household, case=case, visit_type=kind,
                              skill=skill, duration_minutes=minutes, window_start=start, window_end=end,
                              due_on=today - dt.timedelta(days=k % 2), priority=Priority.HIGH if k % 4 == 0
                              else Priority.NORMAL)
    if cases:
        services.visit_recurrence_create(
            actor=officer, case=cases[0], visit_type=VisitType.HOME_NURSING, skill=Skill.NURSE, weekdays=[0, 3],
            duration_minutes=40, window_start=dt.time(9), window_end=dt.time(12), starts_on=today,
            ends_on=today + dt.timedelta(days=56), priority=Priority.HIGH)
    households = list(Household.objects.filter(dong=dong, lon__isnull=False, members__cases__isnull=True)
                      .distinct().order_by("pk")[:200])
    for hh in rng.sample(households, min(10, len(households))):
        start, end = rng.choice(WINDOWS)
        services.visit_create(actor=officer, household=hh, visit_type=VisitType.DISCOVERY,
                              skill=rng.choice([Skill.SOCIAL_WORKER, Skill.CASE_MANAGER]), duration_minutes=30,
                              window_start=start, window_end=end, due_on=today, priority=Priority.LOW,
                              note="발굴 대상자 명단 방문")
    plan = services.visits_plan(actor=officer, date=today, time_limit=2.0)
    planned = sum(len(r.visit_ids) for r in plan.routes.all())
    out.write(f"방문 경로: 방문 {planned}건 배정, 미배정 {len(plan.unassigned)}건 (서신동, {today:%Y-%m-%d})\n")
