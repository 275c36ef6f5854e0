"""Each role's start page shows that role's work, in a real browser: the city team the whole city, a partner
worker the referrals to their institution, a visiting nurse the day's visits; overdue counts lead to the
cases behind them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import Case
from dolbom.referrals.models import Institution, InstitutionKind, Service
from dolbom.referrals.services import referral_create
from dolbom.registry.models import ConsentPurpose
from dolbom.registry.services import consent_record
from dolbom.testing import personas
from dolbom.testing.browser import log_in
from dolbom.visits import services as visit_services
from dolbom.visits.models import Skill, VisitType

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_city_team_sees_the_whole_city(live_server, browser_page, city, officer, other_officer):
    personas.open_case(officer, personas.make_resident(officer))
    personas.open_case(other_officer, personas.make_resident(other_officer, name="이순자", area_name="효자1동"))
    page = browser_page
    log_in(page, live_server.url, "haneul")
    tile = page.locator("[data-testid=count-applied]")
    assert tile.locator("b").inner_text() == "2"
    assert "진행 중인 사례가 없습니다" not in page.inner_text("main")
    assert "효자1동" in page.inner_text("main") and "서신동" in page.inner_text("main")


def test_overdue_follow_up_counts_lead_to_the_overdue_cases(live_server, browser_page, officer, resident):
    case = personas.case_in_service(officer, resident)
    Case.objects.filter(pk=case.pk).update(next_follow_up_due=timezone.localdate() - dt.timedelta(days=3))
    page = browser_page
    log_in(page, live_server.url, "minji")
    page.locator("[data-testid=overdue-by-dong] a", has_text="1").first.click()
    page.wait_for_load_state("load")
    assert "/cases/" in page.url and "overdue" in page.url
    assert case.number in page.inner_text("[data-testid=case-list]")
    page.goto(f"{live_server.url}/")
    page.locator("[data-testid=overdue-by-manager] a", has_text="1").first.click()
    page.wait_for_load_state("load")
    assert case.number in page.inner_text("[data-testid=case-list]")


def test_a_partner_worker_sees_the_referrals_to_their_institution(live_server, browser_page, officer, partner,
                                                                  resident):
    case = personas.case_in_service(officer, resident)
    nursing = Institution.objects.create(code="JJ-HN-001", name="전주 방문간호센터",
                                         kind=InstitutionKind.HOME_NURSING_AGENCY)
    partner.staff.institution_code = nursing.code
    partner.staff.save()
    service = Service.objects.create(institution=nursing, code="SV-HN-1", name="방문간호", category_code="A02",
                                     citywide=True)
    consent_record(actor=officer, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                   recipient=nursing.name, recipient_code=nursing.code)
    referral_create(actor=officer, case=case, service=service)
    page = browser_page
    log_in(page, live_server.url, "sujin")
    main = page.inner_text("main")
    assert "공유된 기록이 없습니다" not in main
    panel = page.locator("[data-testid=dashboard-referrals]")
    assert "방문간호" in panel.inner_text() and "김영숙" in panel.inner_text()
    panel.get_by_role("link", name="김영숙").click()
    page.wait_for_url(f"{live_server.url}/referrals/**")


def test_a_visiting_nurse_sees_the_days_visits(live_server, browser_page, officer, resident):
    nurse = personas.make_staff("seyoung", "오세영", "nurse", "서신동")
    visit_services.worker_set(actor=officer, user=nurse, skill=Skill.NURSE, base_dong=personas.dong("서신동"))
    case = personas.open_case(officer, resident)
    today = timezone.localdate()
    visit_services.visit_create(actor=officer, household=resident.household, case=case,
                                visit_type=VisitType.HOME_NURSING, skill=Skill.NURSE, duration_minutes=30,
                                window_start=dt.time(9), window_end=dt.time(17), due_on=today)
    visit_services.visits_plan(actor=officer, date=today, time_limit=1.0)
    page = browser_page
    log_in(page, live_server.url, "seyoung")
    assert "공유된 기록이 없습니다" not in page.inner_text("main")
    panel = page.locator("[data-testid=dashboard-visits]")
    assert "김영숙" in panel.inner_text() and "방문간호" in panel.inner_text()
