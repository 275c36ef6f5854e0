"""Who sees which home: the worker their own homes, the team lead their centre, the dong its homes; everyone
else nothing, with a DENIED row for a direct request."""

from __future__ import annotations

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import NotFound
from dolbom.registry.selectors import resident_visible
from dolbom.safety import selectors
from dolbom.safety.tests.conftest import ingest, install, payload
from dolbom.testing import personas


def test_a_worker_sees_the_homes_assigned_to_them_and_their_residents(worker, other_worker, home):
    assert list(selectors.home_visible(worker)) == [home]
    assert selectors.home_visible(other_worker).count() == 0
    # The grant on the registry: the worker may open the person's record, not the rest of the dong.
    assert resident_visible(worker).filter(pk=home.resident_id).exists()
    assert resident_visible(worker).count() == 1
    assert not resident_visible(other_worker).filter(pk=home.resident_id).exists()


def test_a_team_lead_sees_every_home_of_the_centre(lead, worker, city, centre, officer, home):
    second = personas.make_resident(officer, name="박순자")
    install(city, second, centre, worker, prefix="L")
    assert selectors.home_visible(lead).count() == 2


def test_the_dong_officer_sees_the_homes_of_the_dong_and_another_dong_none(officer, other_officer, home):
    assert selectors.home_visible(officer).count() == 1
    assert selectors.home_visible(other_officer).count() == 0


def test_a_direct_read_out_of_scope_is_refused_and_logged(other_worker, home):
    ingest(payload("button"))
    incident = home.incidents.get()
    try:
        selectors.incident_get(viewer=other_worker, incident_id=incident.pk, context=AccessContext())
    except NotFound:
        pass
    else:
        raise AssertionError("read out of scope")
    row = AccessLog.objects.get(actor=other_worker, action=AccessAction.DENIED)
    assert row.resident_id == home.resident_id


def test_partner_and_auditor_see_nothing(partner, auditor, home):
    for user in (partner, auditor):
        assert selectors.home_visible(user).count() == 0
        assert selectors.incident_visible(user).count() == 0
