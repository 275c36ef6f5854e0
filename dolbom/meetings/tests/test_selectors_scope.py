"""Who sees which agenda case: the access rules of the meetings app, each with the log it leaves."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.access import SYSTEM_CONTEXT
from dolbom.lib.errors import NotFound
from dolbom.meetings import services
from dolbom.meetings.models import MemberKind
from dolbom.meetings.selectors import agenda_item_get, case_meeting_items, meeting_agenda, meeting_get
from dolbom.registry.services import consent_withdraw
from dolbom.testing import personas

from .conftest import planned_case, share_with


def _visible(viewer, meeting) -> set[int]:
    return {i.pk for i in meeting_agenda(viewer=viewer, meeting=meeting, context=SYSTEM_CONTEXT).items}


def test_an_invited_partner_sees_only_cases_whose_client_consented_to_her_institution(
        officer, manager, meeting, item, invited_partner):
    other = services.agenda_add(actor=officer, meeting=meeting, case=planned_case(
        officer, manager, personas.make_resident(officer, name="박말순")))
    share_with(officer, item.case.resident)
    agenda = meeting_agenda(viewer=invited_partner, meeting=meeting, context=SYSTEM_CONTEXT)
    assert [i.pk for i in agenda.items] == [item.pk] and agenda.hidden == 1
    log = AccessLog.objects.filter(actor=invited_partner, record_type="meeting_agenda").get()
    assert log.subject_ids == [item.case.resident_id] and log.action == AccessAction.SEARCH
    with pytest.raises(NotFound):
        agenda_item_get(viewer=invited_partner, meeting_id=meeting.pk, item_id=other.pk, context=SYSTEM_CONTEXT)
    denied = AccessLog.objects.get(actor=invited_partner, action=AccessAction.DENIED)
    assert denied.resident_id == other.case.resident_id and denied.record_type == "meeting_agenda_item"


def test_consent_to_another_institution_does_not_open_the_item(officer, meeting, item, invited_partner):
    share_with(officer, item.case.resident, code="JJ-HR-001", name="전주 집수리 협동조합")
    assert _visible(invited_partner, meeting) == set()


def test_a_partner_not_invited_sees_no_meeting_even_with_consent(officer, meeting, item, partner):
    share_with(officer, item.case.resident)
    with pytest.raises(NotFound):
        meeting_get(viewer=partner, meeting_id=meeting.pk, context=SYSTEM_CONTEXT)
    assert AccessLog.objects.filter(actor=partner, action=AccessAction.DENIED, record_type="meeting").exists()
    with pytest.raises(NotFound):
        case_meeting_items(viewer=partner, case_id=item.case_id, context=SYSTEM_CONTEXT)
    assert AccessLog.objects.filter(actor=partner, action=AccessAction.DENIED, record_type="case_meeting_items",
                                    resident_id=item.case.resident_id).exists()


def test_withdrawing_consent_ends_the_partners_access_at_once(officer, meeting, item, invited_partner):
    consent = share_with(officer, item.case.resident)
    assert _visible(invited_partner, meeting) == {item.pk}
    consent_withdraw(actor=officer, consent=consent, at=timezone.now())
    assert _visible(invited_partner, meeting) == set()
    with pytest.raises(NotFound):
        agenda_item_get(viewer=invited_partner, meeting_id=meeting.pk, item_id=item.pk, context=SYSTEM_CONTEXT)


def test_a_partner_without_an_institution_code_sees_nothing(officer, meeting, item, partner):
    partner.staff.institution_code = ""
    partner.staff.save()
    services.attendee_invite(actor=officer, meeting=meeting, user=partner, member_kind=MemberKind.PROVIDER_STAFF)
    share_with(officer, item.case.resident)
    partner.staff.refresh_from_db()
    assert _visible(partner, meeting) == set()


def test_dong_staff_see_their_scope_and_the_city_team_sees_all(officer, other_officer, city, meeting, item):
    services.attendee_invite(actor=officer, meeting=meeting, user=other_officer,
                             member_kind=MemberKind.HEALTH_CENTRE_DONG_STAFF)
    assert _visible(officer, meeting) == {item.pk}
    assert _visible(city, meeting) == {item.pk}
    # Invited, but the case is in another dong: the meeting opens, the case does not.
    assert _visible(other_officer, meeting) == set()


def test_an_officer_of_another_dong_not_invited_cannot_open_the_meeting(other_officer, meeting):
    with pytest.raises(NotFound):
        meeting_get(viewer=other_officer, meeting_id=meeting.pk, context=SYSTEM_CONTEXT)


def test_the_auditor_sees_no_meeting(auditor, meeting, item):
    with pytest.raises(NotFound):
        meeting_get(viewer=auditor, meeting_id=meeting.pk, context=SYSTEM_CONTEXT)
    with pytest.raises(NotFound):
        agenda_item_get(viewer=auditor, meeting_id=meeting.pk, item_id=item.pk, context=SYSTEM_CONTEXT)


def test_reading_one_agenda_case_is_logged_with_the_meetings_purpose(manager, meeting, item):
    agenda_item_get(viewer=manager, meeting_id=meeting.pk, item_id=item.pk, context=SYSTEM_CONTEXT)
    log = AccessLog.objects.get(actor=manager, action=AccessAction.VIEW, record_type="meeting_agenda_item")
    assert log.resident_id == item.case.resident_id and log.in_caseload
    assert f"#{meeting.pk}" in log.purpose


def test_an_invited_visiting_nurse_is_scoped_like_a_partner(officer, meeting, item):
    from dolbom.accounts.models import Role, StaffProfile

    nurse = personas.make_staff("nurse1", "문가영", Role.NURSE, institution="전주시 보건소")
    StaffProfile.objects.filter(user=nurse).update(institution_code="JJ-PH-001")
    nurse.staff.refresh_from_db()
    services.attendee_invite(actor=officer, meeting=meeting, user=nurse,
                             member_kind=MemberKind.HEALTH_CENTRE_DONG_STAFF)
    assert _visible(nurse, meeting) == set()
    share_with(officer, item.case.resident, code="JJ-PH-001", name="전주시 보건소")
    assert _visible(nurse, meeting) == {item.pk}


def test_the_case_manager_reads_the_city_meeting_that_decides_on_his_case(city, manager, case):
    city_meeting = services.meeting_schedule(actor=city, title="시 통합지원회의", scheduled_at=timezone.now(),
                                             place="시청", chair=city)
    with pytest.raises(NotFound):
        meeting_get(viewer=manager, meeting_id=city_meeting.pk, context=SYSTEM_CONTEXT)
    item = services.agenda_add(actor=city, meeting=city_meeting, case=case)
    assert meeting_get(viewer=manager, meeting_id=city_meeting.pk, context=SYSTEM_CONTEXT) == city_meeting
    assert _visible(manager, city_meeting) == {item.pk}
