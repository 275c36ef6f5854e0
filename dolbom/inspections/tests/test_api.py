"""The API the tablet uses: the sync with its session and CSRF token, photos, and the office's reads."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone
from PIL import Image

from dolbom.inspections.models import AtpReading, CorrectiveAction, Inspection, Photo
from dolbom.inspections.selectors import current_template
from dolbom.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def _body(facility, hygiena, client_id: str | None = None, submit: bool = False) -> dict:
    answers = []
    for item in current_template().items.all():
        if item.answer_kind == "measured":
            value = item.limit_value - 2 if item.limit_op == "le" else item.limit_value + 5
            answers.append({"item": item.code, "answer": "value", "value": str(value)})
        else:
            answers.append({"item": item.code, "answer": "no" if item.code == "fridge_temperature" else "yes"})
    answers = [a if a["item"] != "fridge_temperature" else {"item": a["item"], "answer": "value", "value": "12.5"}
               for a in answers]
    first = str(uuid.uuid4())
    return {
        "client_id": client_id or str(uuid.uuid4()), "facility_id": facility.pk, "template_id": current_template().pk,
        "visited_on": str(timezone.localdate()), "answers": answers,
        "readings": [{"client_id": first, "surface": "cutting_board", "instrument_id": hygiena.pk, "rlu": 55,
                      "measured_at": "2026-07-01T10:00:00+09:00"},
                     {"client_id": str(uuid.uuid4()), "surface": "cutting_board", "instrument_id": hygiena.pk, "rlu": 4,
                      "measured_at": "2026-07-01T10:20:00+09:00", "retest_of": first}],
        "actions": [{"client_id": str(uuid.uuid4()), "item": "fridge_temperature", "description": "온도 조정",
                     "owner": "조리원", "due_on": "2099-01-01"}],
        "submit": submit,
    }


def _session_client(user) -> tuple[Client, str]:
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    request = RequestFactory().get("/")
    token = get_token(request)
    c.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return c, token


def test_the_tablets_sync_with_its_csrf_token_stores_once_and_answers_the_same_again(inspector, facility, hygiena):
    c, token = _session_client(inspector)
    body = json.dumps(_body(facility, hygiena, submit=True))
    r1 = c.post("/api/inspections/sync", body, content_type="application/json", headers={"X-CSRFToken": token})
    r2 = c.post("/api/inspections/sync", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert (r1.status_code, r2.status_code) == (201, 200)
    assert r1.json()["status"] == "closed" and r1.json()["inspection_id"] == r2.json()["inspection_id"]
    assert not r2.json()["changed"] and sorted(r1.json()["readings"].values()) == ["fail", "pass"]
    assert (Inspection.objects.count(), AtpReading.objects.count(), CorrectiveAction.objects.count()) == (1, 2, 1)


def test_a_sync_without_a_valid_csrf_token_is_refused_cleanly_and_stores_nothing(inspector, facility, hygiena):
    c, _token = _session_client(inspector)
    r = c.post("/api/inspections/sync", json.dumps(_body(facility, hygiena)), content_type="application/json",
               headers={"X-CSRFToken": "expired-token-from-yesterday"})
    assert (r.status_code, r.json()["code"]) == (403, "csrf_failed")
    assert Inspection.objects.count() == 0


def test_a_sync_after_the_session_ended_answers_401_and_stores_nothing(facility, hygiena):
    r = Client().post("/api/inspections/sync", json.dumps(_body(facility, hygiena)), content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (401, "unauthenticated")
    assert Inspection.objects.count() == 0


def test_a_refused_sync_answers_a_stable_code_in_korean(inspector, facility, hygiena):
    body = _body(facility, hygiena)
    body["answers"][0]["answer"] = "na"  # retained samples cannot be "not applicable"
    r = ApiClient(inspector).post("/api/inspections/sync", body)
    assert r.status_code == 400 and r.json()["code"] == "answer_invalid" and "1번 항목" in r.json()["message"]
    assert Inspection.objects.count() == 0


def test_a_field_of_the_wrong_type_answers_422(inspector, facility, hygiena):
    body = _body(facility, hygiena)
    body["readings"][0]["rlu"] = "many"
    r = ApiClient(inspector).post("/api/inspections/sync", body)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")


def test_photos_upload_through_the_api_once_per_client_id(inspector, facility, hygiena):
    api = ApiClient(inspector)
    body = _body(facility, hygiena)
    api.post("/api/inspections/sync", body)
    img = io.BytesIO()
    Image.new("RGB", (30, 20)).save(img, format="PNG")
    cid = str(uuid.uuid4())
    for expected in (201, 200):
        img.seek(0)
        img.name = "p.png"
        r = api.client.post("/api/inspections/photos", {"client_id": cid, "inspection": body["client_id"],
                                                         "item": "labelling", "file": img})
        assert r.status_code == expected, r.content
    assert Photo.objects.count() == 1


def test_the_office_reads_an_inspection_and_the_scope_holds(inspector, facility, hygiena, officer, other_officer):
    body = _body(facility, hygiena, submit=True)
    iid = ApiClient(inspector).post("/api/inspections/sync", body).json()["inspection_id"]
    r = ApiClient(officer).get(f"/api/inspections/{iid}")
    assert r.status_code == 200 and len(r.json()["readings"]) == 2 and r.json()["grade"] == "good"
    assert ApiClient(other_officer).get(f"/api/inspections/{iid}").status_code == 404
    rows = ApiClient(officer).get("/api/inspections/facilities").json()
    assert [row["facility"]["id"] for row in rows] == [facility.pk]
    assert ApiClient(other_officer).get("/api/inspections/facilities").json() == []


def test_the_field_data_endpoint_serves_the_checklist_and_limits(inspector, facility):
    data = ApiClient(inspector).get("/api/inspections/field-data").json()
    assert data["template"]["items"][0]["code"] == "retained_sample"
    assert any(i["limits"].get("hands") == [1500, 3000] for i in data["instruments"])
