from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.contrib.auth.models import User
from django.test import TestCase
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.programmes import services
from dolbom.programmes.models import Adviser, AdviserKind, Allocation, PartyCounting, Programme, Session
from dolbom.testing import personas
from dolbom.verification.services import challenge_verify

_phones = itertools.count(1000)  # 010-5xxx-nnnn, a new number each time


@pytest.fixture(autouse=True)
def _fresh_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def librarian(db) -> User:
    """윤서영, librarian of the city-hall book-pillar library (a partner account), in charge of book-play."""
    return personas.make_staff("seoyoung", "윤서영", Role.PARTNER, institution="전주시립도서관 책기둥도서관")


def programme_data(**overrides) -> services.ProgrammeData:
    today = timezone.localdate()
    values = dict(name="주말 책놀이", organiser="전주시립도서관", organiser_code="JJ-LIB-01", venue="전주시청 책기둥도서관",
                  audience="만 13세 미만 자녀를 둔 가족", contact="063-281-2000", rrule="FREQ=WEEKLY;BYDAY=SA",
                  season_starts_on=today, season_ends_on=today + dt.timedelta(days=60), start_time=dt.time(13, 30),
                  capacity=10, party_counting=PartyCounting.FAMILIES, max_party_size=5)
    values.update(overrides)
    return services.ProgrammeData(**values)


def make_programme(actor: User, managers=(), **overrides) -> Programme:
    return services.programme_create(actor=actor, data=programme_data(managers=list(managers), **overrides),
                                     schedule=False)


def open_session(programme: Programme, *, days: int = 7, hours: int = 0, capacity: int | None = None,
                 reserved: int | None = None) -> Session:
    """A session a week ahead whose sign-up is open now."""
    now = timezone.now()
    starts = (now + dt.timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)
    from dolbom.programmes import lottery

    seed = lottery.new_seed() if programme.allocation == Allocation.LOTTERY else ""
    return Session.objects.create(
        programme=programme, starts_at=starts, ends_at=starts + dt.timedelta(minutes=90),
        capacity=capacity if capacity is not None else programme.capacity,
        reserved=reserved if reserved is not None else programme.reserved,
        signup_opens_at=now - dt.timedelta(hours=1), signup_closes_at=starts - dt.timedelta(hours=24),
        reserve_release_at=starts - dt.timedelta(hours=72) if (reserved or programme.reserved) else None,
        lottery_seed=seed, seed_commitment=lottery.commitment(seed) if seed else "")


def new_phone() -> str:
    n = next(_phones)
    return f"010-5{n % 1000:03d}-{n:04d}"


def code_for(outbox, phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    for message in reversed(outbox):
        if message.to == digits and (m := re.search(r"인증번호 (\d{6})", message.text)):
            return m.group(1)
    raise AssertionError(f"no code sent to {phone}")


def public_signup(session: Session, outbox, *, phone: str | None = None, name: str = "홍길동", party: int = 1,
                  ip: str | None = None):
    """The public flow in service calls: form, code by text, code typed, sign-up."""
    phone = phone or new_phone()
    with TestCase.captureOnCommitCallbacks(execute=True):
        challenge = services.signup_start(session=session, name=name, phone=phone, party_size=party,
                                          privacy_consent=True, ip=ip)
    challenge_verify(token=challenge.token, purpose="programmes.signup", code=code_for(outbox, phone))
    with TestCase.captureOnCommitCallbacks(execute=True):
        signup, token = services.signup_apply(session_id=session.pk, challenge_token=challenge.token, name=name,
                                              phone=phone, party_size=party)
    return signup, token


@pytest.fixture
def book_play(city, librarian) -> Programme:
    return make_programme(city, managers=[librarian])


@pytest.fixture
def session(book_play) -> Session:
    return open_session(book_play)


@pytest.fixture
def adviser(city) -> Adviser:
    return services.adviser_create(actor=city, name="김세무", kind=AdviserKind.TAX, venue="서신동 행정복지센터 2층 상담실",
                                   contact="063-281-3000", dong=personas.dong("서신동"))
