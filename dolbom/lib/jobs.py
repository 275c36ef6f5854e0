"""Periodic jobs, declared by the app that owns them and run by one scheduler.

Each app registers its recurring work from its ``AppConfig.ready()``::

    job_register(Job(key="checkins.run_due", every=dt.timedelta(minutes=2), run=run_due_job,
                     description="Schedule due check-in calls, finish dropped calls, escalate alerts"))

``run`` takes no arguments and returns a short report (str) for the log. The scheduler (``dolbom worker``)
reads this registry, runs each job at its interval, and takes a lock per job so that two application
nodes never run the same job at once; a job must therefore be safe to run again after a crash (idempotent,
its own transactions). Nothing here depends on the apps: the registry is a list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    key: str  # "<app>.<what>", unique
    every: dt.timedelta
    run: Callable[[], str]
    description: str = ""


_JOBS: dict[str, Job] = {}


def job_register(job: Job) -> None:
    if job.every < dt.timedelta(seconds=5):
        raise ValueError(f"job {job.key!r} runs more often than every 5 seconds")
    known = _JOBS.get(job.key)
    if known is not None and known.run is not job.run:
        raise ValueError(f"job {job.key!r} is already registered with another function")
    _JOBS[job.key] = job


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda j: j.key)


def job_get(key: str) -> Job:
    return _JOBS[key]
