"""The second factor (django-otp TOTP with recovery codes), proven through the real sign-in pages.

Required for every role that can reveal an RRN, export people or administer accounts (dong officers, case
managers and the city team export; the auditor lifts lockouts); optional for partner workers and nurses.
Enrolment at the first sign-in; API bearer tokens are not asked, but making one needs a verified session.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dolbom.accounts.models import ApiToken, Role, SecurityEvent, SecurityEventKind
from dolbom.accounts.scope import SECOND_FACTOR_ROLES
from dolbom.accounts.services import api_token_create
from dolbom.testing import personas
from dolbom.testing.personas import PASSWORD
from dolbom.testing.second_factor import current_code, sign_in


def _password(client: Client, username: str):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def test_the_roles_that_need_it():
    assert SECOND_FACTOR_ROLES == {Role.DONG_OFFICER, Role.CASE_MANAGER, Role.CITY_TEAM, Role.AUDITOR}


def test_the_first_sign_in_enrols_and_nothing_opens_before(officer, resident):
    c = Client()
    r = _password(c, "minji")
    assert r.status_code == 302
    r = c.get("/residents/")
    assert r.status_code == 302 and r["Location"].startswith("/account/second-factor/enrol/")
    api = c.get(f"/api/residents/{resident.pk}", {"purpose": "점검"})
    assert (api.status_code, api.json()["code"]) == (403, "second_factor_required")
    page = c.get("/account/second-factor/enrol/").content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")
    pending = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert c.post("/account/second-factor/enrol/", {"code": "000000"}).status_code == 400
    r = c.post("/account/second-factor/enrol/", {"code": current_code(pending)})
    assert r.status_code == 200 and len(r.context["codes"]) == 10
    assert "no-store" in r["Cache-Control"]
    assert c.get("/residents/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SECOND_FACTOR_ENROLLED, username="minji").exists()


def test_a_half_signed_in_session_gets_no_menu_and_its_scripts_a_coded_refusal(officer):
    # The bell's poll used to run on the enrolment page and follow the redirect to a page rendered for
    # nobody; with the cookies gone (a shared PC's browser cleared) that page handed out a new CSRF cookie
    # and the person's next sign-in was refused as "expired" (seen in CI).
    c = Client()
    assert _password(c, "minji").status_code == 302
    page = c.get("/account/second-factor/enrol/").content.decode()
    assert "data-notify-url" not in page and "site-nav" not in page
    r = c.get("/notifications/count/", HTTP_ACCEPT="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "second_factor_required")
    assert c.get("/notifications/count/").status_code == 302  # a navigation still goes to the enrolment


def test_later_sign_ins_ask_for_the_code_or_a_recovery_code_once(officer, settings):
    # django-otp slows guessing down after a wrong code (a growing delay); without it here, so that the
    # right code can follow the wrong one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    first = Client()
    codes = sign_in(first, "minji").context["codes"]
    c = Client()
    assert _password(c, "minji").status_code == 302
    assert c.get("/").url.startswith("/account/second-factor/?next=")
    assert c.post("/account/second-factor/", {"code": "123456"}).status_code == 400
    r = c.post("/account/second-factor/", {"code": codes[0]})
    assert r.status_code == 302 and c.get("/").status_code == 200
    again = Client()
    _password(again, "minji")
    assert again.post("/account/second-factor/", {"code": codes[0]}).status_code == 400  # used up
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.RECOVERY_CODE_USED).count() == 1


def test_a_password_alone_cannot_replace_the_enrolled_app(officer):
    sign_in(Client(), "minji")
    attacker = Client()
    _password(attacker, "minji")
    r = attacker.get("/account/second-factor/enrol/")
    assert r.status_code == 302 and r["Location"] == "/account/second-factor/"
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 1


def test_a_partner_worker_may_sign_in_without_it_and_may_choose_it(partner):
    c = Client()
    _password(c, "sujin")
    assert c.get("/").status_code == 200
    c.get("/account/second-factor/enrol/")
    pending = TOTPDevice.objects.get(user=partner, confirmed=False)
    assert c.post("/account/second-factor/enrol/", {"code": current_code(pending)}).status_code == 200
    later = Client()
    _password(later, "sujin")
    assert later.get("/").status_code == 302  # once chosen, asked at every sign-in


def test_bearer_tokens_are_not_asked_for_the_second_factor(officer, resident):
    token = api_token_create(user=officer, name="script")
    r = Client().get(f"/api/residents/{resident.pk}", {"purpose": "점검"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200


def test_making_a_token_needs_a_verified_session(partner, officer):
    c = Client()
    _password(c, "sujin")  # partner: signed in without a second factor
    r = c.post("/account/tokens/", {"name": "기관 연계 시스템"})
    assert r.status_code == 302 and r["Location"] == "/account/second-factor/enrol/"
    assert not ApiToken.objects.exists()
    verified = Client()
    sign_in(verified, "minji")
    r = verified.post("/account/tokens/", {"name": "동 업무 스크립트"})
    assert r.status_code == 200
    token = r.context["token"]
    assert Client().get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.API_TOKEN_CREATED, username="minji").exists()
    row = ApiToken.objects.get()
    assert verified.post(f"/account/tokens/{row.pk}/revoke/").status_code == 302
    assert Client().get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


@pytest.mark.parametrize("role", [Role.NURSE, Role.PARTNER])
def test_optional_roles_are_not_stopped(db, role):
    personas.make_staff("optional", "오세영", role, "서신동" if role == Role.NURSE else None)
    c = Client()
    _password(c, "optional")
    assert c.get("/").status_code == 200
