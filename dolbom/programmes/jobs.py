"""Periodic work of the programmes app (lib/jobs.py): each job is idempotent and makes its own transactions."""

from __future__ import annotations

import datetime as dt

from dolbom.lib.jobs import Job, job_register


def tick_job() -> str:
    from dolbom.programmes.services import tick

    done = tick()
    return (f"{done['expired']} offers passed over, {done['released']} sessions released their reserved places, "
            f"{done['drawn']} lotteries drawn")


def remind_job() -> str:
    from dolbom.programmes.services.consultations import reminders_send as consultation_reminders
    from dolbom.programmes.services.signups import reminders_send as session_reminders

    return f"{session_reminders()} session reminders, {consultation_reminders()} consultation reminders sent"


def purge_job() -> str:
    from dolbom.programmes.services import personal_data_purge

    signups, bookings = personal_data_purge()
    return f"names and phones removed from {signups} past sign-ups and {bookings} past bookings"


def register() -> None:
    # Offers must expire on time (a family waits behind them): every minute.
    job_register(Job(key="programmes.tick", every=dt.timedelta(minutes=1), run=tick_job,
                     description="Pass over expired offers, release unused reserved places, draw due lotteries"))
    job_register(Job(key="programmes.remind", every=dt.timedelta(minutes=10), run=remind_job,
                     description="Reminders the day before a session, and the day before and two hours before "
                                 "a consultation"))
    job_register(Job(key="programmes.purge", every=dt.timedelta(hours=24), run=purge_job,
                     description="Remove names and phone numbers of sign-ups and bookings 180 days after"))
