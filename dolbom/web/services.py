"""Writes of the shell's own data: a staff member changes how the bell reaches them."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from dolbom.integrations.messaging import MessageError, phone_display, phone_normalise
from dolbom.lib.errors import DomainError
from dolbom.web.errors import WebErrorCode
from dolbom.web.models import NotificationSettings


@transaction.atomic
def notification_settings_update(*, actor: User, mute_sound: bool, alert_phone: str = "") -> NotificationSettings:
    """Only the person themselves changes their settings (the number is theirs to give or take back)."""
    phone = ""
    if alert_phone.strip():
        try:
            phone = phone_display(phone_normalise(alert_phone))
        except MessageError as exc:
            raise DomainError(WebErrorCode.PHONE_INVALID) from exc
    row, _ = NotificationSettings.objects.select_for_update().get_or_create(user=actor)
    row.mute_sound, row.alert_phone = mute_sound, phone
    row.save(update_fields=["mute_sound", "alert_phone", "updated_at"])
    return row
