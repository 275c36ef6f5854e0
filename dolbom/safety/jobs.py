"""The safety app's periodic work, run by the scheduler (lib/jobs.py); the ingest worker runs the same
sweep on its own every few seconds, so alarms escalate even where no scheduler runs."""

from __future__ import annotations

import datetime as dt

from dolbom.lib.jobs import Job, job_register


def sweep_job() -> str:
    from dolbom.safety.services import sweep

    return str(sweep(supervision=False))


def supervision_job() -> str:
    from dolbom.safety.services import supervision_check
    from dolbom.safety.services.rules import flapping_release

    return f"tickets opened {supervision_check()}, flapping released {flapping_release()}"


def purge_job() -> str:
    from dolbom.safety.services.retention import events_purge

    return f"events purged {events_purge()}"


def register() -> None:
    job_register(Job(key="safety.sweep", every=dt.timedelta(seconds=10), run=sweep_job,
                     description="Fire overdue inactivity deadlines, escalate unacknowledged P1 alarms, "
                                 "attach check-in answers"))
    job_register(Job(key="safety.supervision", every=dt.timedelta(minutes=5), run=supervision_job,
                     description="Device tickets for gateways without heartbeat and devices silent since installation"))
    job_register(Job(key="safety.purge", every=dt.timedelta(hours=24), run=purge_job,
                     description="Delete raw events older than the retention period (incidents keep theirs)"))
