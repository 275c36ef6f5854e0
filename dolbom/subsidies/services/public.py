"""The public side: an application online and a look at one's own application, each behind a one-time
code sent to the applicant's phone (verification/services.py). A code serves one write: it is consumed in
the same transaction as the application it lets in, so a replayed form is refused."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dolbom.lib.errors import DomainError, NotFound
from dolbom.lib.ratelimit import Limit, hit
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import Application, Category, Programme, Round
from dolbom.subsidies.services.applications import Applicant, Upload, application_submit
from dolbom.verification.errors import VerificationErrorCode
from dolbom.verification.services import challenge_consume, challenge_start, challenge_verify, phone_hash

APPLY = "subsidies.apply"
STATUS = "subsidies.status"
# A household applies once or twice a year; hundreds of submissions from one address are a macro.
PER_ADDRESS = Limit("subsidies.public.address", per=30, seconds=3600)


def public_code_send(*, phone: str, purpose: str, subject: str, ip: str | None):
    return challenge_start(phone=phone, purpose=purpose, subject=subject, sender_label="전주시 지원사업", ip=ip)


def public_code_check(*, token: str, purpose: str, code: str):
    return challenge_verify(token=token, purpose=purpose, code=code)


@transaction.atomic
def public_apply(*, token: str, phone: str, programme: Programme, round: Round, category: Category,
                 applicant: Applicant, declared: dict[str, Any], documents: list[Upload], welfare_consent: bool,
                 privacy_consent: bool, ip: str | None) -> Application:
    if not privacy_consent:
        raise DomainError(SubsidyErrorCode.CONSENT_REQUIRED)
    if ip and not hit(PER_ADDRESS, ip):
        raise DomainError(VerificationErrorCode.RATE_LIMITED)
    challenge_consume(token=token, purpose=APPLY, phone=phone, subject=programme.code)
    return application_submit(actor=None, programme=programme, round=round, category=category,
                              applicant=applicant, declared=declared, documents=documents,
                              welfare_consent=welfare_consent)


@transaction.atomic
def public_status_open(*, token: str, phone: str, number: str) -> Application:
    """The applicant's own application, once the code for (number, phone) is verified; the code is used up."""
    challenge_consume(token=token, purpose=STATUS, phone=phone, subject=number)
    application = Application.objects.filter(number=number).select_related("programme").first()
    if application is None or phone_hash(application.phone) != phone_hash(phone):
        # The same answer for a wrong number and another person's number: nothing to probe.
        raise NotFound(SubsidyErrorCode.APPLICATION_NOT_FOUND)
    return application
