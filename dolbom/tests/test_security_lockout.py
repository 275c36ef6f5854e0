"""Finding (high): no lockout. 30 wrong passwords in 25 s, then the right one logged in; failures were not
logged.

django-axes locks an account after 5 wrong passwords and an address after 20 (a dong office's PCs share one),
for 30 minutes or until an auditor lifts it on /audit/lockouts/; every sign-in and failure is recorded; the
login page is rate-limited per address on top.
"""

from __future__ import annotations

from axes.models import AccessFailureLog
from axes.models import AccessLog as SignInLog
from django.test import Client

from dolbom.accounts.models import SecurityEvent, SecurityEventKind
from dolbom.testing.personas import PASSWORD

LOCKED = "로그인이 잠겼습니다"


def _try(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(officer):
    c = Client(REMOTE_ADDR="198.51.100.20")
    answers = [_try(c, "minji", f"wrong-{i}").status_code for i in range(30)]
    assert answers[:4] == [200] * 4 and set(answers[4:]) == {429}
    r = _try(c, "minji", PASSWORD)
    assert r.status_code == 429 and LOCKED in r.content.decode()
    assert "_auth_user_id" not in c.session
    # From another address too: the account itself is locked.
    assert _try(Client(REMOTE_ADDR="198.51.100.21"), "minji", PASSWORD).status_code == 429
    # Every refused attempt is recorded, the right password during the lockout included.
    assert AccessFailureLog.objects.filter(username="minji").count() == 32


def test_an_unknown_account_is_locked_with_the_same_words(db):
    c = Client(REMOTE_ADDR="198.51.100.22")
    for i in range(5):
        _try(c, "nobody", f"wrong-{i}")
    r = _try(c, "nobody", "whatever-password")
    assert r.status_code == 429 and LOCKED in r.content.decode()


def test_an_address_spraying_many_accounts_is_locked_for_every_account(officer, manager):
    sprayer = Client(REMOTE_ADDR="203.0.113.50")
    for i in range(20):
        _try(sprayer, f"user{i}", "Spring2026!")
    assert _try(sprayer, "jeongwoo", PASSWORD).status_code == 429
    r = _try(Client(REMOTE_ADDR="203.0.113.51"), "jeongwoo", PASSWORD)
    assert r.status_code == 302  # the account is fine from elsewhere


def test_an_office_with_a_few_typos_is_not_locked(officer, manager):
    office = Client(REMOTE_ADDR="10.20.30.40")
    for i in range(4):
        _try(office, "minji", f"typo-{i}")
    assert _try(office, "minji", PASSWORD).status_code == 302  # a success resets the count


def test_the_auditor_sees_and_lifts_a_lockout(officer, auditor, login):
    c = Client(REMOTE_ADDR="198.51.100.30")
    for i in range(6):
        _try(c, "minji", f"wrong-{i}")
    page = login(auditor)
    html = page.get("/audit/lockouts/").content.decode()
    assert "minji" in html and "198.51.100.30" in html
    r = page.post("/audit/lockouts/lift/", {"kind": "account", "value": "minji"})
    assert r.status_code == 302
    assert "minji" not in page.get("/audit/lockouts/").context["locks"].__repr__()
    assert _try(c, "minji", PASSWORD).status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOCKOUT_LIFTED)
    assert (event.actor, event.username) == (auditor, "minji")


def test_only_the_auditor_sees_the_page_or_lifts(officer, manager, login):
    for i in range(6):
        _try(Client(), "jeongwoo", f"wrong-{i}")
    c = login(officer)
    assert c.get("/audit/lockouts/").status_code == 403
    assert c.post("/audit/lockouts/lift/", {"kind": "account", "value": "jeongwoo"}).status_code == 403
    assert _try(Client(), "jeongwoo", PASSWORD).status_code == 429


def test_sign_ins_are_recorded_and_shown(officer, auditor, login):
    assert _try(Client(REMOTE_ADDR="198.51.100.40"), "minji", PASSWORD).status_code == 302
    row = SignInLog.objects.get(username="minji")
    assert row.ip_address == "198.51.100.40"
    html = login(auditor).get("/audit/lockouts/").content.decode()
    assert "로그인 성공" in html


def test_the_login_page_is_rate_limited_per_address(db, settings):
    settings.DOLBOM_LOGIN_POSTS_PER_10_MIN = 10
    c = Client(REMOTE_ADDR="198.51.100.60")
    statuses = [_try(c, f"u{i}", "x").status_code for i in range(12)]
    assert statuses[-1] == 429 and statuses[:10].count(429) == 0
    assert _try(Client(REMOTE_ADDR="198.51.100.61"), "u", "x").status_code == 200
