"""The case-list download page: asks for a reason, returns a CSV that Excel reads, logs the export."""

from __future__ import annotations

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.testing import personas


def test_the_page_asks_for_a_reason_in_korean(login, officer, resident):
    personas.open_case(officer, resident)
    page = login(officer).get("/cases/download/?status=applied")
    assert page.status_code == 200
    html = page.content.decode()
    assert "내려받는 사유" in html and "접속기록" in html
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_posting_without_a_reason_downloads_nothing(login, officer, resident):
    personas.open_case(officer, resident)
    response = login(officer).post("/cases/download/", {"reason": ""})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_a_reason_returns_the_filtered_csv_and_logs_it(login, officer, resident):
    applied = personas.open_case(officer, resident)
    personas.open_case(officer, personas.make_resident(officer, name="이말순"))
    response = login(officer).post("/cases/download/?status=applied", {"reason": "월간 보고"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert applied.number in text and "김영숙" in text and "이말순" in text  # both applied
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.purpose == "월간 보고" and len(entry.subject_ids) == 2


def test_auditors_and_partners_get_no_download_page(login, auditor, partner):
    for user in (auditor, partner):
        assert login(user).post("/cases/download/", {"reason": "점검"}).status_code == 403
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()
