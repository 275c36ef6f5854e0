"""Writes of the reports app: the annual plan's versions and its sign-off. (The figures are written by
reports/refresh.py alone.)

A version is never edited: each save is a new row holding the whole narrative, the targets and the figures
it was written on, so the history of a plan is its list of versions. Saves are checked against the version
the writer started from, and rows are locked, so two writers cannot silently overwrite each other. The
team lead (the ``reports.sign_annual_plan`` permission) signs off the latest version; a signed version is
final, and a later change starts a new draft that needs its own sign-off.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.lib.metrics import indicator_get
from dolbom.reports import plan as plan_data
from dolbom.reports.errors import ReportErrorCode
from dolbom.reports.models import AnnualPlan, PlanStatus, PlanVersion
from dolbom.reports.selectors import can_edit_plans, can_sign_plans

NARRATIVE_MAX = 20_000


def _require_editor(actor: User) -> None:
    if not can_edit_plans(actor):
        raise Forbidden(ReportErrorCode.NOT_ALLOWED)


def _clean_targets(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for t in targets:
        try:
            indicator_get(str(t.get("indicator")))
            value = float(t.get("target"))
        except (KeyError, TypeError, ValueError):
            raise DomainError(ReportErrorCode.TARGET_INVALID) from None
        out.append({"indicator": str(t["indicator"]), "target": value, "note": str(t.get("note", ""))[:200]})
    return out


def _clean_narrative(narrative: dict[str, str]) -> dict[str, str]:
    keys = {key for key, _label in plan_data.SECTIONS}
    if any(len(v or "") > NARRATIVE_MAX for v in narrative.values()):
        raise DomainError(ReportErrorCode.NARRATIVE_TOO_LONG)
    return {k: (v or "").strip() for k, v in narrative.items() if k in keys}


@transaction.atomic
def plan_create(*, actor: User, year: int) -> AnnualPlan:
    """A new plan for ``year``: version 1, its figures computed from today's published data and, as a
    starting point, the targets of the indicators it reports set to last year's figure."""
    _require_editor(actor)
    if not 2020 <= year <= 2100:
        raise DomainError(ReportErrorCode.PLAN_YEAR_INVALID)
    if AnnualPlan.objects.filter(year=year).exists():
        raise DomainError(ReportErrorCode.PLAN_EXISTS)
    now = timezone.now()
    try:
        with transaction.atomic():
            annual = AnnualPlan.objects.create(year=year, created_by=actor, created_at=now)
    except IntegrityError:  # two officers pressed "create" at once
        raise DomainError(ReportErrorCode.PLAN_EXISTS) from None
    figures = plan_data.figures(viewer=actor, year=year)
    targets = [{"indicator": key, "target": round(base["value"], 1), "note": ""}
               for key, base in figures["baseline"].items() if base.get("value") is not None]
    PlanVersion.objects.create(plan=annual, number=1, narrative={}, targets=targets, figures=figures,
                               note="", created_by=actor, created_at=now)
    return annual


@transaction.atomic
def plan_version_save(*, actor: User, plan: AnnualPlan, base_number: int, narrative: dict[str, str],
                      targets: list[dict[str, Any]], note: str = "", regenerate: bool = False) -> PlanVersion:
    """A new version from ``base_number`` (the version the writer opened). The figures stay those of the
    version it follows unless ``regenerate``: a plan is written on one set of figures."""
    _require_editor(actor)
    locked = AnnualPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None:
        raise NotFound(ReportErrorCode.PLAN_NOT_FOUND)
    latest = locked.versions.order_by("-number").first()
    if latest is None or latest.number != base_number:
        raise DomainError(ReportErrorCode.PLAN_STALE)
    figures = plan_data.figures(viewer=actor, year=locked.year) if regenerate else latest.figures
    return PlanVersion.objects.create(
        plan=locked, number=latest.number + 1, narrative=_clean_narrative(narrative),
        targets=_clean_targets(targets), figures=figures, note=note.strip()[:200], created_by=actor,
        created_at=timezone.now())


@transaction.atomic
def plan_sign(*, actor: User, plan: AnnualPlan, number: int) -> PlanVersion:
    if not can_sign_plans(actor):
        raise Forbidden(ReportErrorCode.SIGN_NOT_ALLOWED)
    locked = AnnualPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None:
        raise NotFound(ReportErrorCode.PLAN_NOT_FOUND)
    latest = locked.versions.order_by("-number").first()
    if latest is None or latest.number != number:
        raise DomainError(ReportErrorCode.PLAN_NOT_LATEST)
    if latest.status == PlanStatus.SIGNED:
        raise DomainError(ReportErrorCode.PLAN_SIGNED)
    latest.status = PlanStatus.SIGNED
    latest.signed_by = actor
    latest.signed_at = timezone.now()
    latest.save(update_fields=["status", "signed_by", "signed_at"])
    return latest
