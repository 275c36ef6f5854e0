"""The demo as a new user meets it, in a real browser: its data must not contradict itself (a case opened
today with a follow-up overdue since last month, a nursing referral tied to a meal-delivery plan line), and
every demo login has work to show (the nurse her visits)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re

import pytest
from django.utils import timezone

from dolbom.cases.models import Case, CaseStatus
from dolbom.checkins.models import Enrolment
from dolbom.demo import DEMO_PASSWORD, prepare_demo
from dolbom.referrals.models import Referral
from dolbom.testing.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    # A transactional test starts after another's flush, which also emptied the shipped checklist and ATP
    # instruments a data migration had loaded (as dolbom/conftest.py puts the dongs back): load them again.
    from django.apps import apps

    importlib.import_module("dolbom.inspections.migrations.0002_shipped_checklist_and_instruments").load(apps, None)
    # The apps this test reads; the others' demo data (two years of reports history, subsidy rounds, safety
    # homes) took minutes to seed and is tested by their own apps' demo tests.
    prepare_demo(households=700, cases=40, seed=20260327, out=io.StringIO(),
                 only={"registry", "cases", "referrals", "meetings", "visits", "checkins"})


def _dates(text: str) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", text)]


def test_the_demo_data_does_not_contradict_itself_and_every_login_has_work(live_server, browser_page, demo):
    page = browser_page
    log_in(page, live_server.url, "manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/?overdue=on")
    rows = page.locator("[data-testid=case-list] tbody tr")
    assert rows.count() > 0
    today = timezone.localdate()
    for text in rows.all_inner_texts():
        due, opened = _dates(text)
        # A follow-up falls due at least 90 days after the first plan, which comes after the opening.
        assert opened < due < today, text
        assert (due - opened).days >= 90, text
    assert not Case.objects.filter(status=CaseStatus.IN_SERVICE, opened_at__date=today,
                                   next_follow_up_due__lt=today).exists()

    # A referral from a plan line is for what that line plans.
    for referral in Referral.objects.filter(plan_line__isnull=False).select_related("service", "plan_line"):
        assert referral.service.name in referral.plan_line.content or referral.plan_line.content in \
            referral.service.name, (referral.service.name, referral.plan_line.content)
    # One the manager may open: a referral of their own caseload (another dong's is rightly "not found").
    linked = Referral.objects.filter(plan_line__isnull=False, service__name="방문간호",
                                     case__manager__username="manager").first()
    assert linked is not None
    page.goto(f"{live_server.url}/referrals/{linked.pk}/")
    purpose = page.locator("input#id_purpose[list=purpose-list]")
    if purpose.count():  # a client of another manager of the dong: the record asks why it is opened
        purpose.fill("연계 확인")
        with page.expect_navigation():
            page.click("main button[type=submit]")
    assert "방문간호" in page.inner_text("main dl.facts >> nth=1")

    # The caller addresses the demo's clients by their sex.
    for enrolment in Enrolment.objects.select_related("resident"):
        if enrolment.resident.sex == "M":
            assert "할머니" not in enrolment.honorific

    page.context.clear_cookies()
    log_in(page, live_server.url, "nurse", DEMO_PASSWORD)
    assert page.locator("[data-testid=dashboard-visits] [data-testid=dashboard-visit]").count() > 0
    page.goto(f"{live_server.url}/visits/my-day/")
    assert page.locator("[data-testid=day-visit]").count() > 0
