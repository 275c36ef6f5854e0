"""The monthly review as an Excel file (openpyxl): the auditor files it with the month's check of access
records (안전성 확보조치 기준 §8②) and may sort and filter it; the page shows only the first rows."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dolbom.audit.labels import record_label, role_label
from dolbom.audit.models import AccessLog
from dolbom.audit.selectors import MonthlyReview


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[object]], first: bool = False) -> None:
    sheet = book.active if first else book.create_sheet()
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for i, name in enumerate(header, 1):
        width = max([len(str(name))] + [len(str(r[i - 1])) for r in rows if len(r) >= i] or [8])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"


def _log_rows(rows: list[AccessLog]) -> list[list[object]]:
    return [[timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"), r.actor_username, role_label(r.actor_role),
             r.get_action_display(), record_label(r.record_type, r.record_id), r.ip or "", r.purpose or ""]
            for r in rows]


def review_workbook(review: MonthlyReview, *, by_action: list[tuple[object, int]], month: str) -> bytes:
    book = Workbook()
    summary = [[str(label), n] for label, n in by_action]
    summary += [[_("Total"), review.total],
                [_("Views outside caseload without purpose"), review.outside_caseload_without_purpose]]
    _sheet(book, _("Summary %(month)s") % {"month": month}, [_("Action"), _("Count")], summary, first=True)
    _sheet(book, _("By user"), [_("User ID"), _("Role"), _("Views"), _("Searches"), _("Exports"), _("RRN reveals"),
                                _("Denied"), _("Outside caseload"), _("After hours"), _("Bulk searches")],
           [[a.username, role_label(a.role), a.views, a.searches, a.exports, a.reveals, a.denied, a.outside_caseload,
             a.after_hours, a.bulk_searches] for a in review.actors])
    header = [_("When"), _("User ID"), _("Role"), _("Action"), _("Record"), _("IP"), _("Purpose")]
    _sheet(book, _("Denied accesses"), header, _log_rows(review.denied))
    _sheet(book, _("After hours or weekends"), header, _log_rows(review.after_hours))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
