"""The inspections app's periodic work, run by the scheduler (lib/jobs.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from dolbom.lib.jobs import Job, job_register


def schedule_due_job() -> str:
    """A routine visit for every kitchen falling due within two weeks (idempotent), on behalf of the
    first active centre lead, whose scope (every facility) the visits are created in."""
    from dolbom.inspections.models import Inspector
    from dolbom.inspections.services import schedule_due

    lead = Inspector.objects.filter(active=True, lead=True).select_related("user").first()
    actor: User | None = lead.user if lead else None
    if actor is None:
        return "no active centre lead: nothing scheduled"
    return f"{schedule_due(actor=actor)} routine facility visits scheduled"


def register() -> None:
    job_register(Job(key="inspections.schedule_due", every=dt.timedelta(hours=24), run=schedule_due_job,
                     description="Schedule a routine visit for every kitchen whose inspection falls due within two weeks"))
