from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.areas.selectors import dong_list_valid_on
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.meetings import services
from dolbom.meetings.errors import MeetingErrorCode
from dolbom.meetings.models import Council, CouncilKind, Meeting
from dolbom.meetings.selectors import action_items_overdue_by_owner, council_list


def test_seeding_creates_the_standing_councils_and_one_per_current_dong_once(db):
    services.councils_seed()
    dongs = dong_list_valid_on(timezone.localdate()).count()
    assert Council.objects.filter(kind=CouncilKind.DONG_COUNCIL).count() == dongs == 34
    assert set(Council.objects.exclude(kind=CouncilKind.DONG_COUNCIL).values_list("kind", flat=True)) == {
        CouncilKind.CITY_COUNCIL, CouncilKind.PRACTITIONERS, CouncilKind.TEAM_LEADERS, CouncilKind.ADMINISTRATIVE,
        CouncilKind.JOINT_EXECUTIVE}
    assert services.councils_seed() == []


def test_sessions_come_from_the_rule_and_scheduling_twice_adds_none(officer, city):
    services.councils_seed()
    council = Council.objects.get(kind=CouncilKind.DONG_COUNCIL, dong=officer.staff.dong)
    first = services.council_sessions_schedule(actor=officer, council=council, count=3, today=dt.date(2026, 3, 1))
    assert [timezone.localtime(m.scheduled_at).date() for m in first] == [
        dt.date(2026, 3, 10), dt.date(2026, 4, 14), dt.date(2026, 5, 12)]
    assert services.council_sessions_schedule(actor=city, council=council, count=3, today=dt.date(2026, 3, 1)) == []
    assert Meeting.objects.filter(council=council).count() == 3


def test_only_the_city_team_or_the_dongs_own_staff_manage_a_dong_council(other_officer, partner):
    services.councils_seed()
    council = Council.objects.get(kind=CouncilKind.DONG_COUNCIL, dong__name="서신동")
    for actor in (other_officer, partner):
        with pytest.raises(Forbidden):
            services.council_sessions_schedule(actor=actor, council=council)


def test_a_partner_sees_only_the_councils_she_sits_on(city, partner):
    services.councils_seed()
    assert not council_list(viewer=partner).exists()
    council = Council.objects.get(kind=CouncilKind.CITY_COUNCIL)
    services.council_member_add(actor=city, council=council, user=partner, title="위원")
    assert list(council_list(viewer=partner)) == [council]


def test_the_city_team_creates_a_council_with_a_valid_rule_only(city, officer):
    kwargs = dict(name="돌봄 자원 협의회", kind=CouncilKind.CITY_COUNCIL, starts_on=dt.date(2026, 1, 1),
                  time=dt.time(10), place="시청")
    with pytest.raises(DomainError) as exc:
        services.council_create(actor=city, rrule="FREQ=YEARLY", **kwargs)
    assert exc.value.code == MeetingErrorCode.RULE_INVALID
    with pytest.raises(Forbidden):
        services.council_create(actor=officer, rrule="FREQ=MONTHLY;BYDAY=1MO", **kwargs)
    assert services.council_create(actor=city, rrule="freq=monthly;byday=1mo", **kwargs).rrule == \
        "FREQ=MONTHLY;BYDAY=1MO"


def test_overdue_action_items_are_listed_per_owner_until_done(officer, manager, city, meeting):
    today = timezone.localdate()
    late = services.action_item_add(actor=officer, meeting=meeting, title="집수리 견적 확인", owner=manager,
                                    due_on=today - dt.timedelta(days=5))
    services.action_item_add(actor=officer, meeting=meeting, title="보건소 연락", owner=manager,
                             due_on=today - dt.timedelta(days=1))
    services.action_item_add(actor=officer, meeting=meeting, title="다음 주 방문", owner=officer,
                             due_on=today + dt.timedelta(days=7))
    rows = action_items_overdue_by_owner(viewer=city)
    assert [(r.owner, r.count, r.oldest_due) for r in rows] == [(manager, 2, late.due_on)]
    services.action_item_done(actor=manager, item=late, note="견적 받음")
    assert [r.count for r in action_items_overdue_by_owner(viewer=city)] == [1]
    with pytest.raises(DomainError):
        services.action_item_done(actor=manager, item=late)


def test_only_the_owner_or_an_organiser_marks_an_item_done(officer, manager, other_officer, meeting):
    item = services.action_item_add(actor=officer, meeting=meeting, title="x", owner=manager,
                                    due_on=timezone.localdate())
    with pytest.raises((Forbidden, NotFound)):
        services.action_item_done(actor=other_officer, item=item)
    assert services.action_item_done(actor=officer, item=item).is_done


def test_the_seed_command_is_idempotent(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("meetings", "seed-councils", stdout=out)
    call_command("meetings", "seed-councils", stdout=out)
    assert out.getvalue().splitlines() == ["협의체 39개 생성, 전체 39개.", "협의체 0개 생성, 전체 39개."]


def test_a_council_session_without_a_chair_login_is_signed_by_its_organiser(officer, other_officer):
    services.councils_seed()
    council = Council.objects.get(kind=CouncilKind.DONG_COUNCIL, dong=officer.staff.dong)
    session = services.council_sessions_schedule(actor=officer, council=council, count=1)[0]
    services.minutes_write(actor=officer, meeting=session, minutes="1. 겨울철 독거노인 안부 확인 강화", topics="안부 확인")
    with pytest.raises((Forbidden, NotFound)):
        services.minutes_sign(actor=other_officer, meeting=session)
    assert services.minutes_sign(actor=officer, meeting=session).is_signed
