"""Periodic work of the verification app (lib/jobs.py)."""

from __future__ import annotations

import datetime as dt

from dolbom.lib.jobs import Job, job_register


def purge_job() -> str:
    from dolbom.verification.services import challenges_purge

    return f"{challenges_purge()} old one-time codes deleted"


def register() -> None:
    job_register(Job(key="verification.purge", every=dt.timedelta(hours=6), run=purge_job,
                     description="Delete one-time codes older than a day"))
