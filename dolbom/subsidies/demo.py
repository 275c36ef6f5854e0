"""Demo: the three shipped programmes run end to end on the synthetic city.

Each programme's first round (early 2026) receives applications at the office and online, with their
documents; the officer accepts the documents, the selection runs (score ranking for slate roofs, receipt
order for solar, delivery order for EVs with reserved places), the selected are approved while the budget
lasts and the ineligible refused with their trace. Then: an objection upheld and one still open, a refusal
for lack of means passed to the dong team, inspections on the visit plan, payments, a clawback; a second
round open today for the public pages; a case manager's pointer."""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from typing import Any, TextIO

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.cases.models import Case, CaseStatus
from dolbom.registry.models import Resident
from dolbom.subsidies import programmes as shipped
from dolbom.subsidies import services
from dolbom.subsidies.models import Application, ApplicationStatus, Programme, RefusalReason
from dolbom.subsidies.services.decisions import decision_current

DEMO_USERS = [
    ("subsidy", "윤서연", Role.CITY_TEAM, None, "전주시 기후에너지과", "지원사업 담당 (태양광·전기차·슬레이트)"),
]
SIZES = {"slate-2026": 60, "solar-2026": 60, "ev-2026": 120}
_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = ("영숙", "정자", "순자", "민준", "서연", "지훈", "현우", "수빈", "영호", "미경", "상철", "은지", "동현", "혜진")
_MODELS = ("아이오닉 5", "EV6", "레이 EV", "코나 일렉트릭", "니로 EV", "모델 Y", "캐스퍼 일렉트릭")
_TRUCKS = ("포터 II 일렉트릭", "봉고 III EV")


def _pdf(title: str) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _facts(code: str, rng: random.Random, k: int, category: str) -> dict[str, Any]:
    """Stated facts as applicants write them: mostly eligible, some not, as a real round receives."""
    if code == "slate-2026":
        return {"building_use": "house" if k % 13 else "other", "roof_material": "slate" if k % 17 else "other",
                "building_year": rng.randint(1968, 1998), "roof_area_m2": rng.randint(35, 160),
                "removal_cost": rng.randrange(2_000_000, 6_000_000, 10_000),
                "roof_replacement": k % 3 == 0, "replacement_cost": rng.randrange(6_000_000, 14_000_000, 10_000),
                "owner_consent": k % 11 != 5, "resident_since": "2010-05-01"}
    if code == "solar-2026":
        if category == "apartment":
            return {"is_owner": True, "capacity_kw": float(rng.randint(15, 30)),
                    "install_cost": rng.randrange(60_000_000, 200_000_000, 1_000_000), "self_share_ok": True}
        return {"is_owner": k % 15 != 7, "capacity_kw": rng.choice([2.0, 2.5, 3.0, 3.0, 3.0, 3.5]),
                "install_cost": rng.randrange(4_000_000, 7_000_000, 10_000), "self_share_ok": k % 9 != 4}
    passenger = category == "passenger"
    price = rng.randrange(32_000_000, 70_000_000, 10_000) if passenger else rng.randrange(40_000_000, 46_000_000, 10_000)
    months = rng.choice([1, 6, 14, 40, 120])
    return {"buyer_type": "small_business" if not passenger and k % 3 else "individual",
            "vehicle_model": rng.choice(_MODELS if passenger else _TRUCKS), "vehicle_price": price,
            "national_merit": k % 23 == 0, "multi_child": k % 7 == 0, "scrapped_diesel": k % 9 == 0,
            "first_car_youth": False, "resident_since": (dt.date(2026, 2, 16) - dt.timedelta(days=30 * months)).isoformat(),
            "delivered_on": (dt.date(2026, 3, 2) + dt.timedelta(days=rng.randint(0, 110))).isoformat()}


def _documents(compiled, facts: dict[str, Any], registry: bool) -> list[services.Upload]:
    out = []
    for d in compiled.definition.documents:
        # Office applicants from the registry need no resident-register abstract (the registry answers).
        if d.key == "resident_register" and registry and "residence_months" not in compiled.facts_used:
            continue
        out.append(services.Upload(kind=d.key, data=_pdf(d.label), name=f"{d.key}.pdf"))
    return out


def _residents(rng: random.Random, n: int) -> list[Resident]:
    pool = list(Resident.objects.filter(deceased_on__isnull=True, birth_date__lte=dt.date(1990, 1, 1))
                .select_related("household", "dong").order_by("pk")[:4000])
    rng.shuffle(pool)
    return pool[:n]


def _receive(programme: Programme, actor: User, rng: random.Random, n: int) -> list[Application]:
    round = programme.rounds.get(number=1)
    compiled = services.rules_compiled(programme.rule_sets.filter(status="published").first())
    categories = list(programme.categories.all())
    people = _residents(rng, n)
    span = (round.closes_at - round.opens_at).total_seconds()
    received = []
    for k in range(n):
        cat = categories[0] if len(categories) == 1 else (
            categories[1] if (programme.code == "solar-2026" and k % 12 == 0)
            or (programme.code == "ev-2026" and k % 5 == 0) else categories[0])
        facts = _facts(programme.code, rng, k, cat.code)
        at = round.opens_at + dt.timedelta(seconds=span * (k + rng.random()) / (n + 1))
        online = k % 4 == 3 or k >= len(people)
        person = None if online else people[k]
        if person is None:
            facts.update(income_tier=rng.choice(["general"] * 6 + ["near_poor", "basic"]),
                         has_disability=k % 10 == 0, household_size=rng.randint(1, 5))
        elif rng.random() < 0.2:
            facts["income_tier"] = rng.choice(["basic", "near_poor"])
        docs = _documents(compiled, facts, registry=person is not None)
        if k % 19 == 6:
            docs = docs[:-1]  # one document missing: a supplement request with a deadline
        applicant = services.Applicant(
            name=person.name if person else _name(rng), birth_date=person.birth_date if person else
            dt.date(rng.randint(1942, 1995), rng.randint(1, 12), rng.randint(1, 28)),
            phone=(person.phone if person and person.phone.startswith("010")
                   else f"010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}"),
            address=person.household.road_address if person else f"전주시 덕진구 백제대로 {100 + k}",
            dong=person.dong if person else people[k % len(people)].dong if people else None)
        received.append(services.application_submit(
            actor=None if online else actor, programme=programme, round=round, category=cat, applicant=applicant,
            declared=facts, resident=person, documents=docs, welfare_consent=k % 2 == 0, at=at))
    return received


def _accept_documents(actor: User, applications: list[Application]) -> None:
    for app in applications:
        for doc in app.documents.filter(status="submitted"):
            services.document_review(actor=actor, document=doc, accept=True)


def _after(programme: Programme, actor: User, rng: random.Random, out: TextIO) -> None:
    """Completion, payment, a clawback; an objection upheld and one open."""
    approved = list(programme.applications.filter(status=ApplicationStatus.APPROVED).order_by("pk"))
    today = timezone.localdate()
    for k, app in enumerate(approved[: max(3, len(approved) // 3)]):
        if app.household_id and k % 2 == 0:
            services.inspection_schedule(actor=actor, application=app, due_on=today + dt.timedelta(days=1 + k % 5))
        if k % 2 == 1:
            services.completion_check(actor=actor, application=app, passed=True, note="현장 확인: 설치·철거 완료",
                                      inspected_on=today - dt.timedelta(days=3))
            services.payment_record(actor=actor, application=app, paid_on=today - dt.timedelta(days=1),
                                    reference=f"지출-{programme.year}-{app.pk:05d}")
    paid = programme.applications.filter(status=ApplicationStatus.PAID).order_by("pk").first()
    if paid is not None and programme.kind == "ev":
        claw = services.clawback_decide(
            actor=actor, application=paid, amount=paid.payment.amount // 2,
            reason="의무운행기간(2년) 안에 차량을 다른 시·도로 이전 등록", legal_basis="보조금 관리에 관한 법률 제33조, 전기자동차 보급사업 지침",
            due_on=today + dt.timedelta(days=30))
        services.clawback_recovered(actor=actor, clawback=claw, recovered_on=today)
    refused = list(programme.applications.filter(status=ApplicationStatus.REFUSED).order_by("pk")[:2])
    for k, app in enumerate(refused):
        decision = decision_current(app)
        objection = services.objection_file(actor=None, decision=decision,
                                            grounds="제출한 서류를 다시 확인해 주시기 바랍니다. 보완 서류를 함께 냅니다.")
        if k == 0 and programme.code == "slate-2026" and not app.facts.get("owner_consent", True):
            try:
                services.objection_decide(actor=actor, objection=objection, upheld=True,
                                          note="소유자 동의서 추가 제출 확인", corrections={"owner_consent": True})
            except Exception:  # noqa: BLE001 - still not eligible on other grounds: left open for the officer
                pass


def _open_round_two(programme: Programme, actor: User) -> None:
    now = timezone.now()
    services.round_create(actor=actor, programme=programme, name="2차 추가 모집", announced_on=timezone.localdate(),
                          opens_at=now - dt.timedelta(days=3), closes_at=now + dt.timedelta(days=30),
                          lottery_seed=f"{programme.code}-2-demo")


def seed_demo(*, seed: int, out: TextIO, households: int = 5000) -> None:
    actor = User.objects.filter(username="subsidy").first()
    if actor is None or Programme.objects.exists() or not Resident.objects.exists():
        return
    # The seeded history's texts (receipts, decisions) are kept and counted by dolbom/demo.py, not sent.
    started = time.perf_counter()
    _seed(seed, out, actor, share=min(1.0, households / 5000))
    out.write(f"지원사업 데모 {time.perf_counter() - started:.1f}초\n")


def _seed(seed: int, out: TextIO, actor: User, share: float) -> None:
    """``share``: a small city (the suite's, a quick look) gets fewer applications, never under 15 a programme,
    so that every step (refusals, the budget running out, a clawback) still happens in it."""
    rng = random.Random(seed)
    for path in shipped.shipped():
        programme = services.programme_load(actor=actor, data=shipped.load(path))
        apps = _receive(programme, actor, rng, max(15, int(SIZES.get(programme.code, 40) * share + 0.5)))
        _accept_documents(actor, [a for a in apps if a.pk % 19 != 6])
        round = programme.rounds.get(number=1)
        services.round_close(actor=actor, round=round)
        services.selection_run(actor=actor, round=round, on=dt.date(2026, 7, 1))
        counts = services.round_decide(actor=actor, round=round)
        _after(programme, actor, rng, out)
        _open_round_two(programme, actor)
        b = programme.budget
        b.refresh_from_db()
        out.write(f"지원사업 {programme.name}: 접수 {len(apps)}건, 지원 결정 {counts['approved']}건, "
                  f"지원 불가 {counts['refused']}건, 집행 {b.used:,}원 / {b.announced:,}원\n")
    _lack_of_means(actor, rng)
    _pointer(rng)


def _lack_of_means(actor: User, rng: random.Random) -> None:
    """A solar applicant of 서신동 who cannot bear the 50% share: refused, and passed to the dong team."""
    programme = Programme.objects.get(code="solar-2026")
    person = Resident.objects.filter(dong__name="서신동", deceased_on__isnull=True, phone__startswith="010",
                                     subsidy_applications__isnull=True).order_by("pk").first()
    if person is None:
        return
    round = programme.rounds.order_by("-number").first()
    app = services.application_submit(
        actor=actor, programme=programme, round=round, category=programme.categories.get(code="house"),
        applicant=services.Applicant(name=person.name, birth_date=person.birth_date, phone=person.phone,
                                     address=person.household.road_address),
        declared={"is_owner": True, "capacity_kw": 3.0, "install_cost": 6_200_000, "self_share_ok": False},
        resident=person, documents=[services.Upload(d, _pdf(d), f"{d}.pdf") for d in ("building_register",
                                                                                       "install_estimate")],
        welfare_consent=True)
    _accept_documents(actor, [app])
    app.refresh_from_db()
    if app.status == ApplicationStatus.INELIGIBLE:
        services.application_refuse(actor=actor, application=app, reason=RefusalReason.NOT_ELIGIBLE)


def _pointer(rng: random.Random) -> None:
    manager = User.objects.filter(username="manager").first()
    case = Case.objects.filter(manager=manager).exclude(status=CaseStatus.CLOSED).select_related("resident").first() \
        if manager else None
    if case is None:
        return
    services.pointer_create(actor=manager, programme=Programme.objects.get(code="slate-2026"), resident=case.resident,
                            case=case, note="슬레이트 지붕 노후, 기초연금 수급 독거 어르신")
