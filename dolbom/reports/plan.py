"""The annual local integrated-care plan and its results report (돌봄통합지원법: each city draws up a plan every
year and reports its results), and the mayor's monthly brief.

A plan for year Y is written in Y-1's data: the population in need per dong at the end of Y-1, the
services and institutions, the targets set for Y, and the results of Y-1 against the targets Y-1's plan
set. Its figures are the published ones (suppressed like every other page) and are frozen into each
version when it is saved (``figures``), so a signed plan does not change when the data is refreshed; only
the narrative is typed by people.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.contrib.auth.models import User
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dolbom.lib.errors import NotFound
from dolbom.lib.metrics import indicator_get, indicators
from dolbom.reports import selectors
from dolbom.reports.errors import ReportErrorCode
from dolbom.reports.models import AnnualPlan, Cell, PlanStatus, PlanVersion
from dolbom.reports.periods import Period, current_month

SECTIONS = (
    ("overview", gettext_lazy("Overview and direction")),
    ("population", gettext_lazy("Population in need, per dong")),
    ("services", gettext_lazy("Services and institutions")),
    ("targets", gettext_lazy("Targets for the year")),
    ("results", gettext_lazy("Results against last year's targets")),
    ("dongs", gettext_lazy("Key figures per dong")),
    ("next", gettext_lazy("Next steps")),
)
# The population table: (indicator, cut dimension, cut value, column label).
POPULATION = (
    ("registry.residents", "", "", gettext_lazy("Residents")),
    ("registry.older", "", "", gettext_lazy("65 and over")),
    ("registry.older_alone", "", "", gettext_lazy("65 and over, living alone")),
    ("registry.residents", "target_group", "severe_disability", gettext_lazy("Severe disability (under 65)")),
    ("registry.residents", "target_group", "mental_illness", gettext_lazy("Mental illness (under 65)")),
    ("cases.open", "", "", gettext_lazy("Open cases")),
)


def _known(key: str) -> bool:
    try:
        indicator_get(key)
    except KeyError:
        return False
    return True


def base_period(year: int) -> Period:
    """The year a plan for ``year`` is written on: the year before, or the latest month while it runs."""
    base = Period("Y", year - 1, 0)
    now = current_month()
    return base if base.months[-1] <= now else now


def _by_dong(key: str, period: Period, dim: str = "", value: str = "") -> tuple[dict[str, Any], dict[int, Any]]:
    ind = indicator_get(key)
    cells = Cell.objects.filter(indicator=key, period=period.code, dim=dim, value=value, area__in=["city", "dong"])
    found = {(c.area, c.dong_id): c for c in cells}
    city = selectors._figure(ind, found.get(("city", None)), period.code, "city", None, dim, value)
    dongs = {d.pk: selectors._figure(ind, found.get(("dong", d.pk)), period.code, "dong", d.pk, dim, value)
             for d in selectors.dongs_of(period)}
    return _snap(city), {k: _snap(f) for k, f in dongs.items()}


def _snap(f: selectors.Figure) -> dict[str, Any]:
    return {"text": f.text, "value": f.value, "hidden": f.hidden}


def figures(*, viewer: User, year: int) -> dict[str, Any]:
    """The data part of a plan, as published today, in a form kept with the version (JSON)."""
    selectors.require_reports(viewer)
    base = base_period(year)
    dongs = selectors.dongs_of(base)
    population_cols = [(k, d, v, str(label)) for k, d, v, label in POPULATION if _known(k)]
    pop = [_by_dong(k, base, d, v) for k, d, v, _label in population_cols]
    population = {
        "columns": [label for *_rest, label in population_cols],
        "rows": [{"dong": dong.name, "values": [p[1][dong.pk]["text"] for p in pop]} for dong in dongs],
        "city": [p[0]["text"] for p in pop],
    }
    key_inds = [i for i in indicators() if "annual_plan" in i.tags and "dong" in i.dimensions
                and i.app != "registry"]
    per = [_by_dong(i.key, base) for i in key_inds]
    dong_table = {
        "columns": [str(i.label) for i in key_inds],
        "rows": [{"dong": dong.name, "values": [p[1][dong.pk]["text"] for p in per]} for dong in dongs],
        "city": [p[0]["text"] for p in per],
    }
    baseline = {i.key: _by_dong(i.key, base)[0] for i in indicators() if "annual_plan" in i.tags}
    return {"year": year, "base": base.code, "base_label": base.label, "generated_at": timezone.now().isoformat(),
            "population": population, "dongs": dong_table, "baseline": baseline,
            "services": _services(base), "dong_count": len(dongs)}


def _services(base: Period) -> dict[str, Any]:
    """Institutions and services (public facts, not people) and the referrals made to them (counts)."""
    from dolbom.referrals.categories import category_label
    from dolbom.referrals.models import Institution, InstitutionKind, Referral, Service
    from dolbom.reports.refresh import min_cell
    from dolbom.reports.suppression import Line, Quantity, suppress

    kinds = dict(InstitutionKind.choices)
    institutions = [{"kind": str(kinds.get(r["kind"], r["kind"])), "count": r["n"]}
                    for r in Institution.objects.filter(active=True).values("kind").annotate(n=Count("pk"))
                    .order_by("-n", "kind")]
    services = [{"category": category_label(r["category_code"]), "count": r["n"], "capacity": r["cap"] or 0}
                for r in Service.objects.filter(active=True).values("category_code")
                .annotate(n=Count("pk"), cap=Sum("capacity")).order_by("category_code")]
    made = list(Referral.objects.filter(created_at__date__gte=base.start, created_at__date__lt=base.end)
                .values("service__category_code").annotate(n=Count("pk")).order_by("service__category_code"))
    values = np.array([r["n"] for r in made] + [sum(r["n"] for r in made)], dtype=float)
    hidden = suppress([Quantity(values, True)], [Line(len(made), np.arange(len(made)))], min_cell()) \
        if len(made) else np.zeros(1, dtype=bool)
    referrals = [{"category": category_label(r["service__category_code"]),
                  "text": _("hidden") if hidden[i] else f"{r['n']:,}"} for i, r in enumerate(made)]
    total = "" if not made else (_("hidden") if hidden[-1] else f"{int(values[-1]):,}")
    return {"institutions": institutions, "services": services, "referrals": referrals, "referrals_total": total}


# Reading plans ------------------------------------------------------------------------------------

def plan_list() -> list[AnnualPlan]:
    return list(AnnualPlan.objects.prefetch_related("versions"))


def plan_version(*, year: int, number: int | None = None) -> tuple[AnnualPlan, PlanVersion]:
    annual = AnnualPlan.objects.filter(year=year).first()
    if annual is None:
        raise NotFound(ReportErrorCode.PLAN_NOT_FOUND)
    versions = annual.versions.select_related("created_by__staff", "signed_by__staff")
    version = versions.filter(number=number).first() if number else versions.order_by("-number").first()
    if version is None:
        raise NotFound(ReportErrorCode.PLAN_NOT_FOUND)
    return annual, version


def previous_targets(year: int) -> tuple[PlanVersion | None, list[dict[str, Any]]]:
    """The targets last year's plan set: from its latest signed version."""
    version = (PlanVersion.objects.filter(plan__year=year - 1, status=PlanStatus.SIGNED)
               .order_by("-number").first())
    return version, list(version.targets) if version else []


def _achieved(higher_is_better: bool | None, target: float, actual: float | None) -> str:
    if actual is None:
        return "–"
    met = actual <= target if higher_is_better is False else actual >= target
    return _("target met") if met else _("target not met")


def document(version: PlanVersion) -> dict[str, Any]:
    """Everything a plan page, PDF or Word file shows, from the version alone (plus last year's targets)."""
    data = version.figures or {}
    year = version.plan.year
    baseline = data.get("baseline", {})
    targets = []
    for t in version.targets:
        if not _known(t["indicator"]):
            continue
        ind = indicator_get(t["indicator"])
        targets.append({"label": str(ind.label), "unit": ind.unit, "baseline": baseline.get(ind.key, {}).get("text", "–"),
                        "target": selectors.format_value(ind, float(t["target"])), "note": t.get("note", "")})
    prev_version, prev = previous_targets(year)
    results = []
    base = data.get("base", "")
    for t in prev:
        if not _known(t["indicator"]):
            continue
        ind = indicator_get(t["indicator"])
        actual = baseline.get(ind.key, {})
        target = float(t["target"])
        results.append({"label": str(ind.label), "target": selectors.format_value(ind, target),
                        "actual": actual.get("text", "–"),
                        "achieved": _achieved(ind.higher_is_better, target, actual.get("value")),
                        "note": t.get("note", "")})
    return {
        "title": _("%(year)d local integrated-care plan and %(last)d results") % {"year": year, "last": year - 1},
        "year": year, "version": version, "base_label": data.get("base_label", base),
        "generated_at": data.get("generated_at", ""), "sections": [
            {"key": key, "title": str(label), "narrative": version.narrative.get(key, "")} for key, label in SECTIONS],
        "population": data.get("population", {}), "dongs": data.get("dongs", {}),
        "services": data.get("services", {}), "targets": targets, "results": results,
        "previous_version": prev_version,
    }


# The mayor's brief ----------------------------------------------------------------------------------

BRIEF_TOP = ("cases.follow_ups_overdue", "referrals.pending_overdue", "checkins.alerts_high")


def brief_context(*, viewer: User, period: Period) -> dict[str, Any]:
    """One page for the joint executive meeting: the headline figures against last month and a year ago,
    the dongs with the most overdue work, a small map."""
    from dolbom.reports.choropleth import choropleth

    items = selectors.overview(viewer=viewer, period=period, months=13,
                               keys=[i.key for i in indicators() if "headline" in i.tags])
    rows = []
    for item in items:
        now, before = item.now.value, item.before.value
        change = None if now is None or before is None else now - before
        rows.append({"item": item, "change": change,
                     "change_text": "" if change is None else ("+" if change > 0 else "") +
                     selectors.format_value(item.indicator, change).replace("%", "%p")})
    tops = []
    for key in BRIEF_TOP:
        if not _known(key):
            continue
        table = selectors.figure_table(viewer=viewer, key=key, period=period)
        ranked = sorted((r for r in table.rows if r[1].value), key=lambda r: -(r[1].value or 0))[:3]
        tops.append({"indicator": table.indicator, "rows": ranked, "city": table.city})
    map_key = "cases.open" if _known("cases.open") else ""
    mapped = None
    if map_key:
        table = selectors.figure_table(viewer=viewer, key=map_key, period=period)
        mapped = choropleth(table.indicator, period, {d.pk: f for d, f in table.rows})
    from dolbom.reports.refresh import min_cell

    return {"period": period, "rows": rows, "tops": tops, "map": mapped, "printed_at": timezone.localtime(),
            "k": min_cell()}

