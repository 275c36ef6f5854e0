"""Demo: Jeonju's councils, last month's signed integrated support meeting in the demo dong, next week's
meeting with its agenda built from the demo cases, and action items (one overdue).

Everything goes through the real services, so the case timelines show what the product writes.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.lib.access import SYSTEM_CONTEXT
from dolbom.lib.errors import DomainError
from dolbom.meetings import services
from dolbom.meetings.models import Council, CouncilKind, Decision, Meeting, MemberKind
from dolbom.meetings.selectors import agenda_candidates

DEMO_DONG = "서신동"

# (username, member kind) of the demo logins invited to the demo dong's meetings, if they exist.
ATTENDEES = [
    ("city", MemberKind.CITY_STAFF),
    ("manager", MemberKind.HEALTH_CENTRE_DONG_STAFF),
    ("partner", MemberKind.PROVIDER_STAFF),
    ("hospital", MemberKind.OTHER_EXPERT),
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _invite(officer: User, meeting: Meeting) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[n for n, _ in ATTENDEES])}
    for name, kind in ATTENDEES:
        if name in users:
            services.attendee_invite(actor=officer, meeting=meeting, user=users[name], member_kind=kind)


def _past_meeting(officer: User, manager: User, today: dt.date) -> Meeting:
    meeting = services.meeting_schedule(
        actor=officer, title=f"{DEMO_DONG} 통합지원회의 ({(today - dt.timedelta(days=28)):%m}월)",
        scheduled_at=_at(today - dt.timedelta(days=28), 14), place=f"{DEMO_DONG} 행정복지센터 2층 회의실",
        chair=officer, dong=officer.staff.dong)
    _invite(officer, meeting)
    candidates = agenda_candidates(viewer=officer, meeting=meeting, context=SYSTEM_CONTEXT, limit=2)
    decisions = [(Decision.APPROVE_PLAN, "원안대로 승인. 90일 내 첫 모니터링."),
                 (Decision.CHANGE_PLAN, "주거환경 개선(집수리)을 계획에 추가하도록 변경 권고.")]
    for candidate, (decision, note) in zip(candidates, decisions, strict=False):
        item = services.agenda_add(actor=officer, meeting=meeting, case=candidate.case)
        try:
            services.agenda_decision_record(actor=officer, item=item,
                                     data=services.DecisionInput(decision=decision, note=note))
        except DomainError:  # a decided case without a plan cannot be approved: it is carried over
            continue
    services.minutes_write(actor=officer, meeting=meeting, topics="1. 지원계획 승인 요청 사례\n2. 주거 위험 사례",
                           minutes="참석 위원 전원 확인. 안건별 결정은 사례 기록에 남김. 보건소 방문간호 연계 현황 공유.")
    services.action_item_add(actor=officer, meeting=meeting, title="집수리 협동조합 견적 받아 보고",
                             owner=manager, due_on=today - dt.timedelta(days=7))
    done = services.action_item_add(actor=officer, meeting=meeting, title="보건소 방문간호 일정 확정",
                                    owner=officer, due_on=today - dt.timedelta(days=14))
    services.action_item_done(actor=officer, item=done, note="매주 화요일 방문으로 확정")
    services.minutes_sign(actor=officer, meeting=meeting)
    return meeting


def _next_meeting(officer: User, manager: User, today: dt.date) -> Meeting:
    day = today + dt.timedelta(days=7)
    meeting = services.meeting_schedule(
        actor=officer, title=f"{DEMO_DONG} 통합지원회의 ({day:%m}월)", scheduled_at=_at(day, 14),
        place=f"{DEMO_DONG} 행정복지센터 2층 회의실", chair=officer, dong=officer.staff.dong)
    _invite(officer, meeting)
    for candidate in agenda_candidates(viewer=officer, meeting=meeting, context=SYSTEM_CONTEXT, limit=5):
        services.agenda_add(actor=officer, meeting=meeting, case=candidate.case, note="데모 안건")
    services.action_item_add(actor=officer, meeting=meeting, title="안건 사례별 지원계획 사본 준비",
                             owner=manager, due_on=day - dt.timedelta(days=1))
    return meeting


@transaction.atomic
def seed_demo(*, seed: int, out: TextIO) -> None:
    today = timezone.localdate()
    services.councils_seed(today=today)
    users = {u.username: u for u in User.objects.filter(username__in=["officer", "manager", "city"])}
    officer, manager, city = users.get("officer"), users.get("manager"), users.get("city")
    if officer is None or manager is None or city is None or Meeting.objects.exists():
        out.write(f"협의체 {Council.objects.count()}개 (회의 데모 생략).\n")
        return
    council = Council.objects.get(kind=CouncilKind.DONG_COUNCIL, dong=officer.staff.dong)
    services.council_member_add(actor=officer, council=council, user=officer, title="간사")
    services.council_member_add(actor=officer, council=council, name="서신동 주민자치위원장", title="위원")
    services.council_sessions_schedule(actor=officer, council=council, count=3, today=today)
    practitioners = Council.objects.get(kind=CouncilKind.PRACTITIONERS)
    services.council_sessions_schedule(actor=city, council=practitioners, count=2, today=today)
    past = _past_meeting(officer, manager, today)
    upcoming = _next_meeting(officer, manager, today)
    out.write(f"협의체 {Council.objects.count()}개, 통합지원회의 2건 (다음 회의 안건 {upcoming.agenda.count()}건, "
              f"지난 회의 #{past.pk} 서명 완료).\n")
