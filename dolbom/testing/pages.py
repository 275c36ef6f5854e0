"""For page tests of every app: a logged-in test client per persona, and the case step forms' data as a
browser would post it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from dolbom.cases.rules import ADL_ITEMS, IADL_ITEMS


@pytest.fixture
def login():
    """login(user) -> a test client logged in as that persona, in Korean (the default language)."""

    def _login(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return _login


def today() -> str:
    return timezone.localdate().isoformat()


def now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def survey_data(score: int = 2) -> dict[str, str]:
    data = {"surveyed_on": today(), "housing_type": "단독주택", "living_environment": "계단이 가파름",
            "benefits_received": "기초연금\n노인맞춤돌봄서비스", "physical_health": "고혈압",
            "mental_health": "우울감", "needs": "병원동행\n식사지원", "other": ""}
    data.update({f"adl_{k}": str(score) for k in ADL_ITEMS})
    data.update({f"iadl_{k}": str(score) for k in IADL_ITEMS})
    return data


def decision_data() -> dict[str, str]:
    return {"decided_on": today(), "physical_function": "보행 보조 필요", "medical_need": "만성질환 관리",
            "nutrition": "결식 잦음", "housing": "난간 없음", "other_factors": "", "medical_need_level": "medium",
            "care_need_level": "high", "explanation": "판정 결과를 설명함", "explained_at": now()}


def plan_data(lines: int = 2) -> dict[str, str]:
    start = timezone.localdate()
    data = {"goals": "혼자서도 안전하게 생활", "starts_on": start.isoformat(), "provider_linkage": "보건소와 방문간호 연계",
            "client_opinion": "집에서 지내고 싶음", "family_opinion": "",
            "lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "20"}
    rows = [("medical", "병원동행", "방문", "월 2회", "전주시 보건소"),
            ("daily_living", "식사 배달", "배달", "주 5회", "서신동 복지관")]
    for i, (domain, content, method, quantity, provider) in enumerate(rows[:lines]):
        data.update({f"lines-{i}-domain": domain, f"lines-{i}-content": content, f"lines-{i}-method": method,
                     f"lines-{i}-quantity": quantity, f"lines-{i}-starts_on": start.isoformat(),
                     f"lines-{i}-ends_on": (start + dt.timedelta(days=180)).isoformat(),
                     f"lines-{i}-provider": provider})
    return data
