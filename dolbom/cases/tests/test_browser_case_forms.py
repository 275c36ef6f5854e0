"""The case page as a dong office uses it every day, in a real browser (Debian's Chromium through Playwright):
a refused step keeps what was typed and says why beside the field, the address bar never stays on a POST
URL, an untouched score is not read as "independent", closing asks first, and what was recorded can be
read back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dolbom.cases.models import Case, CaseStatus
from dolbom.cases.rules import ADL_ITEMS, IADL_ITEMS
from dolbom.cases.services import Application, case_open, survey_record
from dolbom.referrals.models import Institution, InstitutionKind, Service
from dolbom.referrals.services import referral_accept, referral_create
from dolbom.registry.models import ConsentPurpose
from dolbom.registry.services import consent_record
from dolbom.testing import personas
from dolbom.testing.browser import log_in, outside_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _open(page, live_server, case: Case) -> None:
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.wait_for_selector("[data-testid=case-status]")


def test_a_refused_step_keeps_the_entries_shows_the_error_beside_the_field_and_never_strands_on_a_post_url(
        live_server, browser_page, officer, resident):
    case = personas.case_in_service(officer, resident)
    page = browser_page
    external = outside_requests(page, live_server.url)
    log_in(page, live_server.url, "minji")
    _open(page, live_server, case)

    form = page.locator('form[data-step="follow_up"]')
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    form.locator("[name=done_on]").fill(tomorrow)
    form.locator("[name=outcome]").select_option("change")
    form.locator("[name=note]").fill("무릎 통증이 심해져 재판정이 필요해 보임")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")

    # The section stays open, with what was typed, and the reason sits beside the date it is about.
    assert page.locator("#step-follow_up").get_attribute("open") is not None
    form = page.locator('form[data-step="follow_up"]')
    assert form.locator("[name=note]").input_value() == "무릎 통증이 심해져 재판정이 필요해 보임"
    assert form.locator("[name=outcome]").input_value() == "change"
    assert form.locator("[name=done_on]").input_value() == tomorrow
    beside = form.locator(".field", has=page.locator("[name=done_on]")).locator(".errorlist")
    assert "미래 날짜는 입력할 수 없습니다" in beside.inner_text()

    # Enter in the address bar (or a reopened tab) on the step URL shows the case, not "HTTP ERROR 405".
    response = page.goto(f"{live_server.url}/cases/{case.pk}/steps/follow_up/")
    assert response is not None and response.status == 200
    assert case.number in page.inner_text("h1")

    form = page.locator('form[data-step="follow_up"]')
    form.locator("[name=note]").fill("서비스 잘 받고 있음")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    # After a successful step: back on the case's own URL, with a message that it was saved.
    assert re.search(rf"/cases/{case.pk}/(#.*)?$", page.url)
    assert "저장했습니다" in page.inner_text(".messages")
    assert case.follow_ups.count() == 1
    assert external == []


def test_the_survey_starts_with_no_score_and_refuses_an_untouched_item_keeping_the_others(
        live_server, browser_page, officer, resident):
    case = personas.open_case(officer, resident)
    page = browser_page
    log_in(page, live_server.url, "minji")
    _open(page, live_server, case)

    survey = page.locator('form[data-step="survey"]')
    assert survey.locator("input[type=radio]:checked").count() == 0
    items = [f"adl_{k}" for k in ADL_ITEMS] + [f"iadl_{k}" for k in IADL_ITEMS]
    for name in items[:-1]:
        survey.locator(f"input[name={name}][value='2']").check()
    survey.locator("[name=needs]").fill("병원동행")
    survey.locator("[name=physical_health]").fill("고혈압, 무릎 관절염")
    survey.locator("button[type=submit]").click()
    page.wait_for_load_state("load")

    assert case.surveys.count() == 0
    survey = page.locator('form[data-step="survey"]')
    assert survey.locator("input[type=radio]:checked").count() == len(items) - 1
    assert survey.locator("[name=physical_health]").input_value() == "고혈압, 무릎 관절염"
    # The untouched item is what stops the form: the browser's own check (the radios are required) or,
    # without it, the error beside the item on the page the server sends back.
    last_row = survey.locator("tr", has=page.locator(f"input[name={items[-1]}]"))
    flagged = page.locator(f"input[name={items[-1]}]").first.evaluate("e => e.validity.valueMissing")
    assert flagged or last_row.locator(".errorlist").count() == 1


def test_an_application_by_the_person_shows_no_empty_brackets(live_server, browser_page, officer, resident):
    case = case_open(actor=officer, resident=resident,
                     application=Application(applicant_type="self", applicant_name="김영숙"))
    page = browser_page
    log_in(page, live_server.url, "minji")
    _open(page, live_server, case)
    facts = page.inner_text("dl.facts")
    assert "본인" in facts
    assert ", )" not in facts and "()" not in facts


def test_closing_a_case_asks_for_confirmation_first(live_server, browser_page, officer, resident):
    case = personas.case_in_service(officer, resident)
    page = browser_page
    log_in(page, live_server.url, "minji")
    _open(page, live_server, case)
    page.click("summary:has-text('사례 종결')")
    close = page.locator('form[data-step="close"]')
    close.locator("[name=reason]").select_option("no_longer_needed")
    close.locator("[name=note]").fill("목표 달성")

    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    close.locator("button[type=submit]").click()
    page.wait_for_timeout(300)
    assert asked and "종결" in asked[0]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_SERVICE

    page.once("dialog", lambda dialog: dialog.accept())
    close.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=case-status]:has-text('종결')")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_the_timeline_tells_referral_steps_in_korean(live_server, browser_page, officer, partner, resident):
    case = personas.case_in_service(officer, resident)
    nursing = Institution.objects.create(code="JJ-HN-001", name="전주 방문간호센터",
                                         kind=InstitutionKind.HOME_NURSING_AGENCY)
    partner.staff.institution_code = nursing.code
    partner.staff.save()
    service = Service.objects.create(institution=nursing, code="SV-HN-1", name="방문간호", category_code="A02",
                                     citywide=True)
    consent_record(actor=officer, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                   recipient=nursing.name, recipient_code=nursing.code)
    referral = referral_create(actor=officer, case=case, service=service)
    referral_accept(actor=partner, referral=referral)
    page = browser_page
    log_in(page, live_server.url, "minji")
    _open(page, live_server, case)
    timeline = page.inner_text("[data-testid=timeline]")
    assert "방문간호" in timeline
    for raw in ("requested", "accepted", "이(가)"):
        assert raw not in timeline


def test_survey_free_text_answers_can_be_read_after_saving(live_server, browser_page, officer, resident):
    case = personas.open_case(officer, resident)
    survey_record(actor=officer, case=case, surveyed_on=timezone.localdate(),
                  household_environment={"housing_type": "다세대주택 2층", "notes": "계단에 난간이 없음"},
                  benefits_received=["기초연금"], adl={k: 2 for k in ADL_ITEMS}, iadl={k: 2 for k in IADL_ITEMS},
                  health={"physical": "무릎 관절염으로 보행 불편", "mental": "배우자 사별 후 우울감"},
                  needs=["병원동행"], other="딸이 한 달에 한 번 방문")
    page = browser_page
    log_in(page, live_server.url, "minji")
    _open(page, live_server, case)
    records = page.locator("[data-testid=surveys]")
    assert records.locator("details").first.get_attribute("open") is not None  # the latest survey is open
    text = records.inner_text()
    for answer in ("다세대주택 2층", "계단에 난간이 없음", "무릎 관절염으로 보행 불편", "배우자 사별 후 우울감",
                   "딸이 한 달에 한 번 방문", "기초연금"):
        assert answer in text


def test_the_plan_service_domain_list_is_wide_enough_to_read(live_server, browser_page, officer, resident):
    case = personas.open_case(officer, resident)
    personas.survey(officer, case)
    personas.decide(officer, case)
    page = browser_page
    log_in(page, live_server.url, "minji")
    _open(page, live_server, case)
    select = page.locator('form[data-step="plan"] [name=lines-0-domain]')
    select.select_option("daily_living")
    # The chosen label must fit inside the closed list box (minus the arrow), in the page's own font.
    fits = select.evaluate("""el => {
        const ctx = document.createElement('canvas').getContext('2d');
        const style = getComputedStyle(el);
        ctx.font = `${style.fontSize} ${style.fontFamily}`;
        const longest = Math.max(...[...el.options].map(o => ctx.measureText(o.text).width));
        return el.clientWidth - 28 >= longest;
    }""")
    assert fits


def test_the_printable_plan_marks_the_cases_menu_not_the_visit_routes(live_server, browser_page, officer, resident):
    case = personas.case_in_service(officer, resident)
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/cases/{case.pk}/plans/1/")
    active = page.locator(".site-nav a.active")
    assert active.count() == 1 and active.inner_text() == "사례"


def test_the_case_list_goes_past_200_rows_in_pages_and_says_the_total(live_server, browser_page, officer, resident):
    first = personas.open_case(officer, resident)
    # 250 more cases of the dong, copied in one statement (the list, not the workflow, is under test).
    copies = []
    for n in range(250):
        copy = Case.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"2026-T{n:05d}"
        copies.append(copy)
    Case.objects.bulk_create(copies)
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.goto(f"{live_server.url}/cases/")
    rows = page.locator("[data-testid=case-list] tbody tr")
    assert "전체 251건" in page.inner_text("[data-testid=total]")
    first_page = set(rows.all_inner_texts())
    assert len(first_page) == 50
    # The last page holds what a list cut at 200 would never have shown.
    page.goto(f"{live_server.url}/cases/?page=6")
    assert rows.count() == 1
    assert "251–251" in page.inner_text("[data-testid=total]").replace(",", "")
    page.click("[data-testid=pagination] a[rel=prev]")
    page.wait_for_url("**/cases/?page=5")
    assert rows.count() == 50 and not first_page & set(rows.all_inner_texts())
