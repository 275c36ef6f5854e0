"""Periodic work of the ops app (lib/jobs.py)."""

from __future__ import annotations

import datetime as dt

from dolbom.lib.jobs import Job, job_register


def purge_job() -> str:
    from django.conf import settings

    from dolbom.ops.retention import purge

    # A city whose records officer reviews each disposal first turns the cases off here and runs the
    # command after the review (ops/retention.py); the access log's pruning needs no review.
    return purge(actor=None, dry_run=False, cases=settings.DOLBOM_CASE_PURGE_BY_JOB).summary()


def register() -> None:
    # Daily: PIPA §21 asks for destruction without delay once the period has passed; a day is that delay.
    job_register(Job(key="ops.purge", every=dt.timedelta(hours=24), run=purge_job,
                     description="Destroy closed cases past their retention period (unless held), prune the "
                                 "access log past two years and the scheduler's run history"))
