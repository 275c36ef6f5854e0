"""The gateways' HTTPS batch endpoint (device token) and the emergency worker's API."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dolbom.safety import services
from dolbom.safety.models import Event, Gateway, Incident, Reject
from dolbom.safety.tests.conftest import payload
from dolbom.testing.api import ApiClient, api_as


def gateway_client(token: str) -> ApiClient:
    return ApiClient(token=token)


def test_a_gateway_posts_a_batch_with_its_token_and_gets_an_answer_per_event(installed):
    events = [payload("activity"), payload("button"), payload("fire", device="T-A1"), {"controller": "T-GW"}]
    r = gateway_client(installed.token).post("/api/safety/gateway/events", {"events": events})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["results"] == ["accepted", "accepted", "device_kind_mismatch", "field_missing"]
    assert body["accepted"] == 2 and [x["index"] for x in body["refused"]] == [2, 3]
    assert Event.objects.filter(transport="https").count() == 2
    assert Reject.objects.filter(transport="https").count() == 2
    assert Incident.objects.get().cause == "button"


def test_a_resent_batch_is_answered_duplicate_and_stores_nothing_twice(installed):
    events = [payload("button", event_id="x-1", seq=1)]
    client = gateway_client(installed.token)
    assert client.post("/api/safety/gateway/events", {"events": events}).json()["results"] == ["accepted"]
    assert client.post("/api/safety/gateway/events", {"events": events}).json()["results"] == ["duplicate"]
    assert Event.objects.count() == 1 and Incident.objects.count() == 1


def test_a_gateway_cannot_post_for_another_controller(installed, city, officer, centre, worker):
    from dolbom.safety.tests.conftest import install
    from dolbom.testing import personas

    install(city, personas.make_resident(officer, name="박순자"), centre, worker, prefix="O")
    r = gateway_client(installed.token).post("/api/safety/gateway/events",
                                             {"events": [payload("activity", gateway="O-GW", device="O-A1")]})
    assert r.json()["results"] == ["controller_mismatch"]


def test_a_wrong_token_is_refused_and_only_the_hash_is_stored(installed):
    assert gateway_client("dsg_wrong").post("/api/safety/gateway/events", {"events": []}).status_code == 401
    gateway = Gateway.objects.get(serial="T-GW")
    assert installed.token not in gateway.token_hash and len(gateway.token_hash) == 64


def test_a_malformed_body_is_refused_with_a_code_and_kept(installed):
    client = gateway_client(installed.token)
    r = client.client.post("/api/safety/gateway/events", b"{oops", content_type="application/json",
                           headers=client.headers)
    assert r.status_code == 400 and r.json()["code"] == "malformed_json"
    assert Reject.objects.get().code == "malformed_json"


def test_a_rotated_token_replaces_the_old_one(installed, worker):
    new = services.gateway_token_rotate(actor=worker, gateway=installed.gateway)
    assert gateway_client(installed.token).post("/api/safety/gateway/events", {"events": []}).status_code == 401
    assert gateway_client(new).post("/api/safety/gateway/events", {"events": []}).status_code == 200


def test_the_worker_lists_and_answers_alerts_through_the_api(installed, worker):
    gateway_client(installed.token).post("/api/safety/gateway/events", {"events": [payload("button")]})
    api = api_as(worker)
    listed = api.get("/api/safety/incidents").json()
    assert [i["cause"] for i in listed] == ["button"] and listed[0]["resident_name"] == "김영숙"
    pk = listed[0]["id"]
    assert api.post(f"/api/safety/incidents/{pk}/respond", {"action": "visit"}).json()["attended_at"]
    r = api.post(f"/api/safety/incidents/{pk}/false-alarm", {"reason": "nonsense"})
    assert r.status_code == 400 and r.json()["code"] == "false_alarm_reason_required"
    done = api.post(f"/api/safety/incidents/{pk}/resolve", {"outcome": "safe_on_visit", "note": "낙상 없음"}).json()
    assert done["status"] == "resolved" and done["outcome"] == "safe_on_visit"


def test_another_centres_worker_gets_404(installed, other_worker):
    gateway_client(installed.token).post("/api/safety/gateway/events", {"events": [payload("button")]})
    pk = Incident.objects.get().pk
    r = api_as(other_worker).post(f"/api/safety/incidents/{pk}/acknowledge")
    assert r.status_code == 404 and r.json()["code"] == "incident_not_found"


def test_an_absence_is_registered_through_the_api(installed, worker):
    now = timezone.now()
    r = api_as(worker).post(f"/api/safety/homes/{installed.home.pk}/absences", {
        "starts_at": now.isoformat(), "ends_at": (now + dt.timedelta(days=2)).isoformat(), "reason": "hospital"})
    assert r.status_code == 201 and r.json()["reason"] == "hospital"


def test_the_waiting_list_endpoint_is_for_the_dong_and_the_city(officer, worker, resident):
    services.waitlist_add(actor=officer, resident=resident)
    rows = api_as(officer).get("/api/safety/waiting").json()
    assert rows[0]["resident_name"] == "김영숙" and rows[0]["points"] > 0
    assert api_as(worker).get("/api/safety/waiting").status_code == 403
