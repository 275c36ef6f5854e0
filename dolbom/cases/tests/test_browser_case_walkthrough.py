"""One real browser (Debian's Chromium through Playwright) takes a case from search to closure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dolbom.cases.models import Case, CaseStatus
from dolbom.cases.rules import ADL_ITEMS, IADL_ITEMS
from dolbom.testing.browser import log_in

SCREENSHOT = Path("/tmp/dolbom-case-page.png")

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread; the dong table comes from a data migration, so it must
    # be restored for (and after) this transactional test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _submit(page, step: str) -> None:
    page.locator(f'form[data-step="{step}"] button[type=submit]').click()
    page.wait_for_load_state("load")


def test_a_dong_officer_takes_a_case_from_search_to_closure(live_server, browser_page, officer, resident):
    page = browser_page
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    log_in(page, live_server.url, "minji")  # the password, then the second factor her role needs
    assert "김민지" in page.inner_text("header")

    # Search by initial consonants: HTMX replaces the results as the officer types.
    page.click("text=주민")
    page.fill("#id_q", "ㄱㅇㅅ")
    page.locator("[data-testid=search-results]").get_by_role("link", name="김영숙").click()

    # Not in her caseload yet: the page asks why she opens the record.
    page.fill("#id_purpose", "신청 상담")
    page.click("text=기록 열기")
    assert "480302-2******" in page.inner_text("main")
    # The reveal goes through HTMX with the CSRF header, and is logged by the selector.
    page.click("button:has-text('전체 보기')")
    page.wait_for_selector("[data-testid=rrn-full]")
    assert "*" not in page.inner_text("#rrn")

    page.click("summary:has-text('신청으로 사례 시작')")
    page.select_option("#id_applicant_type", "self")
    page.click("#start-case button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(resident=resident)

    # Needs survey: no item is scored in advance; all independent but bathing and shopping.
    for name in [f"adl_{k}" for k in ADL_ITEMS] + [f"iadl_{k}" for k in IADL_ITEMS]:
        page.check(f'form[data-step="survey"] input[name={name}][value="1"]')
    page.check('form[data-step="survey"] input[name=adl_bathing][value="2"]')
    page.check('form[data-step="survey"] input[name=iadl_shopping][value="3"]')
    page.fill('form[data-step="survey"] [name=needs]', "병원동행\n식사지원")
    _submit(page, "survey")

    decision = page.locator('form[data-step="decision"]')
    for name, text in [("physical_function", "목욕 시 도움 필요"), ("medical_need", "고혈압 관리"),
                       ("nutrition", "결식 잦음"), ("housing", "계단 난간 없음"), ("explanation", "결과를 설명함")]:
        decision.locator(f"[name={name}]").fill(text)
    decision.locator("[name=medical_need_level]").select_option("medium")
    decision.locator("[name=care_need_level]").select_option("high")
    _submit(page, "decision")

    plan = page.locator('form[data-step="plan"]')
    plan.locator("[name=goals]").fill("집에서 안전하게 생활")
    line = {"domain": "medical", "content": "병원동행", "method": "방문", "quantity": "월 2회",
            "starts_on": "2026-01-05", "ends_on": "2026-06-30", "provider": "전주시 보건소"}
    for field, value in line.items():
        target = plan.locator(f"[name=lines-0-{field}]")
        target.select_option(value) if field == "domain" else target.fill(value)
    _submit(page, "plan")
    assert page.locator("[data-testid=case-status]").inner_text() == "서비스 제공·모니터링"

    page.locator('form[data-step="follow_up"] [name=note]').fill("서비스 잘 받고 있음")
    _submit(page, "follow_up")

    page.click("summary:has-text('사례 종결')")
    close = page.locator('form[data-step="close"]')
    close.locator("[name=reason]").select_option("no_longer_needed")
    close.locator("[name=note]").fill("목표 달성")
    page.once("dialog", lambda dialog: dialog.accept())  # closing asks first
    _submit(page, "close")

    timeline = page.inner_text("[data-testid=timeline]")
    for label in ["신청 접수", "필요도 조사 기록", "종합판정 기록", "개인별 지원계획 수립", "모니터링 기록", "종결"]:
        assert label in timeline
    assert "ADL 8점, IADL 12점" in timeline
    assert page.locator("[data-testid=case-status]").inner_text() == "종결"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOT))

    # The shipped Pretendard is what renders the page, and nothing was fetched from elsewhere.
    assert page.evaluate("document.fonts.check('16px \"Pretendard Variable\"', '통합돌봄')")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('Pretendard') && f.status === 'loaded')")
    assert external == []
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason == "no_longer_needed"
