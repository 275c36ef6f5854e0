"""Residents, consents, households and dongs through the API."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.registry.models import Consent
from dolbom.testing import personas
from dolbom.testing.api import api_as


def test_a_search_returns_only_people_in_scope_and_logs_their_ids(officer, other_officer):
    mine = personas.make_resident(officer, name="김영숙")
    personas.make_resident(other_officer, name="김영수", area_name="효자1동")
    r = api_as(officer).get("/api/residents", {"q": "ㄱㅇㅅ"})
    assert r.status_code == 200
    assert [p["id"] for p in r.json()] == [mine.pk]
    assert r.json()[0]["rrn_masked"] == "480302-2******"
    rows = AccessLog.objects.filter(action=AccessAction.SEARCH)
    assert [(row.actor_id, row.subject_ids, row.query) for row in rows] == [(officer.pk, [mine.pk], "ㄱㅇㅅ")]


def test_an_empty_search_is_refused(officer):
    r = api_as(officer).get("/api/residents", {"q": " "})
    assert (r.status_code, r.json()["code"]) == (400, "query_too_short")


def test_the_detail_shows_the_rrn_masked_and_never_in_full(officer, resident):
    full = resident.rrn_plain()
    r = api_as(officer).get(f"/api/residents/{resident.pk}", {"purpose": "상담 전화 확인"})
    assert r.status_code == 200
    body = r.json()
    assert body["rrn_masked"] == "480302-2******"
    assert body["household"]["road_address"] == "전주시 완산구 서신로 1"
    assert body["target_groups"] == ["older"] and body["lives_alone"] is True
    assert full[7:] not in r.content.decode()


def test_opening_a_record_outside_the_caseload_needs_a_purpose(officer, resident):
    api = api_as(officer)
    r = api.get(f"/api/residents/{resident.pk}")
    assert (r.status_code, r.json()["code"]) == (400, "purpose_required")
    assert not AccessLog.objects.filter(action=AccessAction.VIEW).exists()


def test_the_purpose_may_come_from_the_header(officer, resident):
    r = api_as(officer).get(f"/api/residents/{resident.pk}", **{"X-Access-Purpose": quote("가정방문 준비")})
    assert r.status_code == 200
    row = AccessLog.objects.get(action=AccessAction.VIEW)
    assert (row.purpose, row.resident_id, row.in_caseload) == ("가정방문 준비", resident.pk, False)


def test_a_client_in_the_caseload_needs_no_purpose(officer, resident):
    personas.open_case(officer, resident)  # the officer becomes the case manager
    r = api_as(officer).get(f"/api/residents/{resident.pk}")
    assert r.status_code == 200
    assert AccessLog.objects.get(action=AccessAction.VIEW).in_caseload is True


def test_a_dong_officer_reveals_the_full_rrn_and_it_is_logged(officer, resident):
    r = api_as(officer).post(f"/api/residents/{resident.pk}/rrn?purpose=행복e음 신청")
    assert r.status_code == 200
    assert r.json()["rrn"] == f"{resident.rrn_plain()[:6]}-{resident.rrn_plain()[6:]}"
    row = AccessLog.objects.get(action=AccessAction.REVEAL_RRN)
    assert (row.actor_id, row.resident_id, row.purpose) == (officer.pk, resident.pk, "행복e음 신청")


@pytest.mark.parametrize("persona", ["manager", "city"])
def test_other_roles_may_not_reveal_the_rrn(request, persona, resident):
    r = api_as(request.getfixturevalue(persona)).post(f"/api/residents/{resident.pk}/rrn?purpose=x")
    assert (r.status_code, r.json()["code"]) == (403, "not_allowed")
    assert "rrn" not in r.json()
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL_RRN).exists()


def test_consents_are_recorded_listed_and_withdrawn_but_kept(officer, resident):
    api = api_as(officer)
    url = f"/api/residents/{resident.pk}/consents"
    r = api.post(url, {"purpose": "information_sharing", "recipient": "전주 방문간호센터",
                       "expires_on": "2030-12-31"})
    assert r.status_code == 201, r.content
    consent = r.json()
    assert consent["is_active"] is True and consent["recorded_by"] == "김민지"
    r = api.post(f"{url}/{consent['id']}/withdraw", {})
    assert r.status_code == 200 and r.json()["is_active"] is False and r.json()["withdrawn_at"]
    r = api.post(f"{url}/{consent['id']}/withdraw", {})
    assert (r.status_code, r.json()["code"]) == (400, "consent_already_withdrawn")
    listed = api.get(url, {"purpose": "동의 확인"}).json()
    assert [(c["id"], c["is_active"]) for c in listed] == [(consent["id"], False)]
    assert Consent.objects.filter(pk=consent["id"]).exists()


def test_a_consent_of_another_resident_cannot_be_withdrawn_through_this_one(officer, resident):
    other = personas.make_resident(officer, name="이말순")
    api = api_as(officer)
    consent = api.post(f"/api/residents/{other.pk}/consents",
                       {"purpose": "case_management", "recipient": "전주시"}).json()
    r = api.post(f"/api/residents/{resident.pk}/consents/{consent['id']}/withdraw", {})
    assert (r.status_code, r.json()["code"]) == (404, "consent_not_found")
    assert Consent.objects.get(pk=consent["id"]).withdrawn_at is None


def test_a_consent_without_a_recipient_is_refused(officer, resident):
    r = api_as(officer).post(f"/api/residents/{resident.pk}/consents",
                             {"purpose": "case_management", "recipient": " "})
    assert (r.status_code, r.json()["code"]) == (400, "consent_invalid")


def test_a_household_lists_its_members(officer, resident):
    spouse = personas.make_resident(officer, name="이철수", birth=dt.date(1945, 5, 5), sex="M",
                                    household=resident.household)
    r = api_as(officer).get(f"/api/households/{resident.household_id}")
    assert r.status_code == 200
    body = r.json()
    assert body["size"] == 2 and body["dong"]["name"] == "서신동"
    assert [m["id"] for m in body["members"]] == [spouse.pk, resident.pk]
    assert "rrn" not in str(body)


def test_a_household_out_of_scope_is_refused_and_the_attempt_logged(other_officer, resident):
    from dolbom.audit.models import AccessAction, AccessLog

    r = api_as(other_officer).get(f"/api/households/{resident.household_id}")
    assert (r.status_code, r.json()["code"]) == (404, "household_not_found")
    denied = AccessLog.objects.get(action=AccessAction.DENIED, record_type="household")
    assert denied.actor == other_officer and denied.subject_ids == [resident.pk]


def test_dongs_are_listed_as_they_were_on_a_day(officer):
    api = api_as(officer)
    before = {d["name"]: d for d in api.get("/api/dongs", {"on": "2025-03-01"}).json()}
    after = {d["name"] for d in api.get("/api/dongs", {"on": "2025-04-01"}).json()}
    assert len(before) == 35 and len(after) == 34
    assert "금암2동" in before and "금암동" not in before
    assert "금암동" in after and "금암2동" not in after
    assert before["서신동"]["code"] == "5211168000"
    assert api.get("/api/dongs", {"on": "2023-12-31"}).json()[0]["code"].startswith("45")


def test_an_area_of_former_geumam2_resolves_by_date(officer):
    api = api_as(officer)
    r = api.get("/api/dongs/resolve", {"area": "3501259", "on": "2025-03-01"})
    assert r.status_code == 200 and r.json()["dong"]["name"] == "금암2동"
    assert r.json()["area_name"] == "금암2동"
    r = api.get("/api/dongs/resolve", {"area": "3501259", "on": "2025-04-01"})
    assert r.json()["dong"]["name"] == "금암동"
    r = api.get("/api/dongs/resolve", {"area": "9999999"})
    assert (r.status_code, r.json()["code"]) == (404, "dong_unknown")
