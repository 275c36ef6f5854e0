"""Test personas (docs/ARCHITECTURE.md, "Tests and benchmarks") and small builders shared by every app's tests."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.services import staff_create
from dolbom.areas.models import BoundaryArea, Dong
from dolbom.cases.models import ApplicantType, Case, FollowUpOutcome, NeedLevel
from dolbom.cases.rules import ADL_ITEMS, IADL_ITEMS  # noqa: F401 - re-exported for tests
from dolbom.cases.services import (
    Application,
    PlanLine,
    case_open,
    eligibility_decision_record,
    plan_create,
    survey_record,
)
from dolbom.lib.rrn import check_digit
from dolbom.registry.models import Household, Resident
from dolbom.registry.services import household_create, resident_create

PASSWORD = "dolbom-test-1234"
_serial = itertools.count(1)


def dong(name: str) -> Dong:
    return Dong.objects.get(name=name, valid_to__isnull=True) if name != "금암2동" else Dong.objects.get(name=name)


def make_staff(username: str, display_name: str, role: Role, dong_name: str | None = None,
               institution: str = "") -> User:
    return staff_create(username=username, password=PASSWORD, display_name=display_name, role=role,
                        dong=dong(dong_name) if dong_name else None, institution=institution)


def make_rrn(birth: dt.date, sex: str, serial: int | None = None) -> str:
    serial = next(_serial) if serial is None else serial
    digit = ("1" if sex == "M" else "2") if birth.year < 2000 else ("3" if sex == "M" else "4")
    first12 = f"{birth:%y%m%d}{digit}{serial % 100000:05d}"
    return f"{first12[:6]}-{first12[6:]}{check_digit(first12)}"


def make_household(actor: User, area_name: str = "서신동") -> Household:
    area = BoundaryArea.objects.get(name=area_name)
    return household_create(actor=actor, number=f"H-T{next(_serial):07d}", road_address="전주시 완산구 서신로 1",
                            area=area)


def make_resident(actor: User, name: str = "김영숙", area_name: str = "서신동",
                  birth: dt.date = dt.date(1948, 3, 2), sex: str = "F", household: Household | None = None) -> Resident:
    household = household or make_household(actor, area_name)
    return resident_create(actor=actor, name=name, rrn=make_rrn(birth, sex), household=household,
                           phone="010-1234-5678")


def full_scores(items: dict, score: int = 2) -> dict[str, int]:
    return {k: score for k in items}


def open_case(actor: User, resident: Resident, manager: User | None = None) -> Case:
    return case_open(actor=actor, resident=resident, manager=manager,
                     application=Application(applicant_type=ApplicantType.SELF))


def survey(actor: User, case: Case):
    return survey_record(
        actor=actor, case=case, surveyed_on=timezone.localdate(),
        household_environment={"housing": "단독주택", "lives_alone": True}, benefits_received=["기초연금"],
        adl=full_scores(ADL_ITEMS), iadl=full_scores(IADL_ITEMS), health={"diagnoses": "고혈압"},
        needs=["병원동행", "식사지원"],
    )


def decide(actor: User, case: Case):
    return eligibility_decision_record(
        actor=actor, case=case, decided_on=timezone.localdate(), physical_function="보행 시 보조 필요",
        medical_need="고혈압 약 복용 관리", nutrition="결식 잦음", housing="계단 난간 없음", other_factors="",
        medical_need_level=NeedLevel.MEDIUM, care_need_level=NeedLevel.HIGH,
        explanation="판정 결과를 본인에게 설명함", explained_at=timezone.now(),
    )


def plan(actor: User, case: Case):
    today = timezone.localdate()
    return plan_create(
        actor=actor, case=case, goals="혼자서도 안전하게 생활", starts_on=today,
        lines=[PlanLine(domain="medical", content="병원동행", method="방문", quantity="월 2회", starts_on=today,
                        ends_on=today + dt.timedelta(days=180), provider="전주시 보건소")],
    )


FOLLOW_UP_CONTINUE = FollowUpOutcome.CONTINUE


def case_in_service(actor: User, resident: Resident, manager: User | None = None) -> Case:
    """A case opened, surveyed, decided and planned: in services and follow-up."""
    case = open_case(actor, resident, manager=manager)
    survey(actor, case)
    decide(actor, case)
    plan(actor, case)
    case.refresh_from_db()
    return case
