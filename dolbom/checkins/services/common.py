"""Shared pieces of the check-in services: who may write, the caller's own account."""

from __future__ import annotations

from django.contrib.auth.models import User

from dolbom.accounts.scope import can_write_cases
from dolbom.checkins.errors import CheckinErrorCode
from dolbom.lib.errors import Forbidden

CALLER_USERNAME = "checkins-caller"


def caller_user() -> User:
    """The timeline's actor for what the automated caller and the due-runner do on their own.

    No staff profile and no usable password: it can be named as an actor, never log in or see data."""
    user, created = User.objects.get_or_create(username=CALLER_USERNAME,
                                               defaults={"first_name": "AI 안부전화", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def require_writer(actor: User) -> None:
    if not can_write_cases(actor):
        raise Forbidden(CheckinErrorCode.NOT_ALLOWED)
