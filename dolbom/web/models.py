"""What the shell keeps per staff member: how the header's bell may reach them.

The bell's tone is on unless muted (a shared office may not want it); high check-in alerts go to the
``alert_phone`` by text message (integrations/messaging) when one is set. Staff profiles (accounts) carry
no phone: the number is given here by the person, for this purpose only (PIPA §3, §15: collected for
the purpose it serves, and changeable by them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationSettings(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_settings")
    mute_sound = models.BooleanField(_("mute the alert tone"), default=False)
    alert_phone = models.CharField(_("mobile number for urgent alerts"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification settings")

    def __str__(self) -> str:
        return f"notifications of {self.user_id}"
