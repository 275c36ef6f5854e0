"""Downloading the case list: a reason every time, only cases in scope, every person in the log."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.export import cases_csv
from dolbom.cases.selectors import CaseFilters, case_list_export
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.testing import personas

pytestmark = pytest.mark.django_db

WHY = AccessContext(ip="10.0.0.7", path="/cases/download/", purpose="통합지원회의 준비")


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_it_refuses_a_download_without_a_reason_and_logs_nothing(officer, resident):
    personas.open_case(officer, resident)
    before = AccessLog.objects.count()
    for purpose in ("", " ", "x"):
        with pytest.raises(DomainError) as exc:
            case_list_export(viewer=officer, context=AccessContext(purpose=purpose))
        assert exc.value.code == CaseErrorCode.EXPORT_REASON_REQUIRED
    assert AccessLog.objects.count() == before


def test_a_dong_officer_downloads_only_their_dong_and_every_person_is_logged(officer, other_officer, resident):
    mine = personas.open_case(officer, resident)
    second = personas.open_case(officer, personas.make_resident(officer, name="이말순"))
    elsewhere = personas.open_case(other_officer, personas.make_resident(other_officer, name="박복례",
                                                                         area_name="효자1동"))
    cases = case_list_export(viewer=officer, context=WHY)
    assert {c.pk for c in cases} == {mine.pk, second.pk}
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.actor == officer and entry.purpose == "통합지원회의 준비" and entry.ip == "10.0.0.7"
    assert entry.subject_ids == sorted([mine.resident_id, second.resident_id])
    assert elsewhere.resident_id not in entry.subject_ids


def test_filters_narrow_the_file(officer, resident):
    applied = personas.open_case(officer, resident)
    in_service = personas.open_case(officer, personas.make_resident(officer, name="이말순"))
    personas.survey(officer, in_service)
    personas.decide(officer, in_service)
    personas.plan(officer, in_service)
    cases = case_list_export(viewer=officer, context=WHY, filters=CaseFilters(status="in_service"))
    assert [c.pk for c in cases] == [in_service.pk]
    assert applied.pk not in [c.pk for c in cases]


def test_partner_workers_and_auditors_download_no_people(partner, auditor, officer, resident):
    personas.open_case(officer, resident)
    # Roles that do not work with people's records are refused, not handed an empty file (issue 18: a
    # meaningful 403 rather than a 200 that looks like "no cases").
    for viewer in (partner, auditor):
        with pytest.raises(Forbidden):
            case_list_export(viewer=viewer, context=WHY)
    assert all(e.subject_ids == [] for e in AccessLog.objects.filter(action=AccessAction.EXPORT))


def test_the_file_opens_in_excel_in_korean_and_defuses_formulas(officer):
    case = personas.open_case(officer, personas.make_resident(officer, name="=HYPERLINK(\"http://x\")"))
    with translation.override("ko"):
        rows = _rows(cases_csv(case_list_export(viewer=officer, context=WHY)))
    assert rows[0][:2] == ["사례 번호", "대상자"]
    assert rows[1][0] == case.number
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][3] == "서신동"
    assert rows[1][6] == "필요도 조사"  # the next step, in Korean
