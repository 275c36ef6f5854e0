"""Sign-ups racing each other in real threads, each with its own database connection: the capacity holds,
every loser gets a coded answer (never a server error), and a cancellation under load promotes in order.

On PostgreSQL the writers queue on the session's row lock and all succeed. SQLite serialises writers; the
test database is in shared-cache memory, whose table locks fail at once instead of waiting, so some
writers are told "busy, try again" (503, ``busy``) and the test retries them as a person would.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import TestCase

from dolbom.lib.errors import DomainError
from dolbom.programmes import services
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.models import Session, Signup, SignupStatus
from dolbom.verification.services import challenge_start, challenge_verify

from .conftest import code_for, make_programme, new_phone, open_session

pytestmark = pytest.mark.django_db(transaction=True)


def _verified(session, outbox, n):
    ready = []
    for _ in range(n):
        phone = new_phone()
        with TestCase.captureOnCommitCallbacks(execute=True):
            challenge = challenge_start(phone=phone, purpose="programmes.signup", subject=f"session:{session.pk}")
        challenge_verify(token=challenge.token, purpose="programmes.signup", code=code_for(outbox, phone))
        ready.append((challenge.token, phone))
    return ready


def _race(fn, items):
    barrier = threading.Barrier(len(items))
    results: list = [None] * len(items)

    def run(i, item):
        try:
            barrier.wait()
            results[i] = fn(item)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each writer got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _apply(session):
    def fn(item):
        token, phone = item
        return services.signup_apply(session_id=session.pk, challenge_token=token, name="경쟁가족", phone=phone,
                                     party_size=1)[0]
    return fn


def test_concurrent_sign_ups_never_overbook_and_losers_get_a_coded_answer(city, message_outbox):
    session = open_session(make_programme(city, capacity=5))
    items = _verified(session, message_outbox, 16)
    results = _race(_apply(session), items)
    unexpected = [r for r in results if not isinstance(r, Signup | DomainError)]
    assert unexpected == [], "every writer gets a sign-up or a coded refusal, never a raw error"
    busy = [items[i] for i, r in enumerate(results) if isinstance(r, DomainError)]
    assert all(r.code == E.BUSY and r.status_code == 503 for r in results if isinstance(r, DomainError))
    if connection.vendor == "postgresql":
        assert busy == []
    for item in busy:  # the person presses the button again
        _apply(session)(item)
    session.refresh_from_db()
    statuses = list(Signup.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(SignupStatus.CONFIRMED) == 5 == session.taken
    assert statuses.count(SignupStatus.WAITING) == 11
    assert sorted(Signup.objects.filter(session=session).values_list("number", flat=True)) == list(range(1, 17))


def test_cancellations_under_load_promote_waiting_families_in_order(city, message_outbox):
    session = open_session(make_programme(city, capacity=4))
    rows = []
    for token, phone in _verified(session, message_outbox, 10):
        rows.append(services.signup_apply(session_id=session.pk, challenge_token=token, name="가족", phone=phone,
                                          party_size=1))
    confirmed = [t for s, t in rows if s.status == SignupStatus.CONFIRMED]
    waiting_order = [s.pk for s, _ in rows if s.status == SignupStatus.WAITING]
    results = _race(lambda token: services.signup_cancel(token=token), confirmed[:3])
    for token, result in zip(confirmed[:3], results, strict=True):
        if isinstance(result, DomainError) and result.code == E.BUSY:
            services.signup_cancel(token=token)
        else:
            assert isinstance(result, Signup), result
    session.refresh_from_db()
    offered = list(Signup.objects.filter(session=session, status=SignupStatus.OFFERED).order_by("queue_rank")
                   .values_list("pk", flat=True))
    assert offered == waiting_order[:3], "the first three waiting families, in order"
    holding = Signup.objects.filter(session=session, status__in=[SignupStatus.CONFIRMED, SignupStatus.OFFERED])
    assert holding.count() == session.taken == 4, "no place lost, none doubled"
    assert Session.objects.get(pk=session.pk).taken <= session.capacity
