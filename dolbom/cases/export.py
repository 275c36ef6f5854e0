"""The case list as a CSV file that opens in Excel (UTF-8 with a byte-order mark)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from dolbom.cases.models import Case
from dolbom.cases.selectors import next_step_label
from dolbom.lib.spreadsheet import defuse as _cell  # names and notes are typed by people


def cases_csv(cases: Iterable[Case]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Case no."), _("Client"), _("Birth date"), _("Dong"), _("Case manager"), _("Status"),
                     _("Next step"), _("Follow-up due"), _("Opened at"), _("Closed at")])
    tz = timezone.get_current_timezone()
    for c in cases:
        manager = getattr(c.manager, "staff", None) if c.manager_id else None
        writer.writerow([_cell(v) for v in (
            c.number, c.resident.name, c.resident.birth_date.isoformat(), c.dong.name,
            manager.display_name if manager else "", c.get_status_display(),
            next_step_label(c),
            c.next_follow_up_due.isoformat() if c.next_follow_up_due else "",
            c.opened_at.astimezone(tz).date().isoformat(),
            c.closed_at.astimezone(tz).date().isoformat() if c.closed_at else "",
        )])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
