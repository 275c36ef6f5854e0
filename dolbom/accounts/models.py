from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DONG_OFFICER = "dong_officer", _("Dong welfare officer")
    CASE_MANAGER = "case_manager", _("Case manager")
    CITY_TEAM = "city_team", _("City integrated-care team")
    PARTNER = "partner", _("Partner-institution worker")
    AUDITOR = "auditor", _("Auditor")
    # 방문간호사 of the public health centre or a dong: visits clients across several dongs.
    NURSE = "nurse", _("Visiting nurse")
    # 응급관리요원 of an emergency-safety centre: the homes with in-home sensors assigned to them (safety app).
    EMERGENCY_WORKER = "emergency_worker", _("Emergency worker")


class StaffProfile(models.Model):
    """Who a staff member is for scoping: role, home dong, institution.

    Scope is decided from this row only (see registry/selectors.py and cases/selectors.py).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    display_name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    dong = models.ForeignKey(
        "areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("dong"),
    )
    institution = models.CharField(_("institution"), max_length=100, blank=True)
    # Stable code of the partner institution (referrals.Institution.code) that scopes a partner worker.
    institution_code = models.CharField(_("institution code"), max_length=40, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored, so a database dump cannot be replayed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
