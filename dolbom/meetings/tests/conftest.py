from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role, StaffProfile
from dolbom.cases.models import Case
from dolbom.meetings import services
from dolbom.meetings.models import AgendaItem, Meeting, MemberKind
from dolbom.registry.models import Consent, ConsentPurpose, Resident
from dolbom.registry.services import consent_record
from dolbom.testing import personas

NURSING_CODE = "JJ-HN-001"
NURSING_NAME = "전주 방문간호센터"


@pytest.fixture
def partner(partner) -> User:
    """이수진 of 전주 방문간호센터, scoped by the institution's code."""
    StaffProfile.objects.filter(user=partner).update(institution_code=NURSING_CODE)
    partner.staff.refresh_from_db()
    return partner


@pytest.fixture
def other_partner(db) -> User:
    """오지현 of another institution (a housing-repair group)."""
    user = personas.make_staff("jihyun", "오지현", Role.PARTNER, institution="전주 집수리 협동조합")
    StaffProfile.objects.filter(user=user).update(institution_code="JJ-HR-001")
    user.staff.refresh_from_db()
    return user


def share_with(actor: User, resident: Resident, code: str = NURSING_CODE, name: str = NURSING_NAME) -> Consent:
    return consent_record(actor=actor, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                          recipient=name, recipient_code=code)


def planned_case(officer: User, manager: User, resident: Resident) -> Case:
    case = personas.open_case(officer, resident, manager=manager)
    personas.survey(officer, case)
    personas.decide(officer, case)
    personas.plan(officer, case)
    case.refresh_from_db()
    return case


def decided_case(officer: User, manager: User, resident: Resident) -> Case:
    case = personas.open_case(officer, resident, manager=manager)
    personas.survey(officer, case)
    personas.decide(officer, case)
    case.refresh_from_db()
    return case


@pytest.fixture
def case(officer, manager, resident) -> Case:
    """김영숙's case with a support plan, waiting for the meeting's approval."""
    return planned_case(officer, manager, resident)


@pytest.fixture
def meeting(officer) -> Meeting:
    """서신동's integrated support meeting next week, chaired by 김민지."""
    return services.meeting_schedule(
        actor=officer, title="서신동 통합지원회의", scheduled_at=timezone.now() + dt.timedelta(days=7),
        place="서신동 행정복지센터 2층", chair=officer, dong=officer.staff.dong)


@pytest.fixture
def item(officer, meeting, case) -> AgendaItem:
    return services.agenda_add(actor=officer, meeting=meeting, case=case)


@pytest.fixture
def invited_partner(officer, meeting, partner) -> User:
    services.attendee_invite(actor=officer, meeting=meeting, user=partner, member_kind=MemberKind.PROVIDER_STAFF)
    return partner
