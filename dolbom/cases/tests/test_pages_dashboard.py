from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dolbom.cases.models import Case
from dolbom.testing import personas


def _in_service(officer, resident) -> Case:
    case = personas.open_case(officer, resident)
    personas.survey(officer, case)
    personas.decide(officer, case)
    personas.plan(officer, case)
    return case


def test_it_shows_my_cases_with_the_next_step_and_counts(login, officer, resident):
    case = personas.open_case(officer, resident)
    html = login(officer).get("/").content.decode()
    assert case.number in html
    assert "김영숙" in html
    assert "필요도 조사" in html  # the next step of an applied case
    assert "내 사례" in html


def test_it_shows_overdue_follow_ups_per_dong_and_per_worker(login, officer, resident):
    case = _in_service(officer, resident)
    Case.objects.filter(pk=case.pk).update(next_follow_up_due=timezone.localdate() - dt.timedelta(days=3))
    html = login(officer).get("/").content.decode()
    assert "행정동별 모니터링 기한 경과" in html
    assert 'class="badge overdue">1<' in html.replace("\n", "")
    assert html.count("서신동") >= 2 and "김민지" in html


def test_it_shows_another_workers_cases_only_to_their_manager(login, officer, other_officer, resident):
    case = personas.open_case(officer, resident)
    assert case.number not in login(other_officer).get("/").content.decode()


def test_it_points_auditors_to_the_access_log_only(login, auditor, officer, resident):
    personas.open_case(officer, resident)
    html = login(auditor).get("/").content.decode()
    assert "/audit/access-log/" in html
    assert "김영숙" not in html
    assert "/residents/" not in html


def test_partner_workers_see_nothing(login, partner, officer, resident):
    personas.open_case(officer, resident)
    html = login(partner).get("/").content.decode()
    assert "김영숙" not in html
    assert "/residents/" not in html and "/cases/" not in html
