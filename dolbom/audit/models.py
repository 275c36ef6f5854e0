from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("View")
    SEARCH = "search", _("Search")
    EXPORT = "export", _("Export")
    REVEAL_RRN = "reveal_rrn", _("Reveal RRN")
    DENIED = "denied", _("Denied")


class AccessLog(models.Model):
    """개인정보 접속기록 (안전성 확보조치 기준 §8): who, whose record, when, from where, why.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them too
    (migration 0002) except for rows past the retention period.
    """

    # No index of their own on actor and resident: the (actor, at) and (resident, at) indexes below lead with
    # them and serve every lookup; a row is written on every read of a person, and each index is a write more.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    actor_username = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=20)
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    resident = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 db_index=False)
    subject_ids = models.JSONField(default=list)  # residents returned by a search or an export
    record_type = models.CharField(max_length=40)
    record_id = models.CharField(max_length=40, blank=True)
    query = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    in_caseload = models.BooleanField(default=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["actor", "at"]), models.Index(fields=["resident", "at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("access log rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("access log rows are append-only")
