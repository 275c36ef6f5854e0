"""The files reports hands out: Excel (openpyxl), CSV for Excel, PDF (WeasyPrint) and Word (python-docx).

Every figure in them is a published one (reports/selectors.py): a hidden cell is the word for "hidden",
never a number, in every format. openpyxl writes real .xlsx with typed numbers that Excel and 한셀 open
as they are; the CSV is UTF-8 with a byte-order mark, which is what makes Excel read Korean; every text
cell goes through lib/spreadsheet.py so that no cell is run as a formula. The PDFs are the pages' own
templates laid out by WeasyPrint with the Korean font from the system (fonts-noto-cjk:
``DOLBOM_REPORTS_FONT``), the Word file is built with python-docx with the same font for East Asian text.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from dolbom.lib.spreadsheet import defuse, defuse_typed
from dolbom.reports.labels import DIMENSION_LABELS, value_label
from dolbom.reports.refresh import min_cell
from dolbom.reports.selectors import Figure, Table, format_value

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def attachment(content: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=TYPES[fmt])
    name = f"{stem}.{fmt}"
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


def _note() -> str:
    return _("Hidden: a count under %(k)d, or a figure from which one could be worked out by subtraction "
             "(small-cell suppression).") % {"k": min_cell()}


def _number(fig: Figure) -> Any:
    """A typed cell: the number, or the word for hidden (never a hidden count)."""
    if fig.hidden:
        return _("hidden")
    return None if fig.value is None else round(fig.value, 2)


def _rows(table: Table) -> list[list[Any]]:
    ind = table.indicator
    rate = ind.is_rate
    out = []
    for label, fig in [(_("Whole city"), table.city)] + [(d.name, f) for d, f in table.rows] + (
            [(_("Not in a dong"), table.none)] if table.none.numerator else []):
        row = [label, _number(fig)]
        if rate:
            row += [None if fig.hidden else fig.numerator, None if fig.hidden else fig.denominator]
        out.append(row)
    return out


def _header(table: Table) -> list[str]:
    ind = table.indicator
    head = [_("Area"), f"{ind.label} ({ind.unit})"]
    if ind.is_rate:
        head += [str(ind.numerator or _("numerator")), str(ind.denominator or _("denominator"))]
    return head


def indicator_file(fmt: str, table: Table, trend: list[Figure]) -> bytes:
    if fmt == "xlsx":
        return indicator_xlsx(table, trend)
    if fmt == "csv":
        return indicator_csv(table)
    return indicator_pdf(table, trend)


def indicator_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    ind = table.indicator
    writer.writerow([defuse(f"{ind.label} · {table.period.label}")])
    writer.writerow([defuse(h) for h in _header(table)])
    for row in _rows(table):
        writer.writerow([defuse("" if v is None else v) for v in row])
    writer.writerow([])
    writer.writerow([defuse(_note())])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def indicator_xlsx(table: Table, trend: list[Figure]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    ind = table.indicator
    wb = Workbook()
    ws = wb.active
    ws.title = _("By dong")[:31]
    ws.append([defuse(f"{ind.label} · {table.period.label}")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([defuse(h) for h in _header(table)])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
    for row in _rows(table):
        ws.append([defuse_typed(v) for v in row])
    ws.freeze_panes = "A3"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 18
    if table.cuts:
        cuts = wb.create_sheet(_("By group")[:31])
        cuts.append([_("Dimension"), _("Value"), f"{ind.label} ({ind.unit})"])
        for dim, rows in table.cuts.items():
            for value, fig in rows:
                cuts.append([str(DIMENSION_LABELS[dim]), value_label(dim, value), _number(fig)])
    series = wb.create_sheet(_("Trend")[:31])
    series.append([_("Month"), f"{ind.label} ({ind.unit})"])
    for fig in trend:
        series.append([fig.period, _number(fig)])
    about = wb.create_sheet(_("Definition")[:31])
    for row in ([_("Indicator"), str(ind.label)], [_("Definition"), str(ind.definition)],
                [_("Unit"), ind.unit], [_("Key"), ind.key], [_("Suppression"), _note()],
                [_("Made"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]):
        about.append([defuse_typed(v) for v in row])
    about.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font": settings.DOLBOM_REPORTS_FONT,
                                       "note": _note(), "printed_at": timezone.localtime()})
    return HTML(string=html).write_pdf()


def indicator_pdf(table: Table, trend: list[Figure]) -> bytes:
    from dolbom.reports import charts
    from dolbom.reports.choropleth import choropleth

    ind = table.indicator
    chart = charts.line_chart([charts.Series(_("Whole city"), [f.value for f in trend], "s1",
                                             [f.hidden for f in trend])],
                              [f.period[2:].replace("-", ".") for f in trend], unit=ind.unit, title=str(ind.label))
    mapped = choropleth(ind, table.period, {d.pk: f for d, f in table.rows}) if "dong" in ind.dimensions else None
    return _pdf("reports/indicator_pdf.html", {"table": table, "indicator": ind, "chart": chart, "map": mapped,
                                                "average": format_value(ind, table.average)})


def brief_pdf(context: dict[str, Any]) -> bytes:
    return _pdf("reports/brief_pdf.html", context)


def plan_pdf(doc: dict[str, Any]) -> bytes:
    return _pdf("reports/plan_pdf.html", {"doc": doc})


def plan_docx(doc: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = settings.DOLBOM_REPORTS_FONT
    document = Document()
    for style_name in ("Normal", "Heading 1", "Heading 2", "Title", "Table Grid"):
        try:
            style = document.styles[style_name]
        except KeyError:
            continue
        style.font.name = font
        # Word takes East Asian text from its own font slot: without it, Hangul falls back to a default.
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), font)
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(doc["title"], level=0)
    version = doc["version"]
    status = _("signed off by %(name)s on %(at)s") % {
        "name": _person(version.signed_by), "at": timezone.localtime(version.signed_at).strftime("%Y-%m-%d")} \
        if version.signed_at else _("draft")
    document.add_paragraph(_("Version %(n)d (%(status)s) · figures of %(base)s, suppressed as published") % {
        "n": version.number, "status": status, "base": doc["base_label"]})
    for section in doc["sections"]:
        document.add_heading(section["title"], level=1)
        for para in (section["narrative"] or "").split("\n\n"):
            if para.strip():
                document.add_paragraph(para.strip())
        table = _docx_table_for(section["key"], doc)
        if table:
            header, rows = table
            grid = document.add_table(rows=1, cols=len(header))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, header, strict=True):
                cell.text = str(text)
            for row in rows:
                cells = grid.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = "" if text is None else str(text)
    document.add_paragraph(_note())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _person(user: Any) -> str:
    staff = getattr(user, "staff", None)
    return staff.display_name if staff else (user.get_username() if user else "")


def _docx_table_for(key: str, doc: dict[str, Any]) -> tuple[list[str], list[list[Any]]] | None:
    if key == "population" and doc["population"]:
        p = doc["population"]
        return [_("Dong"), *p["columns"]], [[r["dong"], *r["values"]] for r in p["rows"]] + [
            [_("Whole city"), *p["city"]]]
    if key == "dongs" and doc["dongs"]:
        p = doc["dongs"]
        return [_("Dong"), *p["columns"]], [[r["dong"], *r["values"]] for r in p["rows"]] + [
            [_("Whole city"), *p["city"]]]
    if key == "services" and doc["services"]:
        s = doc["services"]
        rows = [[_("Institutions"), i["kind"], i["count"]] for i in s.get("institutions", [])]
        rows += [[_("Services"), i["category"], f"{i['count']} ({_('capacity')} {i['capacity']})"]
                 for i in s.get("services", [])]
        rows += [[_("Referrals made"), i["category"], i["text"]] for i in s.get("referrals", [])]
        return [_("What"), _("Kind"), _("Count")], rows
    if key == "targets":
        return [_("Indicator"), _("Last year"), _("Target"), _("Note")], [
            [t["label"], t["baseline"], t["target"], t["note"]] for t in doc["targets"]]
    if key == "results":
        return [_("Indicator"), _("Target"), _("Result"), _("Achieved"), _("Note")], [
            [r["label"], r["target"], r["actual"], r["achieved"], r["note"]] for r in doc["results"]]
    return None
