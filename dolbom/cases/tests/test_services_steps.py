from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.models import (
    CaseEvent,
    CaseStatus,
    ClosureReason,
    FollowUpOutcome,
    NeedsSurvey,
    SupportPlan,
)
from dolbom.cases.services import (
    case_close,
    case_reopen,
    city_settings_update,
    follow_up_record,
    meeting_outcome_note,
    meeting_request,
    plan_create,
    reassessment_start,
    survey_record,
)
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.testing import personas


@pytest.fixture
def case(officer, resident):
    return personas.open_case(officer, resident)


@pytest.fixture
def planned(officer, case):
    personas.survey(officer, case)
    personas.decide(officer, case)
    personas.plan(officer, case)
    case.refresh_from_db()
    return case


def _events(case):
    return CaseEvent.objects.filter(case=case).count()


def test_it_refuses_a_plan_before_an_eligibility_decision_and_changes_nothing(officer, case):
    personas.survey(officer, case)
    before = _events(case)
    with pytest.raises(DomainError) as exc:
        personas.plan(officer, case)
    assert exc.value.code == CaseErrorCode.PLAN_BEFORE_DECISION
    case.refresh_from_db()
    assert case.status == CaseStatus.SURVEYED and not SupportPlan.objects.exists() and _events(case) == before


def test_it_refuses_a_survey_missing_an_adl_item(officer, case):
    adl = personas.full_scores(personas.ADL_ITEMS)
    adl.pop("bathing")
    with pytest.raises(DomainError) as exc:
        survey_record(actor=officer, case=case, surveyed_on=timezone.localdate(), household_environment={},
                      benefits_received=[], adl=adl, iadl=personas.full_scores(personas.IADL_ITEMS), health={},
                      needs=["식사"])
    assert exc.value.code == CaseErrorCode.SURVEY_INCOMPLETE
    assert not NeedsSurvey.objects.exists()


def test_it_refuses_a_score_outside_one_to_three(officer, case):
    with pytest.raises(DomainError) as exc:
        survey_record(actor=officer, case=case, surveyed_on=timezone.localdate(), household_environment={},
                      benefits_received=[], adl=personas.full_scores(personas.ADL_ITEMS, 4),
                      iadl=personas.full_scores(personas.IADL_ITEMS), health={}, needs=["식사"])
    assert exc.value.code == CaseErrorCode.SCORE_INVALID


def test_surveys_are_kept_not_overwritten(officer, case):
    first = personas.survey(officer, case)
    second = personas.survey(officer, case)
    assert (first.sequence, second.sequence) == (1, 2)
    first.refresh_from_db()
    assert first.adl_total == 14 and NeedsSurvey.objects.count() == 2


def test_the_first_follow_up_is_due_90_days_after_the_first_plan(planned):
    assert planned.status == CaseStatus.IN_SERVICE
    assert planned.next_follow_up_due == planned.first_plan_on + dt.timedelta(days=90)


def test_plans_are_versioned(officer, planned):
    personas.plan(officer, planned)
    assert list(planned.plans.values_list("version", flat=True)) == [2, 1]


def test_follow_up_sets_the_next_due_date_from_the_city_interval(officer, city, planned):
    city_settings_update(actor=city, first_follow_up_days=60, follow_up_interval_days=120)
    today = timezone.localdate()
    follow_up_record(actor=officer, case=planned, done_on=today, outcome=FollowUpOutcome.CONTINUE, note="양호")
    planned.refresh_from_db()
    assert planned.next_follow_up_due == today + dt.timedelta(days=120)


def test_a_change_at_follow_up_sends_the_case_to_reassessment_and_a_new_decision(officer, planned):
    follow_up_record(actor=officer, case=planned, done_on=timezone.localdate(), outcome=FollowUpOutcome.CHANGE,
                     note="낙상 후 거동 악화")
    planned.refresh_from_db()
    assert planned.status == CaseStatus.REASSESSMENT and planned.next_follow_up_due is None
    with pytest.raises(DomainError) as exc:
        personas.plan(officer, planned)
    assert exc.value.code == CaseErrorCode.PLAN_BEFORE_DECISION
    personas.survey(officer, planned)
    personas.decide(officer, planned)
    personas.plan(officer, planned)
    planned.refresh_from_db()
    assert planned.status == CaseStatus.IN_SERVICE and planned.decisions.count() == 2


@pytest.mark.parametrize("first, later", [(91, 90), (90, 184), (0, 30)])
def test_the_city_cannot_set_intervals_beyond_the_law(city, first, later):
    with pytest.raises(DomainError) as exc:
        city_settings_update(actor=city, first_follow_up_days=first, follow_up_interval_days=later)
    assert exc.value.code == CaseErrorCode.INTERVAL_OUT_OF_RANGE


def test_only_the_city_team_sets_intervals(officer):
    with pytest.raises(Forbidden):
        city_settings_update(actor=officer, first_follow_up_days=60, follow_up_interval_days=90)


def test_the_meeting_is_optional_and_its_outcome_is_noted(officer, planned):
    with pytest.raises(DomainError):
        meeting_outcome_note(actor=officer, case=planned, outcome="계획 승인")
    meeting_request(actor=officer, case=planned, reason="복합 욕구")
    case = meeting_outcome_note(actor=officer, case=planned, outcome="계획 승인, 방문간호 추가")
    assert case.meeting_outcome == "계획 승인, 방문간호 추가"


@pytest.mark.parametrize("reason, note, code", [
    ("", "사망 확인", CaseErrorCode.CLOSURE_REASON_REQUIRED),
    ("moved", "이사", CaseErrorCode.CLOSURE_REASON_REQUIRED),
    (ClosureReason.DEATH, "  ", CaseErrorCode.CLOSURE_NOTE_REQUIRED),
])
def test_it_refuses_to_close_without_a_legal_reason_and_a_note(officer, planned, reason, note, code):
    with pytest.raises(DomainError) as exc:
        case_close(actor=officer, case=planned, reason=reason, note=note)
    assert exc.value.code == code
    planned.refresh_from_db()
    assert planned.status == CaseStatus.IN_SERVICE


def test_a_closed_case_is_read_only_until_reopened_with_a_reason(officer, planned):
    case_close(actor=officer, case=planned, reason=ClosureReason.REFUSAL, note="본인 서비스 거부")
    for step in (lambda: personas.plan(officer, planned),
                 lambda: follow_up_record(actor=officer, case=planned, done_on=timezone.localdate(),
                                          outcome=FollowUpOutcome.CONTINUE, note="x"),
                 lambda: meeting_request(actor=officer, case=planned),
                 lambda: reassessment_start(actor=officer, case=planned, reason="x")):
        with pytest.raises(DomainError) as exc:
            step()
        assert exc.value.code == CaseErrorCode.CASE_CLOSED
    with pytest.raises(DomainError) as exc:
        case_reopen(actor=officer, case=planned, reason=" ")
    assert exc.value.code == CaseErrorCode.REOPEN_REASON_REQUIRED
    case = case_reopen(actor=officer, case=planned, reason="본인 재신청")
    assert case.status == CaseStatus.REASSESSMENT and case.closure_reason == ""


def test_another_dongs_officer_cannot_act_on_the_case(other_officer, planned):
    with pytest.raises(DomainError) as exc:
        case_close(actor=other_officer, case=planned, reason=ClosureReason.DEATH, note="x")
    assert exc.value.code == CaseErrorCode.CASE_NOT_FOUND


def test_a_plan_line_must_not_end_before_it_starts(officer, case):
    from dolbom.cases.services import PlanLine

    personas.survey(officer, case)
    personas.decide(officer, case)
    today = timezone.localdate()
    with pytest.raises(DomainError) as exc:
        plan_create(actor=officer, case=case, goals="목표", starts_on=today, lines=[
            PlanLine(domain="care", content="가사지원", method="방문", quantity="주 2회", starts_on=today,
                     ends_on=today - dt.timedelta(days=1), provider="재가센터")])
    assert exc.value.code == CaseErrorCode.PLAN_LINE_DATES
