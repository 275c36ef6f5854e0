"""The second factor (TOTP, RFC 6238) and its recovery codes, with django-otp.

django-otp is the maintained implementation Django projects use for one-time passwords: its TOTP devices
keep the secret and refuse a replayed code, its static devices are single-use recovery codes, and its
middleware marks a session verified. dolbom adds when it is required (accounts/scope.py
SECOND_FACTOR_ROLES), enrolment at first sign-in (web/views/auth.py), and a SecurityEvent for each change.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dolbom.accounts.errors import AccountErrorCode
from dolbom.accounts.models import SecurityEventKind
from dolbom.accounts.services import security_event_write
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError

RECOVERY_CODES = 10
APP_DEVICE = "authenticator app"
RECOVERY_DEVICE = "recovery codes"


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_pending(user: User) -> TOTPDevice:
    """The unconfirmed authenticator-app device of an enrolment in progress (a new secret once per enrolment)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def _new_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    # 10 characters of an unambiguous alphabet: about 50 bits each, typed rarely and only once.
    codes = ["".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10)) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def totp_enrol_confirm(*, user: User, token: str, context: AccessContext | None = None) -> tuple[TOTPDevice, list[str]]:
    """The first code from the app confirms the enrolment; the recovery codes are returned once, to show."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip().replace(" ", "")):
        raise DomainError(AccountErrorCode.SECOND_FACTOR_WRONG)
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # re-enrolment replaces the old app
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_codes(user)
    security_event_write(SecurityEventKind.SECOND_FACTOR_ENROLLED, actor=user, user=user, context=context)
    return device, codes


def second_factor_verify(*, user: User, token: str, context: AccessContext | None = None):
    """The device that accepts ``token`` (the app's code or a recovery code, used up), or DomainError."""
    token = token.strip().replace(" ", "").replace("-", "")
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, (TOTPDevice, StaticDevice)) and device.verify_token(token):
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                security_event_write(SecurityEventKind.RECOVERY_CODE_USED, actor=user, user=user, context=context,
                       detail=f"{left} left")
            return device
    raise DomainError(AccountErrorCode.SECOND_FACTOR_WRONG)


@transaction.atomic
def recovery_codes_renew(*, user: User, context: AccessContext | None = None) -> list[str]:
    codes = _new_codes(user)
    security_event_write(SecurityEventKind.RECOVERY_CODES_RENEWED, actor=user, user=user, context=context)
    return codes


@transaction.atomic
def second_factor_reset(*, actor: User | None, user: User, reason: str, context: AccessContext | None = None) -> None:
    """A lost phone: the user enrols again at the next sign-in. Done from the command line by the city's
    administrators (``dolbom accounts reset-second-factor``), recorded with the reason."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_event_write(SecurityEventKind.SECOND_FACTOR_RESET, actor=actor, user=user, context=context, detail=reason[:200])
