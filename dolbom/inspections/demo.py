"""Demo: the meal-support centre's 77 welfare-facility kitchens (synthetic, marked as such) with one season
of inspections: spring routine visits of the riskier kitchens, the summer special round for all 77 (checklist,
ATP swabs with re-tests, corrective actions with proof, coaching), re-inspections, a few referrals to the
sanitation department, and today's facility visits already routed.

Every inspection goes through the same services as the tablet (services.inspection_sync), dated in the
season; only the "done" and "verified" times of actions and the office's receipt times are set afterwards
to the season's dates, so that the month indicators read like a real summer.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.services import staff_create
from dolbom.areas.geo import locate
from dolbom.areas.models import BoundaryArea
from dolbom.inspections import services
from dolbom.inspections.models import (
    ActionStatus,
    CareProgramme,
    CoachingMaterial,
    CoachingTopic,
    CorrectiveAction,
    Facility,
    FacilityKind,
    FacilityVisit,
    FacilityVisitKind,
    FacilityVisitStatus,
    Grade,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Instrument,
    RiskLevel,
    Surface,
)
from dolbom.inspections.selectors import current_template
from dolbom.inspections.services.followup import violations_of

CENTRE = "전주시 사회복지급식관리지원센터"
DEMO_USERS = [
    ("inspector", "윤서연", Role.PARTNER, None, CENTRE, "사회복지급식관리지원센터 위생 담당 (점검 태블릿)"),
    ("hygiene_lead", "강민호", Role.PARTNER, None, CENTRE, "센터 위생팀장: 시설·점검표·ATP 기준·위생부서 통보"),
]
# The centre's base for the route planner: synthetic, at Jeonju city hall.
CENTRE_LON, CENTRE_LAT = 127.1480, 35.8242
FACILITY_COUNT = 77
KINDS = [
    (FacilityKind.SENIOR_CENTRE, "경로당", 30), (FacilityKind.SENIOR_MEAL, "경로식당", 8),
    (FacilityKind.DAY_CARE, "주야간보호센터", 14), (FacilityKind.GROUP_HOME, "노인요양공동생활가정", 10),
    (FacilityKind.DISABILITY_DAY, "장애인주간보호센터", 8), (FacilityKind.DISABILITY_HOME, "장애인공동생활가정", 5),
    (FacilityKind.SHELTER, "소규모 거주시설", 2),
]
NAMES = ["행복", "사랑", "늘푸른", "햇살", "새봄", "은빛", "소망", "다솜", "한마음", "누리", "효도", "솔향", "온누리",
         "하늘", "기쁨", "푸른솔", "참좋은", "해오름", "늘봄", "이음"]
OPERATORS = ["(사)전주노인복지회", "(복)늘사랑", "(복)전북장애인복지협회", "전주시 (직영)", "개인 운영", "(복)한울"]
PROGRAMMES_BY_KIND = {
    FacilityKind.SENIOR_CENTRE: [CareProgramme.FREE_LUNCH, CareProgramme.CUSTOMISED_CARE],
    FacilityKind.SENIOR_MEAL: [CareProgramme.FREE_LUNCH, CareProgramme.MEAL_DELIVERY, CareProgramme.INTEGRATED_MEALS],
    FacilityKind.DAY_CARE: [CareProgramme.DAY_CARE, CareProgramme.INTEGRATED_MEALS],
    FacilityKind.GROUP_HOME: [CareProgramme.CUSTOMISED_CARE],
    FacilityKind.DISABILITY_DAY: [CareProgramme.DISABILITY_SUPPORT],
    FacilityKind.DISABILITY_HOME: [CareProgramme.DISABILITY_SUPPORT],
    FacilityKind.SHELTER: [CareProgramme.CUSTOMISED_CARE],
}
# How often each item fails in a first inspection of a weak kitchen and of a good one.
FAIL_RATE = {"retained_sample": 0.10, "retained_sample_freezer": 0.06, "no_expired_food": 0.06,
             "fridge_temperature": 0.15, "freezer_temperature": 0.08, "hot_holding_temperature": 0.12,
             "raw_and_cooked_apart": 0.18, "utensils_sanitised": 0.12, "boards_by_use": 0.22,
             "staff_health_exam": 0.14, "staff_daily_check": 0.16, "hand_washing": 0.12, "caps_and_masks": 0.25,
             "labelling": 0.35, "pest_control": 0.10, "groundwater_tested": 0.3}
ACTION_TEXT = {
    "retained_sample": "보존식 전용 용기와 냉동고를 마련하고 매 끼니 1인분씩 144시간 보관", "retained_sample_freezer":
    "보존식 냉동고 온도를 영하 18도 이하로 조정하고 매일 기록", "no_expired_food": "소비기한 지난 식재료 폐기, 선입선출 표시",
    "fridge_temperature": "냉장고 온도 10도 이하로 조정, 고무 패킹 점검", "freezer_temperature": "냉동고 성에 제거 및 온도 조정",
    "hot_holding_temperature": "보온고 사용 또는 조리 직후 배식", "raw_and_cooked_apart": "냉장고 칸 구분 표시, 날것은 아래 칸",
    "utensils_sanitised": "열탕 소독 또는 소독제 희석 기준 게시 후 소독", "boards_by_use": "색깔별 도마·칼 구비",
    "staff_health_exam": "조리 종사자 건강진단 실시 및 결과서 비치", "staff_daily_check": "작업 전 개인위생 점검표 작성",
    "hand_washing": "손 세정제·종이타월 비치", "groundwater_tested": "먹는물 수질검사 의뢰",
}
OWNERS = ["시설장", "조리원", "사회복지사", "요양보호사 팀장"]


def _users() -> tuple[User, User, User] | None:
    inspector = User.objects.filter(username="inspector").first()
    lead = User.objects.filter(username="hygiene_lead").first()
    if inspector is None or lead is None:
        return None
    second = User.objects.filter(username="inspector2").first() or staff_create(
        username="inspector2", password=None, display_name="임지호", role=Role.PARTNER, institution=CENTRE)
    services.inspector_set(actor=None, user=lead, organisation=CENTRE, base_lon=CENTRE_LON, base_lat=CENTRE_LAT,
                           lead=True)
    for u in (inspector, second):
        services.inspector_set(actor=lead, user=u, organisation=CENTRE, base_lon=CENTRE_LON, base_lat=CENTRE_LAT)
    return inspector, second, lead


def _facilities(rng: random.Random, lead: User) -> list[Facility]:
    areas = list(BoundaryArea.objects.select_related("original_dong").order_by("kostat_code"))
    kinds = [k for k, _name, n in KINDS for _ in range(n)]
    rng.shuffle(kinds)
    suffix = {k: name for k, name, _n in KINDS}
    used: set[str] = set()
    out = []
    for n in range(FACILITY_COUNT):
        area = areas[n % len(areas)] if n < len(areas) else rng.choice(areas)
        base = area.original_dong
        lon, lat = base.centroid_lon, base.centroid_lat
        for _ in range(20):  # a point inside the area's own polygon
            cand = (base.centroid_lon + rng.uniform(-0.006, 0.006), base.centroid_lat + rng.uniform(-0.005, 0.005))
            if locate(*cand) == area.kostat_code:
                lon, lat = cand
                break
        kind = kinds[n]
        while True:
            name = f"{rng.choice(NAMES)}{suffix[kind]}" if kind != FacilityKind.SENIOR_CENTRE else \
                f"{area.name} {rng.choice(NAMES)}{suffix[kind]}"
            if name not in used:
                used.add(name)
                break
        group = kind == FacilityKind.SENIOR_MEAL and n % 4 == 0
        programmes = PROGRAMMES_BY_KIND[kind]
        out.append(services.facility_create(actor=lead, fields=services.FacilityFields(
            code=f"JJ-K{n + 1:03d}", name=name, kind=kind, operator=rng.choice(OPERATORS),
            road_address=f"전주시 {base.gu} {area.name}로 {rng.randint(1, 180)} (합성 주소)", area=area,
            diners_per_day=rng.randint(55, 120) if group else rng.randint(8, 49), contact_name=rng.choice(OWNERS),
            contact_phone=f"063-000-{n + 1:04d}", programmes=rng.sample(programmes, k=rng.randint(1, len(programmes))),
            risk_level=rng.choices([RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW], weights=[2, 6, 2])[0],
            group_meal_service=group, lon=round(lon, 6), lat=round(lat, 6), synthetic=True,
            note="합성 데이터 (데모용)")))
    return out


def _answers(rng: random.Random, items, weakness: float) -> list[services.AnswerDoc]:
    out = []
    for item in items:
        fails = rng.random() < FAIL_RATE.get(item.code, 0.1) * weakness
        if item.na_allowed and rng.random() < (0.6 if item.code == "groundwater_tested" else 0.3):
            out.append(services.AnswerDoc(item=item.code, answer="na"))
        elif item.answer_kind == "measured":
            limit = float(item.limit_value)
            if item.limit_op == "le":
                value = limit + rng.uniform(0.5, 5) if fails else limit - rng.uniform(0.5, 6)
            else:
                value = limit - rng.uniform(2, 12) if fails else limit + rng.uniform(1, 20)
            out.append(services.AnswerDoc(item=item.code, answer="value", value=Decimal(f"{value:.1f}")))
        else:
            out.append(services.AnswerDoc(item=item.code, answer="no" if fails else "yes"))
    return out


def _rlu(rng: random.Random, limits: tuple[int, int], bad: bool) -> int:
    p, c = limits
    if bad:
        return int(c * rng.uniform(1.2, 4))
    return max(0, int(rng.uniform(0.1, 0.95) * p)) if rng.random() < 0.85 else int(rng.uniform(p + 1, c))


def _readings(rng: random.Random, instrument: Instrument, when: dt.datetime, weakness: float,
              study: bool) -> list[services.ReadingDoc]:
    limits = {t.surface: (t.pass_max, t.caution_max) for t in instrument.thresholds.all()}
    surfaces = [Surface.CUTTING_BOARD, Surface.KNIFE, Surface.HANDS] + rng.sample(
        [Surface.COUNTER, Surface.PLATES], k=rng.randint(0, 2))
    out = []
    minute = 0
    for surface in surfaces:
        lim = limits.get(surface) or limits[""]
        bad = rng.random() < 0.12 * weakness
        first = services.ReadingDoc(client_id=uuid.uuid4(), surface=surface, instrument_id=instrument.pk,
                                    rlu=_rlu(rng, lim, bad), measured_at=when + dt.timedelta(minutes=minute))
        out.append(first)
        minute += 4
        if first.rlu > lim[1]:
            # Re-cleaned on the spot and swabbed again; now and then the re-test fails too, and a third follows.
            second = services.ReadingDoc(client_id=uuid.uuid4(), surface=surface, instrument_id=instrument.pk,
                                         rlu=_rlu(rng, lim, rng.random() < 0.15), retest_of=first.client_id,
                                         measured_at=when + dt.timedelta(minutes=minute + 10))
            out.append(second)
            if second.rlu > lim[1]:
                out.append(services.ReadingDoc(client_id=uuid.uuid4(), surface=surface, instrument_id=instrument.pk,
                                               rlu=_rlu(rng, lim, False), retest_of=second.client_id,
                                               measured_at=when + dt.timedelta(minutes=minute + 25)))
    if study:
        # A baseline study: a dozen swabs of the cutting board right after cleaning.
        lim = limits.get(Surface.CUTTING_BOARD) or limits[""]
        for k in range(11):
            out.append(services.ReadingDoc(client_id=uuid.uuid4(), surface=Surface.CUTTING_BOARD,
                                           instrument_id=instrument.pk, rlu=int(rng.uniform(0.15, 0.6) * lim[0]),
                                           measured_at=when + dt.timedelta(minutes=40 + k)))
    return out


def _visit_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    while True:
        day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        if day.weekday() < 5:
            return day


def _inspect(rng: random.Random, *, actor: User, facility: Facility, day: dt.date, weakness: float,
             instrument: Instrument, planned: Inspection | None = None, visit: FacilityVisit | None = None,
             study: bool = False) -> Inspection:
    template = current_template()
    items = list(template.items.all())
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10, rng.randint(0, 50))))
    answers = _answers(rng, items, weakness)
    by_code = {i.code: i for i in items}
    failed = []
    for a in answers:
        item = by_code[a.item]
        met = (a.answer == "yes") if item.answer_kind == "yes_no" else (
            None if a.answer == "na" else (a.value <= item.limit_value if item.limit_op == "le"
                                           else a.value >= item.limit_value))
        if met is False and item.severity in ("critical", "major"):
            failed.append(item)
    actions = [services.ActionDoc(client_id=uuid.uuid4(), item=i.code, description=ACTION_TEXT.get(i.code, i.text),
                                  owner=rng.choice(OWNERS), due_on=day + dt.timedelta(days=rng.choice([7, 10, 14])))
               for i in failed]
    coaching = None
    if rng.random() < 0.7:
        coaching = services.CoachingDoc(
            client_id=uuid.uuid4(), topics=rng.sample(CoachingTopic.values, k=rng.randint(1, 3)),
            materials=rng.sample(CoachingMaterial.values, k=rng.randint(1, 2)), attendees=rng.randint(1, 6))
    doc = services.InspectionDoc(
        client_id=uuid.uuid4(), facility_id=facility.pk, template_id=template.pk, visited_on=day, started_at=when,
        planned_id=planned.pk if planned else None, visit_id=visit.pk if visit else None, answers=answers,
        readings=_readings(rng, instrument, when, weakness, study), actions=actions, coaching=coaching, submit=True)
    result = services.inspection_sync(actor=actor, doc=doc, today=day + dt.timedelta(days=rng.randint(0, 2)))
    inspection = result.inspection
    received = when + dt.timedelta(hours=rng.randint(3, 30))
    Inspection.objects.filter(pk=inspection.pk).update(synced_at=received, closed_at=received)
    return inspection


def _follow_up(rng: random.Random, *, lead: User, inspection: Inspection, today: dt.date) -> None:
    """Proof for most actions due by ``today``, sent a few days before the due date; the rest stay open."""
    for action in CorrectiveAction.objects.filter(inspection=inspection, status=ActionStatus.OPEN):
        if action.due_on < today and rng.random() < 0.8:
            services.action_done(actor=lead, action=action, proof_note="시설에서 조치 사진과 확인서를 보내옴")
            done = timezone.make_aware(dt.datetime.combine(action.due_on - dt.timedelta(days=rng.randint(0, 5)),
                                                           dt.time(15)))
            CorrectiveAction.objects.filter(pk=action.pk).update(done_at=done)


def seed_demo(*, seed: int, out: TextIO) -> None:
    if Facility.objects.exists():
        return
    users = _users()
    if users is None:
        return
    inspector, second, lead = users
    rng = random.Random(seed + 16)
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    services.sanitation_contact_set(actor=lead, gu="완산구", department="완산구청 환경위생과", officer="위생 담당 (합성)",
                                    phone="010-0000-1601")
    services.sanitation_contact_set(actor=lead, gu="덕진구", department="덕진구청 환경위생과", officer="위생 담당 (합성)",
                                    phone="010-0000-1602")
    facilities = _facilities(rng, lead)
    instruments = list(Instrument.objects.prefetch_related("thresholds").order_by("model"))
    hygiena = next(i for i in instruments if i.model.startswith("Hygiena"))
    kikkoman = next(i for i in instruments if i.model.startswith("Kikkoman"))
    weakness = {f.pk: rng.choice([0.3, 0.5, 0.7, 1.0, 1.8]) for f in facilities}
    instrument_of = {f.pk: kikkoman if n % 5 == 0 else hygiena for n, f in enumerate(facilities)}
    studies = {f.pk for f in facilities[:2]}

    # Spring: routine visits of the riskier kitchens.
    for f in facilities:
        if f.risk_level != RiskLevel.LOW and rng.random() < 0.45:
            day = _visit_day(rng, dt.date(year, 4, 6), dt.date(year, 5, 29))
            insp = _inspect(rng, actor=rng.choice([inspector, second]), facility=f, day=day,
                            weakness=weakness[f.pk] * 1.2, instrument=instrument_of[f.pk])
            _follow_up(rng, lead=lead, inspection=insp, today=today)
    # Summer: the special round, every kitchen.
    rnd = services.round_create(actor=lead, name=f"{year}년 하절기 특별위생점검", kind="summer",
                                starts_on=dt.date(year, 6, 1), ends_on=dt.date(year, 8, 31))
    escalated = 0
    for planned in Inspection.objects.filter(round=rnd, status=InspectionStatus.PLANNED).select_related("facility"):
        f = planned.facility
        day = _visit_day(rng, dt.date(year, 6, 2), dt.date(year, 8, 14))
        insp = _inspect(rng, actor=rng.choice([inspector, second]), facility=f, day=day, weakness=weakness[f.pk],
                        instrument=instrument_of[f.pk], planned=planned, study=f.pk in studies)
        insp.refresh_from_db()
        if insp.grade == Grade.FAIL and escalated < 4 and violations_of(insp):
            services.escalation_create(actor=lead, inspection=insp, note="하절기 특별점검 중 확인")
            escalated += 1
        # Re-inspection of most kitchens with open actions, two or three weeks later.
        visit = FacilityVisit.objects.filter(follows=insp, status=FacilityVisitStatus.OPEN).first()
        if visit is not None and rng.random() < 0.75:
            again = day + dt.timedelta(days=rng.randint(14, 24))
            FacilityVisit.objects.filter(pk=visit.pk).update(due_on=again, planned_on=again, assigned_to=insp.inspector)
            re = _inspect(rng, actor=insp.inspector, facility=f, day=again, weakness=weakness[f.pk] * 0.4,
                          instrument=instrument_of[f.pk], visit=visit)
            for action in CorrectiveAction.objects.filter(inspection=insp).exclude(status=ActionStatus.VERIFIED):
                services.action_verify(actor=insp.inspector, action=action)
            CorrectiveAction.objects.filter(inspection=insp).update(
                verified_at=timezone.make_aware(dt.datetime.combine(again, dt.time(11))))
            _follow_up(rng, lead=lead, inspection=re, today=today)
        else:
            _follow_up(rng, lead=lead, inspection=insp, today=today)
    # Today: routine visits for the kitchens falling due, and the day's routes.
    scheduled = services.schedule_due(actor=lead, today=today)
    FacilityVisit.objects.filter(status=FacilityVisitStatus.OPEN, kind=FacilityVisitKind.REINSPECTION,
                                 due_on__lt=today).update(due_on=today)
    plan = services.facility_visits_plan(actor=lead, date=today, time_limit=1.0)
    closed = Inspection.objects.filter(status=InspectionStatus.CLOSED).count()
    failed = Inspection.objects.filter(status=InspectionStatus.CLOSED, grade=Grade.FAIL).count()
    open_actions = CorrectiveAction.objects.filter(status=ActionStatus.OPEN).count()
    planned_today = sum(len(r["visit_ids"]) for r in plan.routes)
    reinspections = Inspection.objects.filter(kind=InspectionKind.REINSPECTION).count()
    out.write(f"위생점검: 합성 급식소 {len(facilities)}곳, {year}년 점검 {closed}건 (부적합 {failed}, 재점검 {reinspections}), "
              f"미이행 시정조치 {open_actions}건, 위생부서 통보 {escalated}건, 오늘 방문 {planned_today}건 배정 "
              f"(정기 방문 {scheduled}건 생성)\n")
