"""The indicators the existing apps register (their metrics.py), computed on records the services made:
each counts what its definition says, in the right month and dong."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.services import PlanLine, plan_create
from dolbom.lib.metrics import indicator_get, indicators, month_add
from dolbom.testing import personas

pytestmark = pytest.mark.django_db

MINE = ("cases", "referrals", "meetings", "visits", "checkins", "discovery", "registry")


def _this_month() -> tuple[dt.date, dt.date]:
    start = timezone.localdate().replace(day=1)
    return start, month_add(start, 1)


def _value(key: str, dong_name: str | None = None, **dims: str) -> float:
    start, end = _this_month()
    rows = list(indicator_get(key).compute(start, end))
    dong_id = personas.dong(dong_name).pk if dong_name else None
    return sum(r["numerator"] for r in rows if (dong_id is None or r["dong_id"] == dong_id)
               and all(r.get(k) == v for k, v in dims.items()))


def test_every_app_of_the_brief_registers_indicators_with_a_korean_label():
    from django.utils import translation

    apps = {i.app for i in indicators()}
    assert set(MINE) <= apps
    with translation.override("ko"):
        for ind in indicators():
            if ind.app in MINE:
                label = str(ind.label)
                assert any("\uac00" <= ch <= "\ud7a3" for ch in label), f"{ind.key}: {label!r} is not in Korean"
                assert any("\uac00" <= ch <= "\ud7a3" for ch in str(ind.definition)), ind.key


def test_a_case_counts_as_opened_and_open_in_its_dong_and_in_its_step(officer, resident):
    case = personas.open_case(officer, resident)
    assert _value("cases.opened", "서신동") == 1
    assert _value("cases.opened", "서신동", age_band="75-84", sex="F", target_group="older") == 1
    assert _value("cases.open", "서신동") == 1
    assert _value("cases.in_step.applied", "서신동") == 1
    personas.survey(officer, case)
    assert _value("cases.in_step.applied") == 0
    assert _value("cases.in_step.surveyed", "서신동") == 1
    start, end = _this_month()
    (row,) = indicator_get("cases.days_in_step.applied").compute(start, end)
    assert row["denominator"] == 1 and row["numerator"] >= 0


def test_a_follow_up_past_its_due_date_counts_as_overdue_until_it_is_recorded(officer, resident):
    from dolbom.cases.services import follow_up_record

    case = personas.open_case(officer, resident)
    personas.survey(officer, case)
    personas.decide(officer, case)
    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    plan_create(actor=officer, case=case, goals="안전한 생활", starts_on=start, lines=[PlanLine(
        domain="medical", content="방문간호", method="방문", quantity="월 2회", starts_on=start,
        ends_on=start + dt.timedelta(days=180), provider="보건소")])
    assert _value("cases.follow_ups_overdue", "서신동") == 1
    follow_up_record(actor=officer, case=case, done_on=today, outcome=personas.FOLLOW_UP_CONTINUE, note="확인")
    assert _value("cases.follow_ups_overdue") == 0
    assert _value("cases.follow_ups_done", "서신동") == 1
    start_m, end_m = _this_month()
    (late,) = indicator_get("cases.follow_ups_on_time").compute(start_m, end_m)
    assert (late["numerator"], late["denominator"]) == (0, 1), "done after its due date"


def test_the_population_counts_older_people_living_alone_by_their_dong(officer):
    personas.make_resident(officer, name="김영숙", birth=dt.date(1948, 3, 2), sex="F")
    personas.make_resident(officer, name="이민수", birth=dt.date(1990, 5, 1), sex="M")
    assert _value("registry.residents", "서신동") == 2
    assert _value("registry.residents", "서신동", age_band="0-64", sex="M", target_group="none") == 1
    assert _value("registry.older", "서신동") == 1
    assert _value("registry.older_alone", "서신동", sex="F") == 1


def test_a_referral_waits_until_it_is_answered_and_its_answer_counts_in_the_month_given(officer, resident):
    from dolbom.referrals.models import Institution, Referral, ReferralStatus, Service
    from dolbom.registry.models import Consent

    case = personas.open_case(officer, resident)
    inst = Institution.objects.create(code="T-1", name="전주 방문간호센터", kind="home_nursing_agency")
    service = Service.objects.create(institution=inst, code="T-SV-1", name="방문간호", category_code="A02")
    consent = Consent.objects.create(resident=resident, purpose="information_sharing", recipient="T-1",
                                     recipient_code="T-1", given_at=timezone.now(), recorded_by=officer)
    referral = Referral.objects.create(case=case, service=service, institution=inst, consent=consent,
                                       created_by=officer, respond_by=timezone.localdate() - dt.timedelta(days=1),
                                       created_at=timezone.now() - dt.timedelta(hours=30))
    assert _value("referrals.created", "서신동") == 1
    assert _value("referrals.pending", "서신동") == 1
    assert _value("referrals.pending_overdue", "서신동") == 1
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ACCEPTED, responded_at=timezone.now())
    assert _value("referrals.pending") == 0
    start, end = _this_month()
    (hours,) = indicator_get("referrals.answer_hours").compute(start, end)
    assert hours["denominator"] == 1 and 29 < hours["numerator"] < 31
    (rate,) = indicator_get("referrals.accept_rate").compute(start, end)
    assert (rate["numerator"], rate["denominator"]) == (1, 1)


def test_visits_count_as_done_or_missed_by_the_day_they_were_due(officer):
    from dolbom.visits.models import Visit, VisitStatus

    home = personas.make_household(officer)
    today = timezone.localdate()
    common = dict(household=home, visit_type="follow_up", skill="case_manager", duration_minutes=30,
                  window_start=dt.time(9), window_end=dt.time(17), created_by=officer)
    Visit.objects.create(due_on=today, status=VisitStatus.DONE, **common)
    Visit.objects.create(due_on=today, status=VisitStatus.NOT_HOME, **common)
    Visit.objects.create(due_on=today + dt.timedelta(days=1), status=VisitStatus.OPEN, **common)
    Visit.objects.create(due_on=today, status=VisitStatus.RESCHEDULED, **common)
    assert _value("visits.done", "서신동") == 1
    assert _value("visits.missed", "서신동") == 1
    start, end = _this_month()
    (rate,) = [r for r in indicator_get("visits.done_rate").compute(start, end) if r["denominator"]]
    assert (rate["numerator"], rate["denominator"]) == (1, 2)


def test_the_check_in_response_rate_counts_each_scheduled_call_once(officer, resident):
    from dolbom.checkins.models import Alert, Call, Enrolment

    case = personas.open_case(officer, resident)
    enrolment = Enrolment.objects.create(case=case, resident=resident, status="active", frequency="weekly",
                                         weekday=0, window_start=dt.time(10), window_end=dt.time(12),
                                         preferred_name="영숙", enrolled_by=officer)
    now = timezone.now()
    for status, attempts in (("completed", 1), ("completed", 2), ("missed", 3), ("cancelled", 0)):
        Call.objects.create(enrolment=enrolment, dong=case.dong, status=status, due_at=now, attempts=attempts)
    start, end = _this_month()
    (rate,) = indicator_get("checkins.response_rate").compute(start, end)
    assert (rate["numerator"], rate["denominator"]) == (2, 3)
    Alert.objects.create(case=case, dong=case.dong, kind="health", severity="high", status="open",
                         created_at=now - dt.timedelta(minutes=30), acknowledged_at=now)
    assert _value("checkins.alerts_high", "서신동") == 1
    (ack,) = indicator_get("checkins.ack_minutes").compute(start, end)
    assert ack["denominator"] == 1 and round(ack["numerator"]) == 30


def test_the_discovery_support_rate_is_supported_over_listed_per_cycle(officer):
    from dolbom.discovery.models import Cycle, VisitListEntry

    start, _end = _this_month()
    cycle = Cycle.objects.create(name="시험 주기", kind="national", starts_on=start, due_on=start + dt.timedelta(days=30),
                                 created_by=officer)
    for outcome in ("supported_public", "supported_private", "not_target", "no_contact", ""):
        person = personas.make_resident(officer)
        VisitListEntry.objects.create(cycle=cycle, dong=person.dong, household=person.household, resident=person,
                                      source="model", listed_at=timezone.now(), outcome=outcome)
    (rate,) = indicator_get("discovery.support_rate").compute(*_this_month())
    assert (rate["numerator"], rate["denominator"]) == (2, 5)
    assert _value("discovery.unreachable", "서신동") == 1


def test_meetings_held_and_their_decisions_count_in_the_month(officer, resident):
    from dolbom.meetings.models import AgendaItem, Meeting

    case = personas.open_case(officer, resident)
    now = timezone.now()
    meeting = Meeting.objects.create(kind="integrated_support", title="서신동 통합지원회의", dong=case.dong,
                                     scheduled_at=now, place="행정복지센터", status="signed", created_by=officer)
    Meeting.objects.create(kind="integrated_support", title="예정 회의", dong=case.dong, scheduled_at=now,
                           place="행정복지센터", status="scheduled", created_by=officer)
    AgendaItem.objects.create(meeting=meeting, case=case, position=1, reason="marked", added_by=officer,
                              added_at=now, decision="approve_plan", decided_by=officer, decided_at=now)
    assert _value("meetings.held", "서신동") == 1
    assert _value("meetings.decisions", "서신동") == 1
