from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import CaseEvent, CaseEventType, CaseStatus, ClosureReason
from dolbom.cases.services import meeting_request
from dolbom.lib.access import SYSTEM_CONTEXT
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.meetings import services
from dolbom.meetings.errors import MeetingErrorCode
from dolbom.meetings.models import AgendaReason, Decision, MeetingStatus, MemberKind
from dolbom.meetings.selectors import agenda_candidates
from dolbom.meetings.services import DecisionInput
from dolbom.testing import personas

from .conftest import decided_case, planned_case


def _decide(actor, item, decision, **kw):
    return services.agenda_decision_record(actor=actor, item=item, data=DecisionInput(decision=decision, **kw))


def test_a_dong_officer_schedules_only_her_own_dongs_meeting(officer, other_officer):
    when = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(Forbidden):
        services.meeting_schedule(actor=officer, title="효자1동 회의", scheduled_at=when, place="효자1동",
                                  chair=officer, dong=other_officer.staff.dong)
    with pytest.raises(Forbidden):
        services.meeting_schedule(actor=officer, title="시 회의", scheduled_at=when, place="시청", chair=officer)


def test_a_partner_worker_cannot_chair_or_schedule(officer, partner):
    when = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(DomainError) as exc:
        services.meeting_schedule(actor=officer, title="회의", scheduled_at=when, place="동", chair=partner,
                                  dong=officer.staff.dong)
    assert exc.value.code == MeetingErrorCode.CHAIR_INVALID
    with pytest.raises(Forbidden):
        services.meeting_schedule(actor=partner, title="회의", scheduled_at=when, place="동", chair=officer)


def test_putting_a_case_on_the_agenda_writes_the_timeline(officer, meeting, case):
    item = services.agenda_add(actor=officer, meeting=meeting, case=case, note="거동 불편, 주거 위험")
    assert item.reason == AgendaReason.PLAN_PENDING
    event = CaseEvent.objects.get(case=case, type=CaseEventType.MEETING_AGENDA_ADDED)
    assert event.new["meeting_id"] == meeting.pk and "서신동 통합지원회의" in event.new["summary"]
    with pytest.raises(DomainError) as exc:
        services.agenda_add(actor=officer, meeting=meeting, case=case)
    assert exc.value.code == MeetingErrorCode.ALREADY_ON_AGENDA


def test_an_officer_cannot_put_another_dongs_case_on_her_agenda(officer, other_officer, meeting):
    stranger = personas.make_resident(other_officer, name="이순자", area_name="효자1동")
    case = personas.open_case(other_officer, stranger)
    with pytest.raises(NotFound):
        services.agenda_add(actor=officer, meeting=meeting, case=case)


def test_candidates_are_marked_cases_and_cases_waiting_for_plan_approval(officer, manager, meeting, case, resident):
    decided = decided_case(officer, manager, personas.make_resident(officer, name="박말순"))
    marked = personas.open_case(officer, personas.make_resident(officer, name="최복남"))
    meeting_request(actor=officer, case=marked, reason="가족 갈등으로 어려운 사례")
    quiet = personas.open_case(officer, personas.make_resident(officer, name="정미자"))
    rows = {c.case.pk: c.reason for c in agenda_candidates(viewer=officer, meeting=meeting, context=SYSTEM_CONTEXT)}
    assert rows == {case.pk: AgendaReason.PLAN_PENDING, decided.pk: AgendaReason.PLAN_PENDING,
                    marked.pk: AgendaReason.MARKED}
    assert quiet.pk not in rows
    # On an unsigned agenda: no longer a candidate for another meeting.
    services.agenda_add(actor=officer, meeting=meeting, case=case)
    rows = {c.case.pk for c in agenda_candidates(viewer=officer, meeting=meeting, context=SYSTEM_CONTEXT)}
    assert case.pk not in rows


def test_an_approved_plan_is_no_longer_waiting(officer, meeting, item):
    _decide(officer, item, Decision.APPROVE_PLAN)
    item.refresh_from_db()
    assert item.plan_version == 1
    services.minutes_write(actor=officer, meeting=meeting, minutes="계획 승인")
    services.minutes_sign(actor=officer, meeting=meeting)
    later = services.meeting_schedule(actor=officer, title="다음 회의", scheduled_at=timezone.now(),
                                      place="동", chair=officer, dong=officer.staff.dong)
    assert item.case_id not in {c.case.pk for c in agenda_candidates(viewer=officer, meeting=later,
                                                                     context=SYSTEM_CONTEXT)}


def test_the_decision_goes_on_the_timeline_and_notes_the_outcome_of_a_marked_case(officer, meeting, case):
    meeting_request(actor=officer, case=case, reason="주거 위험")
    item = services.agenda_add(actor=officer, meeting=meeting, case=case)
    assert item.reason == AgendaReason.MARKED
    _decide(officer, item, Decision.CHANGE_PLAN, note="주거 개선을 계획에 추가")
    event = CaseEvent.objects.get(case=case, type=CaseEventType.MEETING_DECISION)
    assert event.new["decision"] == "change_plan" and "지원계획 변경" in event.new["summary"]
    case.refresh_from_db()
    assert "지원계획 변경" in case.meeting_outcome and "주거 개선" in case.meeting_outcome
    with pytest.raises(DomainError) as exc:
        _decide(officer, item, Decision.APPROVE_PLAN)
    assert exc.value.code == MeetingErrorCode.ALREADY_DECIDED


def test_approving_needs_a_plan(officer, manager, meeting):
    decided = decided_case(officer, manager, personas.make_resident(officer, name="박말순"))
    item = services.agenda_add(actor=officer, meeting=meeting, case=decided)
    with pytest.raises(DomainError) as exc:
        _decide(officer, item, Decision.APPROVE_PLAN)
    assert exc.value.code == MeetingErrorCode.NO_PLAN


def test_closing_goes_through_the_case_closure_with_a_legal_reason(officer, meeting, item):
    with pytest.raises(DomainError):
        _decide(officer, item, Decision.CLOSE, note="요양원 입소")
    item.refresh_from_db()
    assert item.decision == "" and not CaseEvent.objects.filter(type=CaseEventType.MEETING_DECISION).exists()
    _decide(officer, item, Decision.CLOSE, note="요양원 입소", closure_reason=ClosureReason.ADMITTED)
    item.case.refresh_from_db()
    assert item.case.status == CaseStatus.CLOSED and item.case.closure_reason == ClosureReason.ADMITTED
    types = list(CaseEvent.objects.filter(case=item.case).values_list("type", flat=True))
    assert types[-2:] == [CaseEventType.MEETING_DECISION, CaseEventType.CLOSED]


def test_escalating_needs_a_note(officer, item):
    with pytest.raises(DomainError):
        _decide(officer, item, Decision.ESCALATE)
    _decide(officer, item, Decision.ESCALATE, note="시 통합지원회의에 회부")
    item.refresh_from_db()
    assert item.decision == Decision.ESCALATE


def test_only_the_chair_signs_and_then_the_meeting_is_read_only(officer, manager, meeting, item, partner):
    services.attendee_invite(actor=officer, meeting=meeting, user=manager, member_kind=MemberKind.HEALTH_CENTRE_DONG_STAFF)
    with pytest.raises(DomainError) as exc:
        services.minutes_sign(actor=officer, meeting=meeting)
    assert exc.value.code == MeetingErrorCode.MINUTES_REQUIRED
    services.minutes_write(actor=officer, meeting=meeting, minutes="1. 김영숙 사례 논의")
    with pytest.raises(Forbidden):
        services.minutes_sign(actor=manager, meeting=meeting)
    signed = services.minutes_sign(actor=officer, meeting=meeting)
    assert signed.status == MeetingStatus.SIGNED and signed.signed_by == officer
    for write in (lambda: services.minutes_write(actor=officer, meeting=meeting, minutes="수정"),
                  lambda: _decide(officer, item, Decision.APPROVE_PLAN),
                  lambda: services.attendee_invite(actor=officer, meeting=meeting, user=partner,
                                                   member_kind=MemberKind.PROVIDER_STAFF),
                  lambda: services.action_item_add(actor=officer, meeting=meeting, title="x", owner=officer,
                                                   due_on=timezone.localdate())):
        with pytest.raises(DomainError) as exc:
            write()
        assert exc.value.code == MeetingErrorCode.MEETING_SIGNED


def test_an_undecided_case_is_carried_over_to_the_next_meeting(officer, meeting, item):
    services.minutes_write(actor=officer, meeting=meeting, minutes="시간 부족으로 다음 회의에서 논의")
    services.minutes_sign(actor=officer, meeting=meeting)
    later = services.meeting_schedule(actor=officer, title="다음 회의", scheduled_at=timezone.now(),
                                      place="동", chair=officer, dong=officer.staff.dong)
    assert item.case_id in {c.case.pk for c in agenda_candidates(viewer=officer, meeting=later,
                                                                 context=SYSTEM_CONTEXT)}


def test_an_invited_partner_cannot_change_the_meeting(officer, meeting, item, invited_partner):
    with pytest.raises(Forbidden):
        services.minutes_write(actor=invited_partner, meeting=meeting, minutes="x")
    with pytest.raises((Forbidden, NotFound)):
        _decide(invited_partner, item, Decision.APPROVE_PLAN)


def test_a_second_planned_case_of_another_manager_in_the_dong_can_be_added(officer, manager, meeting):
    other = planned_case(officer, manager, personas.make_resident(officer, name="홍길순"))
    item = services.agenda_add(actor=officer, meeting=meeting, case=other)
    assert item.position == 1


def test_an_escalated_case_becomes_a_candidate_for_the_city_meeting_until_it_decides(officer, city, meeting, item):
    _decide(officer, item, Decision.ESCALATE, note="주거 문제로 시 회의에 회부")
    services.minutes_write(actor=officer, meeting=meeting, minutes="시 회의 회부")
    services.minutes_sign(actor=officer, meeting=meeting)
    city_meeting = services.meeting_schedule(actor=city, title="시 통합지원회의", scheduled_at=timezone.now(),
                                             place="시청", chair=city)
    rows = {c.case.pk: c.reason for c in agenda_candidates(viewer=city, meeting=city_meeting, context=SYSTEM_CONTEXT)}
    assert rows[item.case_id] == AgendaReason.ESCALATED
    city_item = services.agenda_add(actor=city, meeting=city_meeting, case=item.case)
    assert city_item.reason == AgendaReason.ESCALATED
    _decide(city, city_item, Decision.APPROVE_PLAN)
    services.minutes_write(actor=city, meeting=city_meeting, minutes="승인")
    services.minutes_sign(actor=city, meeting=city_meeting)
    later = services.meeting_schedule(actor=city, title="다음 시 회의", scheduled_at=timezone.now(), place="시청",
                                      chair=city)
    assert item.case_id not in {c.case.pk for c in agenda_candidates(viewer=city, meeting=later,
                                                                     context=SYSTEM_CONTEXT)}
