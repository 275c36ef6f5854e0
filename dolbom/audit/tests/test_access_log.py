from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.audit.selectors import AccessLogFilters, access_log_list, access_log_monthly_review
from dolbom.audit.services import access_log_write
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.selectors import resident_get, resident_rrn_reveal
from dolbom.testing import personas


def ctx(purpose: str = "") -> AccessContext:
    return AccessContext(ip="10.1.2.3", path="/residents/1", purpose=purpose)


def test_opening_a_record_outside_the_caseload_requires_a_purpose(officer, resident):
    with pytest.raises(DomainError) as exc:
        resident_get(viewer=officer, resident_id=resident.pk, context=ctx())
    assert exc.value.code == "purpose_required"
    assert not AccessLog.objects.exists()
    resident_get(viewer=officer, resident_id=resident.pk, context=ctx("신규 상담 접수"))
    row = AccessLog.objects.get()
    assert (row.action, row.resident, row.purpose, row.ip, row.in_caseload) == (
        AccessAction.VIEW, resident, "신규 상담 접수", "10.1.2.3", False)


def test_a_record_in_the_caseload_opens_without_a_purpose_and_is_still_logged(officer, resident):
    personas.open_case(officer, resident)
    resident_get(viewer=officer, resident_id=resident.pk, context=ctx())
    assert AccessLog.objects.get().in_caseload is True


def test_an_out_of_scope_read_is_refused_and_logged(other_officer, resident):
    with pytest.raises(NotFound):
        resident_get(viewer=other_officer, resident_id=resident.pk, context=ctx("확인"))
    row = AccessLog.objects.get()
    assert row.action == AccessAction.DENIED and row.actor == other_officer and row.resident == resident


def test_only_dong_officers_reveal_the_full_rrn_and_each_reveal_is_logged(officer, manager, resident):
    with pytest.raises(Forbidden):
        resident_rrn_reveal(viewer=manager, resident=resident, context=ctx())
    full = resident_rrn_reveal(viewer=officer, resident=resident, context=ctx("행복e음 신청 입력"))
    assert full.startswith(resident.birth_date.strftime("%y%m%d") + "-") and "*" not in full
    assert AccessLog.objects.filter(action=AccessAction.REVEAL_RRN).count() == 1


def test_nobody_can_edit_or_delete_a_log_row_even_through_a_queryset(officer, resident):
    row = access_log_write(actor=officer, action=AccessAction.VIEW, record_type="resident", context=ctx("x"),
                           resident_id=resident.pk)
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    for attempt in (lambda: AccessLog.objects.filter(pk=row.pk).update(purpose="지움"),
                    lambda: AccessLog.objects.filter(pk=row.pk).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert AccessLog.objects.get(pk=row.pk).purpose == "x"


def test_only_auditors_read_the_log(officer, city, auditor, resident):
    for viewer in (officer, city):
        with pytest.raises(Forbidden):
            access_log_list(viewer=viewer)
    resident_get(viewer=officer, resident_id=resident.pk, context=ctx("상담"))
    rows = access_log_list(viewer=auditor, filters=AccessLogFilters(actor_username="minji",
                                                                     outside_caseload_only=True))
    assert [r.purpose for r in rows] == ["상담"]


def test_the_monthly_review_counts_per_person_and_lists_denials(officer, other_officer, auditor, resident):
    resident_get(viewer=officer, resident_id=resident.pk, context=ctx("상담"))
    with pytest.raises(NotFound):
        resident_get(viewer=other_officer, resident_id=resident.pk, context=ctx("확인"))
    today = timezone.localdate()
    review = access_log_monthly_review(viewer=auditor, year=today.year, month=today.month)
    assert review.total == 2
    by_user = {a.username: a for a in review.actors}
    assert by_user["minji"].views == 1 and by_user["minji"].outside_caseload == 1
    assert by_user["doyun"].denied == 1
    assert [d.actor_username for d in review.denied] == ["doyun"]
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    assert access_log_monthly_review(viewer=auditor, year=last_month.year, month=last_month.month).total == 0
