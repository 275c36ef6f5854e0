"""Running the selection of a round: every eligible application evaluated column-wise with the round's
rules (rules/compiled.py, the same CEL as the reference), ranked, reserved places first (rules/selection.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.lib.errors import DomainError, Forbidden
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import Application, ApplicationStatus, Round, RoundStatus, SelectionRun
from dolbom.subsidies.rules import selection as picking
from dolbom.subsidies.rules.compiled import CompiledRules
from dolbom.subsidies.selectors import APPROVED_STATUSES, can_manage, rule_set_in_force
from dolbom.subsidies.services.budget import budget_lock
from dolbom.subsidies.services.programmes import rules_compiled

RANKED = (ApplicationStatus.ELIGIBLE, ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED)


def application_frame(applications: list[Application], compiled: CompiledRules) -> pl.DataFrame:
    """The facts of many applications as typed columns, with what ordering needs."""
    schema = compiled.frame_schema()
    columns: dict[str, list] = {k: [a.facts.get(k) for a in applications] for k in schema}
    frame = pl.DataFrame(columns, schema=schema)
    delivered = [a.facts.get("delivered_on") for a in applications]
    return frame.with_columns(
        pl.Series("id", [a.pk for a in applications], dtype=pl.Int64),
        pl.Series("number", [a.number for a in applications], dtype=pl.String),
        pl.Series("received_at", [a.received_at for a in applications], dtype=pl.Datetime("us", "UTC")),
        pl.Series("delivered_on", [dt.date.fromisoformat(d) if d else None for d in delivered], dtype=pl.Date),
        pl.Series("category", [a.category.code for a in applications], dtype=pl.String),
    )


@transaction.atomic
def selection_run(*, actor: User, round: Round, on: dt.date | None = None) -> SelectionRun:
    """Rank the round and mark each eligible application selected or waitlisted. Running it again (after a
    withdrawal or a correction) recomputes the whole order; decisions already made are not touched."""
    programme = round.programme
    if not can_manage(actor, programme):
        raise Forbidden(SubsidyErrorCode.NOT_ALLOWED)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status == RoundStatus.OPEN and round.closes_at > timezone.now():
        raise DomainError(SubsidyErrorCode.ROUND_NOT_CLOSED)
    on = on or timezone.localdate()
    rule_set = rule_set_in_force(programme=programme, on=round.announced_on) or \
        rule_set_in_force(programme=programme, on=timezone.localtime(round.opens_at).date())
    if rule_set is None:
        raise DomainError(SubsidyErrorCode.NO_RULES_IN_FORCE)
    compiled = rules_compiled(rule_set)
    budget = budget_lock(programme.pk)
    apps = list(Application.objects.select_for_update(of=("self",)).filter(round=round, status__in=RANKED)
                .select_related("category"))
    apps = [a for a in apps if not compiled.missing(a.facts)]
    categories = list(programme.categories.all())
    taken: dict[str, dict[str, int]] = defaultdict(dict)
    for code, group, n in _approved_by_group(programme.pk):
        taken[code][group] = n
    result = picking.Result(picks=[])
    if apps:
        evaluated = compiled.evaluate_frame(application_frame(apps, compiled))
        evaluated = evaluated.filter(pl.col("eligible"))
        result = picking.select(
            evaluated, compiled.definition, places={c.code: c.units_left for c in categories}, taken=taken,
            money_left=budget.left, on=on, seed=round.lottery_seed,
            announced={c.code: c.units_announced for c in categories})
    by_id = {a.pk: a for a in apps}
    chosen = {p.application_id: p for p in result.picks}
    changed = []
    for app in apps:
        pick = chosen.get(app.pk)
        if pick is None:
            continue  # no longer eligible by these rules; its own check says why
        app.rank = pick.rank
        app.selected_as = "" if pick.selected_as == picking.WAITLIST else pick.selected_as
        app.status = ApplicationStatus.WAITLISTED if pick.selected_as == picking.WAITLIST else ApplicationStatus.SELECTED
        changed.append(app)
    Application.objects.bulk_update(changed, ["rank", "selected_as", "status"])
    if round.status == RoundStatus.CLOSED or round.closes_at <= timezone.now():
        round.status = RoundStatus.SELECTED
        round.save(update_fields=["status"])
    return SelectionRun.objects.create(
        round=round, rule_set=rule_set, mode=compiled.definition.selection_mode, run_by=actor, run_at=timezone.now(),
        seed=round.lottery_seed, selected=len(result.selected), waitlisted=len(result.picks) - len(result.selected),
        summary=result.summary, order=[[p.application_id, p.rank, p.selected_as] for p in result.picks
                                       if p.application_id in by_id])


def _approved_by_group(programme_id: int) -> list[tuple[str, str, int]]:
    from django.db.models import Count

    rows = (Application.objects.filter(programme_id=programme_id, status__in=APPROVED_STATUSES)
            .exclude(selected_as="").values_list("category__code", "selected_as").annotate(n=Count("pk")))
    return [(c, g, n) for c, g, n in rows]
