"""One-time codes for public pages: sent, checked, used once, never kept in clear."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from dolbom.lib.errors import DomainError, NotFound
from dolbom.verification import services
from dolbom.verification.errors import VerificationErrorCode as E
from dolbom.verification.models import PhoneChallenge

PURPOSE = "programmes.signup"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _start(phone="010-1234-5678", **kw):
    from django.db import transaction

    with transaction.atomic():
        challenge = services.challenge_start(phone=phone, purpose=PURPOSE, subject="session:1", **kw)
    return challenge


def _code(outbox) -> str:
    return re.search(r"인증번호 (\d{6})", outbox[-1].text).group(1)


def test_a_code_is_sent_on_commit_and_neither_it_nor_the_number_is_stored(db, message_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = services.challenge_start(phone="010 1234 5678", purpose=PURPOSE)
    assert [m.to for m in message_outbox] == ["01012345678"]
    code = _code(message_outbox)
    row = PhoneChallenge.objects.get(pk=challenge.pk)
    stored = " ".join(str(v) for v in row.__dict__.values())
    assert code not in stored and "01012345678" not in stored and "5678" in row.phone_masked


def test_the_right_code_verifies_and_serves_exactly_one_write(db, message_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = services.challenge_start(phone="010-1234-5678", purpose=PURPOSE, subject="session:1")
    services.challenge_verify(token=challenge.token, purpose=PURPOSE, code=_code(message_outbox))
    services.challenge_consume(token=challenge.token, purpose=PURPOSE, phone="01012345678", subject="session:1")
    with pytest.raises(DomainError) as again:
        services.challenge_consume(token=challenge.token, purpose=PURPOSE, phone="01012345678", subject="session:1")
    assert again.value.code == E.ALREADY_USED


def test_a_code_sent_to_one_number_cannot_confirm_another(db, message_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = services.challenge_start(phone="010-1234-5678", purpose=PURPOSE)
    services.challenge_verify(token=challenge.token, purpose=PURPOSE, code=_code(message_outbox))
    with pytest.raises(DomainError) as refused:
        services.challenge_consume(token=challenge.token, purpose=PURPOSE, phone="010-9999-0000")
    assert refused.value.code == E.OTHER_PHONE


def test_an_unverified_code_cannot_be_used(db):
    challenge = _start()
    with pytest.raises(DomainError) as refused:
        services.challenge_consume(token=challenge.token, purpose=PURPOSE, phone="010-1234-5678")
    assert refused.value.code == E.NOT_VERIFIED


def test_wrong_codes_are_counted_and_the_fifth_ends_the_challenge(db, message_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = services.challenge_start(phone="010-1234-5678", purpose=PURPOSE)
    right = _code(message_outbox)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    lefts = []
    for _ in range(4):
        with pytest.raises(DomainError) as refused:
            services.challenge_verify(token=challenge.token, purpose=PURPOSE, code=wrong)
        assert refused.value.code == E.WRONG_CODE
        lefts.append(refused.value.params["left"])
    assert lefts == [4, 3, 2, 1]
    with pytest.raises(DomainError) as refused:
        services.challenge_verify(token=challenge.token, purpose=PURPOSE, code=wrong)
    assert refused.value.code == E.TOO_MANY_ATTEMPTS
    with pytest.raises(DomainError) as refused:
        services.challenge_verify(token=challenge.token, purpose=PURPOSE, code=right)
    assert refused.value.code == E.TOO_MANY_ATTEMPTS, "the right code no longer helps"
    assert PhoneChallenge.objects.get(pk=challenge.pk).attempts == 5


def test_an_expired_code_is_refused(db, message_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = services.challenge_start(phone="010-1234-5678", purpose=PURPOSE)
    PhoneChallenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        services.challenge_verify(token=challenge.token, purpose=PURPOSE, code=_code(message_outbox))
    assert refused.value.code == E.EXPIRED


def test_a_token_of_another_purpose_is_not_found(db):
    challenge = _start()
    with pytest.raises(NotFound):
        services.challenge_verify(token=challenge.token, purpose="subsidies.apply", code="000000")


def test_too_many_codes_for_one_phone_or_one_address_are_refused(db):
    for _ in range(services.PER_PHONE.per):
        _start()
    with pytest.raises(DomainError) as refused:
        _start()
    assert refused.value.code == E.RATE_LIMITED
    cache.clear()
    for i in range(services.PER_ADDRESS.per):
        _start(phone=f"010-5555-{i:04d}", ip="203.0.113.9")
    with pytest.raises(DomainError) as refused:
        _start(phone="010-5555-9999", ip="203.0.113.9")
    assert refused.value.code == E.RATE_LIMITED


def test_a_bad_number_is_refused_before_anything_is_stored(db):
    with pytest.raises(DomainError) as refused:
        _start(phone="010-12")
    assert refused.value.code == "invalid_phone"
    assert not PhoneChallenge.objects.exists()


def test_old_challenges_are_purged(db):
    old, new = _start(), _start(phone="010-2222-3333")
    PhoneChallenge.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert services.challenges_purge() == 1
    assert list(PhoneChallenge.objects.values_list("pk", flat=True)) == [new.pk]
