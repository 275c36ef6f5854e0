"""The plan page with its map, the printable list, and the worker's day page."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dolbom.visits import services
from dolbom.visits.models import VisitStatus
from dolbom.visits.tests.conftest import household_at, make_visit


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _visits(officer, today, n):
    return [make_visit(officer, household_at(officer, 127.10 + 0.003 * k, 35.82 + 0.002 * (k % 4)), due_on=today,
                       minutes=15) for k in range(n)]


def test_the_plan_page_draws_the_dongs_and_the_routes(officer, nurse_worker, today):
    _visits(officer, today, 3)
    c = login(officer)
    r = c.post("/visits/plan/", {"date": today.isoformat(), "time_limit": "1"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert page.count('class="dong"') >= 34
    assert page.count('data-testid="map-route"') == 1
    assert "서신동" in page
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_the_print_page_lists_each_stop(officer, nurse_worker, today):
    _visits(officer, today, 3)
    services.visits_plan(actor=officer, date=today, time_limit=1)
    page = login(officer).get("/visits/plan/print/", {"date": today.isoformat()}).content.decode()
    assert page.count("<tr>\n      <td>") == 3


def test_a_nurse_cannot_open_the_plan_page(nurse):
    assert login(nurse).get("/visits/plan/").status_code == 403


def _plan_page_queries(c: Client, today) -> int:
    with CaptureQueriesContext(connection) as q:
        assert c.get("/visits/plan/", {"date": today.isoformat()}).status_code == 200
    return len(q.captured_queries)


def test_the_plan_page_query_count_does_not_grow_with_visits(officer, nurse_worker, today):
    c = login(officer)
    _visits(officer, today, 2)
    services.visits_plan(actor=officer, date=today, time_limit=1)
    _plan_page_queries(c, today)  # warm: the menu and the header are kept a minute per user (web/nav.py)
    few = _plan_page_queries(c, today)
    _visits(officer, today, 8)
    services.visits_plan(actor=officer, date=today, time_limit=1)
    assert _plan_page_queries(c, today) == few


def test_the_day_page_marks_a_visit_done(officer, nurse, nurse_worker, today):
    (visit,) = _visits(officer, today, 1)
    services.visits_plan(actor=officer, date=today, time_limit=1)
    c = login(nurse)
    page = c.get("/visits/my-day/", {"date": today.isoformat()}).content.decode()
    assert 'data-testid="day-visit"' in page
    r = c.post(f"/visits/{visit.pk}/mark/", {"outcome": "done", "date": today.isoformat()})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
