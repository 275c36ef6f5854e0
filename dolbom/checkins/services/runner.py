"""The due-runner (`dolbom checkins run-due`, every few minutes from cron or a systemd timer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from dolbom.checkins.services.alerts import alerts_escalate
from dolbom.checkins.services.calls import calls_count_undialled, calls_finish_abandoned
from dolbom.checkins.services.enrolment import calls_schedule


@dataclass(frozen=True)
class RunReport:
    scheduled: int
    finished: int
    undialled: int
    escalated: int


def run_due(*, now: dt.datetime | None = None) -> RunReport:
    now = now or timezone.now()
    return RunReport(
        scheduled=calls_schedule(now=now),
        finished=calls_finish_abandoned(now=now),
        undialled=calls_count_undialled(now=now),
        escalated=alerts_escalate(now=now),
    )
