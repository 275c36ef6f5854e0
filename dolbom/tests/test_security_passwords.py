"""Finding (medium): password validators never ran (``create_staff --password 1`` worked) and nobody could
change a password.

Every password a person sets goes through settings.AUTH_PASSWORD_VALIDATORS: at least 10 characters, not like
the ID or name, not in Django's list of 20,000 leaked passwords, strong enough by zxcvbn (its own 30,000
leaked passwords and dictionaries, offline), and none of the last 5 again.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from dolbom.accounts.models import PasswordHistory, Role, SecurityEvent, SecurityEventKind
from dolbom.accounts.services import staff_create
from dolbom.lib.errors import DomainError

STRONG = "솔밭 사이로 부는 바람 2026"


@pytest.mark.parametrize("password", ["1", "short1!", "1234567890", "password1234", "qwerty123456",
                                      "minji2026!!", "Minji!2026ab"])
def test_create_staff_refuses_a_weak_password(db, password):
    with pytest.raises(CommandError):
        call_command("accounts", "create-staff", "minji", "--name", "김민지", "--role", "city_team",
                     "--password", password)
    assert not User.objects.filter(username="minji").exists()


def test_create_staff_takes_a_strong_one(db):
    call_command("accounts", "create-staff", "haneul", "--name", "정하늘", "--role", "city_team", "--password", STRONG)
    assert User.objects.get(username="haneul").check_password(STRONG)


def test_the_service_refuses_it_whoever_calls_it(db):
    with pytest.raises(DomainError) as exc:
        staff_create(username="x1", password="abc", display_name="김", role=Role.PARTNER)
    assert exc.value.code == "password_invalid" and "10자" in exc.value.message


@pytest.fixture
def page(officer, login) -> Client:
    return login(officer)


def _change(c: Client, old: str, new: str):
    return c.post("/account/password/", {"old_password": old, "new_password": new, "new_password_again": new})


def test_a_person_changes_their_password_on_the_page(page, officer):
    assert page.get("/account/password/").status_code == 200
    r = _change(page, "dolbom-test-1234", STRONG)
    assert r.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(STRONG)
    assert page.get("/").status_code == 200  # this session goes on
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, username="minji").exists()


def test_the_page_refuses_a_wrong_current_password_and_weak_or_reused_ones(page, officer):
    r = _change(page, "not-my-password", STRONG)
    assert r.status_code == 400 and "현재 비밀번호가 올바르지 않습니다" in r.content.decode()
    r = _change(page, "dolbom-test-1234", "iloveyou2026")
    assert r.status_code == 400 and "추측하기 쉬운 비밀번호" in r.content.decode()
    r = _change(page, "dolbom-test-1234", "dolbom-test-1234")
    assert r.status_code == 400 and "전에 쓴 비밀번호" in r.content.decode()
    officer.refresh_from_db()
    assert officer.check_password("dolbom-test-1234")


def test_none_of_the_last_five_passwords_comes_back(page, officer):
    passwords = ["dolbom-test-1234"] + [f"{STRONG} {n}번째" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert _change(page, old, new).status_code == 302, new
    assert PasswordHistory.objects.filter(user=officer).count() == 5
    assert _change(page, passwords[-1], passwords[2]).status_code == 400  # four changes ago
    assert _change(page, passwords[-1], passwords[0]).status_code == 302  # six ago: forgotten
