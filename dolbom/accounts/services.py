from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import ApiToken, Role, StaffProfile
from dolbom.areas.models import Dong


@transaction.atomic
def staff_create(
    *, username: str, password: str | None, display_name: str, role: Role, dong: Dong | None = None,
    institution: str = "",
    institution_code: str = "",
) -> User:
    # password=None leaves an unusable password (service accounts, SSO users).
    user = User.objects.create_user(username=username, password=password)
    StaffProfile.objects.create(user=user, display_name=display_name, role=role, dong=dong, institution=institution,
                                institution_code=institution_code)
    return user


def api_token_create(*, user: User, name: str) -> str:
    """Returns the token once; only its hash is kept."""
    token = "dlb_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, token_hash=hashlib.sha256(token.encode()).hexdigest())
    return token


def api_token_authenticate(token: str) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = ApiToken.objects.select_related("user").filter(token_hash=digest, revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user
