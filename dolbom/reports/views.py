"""Report pages: the city's and each dong's dashboard, one indicator with its map, the catalogue, the map,
the mayor's monthly brief, the downloads and the annual plan.

Thin: every figure comes from reports.selectors (published, suppressed cells), every download is logged
there or in the owning app, every write is a reports.services call.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.lib.errors import DomainError
from dolbom.lib.metrics import indicators
from dolbom.reports import charts, exports, plan, selectors, services
from dolbom.reports.choropleth import choropleth
from dolbom.reports.forms import ExportForm, PeopleExportForm, PlanCreateForm, PlanEditForm
from dolbom.reports.fragments import fragment
from dolbom.reports.labels import APP_LABELS, DIMENSION_LABELS, value_label
from dolbom.reports.periods import Period, current_month, month_of, parse
from dolbom.reports.refresh import last_refresh, min_cell
from dolbom.web.views.common import access_context, error_page, forbidden_page

TREND_MONTHS = 24


def _reports_page(view):
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.can_see_reports(request.user):
            return forbidden_page(request)
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return error_page(request, exc)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _month(request: HttpRequest, name: str = "period") -> Period:
    """The month asked for, or the latest one published (the current month once the refresh ran)."""
    default = selectors.latest_month() or current_month()
    period = parse(request.GET.get(name), default=default)
    return period if period.kind == "M" else period.months[-1]


def _common(request: HttpRequest, period: Period) -> dict[str, Any]:
    run = last_refresh()
    return {"period": period, "refreshed": run.finished_at if run else None, "k": min_cell(),
        "month_choices": [month_of(p.start) for p in reversed(_months(period))],
        "can_edit_plans": selectors.can_edit_plans(request.user)}


def _months(period: Period) -> list[Period]:
    from dolbom.reports.periods import months_back

    return months_back(max(period, current_month()), 36)


def _grouped(items: list[Any], key=lambda o: o.indicator.app) -> list[tuple[str, list[Any]]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        out[key(item)].append(item)
    order = list(APP_LABELS)
    return [(APP_LABELS.get(app, app), rows) for app, rows in sorted(out.items(),
                                                                      key=lambda kv: (order.index(kv[0]) if kv[0] in order
                                                                                      else 99, kv[0]))]


def _trend(item: selectors.Overview, *, compare: bool, counts: dict[str, int] | None = None) -> Any:
    labels = [f.period[2:].replace("-", ".") for f in item.trend]
    series = [charts.Series(str(item.indicator.label), [f.value for f in item.trend], "s1",
                            [f.hidden for f in item.trend])]
    if compare and item.city_trend is not None:
        # The average dong of each month: 35 dongs before the 2025 merger, 34 after.
        series.append(charts.Series(_("City average"), [
            selectors.city_average(item.indicator, f, (counts or {}).get(f.period, 0)) for f in item.city_trend],
            "s2"))
    return charts.line_chart(series, labels, unit=item.indicator.unit, title=str(item.indicator.label),
                             testid=f"trend-{item.indicator.key}")


@_reports_page
def city(request: HttpRequest) -> HttpResponse:
    """The whole city: the headline figures with their trend, every indicator, a map."""
    period = _month(request)
    map_key = request.GET.get("map") or "cases.open"
    selectors.indicator_for(map_key)  # an unknown one is a 404 before anything is cached
    body = fragment("city", (period.code, map_key), "reports/_city_body.html",
                    lambda: _city_body(request, period, map_key))
    return render(request, "reports/city.html", {
        **_common(request, period), "body": body, "map_key": map_key, "home": selectors.home_dong(request.user)})


def _city_body(request: HttpRequest, period: Period, map_key: str) -> dict[str, Any]:
    items = selectors.overview(viewer=request.user, period=period, months=TREND_MONTHS)
    headline = [i for i in items if "headline" in i.indicator.tags]
    for item in headline:
        item.chart = _trend(item, compare=False)
    for item in items:
        item.spark = charts.sparkline([f.value for f in item.trend[-13:]])
    map_ind = selectors.indicator_for(map_key)
    table = selectors.figure_table(viewer=request.user, key=map_key, period=period)
    return {"period": period, "headline": headline, "groups": _grouped(items),
            "map": choropleth(map_ind, period, {d.pk: f for d, f in table.rows}), "map_key": map_key,
            "map_choices": [i for i in indicators() if "dong" in i.dimensions], "dongs": selectors.dongs_of(period)}


@_reports_page
def dong(request: HttpRequest, dong_id: int) -> HttpResponse:
    """One dong beside the city: every figure, the city's average, the trend of both."""
    period = _month(request)
    place = selectors.dong_get(dong_id)
    body = fragment("dong", (period.code, place.pk), "reports/_dong_body.html",
                    lambda: _dong_body(request, period, place))
    return render(request, "reports/dong.html", {
        **_common(request, period), "dong": place, "body": body})


def _dong_body(request: HttpRequest, period: Period, place: Any) -> dict[str, Any]:
    items = selectors.overview(viewer=request.user, period=period, dong_id=place.pk, months=TREND_MONTHS)
    items = [i for i in items if "dong" in i.indicator.dimensions]
    headline = [i for i in items if "headline" in i.indicator.tags]
    counts = selectors.dong_counts([parse(f.period) for f in items[0].trend]) if items else {}
    for item in headline:
        item.chart = _trend(item, compare=True, counts=counts)
    for item in items:
        item.spark = charts.sparkline([f.value for f in item.trend[-13:]])
        item.average_text = selectors.format_value(item.indicator, item.average)
    predecessors = [selectors.dong_get(p) for p in _predecessors(place.pk)]
    return {"period": period, "dong": place, "headline": headline, "groups": _grouped(items),
            "valid": place.is_valid_on(period.last_day), "predecessors": predecessors,
            "dongs": selectors.dongs_of(period)}


def _predecessors(dong_id: int) -> list[int]:
    from dolbom.areas.models import Dong

    return list(Dong.objects.filter(successor_id=dong_id).values_list("pk", flat=True))


@_reports_page
def indicator(request: HttpRequest, key: str) -> HttpResponse:
    """One indicator for a month, quarter or year: the map, every dong against the city, the cuts, the
    trend, and the downloads."""
    ind = selectors.indicator_for(key)
    period = parse(request.GET.get("period"), default=selectors.latest_month() or current_month())
    dong_id = _int(request.GET.get("dong"))
    place = selectors.dong_get(dong_id) if dong_id else None
    table = selectors.figure_table(viewer=request.user, key=key, period=period, dong_id=dong_id)
    last = period if period.kind == "M" else min(period.months[-1], current_month())
    trend = selectors.series(viewer=request.user, key=key, last=last, months=TREND_MONTHS)
    series = [charts.Series(_("Whole city"), [f.value for f in trend], "s1", [f.hidden for f in trend])]
    if place is not None:
        local = selectors.series(viewer=request.user, key=key, last=last, months=TREND_MONTHS, dong_id=place.pk)
        series.append(charts.Series(place.name, [f.value for f in local], "s3", [f.hidden for f in local]))
    labels = [f.period[2:].replace("-", ".") for f in trend]
    bars = charts.bar_chart([(d.name, f.value, f.hidden) for d, f in table.rows], unit=ind.unit,
                            average=table.average, highlight=place.name if place else "")
    cuts = [(DIMENSION_LABELS[dim], [(value_label(dim, v), f) for v, f in rows]) for dim, rows in table.cuts.items()]
    return render(request, "reports/indicator.html", {
        **_common(request, period if period.kind == "M" else last), "indicator": ind, "period": period,
        "table": table, "place": place, "cuts": cuts, "bars": bars,
        "trend": charts.line_chart(series, labels, unit=ind.unit, title=str(ind.label)),
        "map": choropleth(ind, period, {d.pk: f for d, f in table.rows}) if "dong" in ind.dimensions else None,
        "average_text": selectors.format_value(ind, table.average),
        "periods": _period_choices(period), "export_form": ExportForm(initial={
            "indicator": key, "period": period.code, "dong": dong_id or ""}),
        "people_form": PeopleExportForm(initial={"indicator": key, "dong": dong_id or ""})
        if selectors.can_export_people(request.user, ind) else None,
    })


def _period_choices(period: Period) -> list[Period]:
    from dolbom.reports.periods import quarter_of, year_of

    now = current_month()
    months = [p for p in _months(now)][::-1]
    quarters = sorted({quarter_of(p.start) for p in months}, reverse=True)
    years = sorted({year_of(p.start) for p in months}, reverse=True)
    return months[:24] + quarters[:8] + years[:3]


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@_reports_page
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every indicator the apps registered, with its definition: metrics as code, in one registry."""
    groups = _grouped([type("Row", (), {"indicator": i})() for i in indicators()])
    return render(request, "reports/indicators.html", {
        "groups": [(label, [r.indicator for r in rows]) for label, rows in groups],
        "dimension_labels": DIMENSION_LABELS, "count": len(indicators()),
        "k": min_cell()})


@_reports_page
def map_page(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("indicator") or "cases.open"
    ind = selectors.indicator_for(key)
    period = parse(request.GET.get("period"), default=selectors.latest_month() or current_month())

    def body() -> dict[str, Any]:
        table = selectors.figure_table(viewer=request.user, key=key, period=period)
        return {"period": period, "indicator": ind, "table": table,
                "average_text": selectors.format_value(ind, table.average),
                "map": choropleth(ind, period, {d.pk: f for d, f in table.rows})}

    return render(request, "reports/map.html", {
        **_common(request, period if period.kind == "M" else period.months[-1]), "period": period,
        "indicator": ind, "body": fragment("map", (period.code, key), "reports/_map_body.html", body),
        "choices": [i for i in indicators() if "dong" in i.dimensions], "periods": _period_choices(period),
    })


@_reports_page
def brief(request: HttpRequest) -> HttpResponse:
    """The mayor's monthly joint executive meeting (합동간부회의): one printable page."""
    period = _month(request)
    return render(request, "reports/brief.html", {**_common(request, period),
                                                  **plan.brief_context(viewer=request.user, period=period),
                                                  "export_form": ExportForm(initial={"indicator": "brief",
                                                                                     "period": period.code,
                                                                                     "format": "pdf"})})


# Downloads ------------------------------------------------------------------------------------

@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """A figure's table as Excel, CSV for Excel or PDF, or the monthly brief as PDF: with a reason, logged."""
    if not selectors.can_see_reports(request.user):
        return forbidden_page(request)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _export_refused(request, form)
    data = form.cleaned_data
    try:
        period = parse(data["period"])
        context = access_context(request)
        context = type(context)(ip=context.ip, path=context.path, purpose=data["reason"].strip())
        if data["indicator"] == "brief":
            selectors.export_log(viewer=request.user, context=context, what=f"brief@{period.code}",
                                 query=f"pdf brief {period.code}")
            content = exports.brief_pdf(plan.brief_context(viewer=request.user, period=period))
            return exports.attachment(content, "pdf", f"합동간부회의_통합돌봄_{period.code}")
        ind = selectors.indicator_for(data["indicator"])
        dong_id = _int(data.get("dong"))
        table = selectors.figure_table(viewer=request.user, key=ind.key, period=period, dong_id=dong_id)
        selectors.export_log(viewer=request.user, context=context, what=f"{ind.key}@{period.code}",
                             query=f"{data['format']} {ind.key} {period.code}" + (f" dong={dong_id}" if dong_id else ""))
        last = period if period.kind == "M" else min(period.months[-1], current_month())
        trend = selectors.series(viewer=request.user, key=ind.key, last=last, months=TREND_MONTHS)
        content = exports.indicator_file(data["format"], table, trend)
        return exports.attachment(content, data["format"], f"{ind.key}_{period.code}")
    except DomainError as exc:
        return error_page(request, exc)


def _export_refused(request: HttpRequest, form: Any) -> HttpResponse:
    message = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "web/error.html", {"message": message, "status": 400}, status=400)


@login_required
@require_POST
def people(request: HttpRequest) -> HttpResponse:
    """The people behind a figure: only for roles that may download people, through the owning app."""
    form = PeopleExportForm(request.POST)
    if not form.is_valid():
        return _export_refused(request, form)
    context = access_context(request)
    context = type(context)(ip=context.ip, path=context.path, purpose=form.cleaned_data["reason"].strip())
    try:
        content = selectors.people_export(viewer=request.user, context=context, key=form.cleaned_data["indicator"],
                                          dong_id=_int(form.cleaned_data.get("dong")))
    except DomainError as exc:
        return error_page(request, exc)
    stamp = timezone.localdate().isoformat()
    return exports.attachment(content, "csv", f"명단_{form.cleaned_data['indicator']}_{stamp}")


# The annual plan --------------------------------------------------------------------------------

def _plans_page(view):
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.can_edit_plans(request.user):
            return forbidden_page(request)
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return error_page(request, exc)

    wrapper.__name__ = view.__name__
    return wrapper


@_plans_page
def plans(request: HttpRequest) -> HttpResponse:
    form = PlanCreateForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        created = services.plan_create(actor=request.user, year=form.cleaned_data["year"])
        messages.success(request, _("The plan was created from the data; write its narrative next."))
        return redirect("reports:plan", year=created.year)
    return render(request, "reports/plans.html", {"plans": plan.plan_list(), "form": form},
                  status=400 if request.method == "POST" else 200)


@_plans_page
def plan_page(request: HttpRequest, year: int) -> HttpResponse:
    number = _int(request.GET.get("version"))
    annual, version = plan.plan_version(year=year, number=number)
    return render(request, "reports/plan.html", {
        "plan": annual, "version": version, "versions": list(annual.versions.select_related("created_by__staff",
                                                                                              "signed_by__staff")),
        "doc": plan.document(version), "latest": annual.versions.order_by("-number").first(),
        "can_sign": selectors.can_sign_plans(request.user), "export_form": ExportForm(initial={
            "indicator": "plan", "period": str(year), "format": "pdf"}),
    })


@_plans_page
def plan_edit(request: HttpRequest, year: int) -> HttpResponse:
    annual, latest = plan.plan_version(year=year)
    form = PlanEditForm(request.POST or None, version=latest)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_version_save(actor=request.user, plan=annual, base_number=form.cleaned_data["base"],
                                       narrative=form.narrative(), targets=form.targets(),
                                       note=form.cleaned_data["note"], regenerate=form.cleaned_data["regenerate"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved as a new version."))
            return redirect("reports:plan", year=year)
    return render(request, "reports/plan_edit.html", {"plan": annual, "version": latest, "form": form,
                                                      "doc": plan.document(latest)},
                  status=400 if request.method == "POST" else 200)


@_plans_page
@require_POST
def plan_sign(request: HttpRequest, year: int) -> HttpResponse:
    annual, latest = plan.plan_version(year=year)
    services.plan_sign(actor=request.user, plan=annual, number=_int(request.POST.get("number")) or 0)
    messages.success(request, _("The plan is signed off."))
    return redirect(reverse("reports:plan", args=[year]))


@_plans_page
@require_POST
def plan_export(request: HttpRequest, year: int) -> HttpResponse:
    form = ExportForm(request.POST, formats=("pdf", "docx"))
    if not form.is_valid():
        return _export_refused(request, form)
    number = _int(request.POST.get("version"))
    annual, version = plan.plan_version(year=year, number=number)
    context = access_context(request)
    context = type(context)(ip=context.ip, path=context.path, purpose=form.cleaned_data["reason"].strip())
    selectors.export_log(viewer=request.user, context=context, what=f"plan@{year}v{version.number}",
                         query=f"{form.cleaned_data['format']} plan {year} v{version.number}")
    doc = plan.document(version)
    content = exports.plan_pdf(doc) if form.cleaned_data["format"] == "pdf" else exports.plan_docx(doc)
    return exports.attachment(content, form.cleaned_data["format"], f"{year}_지역통합돌봄계획_v{version.number}")

