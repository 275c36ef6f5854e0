"""Reads of the shell's own data: a staff member's notification settings."""

from __future__ import annotations

from typing import Any

from dolbom.web.models import NotificationSettings


def notification_settings_for(user: Any) -> NotificationSettings:
    """The user's settings, or the defaults (tone on, no phone) when they never changed them."""
    if not getattr(user, "is_authenticated", False):
        return NotificationSettings()
    return NotificationSettings.objects.filter(user_id=user.pk).first() or NotificationSettings(user_id=user.pk)


def alert_phone_for(user_id: int) -> str:
    """The mobile number a staff member gave for urgent alerts; empty when none."""
    return NotificationSettings.objects.filter(user_id=user_id).values_list("alert_phone", flat=True).first() or ""
