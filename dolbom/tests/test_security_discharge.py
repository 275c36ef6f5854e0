"""Finding (medium): the hospital discharge endpoint told whether a person exists and in which dong, and an
RRN with someone else's name and birth date attached the notice to the RRN's owner.

Now: the number is always asked; name and birth date must agree with it (one refusal code whatever
disagreed, and the attempt on a registered person is logged DENIED); a known and a new person are
received with the same answer, which names no dong; a sender is throttled.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.accounts.models import Role, StaffProfile
from dolbom.areas.models import BoundaryArea
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.cases.models import Case
from dolbom.referrals.models import DischargeNotice, Institution, InstitutionKind
from dolbom.testing import personas
from dolbom.testing.api import api_as


@pytest.fixture
def hospital_worker(db):
    hospital = Institution.objects.create(code="JJ-HP-001", name="전주 새봄병원", kind=InstitutionKind.HOSPITAL)
    user = personas.make_staff("nurse_hp", "오지현", Role.PARTNER, institution=hospital.name)
    StaffProfile.objects.filter(user=user).update(institution_code=hospital.code)
    return user


def _body(name: str, birth: dt.date, rrn: str, area: str = "서신동") -> dict:
    return {"name": name, "birth_date": birth.isoformat(), "rrn": rrn, "road_address": "전주시 완산구 서신로 99",
            "area_code": BoundaryArea.objects.get(name=area).kostat_code, "consent_given": True}


def test_a_known_and_an_unknown_person_get_the_same_answer(hospital_worker, manager, other_officer):
    known = personas.make_resident(other_officer, name="김말순", area_name="효자1동")
    api = api_as(hospital_worker)
    a = api.post("/api/referrals/discharges", _body(known.name, known.birth_date, known.rrn_plain()))
    b = api.post("/api/referrals/discharges", _body("최순례", dt.date(1944, 5, 6),
                                                      personas.make_rrn(dt.date(1944, 5, 6), "F")))
    assert (a.status_code, b.status_code) == (201, 201)
    assert set(a.json()) == set(b.json()) == {"id", "sent_at", "received"}
    for r in (a, b):
        assert "동" not in r.content.decode()


def test_someone_elses_number_with_another_name_is_refused_and_logged(hospital_worker, manager, resident):
    r = api_as(hospital_worker).post("/api/referrals/discharges",
                                     _body("아무개", resident.birth_date, resident.rrn_plain()))
    assert (r.status_code, r.json()["code"]) == (400, "identity_mismatch")
    assert not DischargeNotice.objects.exists() and not Case.objects.filter(resident=resident).exists()
    row = AccessLog.objects.get(actor=hospital_worker)
    assert (row.action, row.resident_id) == (AccessAction.DENIED, resident.pk)


def test_a_birth_date_that_disagrees_with_the_number_is_refused_the_same_way(hospital_worker, manager):
    rrn = personas.make_rrn(dt.date(1944, 5, 6), "F")
    r = api_as(hospital_worker).post("/api/referrals/discharges", _body("최순례", dt.date(1944, 5, 7), rrn))
    assert (r.status_code, r.json()["code"]) == (400, "identity_mismatch")


def test_name_and_birth_date_alone_no_longer_find_anyone(hospital_worker, manager, resident):
    body = _body(resident.name, resident.birth_date, "")
    r = api_as(hospital_worker).post("/api/referrals/discharges", body)
    assert (r.status_code, r.json()["code"]) == (400, "rrn_required")
    assert not DischargeNotice.objects.exists()


def test_a_sender_is_throttled(hospital_worker, manager):
    api = api_as(hospital_worker)
    answers = [api.post("/api/referrals/discharges", _body("최순례", dt.date(1944, 5, 6), "440506-2000000")).status_code
               for _ in range(31)]
    assert answers[:30] == [400] * 30 and answers[30] == 429


def test_the_page_says_received_without_a_dong(hospital_worker, manager, login):
    c = login(hospital_worker)
    rrn = personas.make_rrn(dt.date(1944, 5, 6), "F")
    r = c.post("/referrals/discharge/", {
        "name": "최순례", "birth_date": "1944-05-06", "rrn": rrn, "road_address": "전주시 완산구 서신로 99",
        "area": BoundaryArea.objects.get(name="서신동").kostat_code, "discharge_on": "2026-01-05",
        "consent_given": "on"}, follow=True)
    html = r.content.decode()
    assert "접수되었습니다" in html and "서신동에" not in html
