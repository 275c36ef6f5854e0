"""audit.logged_get and log_list, tested on their own: the VIEW and DENIED rows every selector relies on."""

from __future__ import annotations

import pytest

from dolbom.audit.logged import log_list, logged_get
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, NotFound
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Household, Resident
from dolbom.registry.selectors import household_visible, resident_visible
from dolbom.testing import personas

CONTEXT = AccessContext(ip="10.0.0.1", path="/test/")
MISSING = RegistryErrorCode.RESIDENT_NOT_FOUND


@pytest.fixture
def there(other_officer):
    return personas.make_resident(other_officer, name="이순자", area_name="효자1동")


def _get(viewer, pk, **kw):
    return logged_get(resident_visible(viewer), pk, viewer=viewer, context=CONTEXT, record_type="resident",
                      missing=MISSING, resident="id", **kw)


def test_a_record_in_scope_is_returned_with_one_view_row(officer, resident):
    assert _get(officer, resident.pk) == resident
    row = AccessLog.objects.get()
    assert (row.action, row.resident_id, row.record_id, row.actor_id) == (AccessAction.VIEW, resident.pk,
                                                                         str(resident.pk), officer.pk)


def test_a_record_outside_scope_writes_a_denied_row_and_answers_not_found(officer, there):
    with pytest.raises(NotFound) as refused:
        _get(officer, there.pk)
    assert refused.value.code == MISSING
    row = AccessLog.objects.get()
    assert (row.action, row.resident_id) == (AccessAction.DENIED, there.pk)


def test_a_record_that_does_not_exist_answers_the_same_and_writes_nothing(officer):
    with pytest.raises(NotFound) as refused:
        _get(officer, 10**9)
    assert refused.value.code == MISSING
    assert not AccessLog.objects.exists()


def test_outside_the_caseload_a_purpose_is_required_before_anything_is_logged(officer, resident):
    with pytest.raises(DomainError) as refused:
        _get(officer, resident.pk, in_caseload=lambda r: False, purpose_required=True)
    assert refused.value.code == "purpose_required"
    assert not AccessLog.objects.exists()
    logged_get(resident_visible(officer), resident.pk, viewer=officer, record_type="resident", missing=MISSING,
               resident="id", in_caseload=lambda r: False, purpose_required=True,
               context=AccessContext(purpose="민원 상담"))
    row = AccessLog.objects.get()
    assert (row.purpose, row.in_caseload) == ("민원 상담", False)


def test_in_the_caseload_no_purpose_is_asked_and_the_row_says_so(officer, resident):
    _get(officer, resident.pk, in_caseload=lambda r: True, purpose_required=True)
    assert AccessLog.objects.get().in_caseload is True


def test_a_default_purpose_fills_only_an_empty_one(officer, resident):
    _get(officer, resident.pk, default_purpose="회의 안건 검토")
    logged_get(resident_visible(officer), resident.pk, viewer=officer, record_type="resident", missing=MISSING,
               resident="id", default_purpose="회의 안건 검토", context=AccessContext(purpose="직접 입력"))
    assert list(AccessLog.objects.order_by("pk").values_list("purpose", flat=True)) == ["회의 안건 검토", "직접 입력"]


def test_a_record_about_several_people_logs_them_all(officer, other_officer, resident):
    household = resident.household
    personas.make_resident(officer, name="김철수", household=household)
    members = sorted(Resident.objects.filter(household=household).values_list("pk", flat=True))
    got = logged_get(household_visible(officer), household.pk, viewer=officer, context=CONTEXT,
                     record_type="household", missing=RegistryErrorCode.HOUSEHOLD_NOT_FOUND, subjects="members__id")
    assert got == household
    with pytest.raises(NotFound):
        logged_get(household_visible(other_officer), household.pk, viewer=other_officer, context=CONTEXT,
                   record_type="household", missing=RegistryErrorCode.HOUSEHOLD_NOT_FOUND, subjects="members__id")
    view, denied = AccessLog.objects.order_by("pk")
    assert (view.action, sorted(view.subject_ids)) == (AccessAction.VIEW, members)
    assert (denied.action, sorted(denied.subject_ids), denied.resident_id) == (AccessAction.DENIED, members, None)


def test_within_narrows_where_an_unseen_record_is_looked_for(officer, there):
    with pytest.raises(NotFound):
        _get(officer, there.pk, within=Resident.objects.exclude(pk=there.pk))
    assert not AccessLog.objects.exists()


def test_a_view_can_be_left_unlogged_when_the_record_holds_no_personal_data(officer, resident):
    household = Household.objects.get(pk=resident.household_id)
    logged_get(household_visible(officer), household.pk, viewer=officer, context=CONTEXT, record_type="household",
               missing=RegistryErrorCode.HOUSEHOLD_NOT_FOUND, log_view=False)
    assert not AccessLog.objects.exists()


def test_a_list_logs_every_person_once_and_an_empty_list_nothing(officer, resident):
    log_list(viewer=officer, context=CONTEXT, record_type="test_list", resident_ids=[])
    assert not AccessLog.objects.exists()
    log_list(viewer=officer, context=CONTEXT, record_type="test_list", resident_ids=[resident.pk, None, resident.pk])
    row = AccessLog.objects.get()
    assert (row.action, row.subject_ids) == (AccessAction.SEARCH, [resident.pk])
