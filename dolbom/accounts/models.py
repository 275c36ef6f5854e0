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


class PasswordHistory(models.Model):
    """The hashes of a staff member's earlier passwords, so that a new one may not repeat them
    (accounts/passwords.py NoReuseValidator; ASVS 2.1, the city's password rules). Hashes only, as Django
    stores the current one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-set_at", "-pk"]


class SecurityEventKind(models.TextChoices):
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor enrolled")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes renewed")
    LOCKOUT_LIFTED = "lockout_lifted", _("Lockout lifted")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")


class SecurityEvent(models.Model):
    """Changes to how someone signs in, and who made them (안전성 확보조치 기준 §5: grants and changes of
    access rights are recorded). Sign-ins and failed sign-ins themselves are django-axes' records
    (axes.AccessLog, axes.AccessFailureLog). Append-only, like the access log."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=30, choices=SecurityEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    username = models.CharField(max_length=150, blank=True, help_text="whose sign-in changed")
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("security events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("security events are append-only")
