"""The report files: Excel through openpyxl, PDF through WeasyPrint.

openpyxl writes real .xlsx (typed numbers and dates, frozen header rows) that a city office opens in
Excel or 한셀 without conversion; WeasyPrint lays out HTML and CSS as paged PDF, so the PDF is the page's
own template with print CSS instead of a second layout written in a drawing API. WeasyPrint needs Pango
from the operating system (Debian: libpango-1.0-0), as its documentation says. Every text cell goes through lib/spreadsheet.py (a facility
name or an action typed as "=HYPERLINK(...)" must open as text, not run).

The Korean font: the system's Noto Sans CJK KR when fontconfig has it (Debian: fonts-noto-cjk, what the
subsidies letters use too); otherwise the Pretendard font the web shell ships
(dolbom/web/static/dolbom/fonts/), so that a server without any CJK font still prints Korean. That file is
a WOFF2 for browsers, and decoding it takes fontTools some 15 seconds, so it is decoded once into a TTF
under DATA_DIR/cache/fonts/ and reused.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dolbom.inspections.models import Grade
from dolbom.inspections.reports import FacilityReport, RoundReport
from dolbom.lib.spreadsheet import defuse_typed

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
FONT = "dolbom/fonts/PretendardVariable.woff2"
_HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[object]], widths: list[int]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        ws.append([defuse_typed(v) for v in row])
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _grade(value: str) -> str:
    return str(dict(Grade.choices).get(value, "")) if value else ""


def round_xlsx(report: RoundReport) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "요약"
    r = report.round
    for row in [
        ["점검 회차", r.name], ["기간", f"{r.starts_on:%Y-%m-%d} ~ {r.ends_on:%Y-%m-%d}"],
        ["점검표", f"{r.template.title} v{r.template.version}"], ["대상 시설", report.facilities],
        ["종결", report.closed], ["적합(개선 필요 포함)", report.passed], ["부적합", report.failed],
        ["미실시", report.not_done], ["평균 점수", float(report.mean_score) if report.mean_score is not None else None],
        ["미이행 시정조치", len(report.open_actions)], ["작성", f"{timezone.localtime():%Y-%m-%d %H:%M}"],
    ]:
        summary.append([defuse_typed(v) for v in row])
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 48
    _sheet(wb, "항목별 부적합", ["순위", "번호", "항목", "중요도", "부적합", "해당", "부적합률(%)", "법적 근거"],
           [[k, i.number, i.text, i.severity_label, i.failed, i.applicable, i.rate, i.legal_basis]
            for k, i in enumerate(report.items, 1)], [6, 6, 60, 8, 8, 8, 11, 80])
    _sheet(wb, "ATP", ["표면", "첫 측정", "부적합", "주의", "재측정", "부적합률(%)"],
           [[s.label, s.first_swabs, s.failed, s.caution, s.retested, s.fail_rate] for s in report.atp],
           [14, 10, 10, 8, 10, 12])
    _sheet(wb, "미이행 시정조치", ["시설", "동", "항목", "조치 내용", "담당자", "기한", "기한 경과"],
           [[a.facility.name, a.facility.dong.name, a.item.text if a.item else "ATP", a.description, a.owner,
             a.due_on, "예" if a.is_overdue(report.today) else ""] for a in report.open_actions],
           [28, 10, 40, 50, 12, 12, 10])
    return _save(wb)


def facility_xlsx(report: FacilityReport) -> bytes:
    wb = Workbook()
    info = wb.active
    info.title = "시설"
    f = report.facility
    for row in [["시설", f.name], ["코드", f.code], ["주소", f"{f.road_address} ({f.dong.name})"],
                ["운영자", f.operator], ["하루 급식 인원", f.diners_per_day], ["위험도", f.get_risk_level_display()],
                ["돌봄 사업", ", ".join(f.programme_labels())], ["합성 데이터", "예" if f.synthetic else "아니오"]]:
        info.append([defuse_typed(v) for v in row])
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 60
    _sheet(wb, "점검 이력", ["점검일", "종류", "회차", "점수", "판정", "점검자"],
           [[i.visited_on, i.get_kind_display(), i.round.name if i.round else "",
             float(i.score) if i.score is not None else None, _grade(i.grade),
             str(i.inspector.staff.display_name) if i.inspector and hasattr(i.inspector, "staff") else ""]
            for i in report.inspections], [12, 14, 28, 8, 12, 12])
    _sheet(wb, "ATP 측정", ["측정 일시", "표면", "기기", "RLU", "판정", "적합 기준", "주의 기준", "재측정"],
           [[timezone.localtime(r.measured_at).replace(tzinfo=None), r.get_surface_display(), r.instrument.model,
             r.rlu, r.get_result_display(), r.pass_max, r.caution_max, "예" if r.retest_of_id else ""]
            for r in report.readings], [18, 12, 26, 10, 8, 10, 10, 8])
    _sheet(wb, "미이행 시정조치", ["항목", "조치 내용", "담당자", "기한"],
           [[a.item.text if a.item else "ATP", a.description, a.owner, a.due_on] for a in report.open_actions],
           [40, 50, 12, 12])
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SYSTEM_FONT = "Noto Sans CJK KR"


@lru_cache(maxsize=1)
def system_font() -> str:
    """The system CJK family fontconfig knows, or "" (no fontconfig, or no CJK font installed)."""
    try:
        found = subprocess.run(["fc-list", f":family={SYSTEM_FONT}", "family"], capture_output=True, text=True,
                               timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return SYSTEM_FONT if found.strip() else ""


def shipped_font_ttf() -> Path | None:
    """The shipped Pretendard, decoded from WOFF2 to TTF once (atomically, so two workers may race)."""
    source = finders.find(FONT)
    if not source:
        return None
    target = Path(settings.DATA_DIR) / "cache" / "fonts" / "PretendardVariable.ttf"
    if target.exists() and target.stat().st_mtime >= Path(source).stat().st_mtime:
        return target
    from fontTools.ttLib import TTFont

    target.parent.mkdir(parents=True, exist_ok=True)
    font = TTFont(source)
    font.flavor = None
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".ttf", delete=False) as tmp:
        font.save(tmp.name)
    os.replace(tmp.name, target)
    return target


def font_context() -> dict:
    """What the PDF templates' style needs: a family to name, and a file to load only where the system has none."""
    if system_font():
        return {"font_family": system_font(), "font_url": ""}
    ttf = shipped_font_ttf()
    return {"font_family": "Pretendard", "font_url": ttf.resolve().as_uri() if ttf else ""}


def pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, **font_context(), "printed_at": timezone.localtime()})
    return HTML(string=html).write_pdf()
