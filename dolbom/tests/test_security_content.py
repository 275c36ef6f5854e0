"""Korean free text that is also markup or a spreadsheet formula, on every page that shows it and in every
export, from outside: every page of the URL configuration is opened as the city team (who sees everything)
on records whose names and notes carry the payloads.

- no page carries the payload's markup unescaped (a stored XSS would run for every officer who opens it);
- every CSV download defuses a leading = + - @ (a cell Excel would run as a formula).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from dolbom.accounts.models import Role
from dolbom.cases.services import case_close
from dolbom.registry.models import ConsentPurpose
from dolbom.registry.services import consent_record
from dolbom.testing import personas
from dolbom.tests.test_security_matrix import STRING_PARAMS, _pages

# Fits a name (50 characters; PostgreSQL enforces it, SQLite does not) and still carries both kinds of markup.
XSS = "김<script>alert('돌봄')<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://example.invalid","김영숙")'
RAW_MARKUP = ("<script>alert('돌봄')", "<img src=x onerror")


@pytest.fixture
def payload_world(db):
    officer = personas.make_staff("xss_officer", "김민지", Role.DONG_OFFICER, "서신동")
    marked = personas.make_resident(officer, name=XSS)
    formula = personas.make_resident(officer, name=FORMULA)
    consent_record(actor=officer, resident=marked, purpose=ConsentPurpose.CASE_MANAGEMENT, recipient=XSS[:90],
                   note=XSS)
    case = personas.open_case(officer, marked)
    for step in (personas.survey, personas.decide, personas.plan):
        step(officer, case)
    other = personas.open_case(officer, formula)
    case_close(actor=officer, case=other, reason="refusal", note=f"{FORMULA} {XSS}")
    return {"resident_id": marked.pk, "household_id": marked.household_id, "case_id": case.pk, "version": 1,
            "client_id": marked.pk}


def _url(route: str, ids: dict[str, int]) -> str | None:
    names = [m[1] for m in re.findall(r"<(?:(\w+):)?(\w+)>", route)]
    if any(n not in ids and n not in STRING_PARAMS for n in names):
        return None
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(ids.get(m.group(2), STRING_PARAMS.get(m.group(2)))),
                        route)


def test_no_page_shows_the_markup_of_free_text_unescaped(payload_world):
    city = personas.make_staff("xss_city", "정하늘", Role.CITY_TEAM)
    c = Client()
    c.force_login(city)
    opened, unsafe, csv_files = 0, [], []
    for route, _names in _pages():
        url = _url(route, payload_world)
        if url is None or "logout" in url:
            continue
        r = c.get(url, {"purpose": "보안 점검"})
        if r.status_code != 200:
            continue
        opened += 1
        kind = r.get("Content-Type", "")
        body = b"".join(r.streaming_content) if r.streaming else r.content
        if "csv" in kind:
            csv_files.append((url, body))
            continue
        text = body.decode("utf-8", "replace")
        if any(markup in text for markup in RAW_MARKUP):
            unsafe.append(url)
    assert opened > 20
    assert unsafe == []
    for url, body in csv_files:
        _assert_defused(url, body)


def _assert_defused(url: str, body: bytes) -> None:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    live = [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert live == [], url


def test_the_case_download_defuses_formulas(payload_world):
    officer = personas.make_staff("xss_dl", "김민지", Role.DONG_OFFICER, "서신동")
    c = Client()
    c.force_login(officer)
    r = c.post("/cases/download/", {"reason": "월간 보고"})
    assert r.status_code == 200 and "csv" in r["Content-Type"]
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert "HYPERLINK" in body.decode("utf-8-sig")  # the name is there, defused
    _assert_defused("/cases/download/", body)
