"""The ledger cannot pass the budget: not by two officers approving at once, not by a direct UPDATE."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from dolbom.accounts.models import Role
from dolbom.lib.errors import DomainError
from dolbom.subsidies import services
from dolbom.subsidies.models import ApplicationStatus, Budget, Category, Decision, LedgerEntry
from dolbom.subsidies.tests.conftest import SLATE_FACTS, accept_all, applicant, in_round, slate_documents
from dolbom.testing import personas

CAP = 3_520_000  # a general household's slate amount


def _selected(slate, officer, city, n: int):
    apps = []
    for i in range(n):
        person = personas.make_resident(officer, name=f"신청자{i}")
        apps.append(services.application_submit(
            actor=officer, programme=slate, round=slate.rounds.get(number=1), category=slate.categories.get(),
            applicant=applicant(name=f"신청자{i}", address=f"전주시 완산구 서신로 {10 + i}"), declared=SLATE_FACTS,
            resident=person,
            documents=slate_documents(), at=in_round(slate, days=1 + i)))
        accept_all(city, apps[-1])
    services.selection_run(actor=city, round=slate.rounds.get(number=1))
    return apps


# serialized_rollback like the browser test of this app: a flush after a browser test leaves the content types
# to the reload, and a plain transactional test after it would add them again (UNIQUE on django_content_type).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_approving_at_once_cannot_pass_the_budget(slate, officer, city):
    other = personas.make_staff("seoyeon", "윤서연", Role.CITY_TEAM)
    apps = _selected(slate, officer, city, 2)
    Budget.objects.filter(programme=slate).update(announced=CAP + CAP // 2)  # room for one approval only
    barrier = threading.Barrier(2)
    results: list[str] = []

    def approve(actor, application):
        try:
            barrier.wait(timeout=10)
            services.application_approve(actor=actor, application=application)
            results.append("approved")
        except DomainError as exc:
            results.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u, a)) for u, a in zip((city, other), apps, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["approved", "budget_exceeded"]
    budget = Budget.objects.get(programme=slate)
    assert budget.committed == CAP and budget.left == CAP // 2
    assert Decision.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="commit").count() == 1
    statuses = sorted(a.status for a in slate.applications.all())
    assert statuses == [ApplicationStatus.APPROVED, ApplicationStatus.SELECTED]


def test_the_check_constraint_refuses_a_commitment_past_the_budget(slate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(programme=slate).update(committed=F("announced") + 1)


def test_the_check_constraint_refuses_more_places_than_announced(slate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.filter(programme=slate).update(units_committed=F("units_announced") + 1)


def test_an_approval_past_the_places_of_the_category_is_refused(slate, officer, city):
    apps = _selected(slate, officer, city, 2)
    Category.objects.filter(programme=slate).update(units_announced=1)
    services.application_approve(actor=city, application=apps[0])
    with pytest.raises(DomainError) as refused:
        services.application_approve(actor=city, application=apps[1])
    assert refused.value.code == "no_places_left"
    assert Budget.objects.get(programme=slate).committed == CAP
