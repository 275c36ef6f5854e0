"""Findings on input, from outside: no length limits (a 1 MiB reason was stored; on PostgreSQL a 51-character
name or a NUL in search was a 500), times with an offset ("09:00:00Z") a 500, huge and malformed bodies.

Every text input of every API endpoint has a limit (its own, else 20,000 characters: lib/api.py
bound_text_inputs, run over every router, so that a new endpoint is bounded too); forms keep their
max_length and no form field may exceed 20,000 characters; a NUL is refused before any query; bodies over
512 KiB are refused; wall-clock times refuse an offset.
"""

from __future__ import annotations

import json

import pytest
from annotated_types import MaxLen
from django.utils import timezone

from dolbom.api import BOUNDED_INPUT_MODELS, api
from dolbom.cases.models import Case, CaseStatus
from dolbom.lib.api import routers_of, schema_models
from dolbom.testing import personas
from dolbom.testing.api import api_as


def _input_models() -> list:
    return schema_models(routers_of(api))


def _is_text(annotation) -> bool:
    return annotation is str or str in getattr(annotation, "__args__", ())


def test_every_text_input_of_every_endpoint_has_a_length_limit():
    unbounded = []
    for model in _input_models():
        default = model.model_config.get("str_max_length")
        for name, field in model.model_fields.items():
            own = [m.max_length for m in field.metadata if isinstance(m, MaxLen)]
            if _is_text(field.annotation) and not own and default is None:
                unbounded.append(f"{model.__module__}.{model.__name__}.{name}")
    assert unbounded == []
    assert BOUNDED_INPUT_MODELS, "the API was put together without bounding its inputs"


def test_the_openapi_documents_the_limits(officer, login):
    schema = login(officer).get("/api/openapi.json").json()
    close = schema["paths"]["/api/cases/{case_id}/close"]["post"]
    ref = close["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    note = schema["components"]["schemas"][ref]["properties"]["note"]
    assert note["maxLength"] == 20_000


@pytest.fixture
def case(officer):
    return personas.open_case(officer, personas.make_resident(officer))


def test_a_megabyte_reason_is_refused_and_nothing_is_written(officer, case):
    api_client = api_as(officer)
    url = f"/api/cases/{case.pk}/close?purpose=종결%20처리"
    r = api_client.post(url, {"reason": "refusal", "note": "가" * (1024 * 1024)})
    assert (r.status_code, r.json()["code"]) == (413, "body_too_large")
    r = api_client.post(url, {"reason": "refusal", "note": "가" * 20_001})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
    assert Case.objects.get(pk=case.pk).status != CaseStatus.CLOSED


def test_a_megabyte_form_field_is_refused_too(officer, case, login):
    r = login(officer).post(f"/cases/{case.pk}/steps/close/", {"reason": "refusal", "note": "가" * 20_001})
    assert r.status_code == 400
    assert Case.objects.get(pk=case.pk).status != CaseStatus.CLOSED


@pytest.mark.parametrize("url", ["/api/residents?q=%00", "/api/residents?q=%E%00x"])
def test_a_nul_in_a_query_is_refused_before_any_query(officer, url):
    r = api_as(officer).client.get(url)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"


def test_a_nul_in_a_page_search_or_a_json_body_is_refused(officer, login, case):
    assert login(officer).post("/residents/", {"q": "김\x00"}).status_code == 400
    r = api_as(officer).post(f"/api/cases/{case.pk}/close?purpose=종결%20처리", {"reason": "refusal", "note": "a\x00b"})
    assert r.status_code == 422


def test_a_name_longer_than_its_column_is_refused_not_a_server_error(db, manager):
    from dolbom.areas.models import BoundaryArea
    from dolbom.referrals.models import Institution, InstitutionKind

    hospital = Institution.objects.create(code="JJ-HP-001", name="전주 새봄병원", kind=InstitutionKind.HOSPITAL)
    worker = personas.make_staff("nurse_hp", "오지현", "partner", institution=hospital.name)
    worker.staff.institution_code = hospital.code
    worker.staff.save()
    r = api_as(worker).post("/api/referrals/discharges", {
        "name": "가" * 51, "birth_date": "1944-05-06", "rrn": "440506-2000000", "road_address": "서신로 1",
        "area_code": BoundaryArea.objects.get(name="서신동").kostat_code, "consent_given": True})
    assert r.status_code == 422


@pytest.mark.parametrize("body", [b"{not json", b'{"reason": ', b"[]", b'"text"'])
def test_malformed_json_is_a_clean_4xx(officer, case, body):
    r = api_as(officer).client.post(f"/api/cases/{case.pk}/close?purpose=종결%20처리", body,
                                    content_type="application/json")
    assert 400 <= r.status_code < 500 and r["Content-Type"].startswith("application/json")


def test_a_body_that_is_not_utf8_is_refused(officer, case):
    r = api_as(officer).client.post(f"/api/cases/{case.pk}/close", "가".encode("euc-kr"),
                                    content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"


# Times with an offset ----------------------------------------------------------------------------

def test_a_visit_window_with_an_offset_is_invalid_input(officer, case):
    r = api_as(officer).post("/api/visits", {
        "household_id": case.resident.household_id, "case_id": case.pk, "visit_type": "home_nursing",
        "skill": "nurse", "duration_minutes": 30, "window_start": "09:00:00Z", "window_end": "12:00:00+09:00",
        "due_on": timezone.localdate().isoformat()})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")


def test_a_call_window_with_an_offset_is_invalid_input(officer, case):
    r = api_as(officer).post("/api/checkins/enrolments", {
        "case_id": case.pk, "frequency": "weekly", "weekday": 1, "window_start": "09:00:00Z",
        "window_end": "11:00:00Z", "preferred_name": "김영숙"})
    assert r.status_code == 422


def test_a_council_time_with_an_offset_is_invalid_input(city):
    r = api_as(city).post("/api/meetings/councils", {
        "name": "서신동 돌봄회의체", "kind": "dong_council", "rrule": "FREQ=MONTHLY;BYDAY=2TU",
        "starts_on": timezone.localdate().isoformat(), "time": "14:00:00Z", "place": "서신동 행정복지센터"})
    assert r.status_code == 422


# The planner's solver time -----------------------------------------------------------------------

def test_a_planner_may_not_ask_for_ten_minutes_of_solver_time(officer):
    r = api_as(officer).post("/api/visits/plan", {"date": timezone.localdate().isoformat(), "time_limit": 600})
    assert (r.status_code, r.json()["code"]) == (400, "time_limit_invalid")
    assert "30" in r.json()["message"]


def test_json_bodies_are_composed_to_nfc(officer, case):
    import unicodedata

    note = unicodedata.normalize("NFD", "본인 거부")
    r = api_as(officer).post(f"/api/cases/{case.pk}/close?purpose=종결%20처리", {"reason": "refusal", "note": note})
    assert r.status_code == 200, r.content
    assert Case.objects.get(pk=case.pk).closure_note == "본인 거부"
    assert json.loads(r.content)["status"] == "closed"
