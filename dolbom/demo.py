"""Demo preparation: a synthetic Jeonju and one login per role. Idempotent: a second run reuses the data."""

from __future__ import annotations

import importlib
import importlib.util
import time
from dataclasses import dataclass
from types import ModuleType
from typing import TextIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.services import staff_create
from dolbom.areas.selectors import dong_list_valid_on
from dolbom.registry.models import Resident
from dolbom.registry.synthetic.demo_cases import ensure_dong_managers, seed_demo_cases

DEMO_PASSWORD = "dolbom-demo-2026"
DEMO_DONG = "서신동"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role_label: str
    note: str


_DEMO_USERS = [
    ("officer", "김민지", Role.DONG_OFFICER, DEMO_DONG, "", "서신동 동 복지담당"),
    ("manager", "박정우", Role.CASE_MANAGER, DEMO_DONG, "", "서신동 통합사례관리사"),
    ("city", "정하늘", Role.CITY_TEAM, None, "전주시 통합돌봄과", "전 동 조회"),
    ("partner", "이수진", Role.PARTNER, None, "전주 방문간호센터", "전주 방문간호센터 · 연계 대상자 조회"),
    ("auditor", "최영호", Role.AUDITOR, None, "전주시 감사담당관", "접속기록 점검"),
]


# Each domain app may ship a ``demo.py`` with ``seed_demo(*, seed: int, out: TextIO) -> None``, run after
# the city and its cases exist, and an optional ``DEMO_USERS`` list in the form of _DEMO_USERS above.
DOMAIN_DEMOS = ["dolbom.referrals.demo", "dolbom.meetings.demo", "dolbom.visits.demo", "dolbom.checkins.demo",
                "dolbom.discovery.demo"]


def _domain_demos() -> list[ModuleType]:
    return [importlib.import_module(name) for name in DOMAIN_DEMOS if importlib.util.find_spec(name) is not None]


def _ensure_users() -> list[DemoLogin]:
    dongs = {d.name: d for d in dong_list_valid_on(timezone.localdate())}
    logins = []
    users = list(_DEMO_USERS) + [u for m in _domain_demos() for u in getattr(m, "DEMO_USERS", [])]
    for username, name, role, dong_name, institution, note in users:
        if not User.objects.filter(username=username).exists():
            staff_create(username=username, password=DEMO_PASSWORD, display_name=name, role=role,
                         dong=dongs.get(dong_name) if dong_name else None, institution=institution)
        logins.append(DemoLogin(username, DEMO_PASSWORD, str(role.label), note))
    return logins


@transaction.atomic
def _managers_by_dong() -> dict[int, User]:
    """The demo's own case manager in the demo dong; a passwordless one per other dong owns its cases."""
    demo_dong = next(d for d in dong_list_valid_on(timezone.localdate()) if d.name == DEMO_DONG)
    return ensure_dong_managers({demo_dong.pk: User.objects.get(username="manager")})


def prepare_demo(*, households: int, cases: int, seed: int, out: TextIO) -> list[DemoLogin]:
    logins = _ensure_users()
    if Resident.objects.exists():
        out.write(f"기존 데모 데이터를 사용합니다 (주민 {Resident.objects.count():,}명).\n")
        return logins
    started = time.perf_counter()
    call_command("generate_city", households=households, seed=seed, stdout=out)
    seed_demo_cases(managers_by_dong=_managers_by_dong(), rng_seed=seed, count=cases)
    for module in _domain_demos():
        module.seed_demo(seed=seed, out=out)
    out.write(f"합성 전주시 생성 완료: 가구 {households:,}, 사례 {cases:,} ({time.perf_counter() - started:.1f}초)\n")
    return logins
