"""Finding (low): some refused writes left no DENIED row.

A service locks its row through the actor's scope (accounts/scope.py lock_in_scope). A row that exists
outside the scope is an access attempt like a refused read, so the refusal writes a DENIED row with the
row's people, although the NotFound that answers it rolls the service's transaction back.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from dolbom.accounts.scope import lock_in_scope
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.audit.services import denials_flush
from dolbom.cases.errors import CaseErrorCode
from dolbom.cases.models import Case, CaseStatus
from dolbom.cases.selectors import case_visible
from dolbom.cases.services import case_close
from dolbom.lib.errors import NotFound
from dolbom.testing import personas


@pytest.fixture
def elsewhere(other_officer):
    """김말순's case in 효자1동, outside 서신동's officer's scope."""
    return personas.open_case(other_officer, personas.make_resident(other_officer, name="김말순", area_name="효자1동"))


def test_a_refused_lock_writes_a_denied_row_once_its_transaction_is_over(officer, elsewhere):
    with pytest.raises(NotFound), transaction.atomic():
        lock_in_scope(case_visible(officer), elsewhere.pk, CaseErrorCode.CASE_NOT_FOUND, actor=officer,
                      record_type="case", resident="resident_id")
    assert denials_flush() == 1  # what the end of the request does (audit/middleware.py)
    row = AccessLog.objects.get(action=AccessAction.DENIED)
    assert (row.actor, row.record_type, row.record_id, row.resident_id) == (
        officer, "case", str(elsewhere.pk), elsewhere.resident_id)


def test_a_missing_row_writes_nothing(officer):
    with pytest.raises(NotFound), transaction.atomic():
        lock_in_scope(case_visible(officer), 10**9, CaseErrorCode.CASE_NOT_FOUND, actor=officer, record_type="case")
    assert denials_flush() == 0 and not AccessLog.objects.exists()


def test_a_service_refused_through_a_page_leaves_the_row(officer, elsewhere, rf):
    from dolbom.audit.middleware import AccessContextMiddleware

    def view(request):
        with pytest.raises(NotFound):
            case_close(actor=officer, case=elsewhere, reason="refusal", note="거부")
        return None

    request = rf.post("/cases/1/close/", REMOTE_ADDR="10.1.2.3")
    request.user = officer
    AccessContextMiddleware(view)(request)
    row = AccessLog.objects.get(action=AccessAction.DENIED)
    assert (row.actor, row.ip, row.path, row.resident_id) == (officer, "10.1.2.3", "/cases/1/close/",
                                                              elsewhere.resident_id)
    assert Case.objects.get(pk=elsewhere.pk).status != CaseStatus.CLOSED
