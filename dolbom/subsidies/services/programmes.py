"""Programmes as data: loading a programme from its notice file, new rule versions, rounds, officers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dolbom.lib.errors import DomainError, Forbidden
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import (
    Budget,
    Category,
    LedgerEntry,
    LedgerKind,
    Programme,
    ProgrammeOfficer,
    ProgrammeStatus,
    Round,
    RoundStatus,
    RuleSet,
    RuleSetStatus,
)
from dolbom.subsidies.rules.columnar import RuleError
from dolbom.subsidies.rules.compiled import CompiledRules, compile_rules
from dolbom.subsidies.selectors import can_manage, officer_programmes_forget

_COMPILED: dict[tuple[int, str], CompiledRules] = {}


def _require_manager(actor: User, programme: Programme) -> None:
    if not can_manage(actor, programme):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)


def rules_check(definition: Any) -> CompiledRules:
    """Compile a definition or refuse with the first problem, in Korean."""
    from pydantic import ValidationError

    try:
        return compile_rules(definition)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise DomainError(SubsidyErrorCode.RULES_INVALID, error=f"{where}: {first.get('msg', '')}") from exc
    except RuleError as exc:
        raise DomainError(SubsidyErrorCode.RULES_INVALID, error=str(exc)) from exc


def rules_compiled(rule_set: RuleSet) -> CompiledRules:
    """A published version never changes, so its compiled form is kept per process."""
    if rule_set.status != RuleSetStatus.PUBLISHED or rule_set.pk is None:
        return rules_check(rule_set.definition)
    # Keyed by the content too: a test database (or a restored backup) may give the same id to other rules.
    key = (rule_set.pk, hashlib.sha256(json.dumps(rule_set.definition, sort_keys=True).encode()).hexdigest())
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = rules_check(rule_set.definition)
    return compiled


@transaction.atomic
def rule_set_save(*, actor: User, programme: Programme, definition: dict[str, Any], effective_from: dt.date,
                  note: str = "", publish: bool = True) -> RuleSet:
    """A new version of the rules. Published, it applies to applications received from ``effective_from``;
    the version it follows ends the day before. Versions are never edited (decisions point at them)."""
    _require_manager(actor, programme)
    compiled = rules_check(definition)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    last = RuleSet.objects.filter(programme=programme).order_by("-version").first()
    rule_set = RuleSet.objects.create(
        programme=programme, version=(last.version + 1) if last else 1, effective_from=effective_from,
        definition=compiled.definition.model_dump(mode="json"), note=note[:300], created_by=actor,
        status=RuleSetStatus.DRAFT)
    if publish:
        rule_set_publish(actor=actor, rule_set=rule_set)
    return rule_set


@transaction.atomic
def rule_set_publish(*, actor: User, rule_set: RuleSet) -> RuleSet:
    _require_manager(actor, rule_set.programme)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status != RuleSetStatus.DRAFT:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=rule_set.get_status_display())
    rules_check(rule_set.definition)
    RuleSet.objects.filter(programme=rule_set.programme, status=RuleSetStatus.PUBLISHED, effective_to__isnull=True,
                           effective_from__lt=rule_set.effective_from).update(
        effective_to=rule_set.effective_from - dt.timedelta(days=1))
    RuleSet.objects.filter(programme=rule_set.programme, status=RuleSetStatus.PUBLISHED,
                           effective_from__gte=rule_set.effective_from).update(status=RuleSetStatus.RETIRED)
    rule_set.status = RuleSetStatus.PUBLISHED
    rule_set.published_at = timezone.now()
    rule_set.save(update_fields=["status", "published_at"])
    return rule_set


@transaction.atomic
def officer_assign(*, actor: User, programme: Programme, user: User) -> ProgrammeOfficer:
    _require_manager(actor, programme)
    row, _ = ProgrammeOfficer.objects.get_or_create(programme=programme, user=user)
    officer_programmes_forget(user)
    return row


@transaction.atomic
def round_create(*, actor: User, programme: Programme, name: str, announced_on: dt.date, opens_at: dt.datetime,
                 closes_at: dt.datetime, lottery_seed: str = "") -> Round:
    _require_manager(actor, programme)
    if closes_at <= opens_at:
        raise DomainError(SubsidyErrorCode.DUE_DATE_INVALID)
    last = programme.rounds.order_by("-number").first()
    return Round.objects.create(programme=programme, number=(last.number + 1) if last else 1, name=name,
                                announced_on=announced_on, opens_at=opens_at, closes_at=closes_at,
                                lottery_seed=lottery_seed)


@transaction.atomic
def round_close(*, actor: User, round: Round) -> Round:
    _require_manager(actor, round.programme)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status != RoundStatus.OPEN:
        raise DomainError(SubsidyErrorCode.BAD_STATUS, status=round.get_status_display())
    round.status = RoundStatus.CLOSED
    if round.closes_at > timezone.now():
        round.closes_at = timezone.now()
    round.save(update_fields=["status", "closes_at"])
    return round


def _aware(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise DomainError(SubsidyErrorCode.RULES_INVALID, error=f"date-time {value!r}")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@transaction.atomic
def programme_load(*, actor: User, data: dict[str, Any]) -> Programme:
    """Create a programme from its notice file (dolbom/subsidies/programmes/*.json), or add what is new:
    categories, rounds, and a new rule version when the file's version is not there yet."""
    rules = data["rules"]
    compiled = rules_check(rules["definition"])
    programme = Programme.objects.filter(code=data["code"]).first()
    fields = {k: data[k] for k in ("name", "kind", "year", "department", "legal_basis") }
    fields.update({k: data[k] for k in ("summary", "notice_ref", "unit", "objection_days", "objection_answer_days",
                                          "supplement_days", "completion_days") if k in data})
    if programme is None:
        programme = Programme.objects.create(code=data["code"], status=data.get("status", ProgrammeStatus.OPEN),
                                             **fields)
        budget = Budget.objects.create(programme=programme, announced=int(data["budget"]))
        LedgerEntry.objects.create(budget=budget, kind=LedgerKind.ANNOUNCE, amount=budget.announced, actor=actor,
                                   at=timezone.now(), note=data.get("notice_ref", "")[:200], committed_after=0,
                                   paid_after=0, left_after=budget.announced)
    else:
        _require_manager(actor, programme)
    known = set(programme.categories.values_list("code", flat=True))
    for position, cat in enumerate(data["categories"]):
        if cat["code"] not in known:
            Category.objects.create(programme=programme, code=cat["code"], name=cat["name"], position=position,
                                    units_announced=int(cat["units"]))
    codes = {c["code"] for c in data["categories"]}
    unknown = {g.category for g in compiled.definition.priority_groups if g.category and g.category not in codes}
    if unknown:
        raise DomainError(SubsidyErrorCode.RULES_INVALID, error=f"priority group category {sorted(unknown)}")
    numbers = set(programme.rounds.values_list("number", flat=True))
    for r in data.get("rounds", []):
        if r["number"] not in numbers:
            Round.objects.create(programme=programme, number=r["number"], name=r["name"],
                                 announced_on=dt.date.fromisoformat(r["announced_on"]), opens_at=_aware(r["opens_at"]),
                                 closes_at=_aware(r["closes_at"]), lottery_seed=r.get("lottery_seed", ""),
                                 status=r.get("status", RoundStatus.OPEN))
    if not RuleSet.objects.filter(programme=programme, version=int(rules["version"])).exists():
        rule_set = RuleSet.objects.create(
            programme=programme, version=int(rules["version"]), status=RuleSetStatus.DRAFT,
            effective_from=dt.date.fromisoformat(rules["effective_from"]),
            definition=compiled.definition.model_dump(mode="json"), note=rules.get("note", "")[:300],
            created_by=actor)
        ProgrammeOfficer.objects.get_or_create(programme=programme, user=actor)
        officer_programmes_forget(actor)
        rule_set_publish(actor=actor, rule_set=rule_set)
    return programme
