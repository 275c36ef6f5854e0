from __future__ import annotations

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.testing import personas


def test_the_auditor_reads_and_filters_the_access_log_without_personal_data(login, auditor, officer, other_officer,
                                                                              resident):
    login(officer).get("/residents/", {"q": "김영숙"})
    login(other_officer).get(f"/residents/{resident.pk}/")  # out of scope: denied and logged
    c = login(auditor)
    html = c.get("/audit/access-log/").content.decode()
    assert "minji" in html and "doyun" in html
    assert "김영숙" not in html and "480302" not in html
    denied = c.get("/audit/access-log/", {"action": "denied"}).content.decode()
    assert "doyun" in denied and "minji" not in denied
    by_user = c.get("/audit/access-log/", {"actor_username": "minji"}).content.decode()
    assert "doyun" not in by_user


def test_the_access_log_is_paginated(login, auditor, officer, resident):
    c = login(officer)
    for _ in range(55):
        c.get("/residents/", {"q": "김영숙"})
    a = login(auditor)
    first = a.get("/audit/access-log/").content.decode()
    assert "1 / 2" in first and "page=2" in first
    second = a.get("/audit/access-log/", {"page": 2}).content.decode()
    assert "2 / 2" in second and second.count("<tr>") < first.count("<tr>")


def test_the_monthly_review_counts_denied_accesses_per_user(login, auditor, officer, other_officer, resident):
    login(other_officer).get(f"/residents/{resident.pk}/")
    response = login(auditor).get("/audit/monthly-review/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "개인정보 접속기록 월간 점검" in html and "doyun" in html
    assert 'class="badge denied">1<' in html
    assert login(auditor).get("/audit/monthly-review/", {"month": "2025-13"}).status_code == 400


def test_other_roles_cannot_read_the_access_log(login, officer, city, partner):
    for user in (officer, city, partner):
        c = login(user)
        for url in ["/audit/access-log/", "/audit/monthly-review/"]:
            response = c.get(url)
            assert response.status_code == 403
            assert "개인정보 접속기록은 감사 담당자만 열람할 수 있습니다" in response.content.decode()


def test_the_auditor_search_page_returns_403_and_finds_nobody(login, auditor, resident):
    response = login(auditor).get("/residents/", {"q": "김영숙"})
    assert response.status_code == 403
    assert not AccessLog.objects.filter(action=AccessAction.SEARCH).exists()


def test_the_partner_sees_nothing_anywhere(login, partner, officer, resident):
    case = personas.open_case(officer, resident)
    c = login(partner)
    for url, status in [("/residents/", 403), ("/cases/", 403), (f"/residents/{resident.pk}/", 404),
                        (f"/cases/{case.pk}/", 404), (f"/cases/{case.pk}/plans/1/", 404)]:
        response = c.get(url)
        assert response.status_code == status, url
        assert "김영숙" not in response.content.decode()
