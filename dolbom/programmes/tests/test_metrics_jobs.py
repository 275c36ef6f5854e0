"""Indicators and periodic jobs of the programmes app."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from dolbom.lib.jobs import job_get
from dolbom.lib.metrics import indicator_get, month_add, month_floor
from dolbom.programmes import services
from dolbom.programmes.models import Session, Signup, SignupStatus

from .conftest import public_signup


def _month_range(session):
    start = month_floor(timezone.localtime(session.starts_at).date())
    return start, month_add(start, 1)


def test_fill_waiting_no_show_and_conversion_indicators(session, librarian, message_outbox):
    rows = [public_signup(session, message_outbox) for _ in range(12)]
    services.signup_cancel(token=rows[0][1])
    services.offer_accept(token=rows[10][1])
    services.checkin(actor=librarian, signup=rows[1][0])
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    services.attendance_close(actor=librarian, session=session)
    start, end = _month_range(Session.objects.get(pk=session.pk))

    def value(key):
        out = list(indicator_get(key).compute(start, end))
        assert len(out) == 1 and out[0]["dong_id"] is None and out[0]["month"] == start
        return out[0]["numerator"], out[0].get("denominator")

    assert value("programmes.fill_rate") == (10, 10)
    assert value("programmes.waiting_list") == (2, None)
    assert value("programmes.no_show_rate") == (9, 10)
    assert value("programmes.waitlist_conversion") == (1, 2)


def test_the_tick_job_passes_over_expired_offers(session, message_outbox):
    rows = [public_signup(session, message_outbox) for _ in range(11)]
    services.signup_cancel(token=rows[0][1])
    Signup.objects.filter(status=SignupStatus.OFFERED).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    report = job_get("programmes.tick").run()
    assert report.startswith("1 offers passed over")
    assert Signup.objects.filter(status=SignupStatus.PASSED_OVER).count() == 1


def test_the_commands_run(db, capsys):
    call_command("programmes", "tick")
    call_command("programmes", "remind")
    call_command("programmes", "purge")
    out = capsys.readouterr().out
    assert "offers passed over" in out and "reminders" in out and "past sign-ups" in out
