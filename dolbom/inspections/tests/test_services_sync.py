"""The tablet's sync: one inspection however often it is sent, and nothing stored that the rules refuse."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.inspections import services
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import (
    AtpReading,
    CoachingRecord,
    CorrectiveAction,
    Inspection,
    InspectionEvent,
    InspectionStatus,
    Surface,
)
from dolbom.inspections.tests.conftest import action, answers, doc, make_facility, reading
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.testing import personas

pytestmark = pytest.mark.django_db


def test_a_sync_repeated_twice_stores_one_inspection_with_its_readings_and_actions(inspector, facility, hygiena):
    first, retest = uuid.uuid4(), uuid.uuid4()
    d = doc(facility, answers=answers(failing={"fridge_temperature": 12}),
            readings=[reading(hygiena, 45, client_id=first), reading(hygiena, 6, retest_of=first, client_id=retest),
                      reading(hygiena, 8, surface=Surface.HANDS)],
            actions=[action("fridge_temperature")],
            coaching=services.CoachingDoc(client_id=uuid.uuid4(), topics=["temperatures"], materials=["poster"],
                                          attendees=3))
    one = services.inspection_sync(actor=inspector, doc=d)
    two = services.inspection_sync(actor=inspector, doc=d)
    assert one.created and not two.created and not two.changed
    assert Inspection.objects.count() == 1 and one.inspection.pk == two.inspection.pk
    assert AtpReading.objects.count() == 3 and CorrectiveAction.objects.count() == 1
    assert CoachingRecord.objects.count() == 1
    stored = {r.client_id: r for r in AtpReading.objects.all()}
    assert stored[first].result == "fail" and stored[retest].retest_of_id == stored[first].pk
    i = Inspection.objects.get()
    assert (i.status, i.sync_count, i.inspector_id) == (InspectionStatus.IN_PROGRESS, 1, inspector.pk)


def test_a_later_sync_updates_the_same_inspection_and_keeps_what_it_no_longer_lists(inspector, facility, hygiena):
    client_id, r1 = uuid.uuid4(), uuid.uuid4()
    services.inspection_sync(actor=inspector, doc=doc(facility, client_id=client_id, answers=answers(skip=("labelling",)),
                                                      readings=[reading(hygiena, 5, client_id=r1)]))
    later = doc(facility, client_id=client_id, answers=answers(failing={"labelling": "no"}),
                readings=[reading(hygiena, 7, surface=Surface.KNIFE)])
    result = services.inspection_sync(actor=inspector, doc=later)
    assert result.changed and not result.created
    i = Inspection.objects.get()
    assert i.answers.get(item__code="labelling").compliant is False
    # The earlier reading is not deleted by a document that no longer carries it (a stale tablet
    # must not erase what was sent).
    assert set(i.readings.values_list("client_id", flat=True)) >= {r1}
    assert i.readings.count() == 2 and i.sync_count == 2


def test_submitting_a_complete_inspection_closes_it_with_its_score(inspector, facility, hygiena):
    result = services.inspection_sync(actor=inspector, doc=doc(facility, submit=True, readings=[reading(hygiena, 4)]))
    i = result.inspection
    assert result.problems == [] and i.status == InspectionStatus.CLOSED
    assert (str(i.score), i.grade, i.closed_by_id) == ("100.0", "good", inspector.pk)


def test_a_failed_swab_without_its_re_test_keeps_the_inspection_open_and_says_why(inspector, facility, hygiena):
    first = uuid.uuid4()
    d = doc(facility, submit=True, readings=[reading(hygiena, 80, client_id=first)])
    result = services.inspection_sync(actor=inspector, doc=d)
    assert result.inspection.status == InspectionStatus.SUBMITTED
    assert "재측정" in result.problems[0] and "도마" in result.problems[0]
    fixed = doc(facility, client_id=d.client_id, submit=True,
                readings=[reading(hygiena, 80, client_id=first), reading(hygiena, 9, retest_of=first)])
    assert services.inspection_sync(actor=inspector, doc=fixed).inspection.status == InspectionStatus.CLOSED


def test_a_closed_inspection_accepts_the_same_document_again_and_refuses_a_different_one(inspector, facility):
    d = doc(facility, submit=True)
    services.inspection_sync(actor=inspector, doc=d)
    assert not services.inspection_sync(actor=inspector, doc=d).changed
    changed = doc(facility, client_id=d.client_id, submit=True, answers=answers(failing={"labelling": "no"}))
    with pytest.raises(DomainError) as exc:
        services.inspection_sync(actor=inspector, doc=changed)
    assert exc.value.code == InspectionErrorCode.INSPECTION_CLOSED
    assert Inspection.objects.get().answers.get(item__code="labelling").compliant is True


def test_a_refused_document_leaves_nothing_half_written(inspector, facility, hygiena):
    bad = doc(facility, readings=[reading(hygiena, 5)], actions=[action("fridge_temperature", days=-3)])
    with pytest.raises(DomainError) as exc:
        services.inspection_sync(actor=inspector, doc=bad)
    assert exc.value.code == InspectionErrorCode.ACTION_INVALID
    assert (Inspection.objects.count(), AtpReading.objects.count(), InspectionEvent.objects.filter(
        type="inspection_synced").count()) == (0, 0, 0)


@pytest.mark.parametrize(("make", "code"), [
    (lambda h: [services.AnswerDoc(item="no_such_item", answer="yes")], InspectionErrorCode.ITEM_UNKNOWN),
    (lambda h: [services.AnswerDoc(item="fridge_temperature", answer="yes")], InspectionErrorCode.ANSWER_INVALID),
    (lambda h: [services.AnswerDoc(item="retained_sample", answer="na")], InspectionErrorCode.ANSWER_INVALID),
])
def test_an_answer_that_does_not_fit_its_item_is_refused(inspector, facility, hygiena, make, code):
    with pytest.raises(DomainError) as exc:
        services.inspection_sync(actor=inspector, doc=doc(facility, answers=make(hygiena)))
    assert exc.value.code == code


def test_a_re_test_must_follow_a_reading_of_the_same_surface_and_instrument(inspector, facility, hygiena, kikkoman):
    first = uuid.uuid4()
    for second in (reading(hygiena, 5, retest_of=first, surface=Surface.KNIFE),
                   reading(kikkoman, 5, retest_of=first),
                   reading(hygiena, 5, retest_of=first, after_cleaning=False),
                   reading(hygiena, 5, retest_of=uuid.uuid4())):
        with pytest.raises(DomainError) as exc:
            services.inspection_sync(actor=inspector, doc=doc(facility, readings=[reading(hygiena, 50, client_id=first),
                                                                                  second]))
        assert exc.value.code == InspectionErrorCode.RETEST_INVALID
    assert AtpReading.objects.count() == 0


def test_readings_are_judged_by_the_instrument_and_surface_limits_and_keep_them(lead, inspector, facility, kikkoman):
    d = doc(facility, readings=[reading(kikkoman, 1200, surface=Surface.HANDS),
                                reading(kikkoman, 1200, surface=Surface.CUTTING_BOARD)])
    services.inspection_sync(actor=inspector, doc=d)
    results = dict(AtpReading.objects.values_list("surface", "result"))
    assert results == {"hands": "pass", "cutting_board": "fail"}
    services.threshold_set(actor=lead, instrument=kikkoman, surface=Surface.HANDS, pass_max=1000, caution_max=1100)
    hands = AtpReading.objects.get(surface="hands")
    assert (hands.result, hands.pass_max) == ("pass", 1500)  # judged by the limits of its day
    services.inspection_sync(actor=inspector, doc=doc(facility, readings=[reading(kikkoman, 1200, surface=Surface.HANDS)]))
    assert AtpReading.objects.filter(surface="hands", result="fail").count() == 1


def test_a_reading_id_that_belongs_to_another_inspection_is_refused(inspector, facility, hygiena):
    shared = uuid.uuid4()
    services.inspection_sync(actor=inspector, doc=doc(facility, readings=[reading(hygiena, 5, client_id=shared)]))
    with pytest.raises(DomainError) as exc:
        services.inspection_sync(actor=inspector, doc=doc(facility, readings=[reading(hygiena, 5, client_id=shared)]))
    assert exc.value.code == InspectionErrorCode.CLIENT_ID_CONFLICT
    assert Inspection.objects.count() == 1


def test_a_planned_inspection_is_taken_over_by_the_tablet_that_starts_it(lead, inspector, facility):
    planned = services.inspection_plan(actor=lead, facility=facility, due_on=timezone.localdate())
    result = services.inspection_sync(actor=inspector, doc=doc(facility, planned_id=planned.pk))
    assert result.inspection.pk == planned.pk and Inspection.objects.count() == 1
    assert result.inspection.status == InspectionStatus.IN_PROGRESS


def test_only_an_inspector_can_sync_and_only_for_a_facility_that_exists(officer, inspector, facility):
    with pytest.raises(Forbidden):
        services.inspection_sync(actor=officer, doc=doc(facility))
    missing = doc(facility)
    object.__setattr__(missing, "facility_id", facility.pk + 999)
    with pytest.raises(NotFound):
        services.inspection_sync(actor=inspector, doc=missing)


def test_another_inspectors_inspection_cannot_be_overwritten(lead, inspector, facility):
    other = personas.make_staff("jiho", "임지호", Role.PARTNER, institution="센터")
    services.inspector_set(actor=lead, user=other, organisation="센터", base_lon=127.1, base_lat=35.8)
    d = doc(facility)
    services.inspection_sync(actor=inspector, doc=d)
    with pytest.raises(DomainError) as exc:
        services.inspection_sync(actor=other, doc=doc(facility, client_id=d.client_id,
                                                      answers=answers(failing={"labelling": "no"})))
    assert exc.value.code == InspectionErrorCode.CLIENT_ID_CONFLICT


def test_a_visit_date_in_the_future_or_a_season_ago_is_refused(inspector, facility):
    today = timezone.localdate()
    for day in (today + dt.timedelta(days=1), today - dt.timedelta(days=61)):
        with pytest.raises(DomainError) as exc:
            services.inspection_sync(actor=inspector, doc=doc(facility, visited_on=day))
        assert exc.value.code == InspectionErrorCode.DATE_INVALID


def test_the_facilitys_history_shows_the_arrival_and_the_submission_not_every_autosave(inspector, lead):
    facility = make_facility(lead)
    d = doc(facility, answers=answers(skip=("labelling",)))
    services.inspection_sync(actor=inspector, doc=d)
    services.inspection_sync(actor=inspector, doc=doc(facility, client_id=d.client_id,
                                                      answers=answers(skip=("labelling", "pest_control"))))
    services.inspection_sync(actor=inspector, doc=doc(facility, client_id=d.client_id, submit=True))
    types = list(InspectionEvent.objects.filter(facility=facility).order_by("at", "pk").values_list("type", flat=True))
    assert types.count("inspection_synced") == 2 and types[-1] == "inspection_closed"
