"""The referrals app's periodic work, run by the scheduler (lib/jobs.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dolbom.lib.jobs import Job, job_register


def remind_job() -> str:
    from dolbom.referrals.selectors import referrals_awaiting_response
    from dolbom.referrals.services import referral_reminders_mark

    rows = list(referrals_awaiting_response(today=timezone.localdate()))
    marked = referral_reminders_mark(referrals=rows)
    return f"{len(rows)} referrals awaiting an answer, {marked} reminders marked"


def register() -> None:
    job_register(Job(key="referrals.remind", every=dt.timedelta(hours=24), run=remind_job,
                     description="Mark referrals whose answer is due today or overdue, for the partner's reminder"))
