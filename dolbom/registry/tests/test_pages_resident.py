from __future__ import annotations

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.registry.models import Consent
from dolbom.testing import personas

HTMX = {"HTTP_HX_REQUEST": "true"}


def _open_with_purpose(c, resident_id: int):
    c.post(f"/residents/{resident_id}/purpose/", {"purpose": "상담 방문"})
    return c.get(f"/residents/{resident_id}/")


def test_it_finds_a_resident_by_full_name_part_initials_and_rrn(login, officer, resident):
    c = login(officer)
    rrn = resident.rrn_plain()
    for q in ["김영숙", "영숙", "ㄱㅇㅅ", f"{rrn[:6]}-{rrn[6:]}"]:
        # The form posts (issue 18: an RRN never goes into a URL).
        response = c.post("/residents/", {"q": q}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert f"/residents/{resident.pk}/" in html, q
        assert "<html" not in html  # HTMX gets the results fragment only
    assert "480302-2******" in c.get("/residents/", {"q": "ㄱㅇㅅ"}).content.decode()


def test_it_logs_a_search_that_returns_people(login, officer, resident):
    login(officer).get("/residents/", {"q": "ㄱㅇㅅ"}, **HTMX)
    row = AccessLog.objects.get(action=AccessAction.SEARCH)
    assert row.subject_ids == [resident.pk] and row.query == "ㄱㅇㅅ"


def test_it_does_not_find_residents_of_another_dong(login, other_officer, resident):
    html = login(other_officer).get("/residents/", {"q": "김영숙"}, **HTMX).content.decode()
    assert f"/residents/{resident.pk}/" not in html
    assert "열람 권한 범위에서 찾은 주민이 없습니다" in html


def test_it_asks_a_purpose_outside_the_caseload_and_logs_it(login, officer, resident):
    c = login(officer)
    first = c.get(f"/residents/{resident.pk}/")
    assert "기록을 여는 목적을 적어 주세요" in first.content.decode()
    assert "010-1234-5678" not in first.content.decode()
    assert not AccessLog.objects.filter(action=AccessAction.VIEW).exists()
    page = _open_with_purpose(c, resident.pk)
    html = page.content.decode()
    assert page.status_code == 200 and "010-1234-5678" in html
    assert "480302-2******" in html and "노인" in html
    assert AccessLog.objects.get(action=AccessAction.VIEW, resident=resident).purpose == "상담 방문"


def test_it_refuses_an_empty_purpose(login, officer, resident):
    response = login(officer).post(f"/residents/{resident.pk}/purpose/", {"purpose": " "})
    assert response.status_code == 400
    assert not AccessLog.objects.filter(action=AccessAction.VIEW).exists()


def test_it_opens_a_resident_in_the_caseload_without_a_purpose(login, officer, resident):
    personas.open_case(officer, resident)
    html = login(officer).get(f"/residents/{resident.pk}/").content.decode()
    assert "010-1234-5678" in html
    assert AccessLog.objects.get(action=AccessAction.VIEW).in_caseload


def test_it_returns_404_for_a_resident_out_of_scope_and_logs_the_denial(login, other_officer, resident):
    c = login(other_officer)
    c.post(f"/residents/{resident.pk}/purpose/", {"purpose": "궁금해서"})
    response = c.get(f"/residents/{resident.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "주민이 없거나 열람 권한 범위 밖입니다" in html and "김영숙" not in html
    denied = AccessLog.objects.get(action=AccessAction.DENIED)
    assert denied.resident_id == resident.pk and denied.actor == other_officer


def test_only_the_dong_officer_can_reveal_the_full_rrn(login, officer, manager, resident):
    c = login(officer)
    c.post(f"/residents/{resident.pk}/purpose/", {"purpose": "신청 접수"})
    assert "전체 보기" in c.get(f"/residents/{resident.pk}/").content.decode()
    revealed = c.post(f"/residents/{resident.pk}/rrn/", **HTMX)
    assert revealed.status_code == 200 and resident.rrn_plain()[7:] in revealed.content.decode()
    assert AccessLog.objects.filter(action=AccessAction.REVEAL_RRN, resident=resident).count() == 1

    m = login(manager)
    m.post(f"/residents/{resident.pk}/purpose/", {"purpose": "사례 인계"})
    assert "전체 보기" not in m.get(f"/residents/{resident.pk}/").content.decode()
    refused = m.post(f"/residents/{resident.pk}/rrn/", **HTMX)
    assert refused.status_code == 403
    assert resident.rrn_plain()[7:] not in refused.content.decode()
    assert AccessLog.objects.filter(action=AccessAction.REVEAL_RRN).count() == 1


def test_it_records_and_withdraws_a_consent(login, officer, resident):
    c = login(officer)
    c.post(f"/residents/{resident.pk}/purpose/", {"purpose": "동의서 접수"})
    response = c.post(f"/residents/{resident.pk}/consents/", {
        "purpose": "information_sharing", "recipient": "전주 방문간호센터", "given_at": "2025-05-01T10:00",
    })
    assert response.status_code == 302
    consent = Consent.objects.get(resident=resident)
    assert consent.recipient == "전주 방문간호센터" and consent.withdrawn_at is None
    assert "전주 방문간호센터" in c.get(f"/residents/{resident.pk}/").content.decode()
    c.post(f"/residents/{resident.pk}/consents/{consent.pk}/withdraw/")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    again = c.post(f"/residents/{resident.pk}/consents/{consent.pk}/withdraw/")
    assert again.status_code == 400 and "이미 철회된 동의입니다" in again.content.decode()


def test_auditors_and_partners_get_a_korean_403_on_resident_pages(login, auditor, partner, resident):
    for user in (auditor, partner):
        c = login(user)
        for url in ["/residents/", "/residents/?q=김영숙", "/cases/"]:
            response = c.get(url)
            assert response.status_code == 403, url
            html = response.content.decode()
            assert "현재 역할로는 개인정보를 볼 수 없습니다" in html and "김영숙" not in html.split("</form>")[-1]
    assert not AccessLog.objects.filter(action__in=[AccessAction.VIEW, AccessAction.SEARCH]).exists()


def test_auditors_and_partners_opening_a_resident_url_get_404_and_are_logged(login, auditor, partner, resident):
    for user in (auditor, partner):
        c = login(user)
        c.post(f"/residents/{resident.pk}/purpose/", {"purpose": "점검"})
        response = c.get(f"/residents/{resident.pk}/")
        assert response.status_code == 404
        assert "010-1234-5678" not in response.content.decode()
        assert c.post(f"/residents/{resident.pk}/rrn/", **HTMX).status_code == 404
        assert AccessLog.objects.filter(actor=user, action=AccessAction.DENIED, resident=resident).count() == 2
    assert not AccessLog.objects.filter(action__in=[AccessAction.VIEW, AccessAction.REVEAL_RRN]).exists()
