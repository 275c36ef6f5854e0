from __future__ import annotations

from django.utils import timezone

from dolbom.cases.models import CaseEventType, CaseStatus, ClosureReason, FollowUpOutcome
from dolbom.cases.services import case_close, follow_up_record
from dolbom.testing import personas


def test_it_walks_a_case_from_application_to_closure(officer, resident):
    case = personas.open_case(officer, resident)
    personas.survey(officer, case)
    personas.decide(officer, case)
    personas.plan(officer, case)
    follow_up_record(actor=officer, case=case, done_on=timezone.localdate(), outcome=FollowUpOutcome.CONTINUE,
                     note="서비스 정상 제공")
    case = case_close(actor=officer, case=case, reason=ClosureReason.NO_LONGER_NEEDED, note="목표 달성")
    assert case.status == CaseStatus.CLOSED
    assert list(case.events.values_list("type", flat=True)) == [
        CaseEventType.APPLICATION_RECORDED, CaseEventType.SURVEY_RECORDED, CaseEventType.DECISION_RECORDED,
        CaseEventType.PLAN_CREATED, CaseEventType.FOLLOW_UP_RECORDED, CaseEventType.CLOSED,
    ]
