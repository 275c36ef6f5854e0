from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.errors import AccountErrorCode
from dolbom.accounts.models import ApiToken, Role, SecurityEvent, SecurityEventKind, StaffProfile
from dolbom.areas.models import Dong
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden, NotFound


def _check_password(password: str, user: User) -> None:
    """The password rules of settings.AUTH_PASSWORD_VALIDATORS, for every password a person sets."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(AccountErrorCode.PASSWORD_INVALID, reasons=" ".join(exc.messages)) from exc


@transaction.atomic
def staff_create(
    *, username: str, password: str | None, display_name: str, role: Role, dong: Dong | None = None,
    institution: str = "",
    institution_code: str = "",
) -> User:
    # password=None leaves an unusable password (service accounts, SSO users).
    if password is not None:
        _check_password(password, User(username=username, first_name=display_name))
    user = User.objects.create_user(username=username, password=password)
    StaffProfile.objects.create(user=user, display_name=display_name, role=role, dong=dong, institution=institution,
                                institution_code=institution_code)
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, context: AccessContext | None = None) -> None:
    if not user.check_password(old_password):
        raise DomainError(AccountErrorCode.PASSWORD_WRONG)
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    security_event_write(SecurityEventKind.PASSWORD_CHANGED, actor=user, user=user, context=context)


def api_token_create(*, user: User, name: str) -> str:
    """Returns the token once; only its hash is kept. For commands and tests; people make tokens through
    api_token_issue, which asks for a verified second factor."""
    token = "dlb_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], token_hash=hashlib.sha256(token.encode()).hexdigest())
    return token


@transaction.atomic
def api_token_issue(*, actor: User, name: str, second_factor_verified: bool,
                    context: AccessContext | None = None) -> str:
    """A bearer token made by its owner on the security page. A token is not asked for a second factor when
    it is used, so making one is: a stolen password alone must not turn into a token."""
    if not second_factor_verified:
        raise Forbidden(AccountErrorCode.SECOND_FACTOR_REQUIRED)
    if not name.strip():
        raise DomainError(AccountErrorCode.TOKEN_NAME_REQUIRED)
    token = api_token_create(user=actor, name=name.strip())
    security_event_write(SecurityEventKind.API_TOKEN_CREATED, actor=actor, user=actor, context=context, detail=name.strip()[:200])
    return token


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, context: AccessContext | None = None) -> ApiToken:
    row = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if row is None:
        raise NotFound(AccountErrorCode.TOKEN_NOT_FOUND)
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    security_event_write(SecurityEventKind.API_TOKEN_REVOKED, actor=actor, user=actor, context=context, detail=row.name[:200])
    return row


def security_event_write(kind: SecurityEventKind, *, actor: User | None, user: User, context: AccessContext | None,
           detail: str = "") -> None:
    SecurityEvent.objects.create(kind=kind, actor=actor, actor_username=actor.get_username() if actor else "",
                                 username=user.get_username(), ip=context.ip if context else None, detail=detail)


def api_token_authenticate(token: str) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = ApiToken.objects.select_related("user").filter(token_hash=digest, revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user
