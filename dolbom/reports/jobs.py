"""The refresh as a periodic job (lib/jobs.py): the current and the previous month, every few minutes.

Incremental and cheap enough to run often (bench/reports.py), so the dashboards follow the data within
``DOLBOM_REPORTS_REFRESH_MINUTES`` plus one run, instead of waiting for an overnight batch.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from dolbom.lib.jobs import Job, job_register


def _run() -> str:
    from dolbom.reports.refresh import refresh_job

    return refresh_job()


def register() -> None:
    minutes = float(getattr(settings, "DOLBOM_REPORTS_REFRESH_MINUTES", 5))
    job_register(Job(key="reports.refresh", every=dt.timedelta(minutes=minutes), run=_run,
                     description="Recompute every indicator for the current and previous month and republish"))
