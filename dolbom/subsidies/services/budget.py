"""The budget ledger: announced, committed at approval, paid at completion, recovered by clawback.

Two officers approving the last places at the same moment must not both succeed. Three things hold the
line, each on its own enough: the budget row is locked for the approving transaction (SELECT ... FOR
UPDATE on PostgreSQL; on SQLite every write transaction begins IMMEDIATE and so queues, settings.py); the
amounts move by ``UPDATE ... SET committed = committed + x`` so no update is lost; and the table's CHECK
constraints refuse any row past the budget (models.Budget), whatever path wrote it. The caller runs all
of this inside its own transaction, so the ledger and the decision commit or roll back together.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dolbom.lib.errors import DomainError
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import Application, Budget, Category, LedgerEntry, LedgerKind


def _money(won: int) -> str:
    return f"{won:,}"


def budget_lock(programme_id: int) -> Budget:
    return Budget.objects.select_for_update().get(programme_id=programme_id)


def _entry(budget: Budget, kind: str, amount: int, actor: User | None, application: Application | None,
           note: str = "") -> LedgerEntry:
    budget.refresh_from_db(fields=["announced", "committed", "paid", "recovered"])
    return LedgerEntry.objects.create(
        budget=budget, kind=kind, amount=amount, application=application, actor=actor, at=timezone.now(),
        note=note[:200], committed_after=budget.committed, paid_after=budget.paid, left_after=budget.left)


def _update(budget: Budget, **changes) -> None:
    try:
        with transaction.atomic():  # a savepoint: a refused CHECK leaves the caller's transaction usable
            Budget.objects.filter(pk=budget.pk).update(**changes)
    except IntegrityError as exc:
        budget.refresh_from_db()
        raise DomainError(SubsidyErrorCode.BUDGET_EXCEEDED, left=_money(budget.left), amount="?") from exc


def budget_commit(*, actor: User, application: Application, amount: int) -> LedgerEntry:
    """Reserve ``amount`` and one place of the application's category, or refuse without writing."""
    budget = budget_lock(application.programme_id)
    if amount > budget.left:
        raise DomainError(SubsidyErrorCode.BUDGET_EXCEEDED, left=_money(budget.left), amount=_money(amount))
    category = Category.objects.select_for_update().get(pk=application.category_id)
    if category.units_committed >= category.units_announced:
        raise DomainError(SubsidyErrorCode.NO_PLACES_LEFT, category=category.name)
    try:
        with transaction.atomic():
            Category.objects.filter(pk=category.pk).update(units_committed=F("units_committed") + 1)
    except IntegrityError as exc:
        raise DomainError(SubsidyErrorCode.NO_PLACES_LEFT, category=category.name) from exc
    _update(budget, committed=F("committed") + amount)
    return _entry(budget, LedgerKind.COMMIT, amount, actor, application)


def budget_release(*, actor: User | None, application: Application, amount: int, note: str = "") -> LedgerEntry:
    """An approval undone before payment (withdrawn, lapsed, objection upheld against it)."""
    budget = budget_lock(application.programme_id)
    Category.objects.filter(pk=application.category_id, units_committed__gt=0).update(
        units_committed=F("units_committed") - 1)
    _update(budget, committed=F("committed") - amount)
    return _entry(budget, LedgerKind.RELEASE, amount, actor, application, note)


def budget_pay(*, actor: User, application: Application, committed: int, paid: int) -> LedgerEntry:
    """Payment moves the commitment to paid; paying less than committed frees the difference."""
    budget = budget_lock(application.programme_id)
    _update(budget, committed=F("committed") - committed, paid=F("paid") + paid)
    return _entry(budget, LedgerKind.PAY, paid, actor, application)


def budget_recover(*, actor: User, application: Application, amount: int, note: str = "") -> LedgerEntry:
    budget = budget_lock(application.programme_id)
    _update(budget, recovered=F("recovered") + amount)
    return _entry(budget, LedgerKind.RECOVER, amount, actor, application, note)


def budget_announce(*, actor: User, budget: Budget, announced: int, note: str = "") -> LedgerEntry:
    """Set (or change, after a supplementary budget 추경) the announced total; never below what is used."""
    budget = budget_lock(budget.programme_id)
    if announced < budget.committed + budget.paid - budget.recovered:
        raise DomainError(SubsidyErrorCode.AMOUNT_INVALID)
    _update(budget, announced=announced)
    return _entry(budget, LedgerKind.ANNOUNCE, announced, actor, None, note)
