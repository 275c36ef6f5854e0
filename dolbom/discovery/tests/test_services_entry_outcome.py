from __future__ import annotations

import pytest

from dolbom.cases.models import CaseEventType, CaseOrigin, CaseStatus
from dolbom.discovery import services
from dolbom.discovery.errors import DiscoveryErrorCode
from dolbom.discovery.models import EntrySource, Outcome, VisitListEntry
from dolbom.lib.errors import DomainError, Forbidden, NotFound


@pytest.fixture
def entry(scored_world) -> VisitListEntry:
    return (VisitListEntry.objects.filter(cycle=scored_world.cycle, dong__name="서신동")
            .select_related("cycle", "resident").order_by("rank").first())


def test_an_officer_records_a_coded_outcome(entry, officer):
    services.entry_outcome_record(actor=officer, entry=entry, outcome=Outcome.MOVED, note="전출 확인")
    entry.refresh_from_db()
    assert (entry.outcome, entry.outcome_note, entry.outcome_by) == (Outcome.MOVED, "전출 확인", officer)


def test_an_outcome_outside_the_codes_is_refused(entry, officer):
    with pytest.raises(DomainError) as exc:
        services.entry_outcome_record(actor=officer, entry=entry, outcome="helped")
    assert exc.value.code == DiscoveryErrorCode.OUTCOME_INVALID


def test_an_officer_of_another_dong_cannot_record_an_outcome(entry, other_officer):
    with pytest.raises(NotFound):
        services.entry_outcome_record(actor=other_officer, entry=entry, outcome=Outcome.NOT_TARGET)


def test_an_auditor_cannot_record_an_outcome(entry, auditor):
    with pytest.raises(Forbidden):
        services.entry_outcome_record(actor=auditor, entry=entry, outcome=Outcome.NOT_TARGET)


def test_needs_support_opens_a_discovered_case_in_one_step_with_the_signals(entry, officer):
    case = services.entry_open_case(actor=officer, entry=entry)

    entry.refresh_from_db()
    assert entry.case == case
    assert (case.status, case.origin, case.resident_id) == (CaseStatus.DISCOVERED, CaseOrigin.CRISIS_DISCOVERY,
                                                           entry.resident_id)
    assert entry.reasons[0] in case.origin_note
    types = list(case.events.values_list("type", flat=True))
    assert types == [CaseEventType.DISCOVERED, CaseEventType.DISCOVERY_SIGNALS]
    assert services.entry_open_case(actor=officer, entry=entry) == case  # a second click opens nothing new


def test_an_outcome_after_the_case_is_opened_goes_on_its_timeline(entry, officer):
    case = services.entry_open_case(actor=officer, entry=entry)
    services.entry_outcome_record(actor=officer, entry=entry, outcome=Outcome.SUPPORTED_PUBLIC, note="기초생활 신청")
    event = case.events.get(type=CaseEventType.DISCOVERY_OUTCOME)
    assert event.new["outcome"] == Outcome.SUPPORTED_PUBLIC
    assert event.note == "기초생활 신청"


def test_a_community_referral_joins_the_same_list_with_its_source(scored_world, officer, resident):
    entry = services.referral_record(actor=officer, cycle=scored_world.cycle, resident=resident,
                                     source=EntrySource.POSTAL_WORKER, reporter_name="집배원 이우체",
                                     note="우편물이 2주째 쌓여 있음")
    assert (entry.source, entry.dong_id, entry.rank, entry.probability) == (EntrySource.POSTAL_WORKER,
                                                                           resident.dong_id, None, None)
    case = services.entry_open_case(actor=officer, entry=entry)
    assert case.origin == CaseOrigin.COMMUNITY_REFERRAL
    assert "집배원" in case.origin_note


def test_a_referral_needs_who_reported_and_what(scored_world, officer, resident):
    with pytest.raises(DomainError) as exc:
        services.referral_record(actor=officer, cycle=scored_world.cycle, resident=resident,
                                 source=EntrySource.NEIGHBOUR, reporter_name=" ", note="")
    assert exc.value.code == DiscoveryErrorCode.REPORTER_REQUIRED


def test_a_referral_for_a_household_in_an_open_case_goes_to_its_timeline(scored_world, officer, resident):
    from dolbom.cases.services import case_discover

    case = case_discover(actor=officer, resident=resident, origin=CaseOrigin.COMMUNITY_REFERRAL)
    result = services.referral_record(actor=officer, cycle=scored_world.cycle, resident=resident,
                                      source=EntrySource.LANDLORD, reporter_name="집주인", note="월세 3개월 밀림")
    assert result == case
    assert not VisitListEntry.objects.filter(cycle=scored_world.cycle, household_id=resident.household_id).exists()
    event = case.events.get(type=CaseEventType.DISCOVERY_SIGNALS)
    assert "월세 3개월 밀림" in event.new["reasons"][0]
