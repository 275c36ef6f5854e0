"""Sending and checking one-time codes for public pages (see models.py for why nothing is kept in clear).

A flow: ``challenge_start`` (the form's phone number; the code goes out on commit) → the person types the
code → ``challenge_verify`` → the app's own service does its write and calls ``challenge_consume`` in the
same transaction, so one code serves one sign-up and a replay of the request is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dolbom.integrations.messaging import MessagePurpose, message_send, phone_masked, phone_normalise
from dolbom.lib.errors import DomainError, NotFound
from dolbom.lib.ratelimit import Limit, hit
from dolbom.verification.errors import VerificationErrorCode
from dolbom.verification.models import PhoneChallenge

CODE_TTL = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
# Time to finish the form after typing the code (party size, consent boxes).
CONSUME_GRACE = dt.timedelta(minutes=15)
# A person may ask for a new code a few times (a slow SMS, a typo); a macro asking for hundreds may not.
PER_PHONE = Limit("verification.phone", per=5, seconds=3600)
PER_ADDRESS = Limit("verification.address", per=30, seconds=3600)


def _mac(*parts: str) -> str:
    key = hashlib.sha256(("dolbom-verification:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def phone_hash(number: str) -> str:
    return _mac("phone", phone_normalise(number))


@transaction.atomic
def challenge_start(*, phone: str, purpose: str, subject: str = "", sender_label: str = "전주시",
                    ip: str | None = None) -> PhoneChallenge:
    """A new code for ``phone``; the text goes out when the transaction commits."""
    number = phone_normalise(phone)
    if not hit(PER_PHONE, number) or (ip and not hit(PER_ADDRESS, ip)):
        raise DomainError(VerificationErrorCode.RATE_LIMITED)
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    token = secrets.token_hex(16)
    challenge = PhoneChallenge.objects.create(
        token=token, purpose=purpose, subject=subject[:100], phone_hash=_mac("phone", number),
        phone_masked=phone_masked(number), code_hash=_mac("code", token, code), created_at=now,
        expires_at=now + CODE_TTL, ip=ip,
    )
    text = f"[{sender_label}] 인증번호 {code} ({int(CODE_TTL.total_seconds() // 60)}분 안에 입력해 주세요)"
    transaction.on_commit(lambda: message_send(to=number, text=text, purpose=MessagePurpose.ONE_TIME_CODE,
                                               reference=f"otp-{token}"))
    return challenge


def _get_locked(token: str, purpose: str) -> PhoneChallenge:
    challenge = PhoneChallenge.objects.select_for_update().filter(token=token, purpose=purpose).first()
    if challenge is None:
        raise NotFound(VerificationErrorCode.NOT_FOUND)
    return challenge


def challenge_verify(*, token: str, purpose: str, code: str) -> PhoneChallenge:
    """Check a typed code; five wrong codes end the challenge.

    A wrong code is refused *and* counted: the count is saved in its own transaction before the refusal
    is raised, so an error page cannot roll it back and guessing stays limited. Call it outside the
    app's own write (which then calls ``challenge_consume``); the row lock makes parallel guesses count."""
    with transaction.atomic():
        challenge = _get_locked(token, purpose)
        refusal = _check(challenge, code)
    if refusal is not None:
        code_, params = refusal
        raise DomainError(code_, **params)
    return challenge


def _check(challenge: PhoneChallenge, code: str) -> tuple[VerificationErrorCode, dict] | None:
    if challenge.verified_at is not None:
        return None
    if challenge.attempts >= MAX_ATTEMPTS:
        return VerificationErrorCode.TOO_MANY_ATTEMPTS, {}
    if timezone.now() > challenge.expires_at:
        return VerificationErrorCode.EXPIRED, {}
    typed = "".join(ch for ch in code if ch.isdigit())
    if not hmac.compare_digest(_mac("code", challenge.token, typed), challenge.code_hash):
        challenge.attempts += 1
        challenge.save(update_fields=["attempts"])
        left = MAX_ATTEMPTS - challenge.attempts
        return (VerificationErrorCode.WRONG_CODE, {"left": left}) if left > 0 \
            else (VerificationErrorCode.TOO_MANY_ATTEMPTS, {})
    challenge.verified_at = timezone.now()
    challenge.save(update_fields=["verified_at"])
    return None


def challenge_consume(*, token: str, purpose: str, phone: str, subject: str | None = None) -> PhoneChallenge:
    """Use a verified code for one write, inside that write's transaction.

    Refused unless the code was verified, for this purpose (and subject, when given), for this very
    phone number, and not used before: a code sent to one number cannot sign up another."""
    challenge = _get_locked(token, purpose)
    if challenge.verified_at is None:
        raise DomainError(VerificationErrorCode.NOT_VERIFIED)
    if challenge.used_at is not None:
        raise DomainError(VerificationErrorCode.ALREADY_USED)
    if not hmac.compare_digest(challenge.phone_hash, phone_hash(phone)):
        raise DomainError(VerificationErrorCode.OTHER_PHONE)
    if subject is not None and challenge.subject != subject[:100]:
        raise NotFound(VerificationErrorCode.NOT_FOUND)
    if timezone.now() > challenge.expires_at + CONSUME_GRACE:
        raise DomainError(VerificationErrorCode.EXPIRED)
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["used_at"])
    return challenge


@transaction.atomic
def challenges_purge(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Codes are worth nothing after a day; keep no trace of who asked (PIPA §21: destroy when done)."""
    deleted, _ = PhoneChallenge.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
