"""The check-in app's periodic work, run by the scheduler (lib/jobs.py) instead of a cron line."""

from __future__ import annotations

import datetime as dt

from dolbom.lib.jobs import Job, job_register


def run_due_job() -> str:
    from dolbom.checkins.services import run_due

    report = run_due()
    return (f"scheduled {report.scheduled}, finished {report.finished}, undialled {report.undialled}, "
            f"escalated {report.escalated}")


def register() -> None:
    job_register(Job(key="checkins.run_due", every=dt.timedelta(minutes=2), run=run_due_job,
                     description="Schedule due check-in calls, finish dropped calls, escalate unacknowledged alerts"))
