"""The lottery: a committed seed, a draw anyone can re-run, places by the shuffled order."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from dolbom.lib.errors import DomainError
from dolbom.programmes import lottery, selectors, services
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.models import Allocation, PartyCounting, Session, SignupStatus

from .conftest import make_programme, open_session, public_signup


@pytest.fixture
def lottery_session(city, message_outbox):
    programme = make_programme(city, allocation=Allocation.LOTTERY, capacity=4,
                               party_counting=PartyCounting.PERSONS, max_party_size=3)
    session = open_session(programme)
    for party in (3, 1, 2, 2, 1, 3, 1):
        public_signup(session, message_outbox, party=party)
    return session


def test_applicants_wait_for_the_draw_and_only_the_seeds_fingerprint_is_public(lottery_session):
    assert set(lottery_session.signups.values_list("status", flat=True)) == {SignupStatus.APPLIED}
    lottery_session.refresh_from_db()
    assert lottery_session.taken == 0
    publication = selectors.lottery_publication(lottery_session)
    assert publication["commitment"] == lottery.commitment(lottery_session.lottery_seed)
    assert "seed" not in publication and publication["numbers"] == [1, 2, 3, 4, 5, 6, 7]


def test_the_lottery_is_drawn_only_once_sign_up_has_closed(lottery_session):
    with pytest.raises(DomainError) as refused:
        services.lottery_draw(session_id=lottery_session.pk)
    assert refused.value.code == E.DRAW_NOT_DUE


def test_the_draw_follows_the_published_algorithm_and_anyone_can_re_run_it(lottery_session, tmp_path):
    after_close = lottery_session.signup_closes_at + dt.timedelta(minutes=1)
    drawn = services.lottery_draw(session_id=lottery_session.pk, now=after_close)
    expected = lottery.order(lottery_session.lottery_seed, list(range(1, 8)))
    assert [s.number for s in drawn] == expected
    # Places down the shuffled list: confirmed while the whole party fits.
    free, confirmed = 4, []
    for s in drawn:
        if s.places <= free:
            free -= s.places
            confirmed.append(s.number)
    assert [s.number for s in drawn if s.status == SignupStatus.CONFIRMED] == confirmed
    waiting = [s for s in drawn if s.status == SignupStatus.WAITING]
    assert [s.queue_rank for s in waiting] == list(range(1, len(waiting) + 1))
    lottery_session.refresh_from_db()
    publication = selectors.lottery_publication(lottery_session)
    assert publication["reproduced"] and publication["seed"] == lottery_session.lottery_seed
    # The page's program, run by anyone, prints the same order.
    script = tmp_path / "draw.py"
    script.write_text(publication["snippet"])
    printed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    assert printed.strip() == str(expected)
    with pytest.raises(DomainError) as again:
        services.lottery_draw(session_id=lottery_session.pk, now=after_close)
    assert again.value.code == E.ALREADY_DRAWN


def test_the_job_draws_due_lotteries_and_the_command_verifies_them(lottery_session, capsys):
    Session.objects.filter(pk=lottery_session.pk).update(signup_closes_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.tick()["drawn"] == 1
    call_command("programmes", "lottery-verify", session=lottery_session.pk)
    assert "the stored order is the published algorithm's" in capsys.readouterr().out


def test_a_different_seed_gives_another_order():
    numbers = list(range(1, 30))
    assert lottery.order("a" * 32, numbers) != lottery.order("b" * 32, numbers)
    assert sorted(lottery.order("a" * 32, numbers)) == numbers
