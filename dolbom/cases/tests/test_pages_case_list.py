from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dolbom.cases.models import Case
from dolbom.testing import personas


def _cases(officer, n: int) -> list[Case]:
    return [personas.open_case(officer, personas.make_resident(officer, name=f"이순{i}")) for i in range(n)]


def _queries(c, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_case_list_runs_the_same_number_of_queries_for_2_or_12_cases(login, officer):
    c = login(officer)
    _cases(officer, 2)
    _queries(c, "/cases/")  # the menu's answer is kept for the next pages (web/nav.py)
    few = _queries(c, "/cases/")
    _cases(officer, 10)
    many = _queries(c, "/cases/")
    assert few == many
    assert many <= 10
    # The dashboard lists my cases too: same rule. Every app that registers a panel adds its own queries, so
    # the bound is per panel shown (session, user and menu checks, then at most three reads a panel).
    from dolbom.web.dashboard import dashboard_panels

    panels = len(dashboard_panels.panels_for(officer))
    few_dashboard = _queries(c, "/")
    _cases(officer, 3)
    assert _queries(c, "/") == few_dashboard
    assert few_dashboard <= 8 + 3 * panels, (few_dashboard, panels)


def test_it_filters_by_status_dong_and_overdue(login, officer, manager, other_officer):
    applied, in_service = _cases(officer, 2)
    personas.survey(officer, in_service)
    personas.decide(officer, in_service)
    personas.plan(officer, in_service)
    c = login(officer)
    html = c.get("/cases/", {"status": "in_service"}).content.decode()
    assert in_service.number in html and applied.number not in html
    assert applied.number in c.get("/cases/", {"dong": applied.dong_id}).content.decode()
    assert "조건에 맞는 사례가 없습니다" in c.get("/cases/", {"overdue": "on"}).content.decode()
    Case.objects.filter(pk=in_service.pk).update(next_follow_up_due=timezone.localdate() - dt.timedelta(days=1))
    overdue = c.get("/cases/", {"overdue": "on"}).content.decode()
    assert in_service.number in overdue and applied.number not in overdue and "기한 경과" in overdue


def test_the_case_list_shows_nothing_out_of_scope(login, officer, other_officer):
    (case,) = _cases(officer, 1)
    assert case.number not in login(other_officer).get("/cases/").content.decode()
