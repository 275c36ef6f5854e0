"""Findings on the registry, from outside:

- (high) a search by RRN put the full number into the URL, hence the access log's path (kept two years, shown
  to auditors) and the server's request log: search by number goes by POST, a number in a URL is refused;
- (low) a mistyped RRN answered "nobody found" instead of saying the number is wrong;
- (low) a decomposed 김 (ᄀ+ᅵ+ᆷ) found nothing and names were stored decomposed;
- (low) a refused RRN reveal was logged as a VIEW; purpose="." passed.
"""

from __future__ import annotations

import unicodedata

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.access import RRN_MASK
from dolbom.registry.models import Resident
from dolbom.registry.services import resident_create
from dolbom.testing import personas
from dolbom.testing.api import api_as

HTMX = {"HTTP_HX_REQUEST": "true"}


def _formatted(resident) -> str:
    rrn = resident.rrn_plain()
    return f"{rrn[:6]}-{rrn[6:]}"


def test_a_search_by_number_goes_by_post_and_leaves_the_number_nowhere(login, officer, resident):
    number = _formatted(resident)
    r = login(officer).post("/residents/", {"q": number}, **HTMX)
    assert f"/residents/{resident.pk}/" in r.content.decode()
    row = AccessLog.objects.get(action=AccessAction.SEARCH)
    assert row.query == "(RRN)" and number not in row.path and resident.rrn_plain() not in row.path
    page = login(officer).get("/residents/").content.decode()
    assert 'method="post"' in page and "hx-get" not in page


def test_a_number_in_the_address_is_not_searched(login, officer, resident):
    number = _formatted(resident)
    r = login(officer).get("/residents/", {"q": number}, **HTMX)
    assert f"/residents/{resident.pk}/" not in r.content.decode()
    assert "검색 칸에 입력해 주세요" in r.content.decode()
    assert not AccessLog.objects.filter(action=AccessAction.SEARCH).exists()


def test_the_api_searches_by_number_in_the_body_only(officer, resident):
    api = api_as(officer)
    r = api.get("/api/residents", {"q": resident.rrn_plain()})
    assert (r.status_code, r.json()["code"]) == (400, "rrn_not_in_url")
    r = api.post("/api/residents/search", {"q": _formatted(resident)})
    assert r.status_code == 200 and [p["id"] for p in r.json()] == [resident.pk]
    assert all(RRN_MASK not in row.path and resident.rrn_plain() not in row.path for row in AccessLog.objects.all())


def test_a_mistyped_number_is_said_to_be_wrong(login, officer, resident):
    digits = resident.rrn_plain()
    wrong = digits[:12] + str((int(digits[12]) + 1) % 10)  # the check digit off by one
    r = login(officer).post("/residents/", {"q": wrong}, **HTMX)
    assert "주민등록번호가 올바르지 않습니다" in r.content.decode()
    assert "찾은 주민이 없습니다" not in r.content.decode()
    r = api_as(officer).post("/api/residents/search", {"q": wrong[:8]})
    assert (r.status_code, r.json()["code"]) == (400, "rrn_query_invalid")


def test_a_decomposed_name_is_stored_composed_and_found_either_way(officer):
    decomposed = unicodedata.normalize("NFD", "김영숙")
    assert decomposed != "김영숙"
    person = resident_create(actor=officer, name=decomposed, rrn=personas.make_rrn(personas.dt.date(1948, 3, 2), "F"),
                             household=personas.make_household(officer))
    assert Resident.objects.get(pk=person.pk).name == "김영숙"
    assert person.name_initials == "ㄱㅇㅅ"
    for query in (decomposed, "김영숙", unicodedata.normalize("NFD", "영숙")):
        r = api_as(officer).get("/api/residents", {"q": query})
        assert [p["id"] for p in r.json()] == [person.pk], query


def test_a_decomposed_name_through_a_form_is_composed_on_the_way_in(login, officer, resident):
    r = login(officer).post("/residents/", {"q": unicodedata.normalize("NFD", "김영숙")}, **HTMX)
    assert f"/residents/{resident.pk}/" in r.content.decode()
    assert AccessLog.objects.get(action=AccessAction.SEARCH).query == "김영숙"


def test_a_refused_reveal_is_denied_not_viewed(manager, resident):
    r = api_as(manager).post(f"/api/residents/{resident.pk}/rrn?purpose=행복e음 신청")
    assert (r.status_code, r.json()["code"]) == (403, "not_allowed")
    rows = list(AccessLog.objects.filter(actor=manager))
    assert [(row.action, row.record_type, row.resident_id) for row in rows] == [
        (AccessAction.DENIED, "resident_rrn", resident.pk)]


def test_a_reveal_outside_scope_is_not_found_and_denied(other_officer, resident):
    r = api_as(other_officer).post(f"/api/residents/{resident.pk}/rrn?purpose=행복e음 신청")
    assert r.status_code == 404
    assert [row.action for row in AccessLog.objects.filter(actor=other_officer)] == [AccessAction.DENIED]


def test_a_reveal_is_one_reveal_row(officer, resident):
    r = api_as(officer).post(f"/api/residents/{resident.pk}/rrn?purpose=행복e음 신청")
    assert r.status_code == 200
    assert [row.action for row in AccessLog.objects.filter(actor=officer)] == [AccessAction.REVEAL_RRN]


def test_a_purpose_of_punctuation_or_one_letter_is_no_purpose(manager, resident):
    for purpose in (".", "x", " - ", "..."):
        r = api_as(manager).get(f"/api/residents/{resident.pk}", {"purpose": purpose})
        assert (r.status_code, r.json()["code"]) == (400, "purpose_required"), purpose
    assert api_as(manager).get(f"/api/residents/{resident.pk}", {"purpose": "상담"}).status_code == 200
    assert not AccessLog.objects.filter(action=AccessAction.VIEW, purpose__in=[".", "x"]).exists()


def test_the_data_migration_composes_names_stored_decomposed(officer, resident):
    import importlib

    from django.apps import apps

    Resident.objects.filter(pk=resident.pk).update(name=unicodedata.normalize("NFD", "김영숙"), name_initials="ᄀ")
    migration = importlib.import_module("dolbom.registry.migrations.0007_names_composed_nfc")
    migration.compose(apps, None)
    resident.refresh_from_db()
    assert (resident.name, resident.name_initials) == ("김영숙", "ㄱㅇㅅ")
