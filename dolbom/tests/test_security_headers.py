"""Security headers on every answer, proven from outside: a strict CSP that names no other origin, no inline
script in any template, Permissions-Policy, no caching of personal data; HSTS and the HTTPS redirect in
production (dolbom/tests/test_security_production.py starts it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import dolbom
from dolbom.testing.api import api_as
from dolbom.web.security import CONTENT_SECURITY_POLICY

PACKAGE = Path(dolbom.__file__).parent


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_the_policy_allows_this_origin_only_and_no_inline_script_or_eval():
    csp = _directives(CONTENT_SECURITY_POLICY)
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    sources = [s for values in csp.values() for s in values]
    assert not [s for s in sources if "://" in s or s in ("*", "https:", "http:")], sources
    assert "'unsafe-eval'" not in sources and "'unsafe-inline'" not in csp["script-src"] + csp["style-src"]


@pytest.mark.parametrize("url", ["/login/", "/", "/residents/", "/api/cases", "/static/dolbom/dolbom.css"])
def test_every_answer_carries_the_headers(login, officer, url):
    r = (Client() if url == "/login/" else login(officer)).get(url)
    assert r.status_code == 200, url
    assert r["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "camera=()" in r["Permissions-Policy"] and "geolocation=()" in r["Permissions-Policy"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"
    if url.startswith("/static/"):
        assert "no-store" not in r.get("Cache-Control", "")  # static files may be cached
    else:
        assert "no-store" in r["Cache-Control"]


def test_api_answers_are_not_cached_even_errors(officer):
    for r in (api_as(officer).get("/api/residents/999999"), Client().get("/api/cases")):
        assert r.status_code in (401, 404) and "no-store" in r["Cache-Control"]


def test_no_template_has_an_inline_script_or_an_event_handler_attribute():
    """What the policy would block in a browser: found in the sources, so that a new template fails here."""
    offenders = []
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    for path in PACKAGE.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if handler.search(text) or inline_script.search(text) or "javascript:" in text.lower():
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_cookies_are_http_only_and_same_site(officer):
    c = Client()
    c.get("/login/")
    r = c.post("/login/", {"username": "minji", "password": "dolbom-test-1234"})
    session = r.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert c.cookies["csrftoken"]["httponly"]
