"""`dolbom demo`'s data: one login per role, a city, cases and every app's demo, reused on a second run."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User

from dolbom.cases.models import Case
from dolbom.demo import DEMO_PASSWORD, prepare_demo
from dolbom.registry.models import Resident

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_every_app_once_and_reuses_its_data_afterwards(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path  # the discovery demo writes its agency files there
    settings.DOLBOM_MESSAGE_BACKEND = "console"  # as `dolbom demo` runs
    out = io.StringIO()
    logins = prepare_demo(households=300, cases=20, seed=20260327, out=out)
    # The seeded history's texts are counted, not printed over the demo's output (nor sent).
    assert "[문자" not in capsys.readouterr().out
    assert "데모 이력 문자" in out.getvalue()
    assert [login.username for login in logins][:5] == ["officer", "manager", "city", "partner", "auditor"]
    assert {"hospital", "nurse"} <= {login.username for login in logins}
    assert all(User.objects.get(username=login.username).check_password(DEMO_PASSWORD) for login in logins)
    residents, cases = Resident.objects.count(), Case.objects.count()
    assert residents > 300 and cases >= 20
    # The demo's case manager works the demo dong's cases, so that logging in shows a caseload.
    assert Case.objects.filter(manager__username="manager").exists()
    assert "합성 전주시 생성 완료: 가구 300, 사례 20" in out.getvalue()

    again = io.StringIO()
    assert [login.username for login in prepare_demo(households=300, cases=20, seed=1, out=again)] == [
        login.username for login in logins]
    assert again.getvalue().startswith("기존 데모 데이터를 사용합니다")
    assert (Resident.objects.count(), Case.objects.count()) == (residents, cases)
