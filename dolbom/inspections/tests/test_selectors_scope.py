"""Who sees which kitchens: the centre and the city team all, a dong's officers their dong, others none."""

from __future__ import annotations

import pytest

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.inspections import selectors, services
from dolbom.inspections.tests.conftest import doc, make_facility
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import NotFound

pytestmark = pytest.mark.django_db
CTX = AccessContext(ip="127.0.0.1", path="/t")


@pytest.fixture
def kitchens(lead):
    return make_facility(lead, "서신동"), make_facility(lead, "효자1동")


def test_the_centre_and_the_city_team_see_every_kitchen(inspector, city, kitchens):
    for viewer in (inspector, city):
        assert set(selectors.facility_visible(viewer)) == set(kitchens)


def test_a_dong_officer_and_a_case_manager_see_their_dongs_kitchens_only(officer, manager, kitchens):
    seoshin, _hyoja = kitchens
    assert list(selectors.facility_visible(officer)) == [seoshin]
    assert list(selectors.facility_visible(manager)) == [seoshin]


def test_partner_workers_nurses_and_auditors_without_an_inspector_row_see_none(partner, auditor, kitchens):
    assert not selectors.facility_visible(partner).exists()
    assert not selectors.facility_visible(auditor).exists()
    assert not selectors.can_see_inspections(partner) and not selectors.can_see_inspections(auditor)


def test_opening_a_kitchen_out_of_scope_answers_not_found_and_writes_a_denied_row(officer, kitchens):
    _seoshin, hyoja = kitchens
    with pytest.raises(NotFound):
        selectors.facility_get(viewer=officer, facility_id=hyoja.pk, context=CTX)
    row = AccessLog.objects.get(action=AccessAction.DENIED)
    assert (row.record_type, row.record_id, row.actor_id) == ("facility", str(hyoja.pk), officer.pk)
    with pytest.raises(NotFound):
        selectors.facility_get(viewer=officer, facility_id=hyoja.pk + 1000, context=CTX)
    assert AccessLog.objects.filter(action=AccessAction.DENIED).count() == 1  # nothing to deny


def test_opening_a_kitchen_in_scope_writes_a_view_row(officer, kitchens):
    seoshin, _ = kitchens
    assert selectors.facility_get(viewer=officer, facility_id=seoshin.pk, context=CTX) == seoshin
    assert AccessLog.objects.filter(action=AccessAction.VIEW, record_type="facility").count() == 1


def test_inspections_follow_their_kitchens_scope(inspector, other_officer, kitchens):
    seoshin, hyoja = kitchens
    mine = services.inspection_sync(actor=inspector, doc=doc(hyoja)).inspection
    services.inspection_sync(actor=inspector, doc=doc(seoshin))
    assert list(selectors.inspection_visible(other_officer)) == [mine]


def test_the_facility_list_gives_last_result_next_due_and_open_actions(lead, inspector, kitchens):
    from dolbom.inspections.tests.conftest import action, answers

    seoshin, hyoja = kitchens
    services.inspection_sync(actor=inspector, doc=doc(seoshin, submit=True, answers=answers(
        failing={"fridge_temperature": 14}), actions=[action("fridge_temperature")]))
    rows = {r.facility.pk: r for r in selectors.facility_list(viewer=lead)}
    assert rows[seoshin.pk].last_score is not None and rows[seoshin.pk].open_actions == 1
    assert rows[hyoja.pk].last_visited_on is None and rows[hyoja.pk].overdue is False
    assert rows[seoshin.pk].next_due_on > rows[hyoja.pk].next_due_on


def test_the_tablets_data_carries_no_contact_names_or_phones(inspector, kitchens):
    data = selectors.field_data(viewer=inspector)
    text = str(data)
    assert "063-000-1234" not in text and "시설장" not in text
    assert len(data["facilities"]) == 2 and len(data["template"]["items"]) == 16
    assert {i["model"] for i in data["instruments"]} == {"Hygiena EnSURE Touch", "Kikkoman Lumitester Smart"}
