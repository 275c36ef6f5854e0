"""The safety pages: the live board, an incident, homes, the waiting list, tickets, the monthly report."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.safety import services
from dolbom.safety.models import Absence, Clock, Home, HomeStatus, Incident, IncidentStatus, LogKind, Outcome
from dolbom.safety.tests.conftest import ingest, install, payload
from dolbom.testing import personas


def test_the_board_shows_open_alerts_by_severity_with_their_119_status(login, worker, home):
    ingest(payload("fire"))
    ingest(payload("button"))
    page = login(worker).get("/safety/").content.decode()
    assert page.count('data-testid="incident"') == 2
    assert 'hx-trigger="every 3s"' in page and "김영숙" in page
    assert "119: 미신고" in page or "119: " in page
    assert 'data-testid="count-p1"' in page


def test_the_board_refreshes_as_a_fragment_for_htmx(login, worker, home):
    ingest(payload("button"))
    r = login(worker).get("/safety/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    assert "<html" not in body and 'data-testid="incident"' in body


def test_the_board_is_logged_once_while_it_shows_the_same_people(login, worker, home):
    ingest(payload("button"))
    c = login(worker)
    for _ in range(3):
        c.get("/safety/", HTTP_HX_REQUEST="true")
    rows = AccessLog.objects.filter(actor=worker, record_type="safety_board", action=AccessAction.SEARCH)
    assert rows.count() == 1
    ingest(payload("fire"))  # same person: still one row
    personas.make_resident(worker, name="박순자") if False else None
    c.get("/safety/", HTTP_HX_REQUEST="true")
    assert rows.count() == 1


def test_the_board_query_count_does_not_grow_with_alerts(login, worker, city, centre, officer, home):
    c = login(worker)
    ingest(payload("button"))
    with CaptureQueriesContext(connection) as few:
        c.get("/safety/", HTTP_HX_REQUEST="true")
    for k in range(4):
        other = personas.make_resident(officer, name=f"주민{k}")
        install(city, other, centre, worker, prefix=f"Q{k}")
        ingest(payload("button", gateway=f"Q{k}-GW", device=f"Q{k}-B1"))
    with CaptureQueriesContext(connection) as many:
        c.get("/safety/", HTTP_HX_REQUEST="true")
    assert len(many.captured_queries) <= len(few.captured_queries) + 1  # the access-log row for new people


def test_one_click_logs_a_phone_call_and_acknowledges(login, worker, home):
    ingest(payload("button"))
    incident = Incident.objects.get()
    r = login(worker).post(f"/safety/incidents/{incident.pk}/phone_call/", {"next": "/safety/"})
    assert r.status_code == 302 and r["Location"] == "/safety/"
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED and incident.acknowledged_by == worker
    assert incident.log.filter(kind=LogKind.PHONE_CALL, actor=worker).exists()


def test_a_false_alarm_needs_a_reason_code(login, worker, home):
    ingest(payload("fire"))
    incident = Incident.objects.get()
    c = login(worker)
    r = c.post(f"/safety/incidents/{incident.pk}/false_alarm/", {"reason": "", "next": "/safety/"})
    assert r.status_code == 302
    incident.refresh_from_db()
    assert incident.resolved_at is None
    c.post(f"/safety/incidents/{incident.pk}/false_alarm/", {"reason": "cooking"}, HTTP_HX_REQUEST="true")
    incident.refresh_from_db()
    assert (incident.outcome, incident.false_alarm_reason) == (Outcome.FALSE_ALARM, "cooking")


def test_a_119_dispatch_marks_the_alert_attended(login, worker, home):
    ingest(payload("gas"))
    incident = Incident.objects.get()
    login(worker).post(f"/safety/incidents/{incident.pk}/dispatch_119/", {"note": "가스 냄새 신고"})
    incident.refresh_from_db()
    assert incident.report_119 == "dispatched" and incident.attended_at is not None


def test_the_incident_page_is_logged_and_closed_to_another_centre(login, worker, other_worker, home):
    ingest(payload("button"))
    incident = Incident.objects.get()
    page = login(worker).get(f"/safety/incidents/{incident.pk}/")
    assert page.status_code == 200 and "010-1234-5678" in page.content.decode()
    assert AccessLog.objects.filter(actor=worker, action=AccessAction.VIEW, record_type="safety_incident",
                                    resident_id=home.resident_id).exists()
    assert login(other_worker).get(f"/safety/incidents/{incident.pk}/").status_code == 404
    assert AccessLog.objects.filter(actor=other_worker, action=AccessAction.DENIED,
                                    record_type="safety_incident").exists()


def test_a_partner_worker_and_an_auditor_get_no_board(login, partner, auditor):
    assert login(partner).get("/safety/").status_code == 403
    assert login(auditor).get("/safety/").status_code == 403


def test_the_home_page_shows_the_equipment_and_the_next_deadline(login, worker, home):
    ingest(payload("activity"))
    page = login(worker).get(f"/safety/homes/{home.pk}/").content.decode()
    assert page.count('data-testid="device"') == 6 and "T-GW" in page
    assert "주의" in page.split('data-testid="next-level"', 1)[1][:200]


def test_an_absence_is_registered_from_the_home_page(login, worker, home):
    now = timezone.localtime().replace(second=0, microsecond=0)
    r = login(worker).post(f"/safety/homes/{home.pk}/absence/", {
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"), "ends_at": (now + dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "hospital", "note": "전북대병원"})
    assert r.status_code == 302
    absence = Absence.objects.get()
    assert absence.reason == "hospital" and absence.registered_by == worker
    assert Clock.objects.get(home=home).due_at > now + dt.timedelta(days=4)


def test_an_absence_longer_than_31_days_is_refused_in_korean(login, worker, home):
    now = timezone.localtime().replace(second=0, microsecond=0)
    c = login(worker)
    r = c.post(f"/safety/homes/{home.pk}/absence/", {
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"), "ends_at": (now + dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "trip"}, follow=True)
    assert "31일" in r.content.decode()
    assert Absence.objects.count() == 0


def test_replacing_a_device_keeps_the_old_one_as_history(login, worker, home):
    from dolbom.safety.models import Device

    old = Device.objects.get(serial="T-A1")
    login(worker).post(f"/safety/devices/{old.pk}/replace/", {"serial": "T-A1-NEW"})
    old.refresh_from_db()
    new = Device.objects.get(serial="T-A1-NEW")
    assert old.status == "replaced" and old.replaced_by == new and new.location == old.location
    assert ingest(payload("activity", device="T-A1")).statuses == ["device_retired"]
    assert ingest(payload("activity", device="T-A1-NEW")).statuses == ["accepted"]


def test_the_waiting_list_is_ordered_by_need_with_the_reason(login, officer, city):
    young = personas.make_resident(officer, name="이젊은", birth=dt.date(1958, 1, 1))
    old = personas.make_resident(officer, name="최노인", birth=dt.date(1936, 1, 1))
    services.waitlist_add(actor=officer, resident=young)
    services.waitlist_add(actor=officer, resident=old)
    page = login(officer).get("/safety/waiting/").content.decode()
    assert page.index("최노인") < page.index("이젊은")
    assert "세 (+20)" in page or "(+20)" in page


def test_the_waiting_list_puts_a_household_in_crisis_first(officer, city):
    from dolbom.discovery.models import Cycle, EntrySource, VisitListEntry
    from dolbom.lib.access import AccessContext
    from dolbom.safety.selectors import waiting_list

    older = personas.make_resident(officer, name="최노인", birth=dt.date(1936, 1, 1))
    crisis = personas.make_resident(officer, name="위기가구", birth=dt.date(1955, 1, 1))
    for r in (older, crisis):
        services.waitlist_add(actor=officer, resident=r)
    cycle = Cycle.objects.create(name="2026-1", kind="regular", starts_on=timezone.localdate(),
                                 due_on=timezone.localdate(), created_by=officer)
    VisitListEntry.objects.create(cycle=cycle, dong=crisis.dong, household=crisis.household, resident=crisis,
                                  source=EntrySource.MODEL, rank=1, score=0.9, probability=0.92,
                                  listed_at=timezone.now())
    rows = waiting_list(viewer=officer, context=AccessContext())
    assert [w.home.resident.name for w in rows] == ["위기가구", "최노인"]
    assert any("0.92" in reason for reason in rows[0].reasons)


def test_the_city_installs_a_home_from_the_waiting_list(login, officer, city, centre, worker, resident):
    home = services.waitlist_add(actor=officer, resident=resident)
    c = login(city)
    assert c.get(f"/safety/homes/{home.pk}/install/").status_code == 200
    r = c.post(f"/safety/homes/{home.pk}/install/", {
        "centre": centre.pk, "worker": worker.pk, "installed_on": timezone.localdate().isoformat(),
        "gateway_serial": "N-GW", "activity_1": "N-A1", "door": "N-D1", "button": "N-B1"})
    assert r.status_code == 302
    home.refresh_from_db()
    assert home.status == HomeStatus.ACTIVE and home.worker == worker
    assert sorted(home.devices.values_list("kind", flat=True)) == ["activity", "button", "door"]
    assert home.gateways.get().token_hash and Clock.objects.filter(home=home).exists()


def test_a_dong_officer_puts_a_resident_on_the_waiting_list_from_the_resident_page(login, officer, resident):
    c = login(officer)
    r = c.post(f"/safety/waiting/{resident.pk}/", {"note": "독거, 낙상 이력", "next": f"/residents/{resident.pk}/"})
    assert r.status_code == 302
    assert Home.objects.get(resident=resident).status == HomeStatus.WAITING


def test_the_ticket_page_lists_faults_apart_from_alerts(login, worker, home):
    ingest(payload("power_off"))
    page = login(worker).get("/safety/tickets/").content.decode()
    assert page.count('data-testid="ticket-row"') == 1 and "판정 보류" in page


def test_the_monthly_report_shows_response_times_against_the_targets(login, worker, city, home):
    ingest(payload("button"))
    incident = Incident.objects.get()
    services.incident_acknowledge(actor=worker, incident=incident)
    page = login(city).get("/safety/report/").content.decode()
    block = page.split('data-testid="response-times"', 1)[1]
    assert "100.0%" in block and "97.5%" in block and "1/1" in block


def test_the_city_team_sets_the_escalation_clock_and_a_worker_may_not(login, city, worker):
    from dolbom.safety.models import SafetySettings

    data = {"escalate_lead_seconds": "90", "escalate_city_seconds": "240", "heartbeat_minutes": "30",
            "heartbeats_missed": "3", "silent_install_hours": "24", "low_battery_pct": "20", "flap_events": "12",
            "flap_seconds": "120"}
    assert login(worker).post("/safety/settings/", data).status_code == 403
    assert login(city).post("/safety/settings/", {**data, "escalate_city_seconds": "30"}).status_code == 400
    assert login(city).post("/safety/settings/", data).status_code == 302
    row = SafetySettings.current()
    assert (row.escalate_lead_seconds, row.escalate_city_seconds, row.heartbeat_minutes) == (90, 240, 30)


def test_the_settings_page_reads_in_korean(login, city):
    page = login(city).get("/safety/settings/").content.decode()
    assert "응급안전 설정" in page and "97.5%를 60초 이내" in page and "%%" not in page


def _start_page_counts(c) -> dict[str, int]:
    import re

    page = c.get("/").content.decode()
    box = page.split('data-testid="safety-dashboard"', 1)[1].split("</section>", 1)[0]
    counts = {f"p{v}": int(n) for v, n in re.findall(r'class="count sev-(\d)".*?<b>(\d+)</b>', box)}
    counts["tickets"] = int(re.findall(r"<b>(\d+)</b>", box)[-1])
    return counts


def test_the_start_page_counts_open_alerts_and_tickets_in_scope_in_a_fixed_number_of_queries(
        login, worker, other_worker, city, centre, officer, home):
    ingest(payload("fire"))
    ingest(payload("button"))
    ingest(payload("power_off"))
    c = login(worker)
    expected = {f"p{s}": Incident.objects.filter(severity=s, resolved_at__isnull=True).count() for s in (1, 2, 3)}
    with CaptureQueriesContext(connection) as few:
        assert _start_page_counts(c) == {**expected, "tickets": 1}
    assert sum(expected.values()) == 2
    assert _start_page_counts(login(other_worker)) == {"p1": 0, "p2": 0, "p3": 0, "tickets": 0}
    for k in range(3):
        install(city, personas.make_resident(officer, name=f"주민{k}"), centre, worker, prefix=f"Q{k}")
        ingest(payload("button", gateway=f"Q{k}-GW", device=f"Q{k}-B1"))
    with CaptureQueriesContext(connection) as many:
        counts = _start_page_counts(c)
    assert sum(v for k, v in counts.items() if k != "tickets") == 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_case_page_shows_the_home_in_service_and_its_incidents(login, officer, resident, home):
    ingest(payload("button"))
    incident = Incident.objects.get()
    case = personas.open_case(officer, resident)
    page = login(officer).get(f"/cases/{case.pk}/").content.decode()
    box = page.split('data-testid="safety-case-panel"', 1)[1].split("</section>", 1)[0]
    assert home.get_status_display() in box and f"/safety/homes/{home.pk}/" in box
    assert f"/safety/incidents/{incident.pk}/" in box
