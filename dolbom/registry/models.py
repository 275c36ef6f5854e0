from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dolbom.areas.models import BoundaryArea, Dong


class TargetGroup(models.TextChoices):
    OLDER = "older", _("Older person")
    SEVERE_DISABILITY = "severe_disability", _("Person with a severe disability")
    MENTAL_ILLNESS = "mental_illness", _("Person with mental illness")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Household(models.Model):
    number = models.CharField(_("household number"), max_length=20, unique=True)
    road_address = models.CharField(_("road-name address"), max_length=200)
    address_detail = models.CharField(_("address detail"), max_length=100, blank=True)
    area = models.ForeignKey(BoundaryArea, on_delete=models.PROTECT, related_name="+")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="households", verbose_name=_("dong"))
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    size = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")

    def __str__(self) -> str:
        return self.number


class Resident(models.Model):
    name = models.CharField(_("name"), max_length=50, db_index=True)
    name_initials = models.CharField(max_length=50, db_index=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # PIPA §24-2: RRNs are stored only encrypted. rrn_index is an HMAC for exact-match lookup.
    rrn_encrypted = models.TextField()
    rrn_index = models.CharField(max_length=64, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    # Denormalised from the household so that scoping is one indexed column on every query.
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="residents", verbose_name=_("dong"))
    is_older = models.BooleanField(default=False)
    has_severe_disability = models.BooleanField(default=False)
    has_mental_illness = models.BooleanField(default=False)
    is_other_target = models.BooleanField(default=False)
    lives_alone = models.BooleanField(default=False)
    deceased_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resident")
        indexes = [models.Index(fields=["dong", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def rrn_masked(self) -> str:
        from dolbom.lib.rrn import mask

        return mask(self.birth_date.strftime("%y%m%d") + _sex_digit(self.birth_date, self.sex))

    def rrn_plain(self) -> str:
        """Decrypts. Callers must have checked the viewer's right and logged the reveal."""
        from dolbom.lib.rrn import decrypt

        return decrypt(self.rrn_encrypted, settings.RRN_KEYS)  # any key of the ring: rotations

    @property
    def target_groups(self) -> list[str]:
        groups = []
        if self.is_older:
            groups.append(TargetGroup.OLDER)
        if self.has_severe_disability:
            groups.append(TargetGroup.SEVERE_DISABILITY)
        if self.has_mental_illness:
            groups.append(TargetGroup.MENTAL_ILLNESS)
        if self.is_other_target:
            groups.append(TargetGroup.OTHER)
        return groups

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def _sex_digit(birth: dt.date, sex: str) -> str:
    if birth.year >= 2000:
        return "3" if sex == Sex.MALE else "4"
    return "1" if sex == Sex.MALE else "2"


# Who a consent is given to unless the officer names another recipient: the city's integrated-care service.
# Case applications and discharge notices record their consent to this recipient too.
CITY_RECIPIENT = "전주시 (통합돌봄)"


class ConsentPurpose(models.TextChoices):
    CASE_MANAGEMENT = "case_management", _("Integrated care case management")
    INFORMATION_SHARING = "information_sharing", _("Sharing information with a partner institution")
    APPLICATION_BY_INSTITUTION = "application_by_institution", _("Application by a related institution")
    EX_OFFICIO = "ex_officio", _("Ex officio application")


class Consent(models.Model):
    """A consent record. Withdrawal keeps the row (the past grant is evidence); it just ends it."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=40, choices=ConsentPurpose.choices)
    recipient = models.CharField(_("recipient"), max_length=100)
    # For consent to share with a partner institution: its stable code (referrals.Institution.code), so
    # that access checks do not depend on how a name was typed.
    recipient_code = models.CharField(_("recipient code"), max_length=40, blank=True, db_index=True)
    given_at = models.DateTimeField(_("given at"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=30, default="written")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def is_active_on(self, moment: dt.datetime) -> bool:
        if self.withdrawn_at is not None and self.withdrawn_at <= moment:
            return False
        if self.expires_on is not None and moment.date() > self.expires_on:
            return False
        return self.given_at <= moment


class ChangeKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DETAILS = "details", _("Contact and target groups changed")
    ADDRESS = "address", _("Address changed")


class RegistryChange(models.Model):
    """What a resident's or household's details were before each change, and who changed them why.

    The registry keeps current values on Resident and Household; this is their history (a moved household
    keeps its old address and dong here, a changed phone its old number), never edited afterwards."""

    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="changes")
    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    changes = models.JSONField(default=dict)  # field -> [old, new], as shown (dong names, not ids)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("registry change")
