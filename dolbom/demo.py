"""Demo preparation: a synthetic Jeonju and one login per role. Idempotent: a second run reuses the data.

Every app in INSTALLED_APPS may ship a ``demo.py`` with ``seed_demo(*, seed: int, out: TextIO, ...)``;
they run in INSTALLED_APPS order, so lower layers seed first (the registry generates the city, cases
open their cases on it, the domains work on those cases). Besides ``seed`` and ``out`` a ``seed_demo``
receives the demo options it names among its keyword arguments (``households``, ``cases``). A module may
list ``DEMO_USERS`` in the form of ``_DEMO_USERS`` below; they get the demo password and are printed
after the project's own logins. ``dolbom/tests/test_wiring.py`` checks that every app's demo is found.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import time
from collections.abc import Collection
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TextIO

from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.services import staff_create
from dolbom.areas.selectors import dong_list_valid_on
from dolbom.registry.models import Resident

DEMO_PASSWORD = "dolbom-demo-2026"
DEMO_DONG = "서신동"
# What ``dolbom demo`` offers a seed_demo besides seed and out.
DEMO_OPTIONS = ("households", "cases")


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


def demo_modules() -> list[ModuleType]:
    """The ``demo`` module of every dolbom app that has one, in INSTALLED_APPS order."""
    names = [f"{app.name}.demo" for app in apps.get_app_configs() if app.name.startswith("dolbom.")]
    return [importlib.import_module(name) for name in names if importlib.util.find_spec(name) is not None]


def _ensure_users(modules: list[ModuleType], password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    dongs = {d.name: d for d in dong_list_valid_on(timezone.localdate())}
    logins = []
    users = list(_DEMO_USERS) + [u for m in modules for u in getattr(m, "DEMO_USERS", [])]
    for username, name, role, dong_name, institution, note in users:
        if not User.objects.filter(username=username).exists():
            staff_create(username=username, password=password, display_name=name, role=role,
                         dong=dongs.get(dong_name) if dong_name else None, institution=institution)
        logins.append(DemoLogin(username, password, str(role.label), note))
    return logins


def _seed(module: ModuleType, *, seed: int, out: TextIO, options: dict[str, Any]) -> None:
    accepted = inspect.signature(module.seed_demo).parameters
    module.seed_demo(seed=seed, out=out, **{k: v for k, v in options.items() if k in accepted})


def prepare_demo(*, households: int, cases: int, seed: int, out: TextIO,
                 password: str = DEMO_PASSWORD, only: Collection[str] | None = None) -> list[DemoLogin]:
    """``password``: of the demo logins; production refuses the published one (dolbom/cli.py). ``only``: the app
    labels whose demo data is seeded (a test of the case workflow need not wait for two years of reports history);
    every app's demo logins are created all the same."""
    modules = demo_modules()
    logins = _ensure_users(modules, password)
    if Resident.objects.exists():
        out.write(f"기존 데모 데이터를 사용합니다 (주민 {Resident.objects.count():,}명).\n")
        return logins
    started = time.perf_counter()
    options = {"households": households, "cases": cases}
    from django.test.utils import override_settings

    from dolbom.integrations.messaging.backends import outbox

    # The seeded months are history: the texts they would have sent (receipts, decisions, alarms, sign-ups) are
    # kept in memory and counted, never sent to a gateway nor printed over the demo's own output.
    before = len(outbox)
    with override_settings(DOLBOM_MESSAGE_BACKEND="locmem"):
        for module in modules:
            if only is None or module.__name__.split(".")[1] in only:
                _seed(module, seed=seed, out=out, options=options)
    texts = len(outbox) - before
    del outbox[before:]
    out.write(f"합성 전주시 생성 완료: 가구 {households:,}, 사례 {cases:,}, 데모 이력 문자 {texts:,}건은 보내지 않음 "
              f"({time.perf_counter() - started:.1f}초)\n")
    return logins
