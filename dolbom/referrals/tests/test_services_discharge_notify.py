from __future__ import annotations

import datetime as dt

import pytest

from dolbom.areas.models import BoundaryArea
from dolbom.audit.models import AccessLog
from dolbom.cases.models import Case, CaseOrigin, CaseStatus
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.referrals.models import DischargeNotice
from dolbom.referrals.services import discharge_notify
from dolbom.registry.models import ConsentPurpose, Resident
from dolbom.testing import personas
from dolbom.testing.api import api_as


def _notify(actor, **kw):
    base = dict(name="최순례", birth_date=dt.date(1944, 5, 6), area=BoundaryArea.objects.get(name="서신동"),
                road_address="전주시 완산구 서신로 99", phone="010-5555-0000", consent_given=True, note="낙상 위험")
    return discharge_notify(actor=actor, **{**base, **kw})


def test_a_new_person_is_registered_and_lands_as_a_discovered_case_in_the_dong(hospital_worker, manager, officer):
    notice = _notify(hospital_worker, rrn=personas.make_rrn(dt.date(1944, 5, 6), "F"))
    case = notice.case
    assert (case.status, case.origin, case.dong.name) == (CaseStatus.DISCOVERED, CaseOrigin.HOSPITAL_DISCHARGE, "서신동")
    assert case.manager == manager  # the dong's case manager receives it
    assert "전주 새봄병원" in case.origin_note and "낙상 위험" in case.origin_note
    assert case.resident.consents.get().purpose == ConsentPurpose.CASE_MANAGEMENT
    assert notice.sent_by == hospital_worker and not notice.matched_existing
    assert case.events.get().type == "discovered"


def test_an_address_in_a_merged_dong_lands_in_the_dong_valid_today(hospital_worker, db):
    receiver = personas.make_staff("geumam", "윤서연", "case_manager", "금암동")
    notice = _notify(hospital_worker, area=BoundaryArea.objects.get(name="금암2동"),
                     rrn=personas.make_rrn(dt.date(1944, 5, 6), "F"))
    assert notice.case.dong.name == "금암동" and notice.case.manager == receiver


def test_an_existing_resident_is_matched_by_rrn_with_the_same_name_and_birth_date(hospital_worker, manager, resident):
    # Issue 18: matched by the number only, and only when name and birth date agree with it (a name and a
    # birth date alone attached notices to strangers; another name with someone's number attached it to them).
    notice = _notify(hospital_worker, name=resident.name, birth_date=resident.birth_date, consent_given=False,
                     rrn=resident.rrn_plain())
    assert notice.matched_existing and notice.case.resident == resident
    assert Resident.objects.count() == 1
    # A second notice for the same person joins the open case instead of opening another.
    again = _notify(hospital_worker, name=" 김 영숙", birth_date=resident.birth_date, rrn=resident.rrn_plain())
    assert again.case == notice.case and Case.objects.count() == 1
    assert notice.case.events.count() == 2
    for name, birth in (("아무개", resident.birth_date), (resident.name, dt.date(1900, 1, 1))):
        with pytest.raises(DomainError) as exc:
            _notify(hospital_worker, name=name, birth_date=birth, rrn=resident.rrn_plain())
        assert exc.value.code == "identity_mismatch"


def test_a_new_person_without_a_number_is_refused(hospital_worker, manager):
    with pytest.raises(DomainError) as exc:
        _notify(hospital_worker)
    assert exc.value.code == "rrn_required"
    assert not DischargeNotice.objects.exists()


def test_only_hospitals_facilities_and_residences_send_notices(partner, manager, db):
    with pytest.raises(Forbidden):
        _notify(partner, rrn=personas.make_rrn(dt.date(1944, 5, 6), "F"))
    with pytest.raises(Forbidden):
        _notify(manager, rrn=personas.make_rrn(dt.date(1944, 5, 6), "F"))


def test_the_api_takes_a_notice_and_answers_without_personal_data(hospital_worker, manager):
    r = api_as(hospital_worker).post("/api/referrals/discharges", {
        "name": "최순례", "birth_date": "1944-05-06", "rrn": personas.make_rrn(dt.date(1944, 5, 6), "F"),
        "road_address": "전주시 완산구 서신로 99", "area_code": BoundaryArea.objects.get(name="서신동").kostat_code,
        "consent_given": True})
    assert r.status_code == 201, r.content
    # Issue 18: the answer says neither the dong nor whether the person was known.
    assert set(r.json()) == {"id", "sent_at", "received"} and "최순례" not in r.content.decode()
    r = api_as(hospital_worker).post("/api/referrals/discharges", {
        "name": "x", "birth_date": "1944-05-06", "rrn": personas.make_rrn(dt.date(1944, 5, 6), "F"),
        "road_address": "y", "area_code": "0000000", "consent_given": True})
    assert (r.status_code, r.json()["code"]) == (404, "area_unknown")
    # The partner sent data but read nothing: no access-log row names them.
    assert not AccessLog.objects.filter(actor=hospital_worker).exists()


def test_the_discharge_page_sends_a_notice(hospital_worker, manager, client):
    client.force_login(hospital_worker)
    assert client.get("/referrals/discharge/").status_code == 200
    r = client.post("/referrals/discharge/", {
        "name": "최순례", "birth_date": "1944-05-06", "rrn": personas.make_rrn(dt.date(1944, 5, 6), "F"),
        "road_address": "전주시 완산구 서신로 99", "area": BoundaryArea.objects.get(name="서신동").kostat_code,
        "discharge_on": "2026-01-05", "consent_given": "on"})
    assert r.status_code == 302
    assert Case.objects.get().origin == CaseOrigin.HOSPITAL_DISCHARGE


def test_the_discharge_page_refuses_a_missing_consent_and_a_short_phone_beside_the_fields(login, hospital_worker,
                                                                                        officer):
    from dolbom.referrals.models import DischargeNotice

    r = login(hospital_worker).post("/referrals/discharge/", {
        "name": "박순자", "birth_date": "1950-05-05", "rrn": "", "phone": "010-12",
        "road_address": "전주시 완산구 서신로 12", "area": "3501166", "discharge_on": "2026-01-02"})
    assert r.status_code == 400 and not DischargeNotice.objects.exists()
    html = r.content.decode()
    assert "본인이 동의해야만 통보할 수 있습니다" in html and "전화번호를 010-1234-5678" in html
