"""Finding (medium): no idle timeout; sessions lived 8 hours whatever happened.

A session ends after DOLBOM_SESSION_IDLE_MINUTES (30) without a request and DOLBOM_SESSION_MAX_HOURS (8) after
signing in, however busy; pages go back to the login with a Korean message, the API answers 401 JSON.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dolbom.testing.second_factor import sign_in
from dolbom.web.security import LAST_SEEN_KEY, SIGNED_IN_KEY


@pytest.fixture
def signed_in(officer) -> Client:
    c = Client()
    assert sign_in(c, "minji").status_code == 200  # the recovery codes, after enrolling the app
    return c


def _age(client: Client, *, idle: float = 0, since_sign_in: float = 0) -> None:
    session = client.session
    now = time.time()
    session[LAST_SEEN_KEY] = now - idle
    session[SIGNED_IN_KEY] = now - since_sign_in
    session.save()


def test_thirty_minutes_without_a_request_signs_out_with_a_korean_message(signed_in):
    _age(signed_in, idle=29 * 60, since_sign_in=29 * 60)
    assert signed_in.get("/api/cases").status_code == 200
    _age(signed_in, idle=31 * 60, since_sign_in=31 * 60)
    r = signed_in.get("/residents/")
    assert r.status_code == 302 and r["Location"] == "/login/?next=%2Fresidents%2F"
    page = signed_in.get(r["Location"]).content.decode()
    assert "30분 동안 사용하지 않아 로그아웃되었습니다" in page
    assert signed_in.get("/residents/").status_code == 302  # the session is gone, not just refused once


def test_a_busy_session_still_ends_after_its_maximum_length(signed_in):
    _age(signed_in, idle=10, since_sign_in=8 * 3600 + 60)
    r = signed_in.get("/api/cases")
    assert (r.status_code, r.json()["code"]) == (401, "session_expired")
    assert "no-store" in r["Cache-Control"]


def test_the_idle_limit_is_configurable(signed_in, settings):
    settings.DOLBOM_SESSION_IDLE_MINUTES = 5
    _age(signed_in, idle=6 * 60, since_sign_in=6 * 60)
    r = signed_in.get("/", HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"].startswith("/login/")


def test_activity_keeps_the_session_alive(signed_in):
    _age(signed_in, idle=20 * 60, since_sign_in=3 * 3600)
    assert signed_in.get("/api/cases").status_code == 200
    assert time.time() - signed_in.session[LAST_SEEN_KEY] < 5


def test_the_session_cookie_ends_with_the_browser(signed_in):
    assert signed_in.cookies["sessionid"]["expires"] == ""
