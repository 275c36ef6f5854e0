"""Partner institutions, their services (classified by the national resource categories) and referrals."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dolbom.referrals.categories import category_label


class InstitutionKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    CLINIC = "clinic", _("Clinic")
    PUBLIC_HEALTH_CENTRE = "public_health_centre", _("Public health centre")
    HOME_CARE_AGENCY = "home_care_agency", _("Home-care agency")
    HOME_NURSING_AGENCY = "home_nursing_agency", _("Home-nursing agency")
    WELFARE_CENTRE = "welfare_centre", _("Welfare centre")
    SENIOR_WELFARE_CENTRE = "senior_welfare_centre", _("Senior welfare centre")
    HOUSING_REPAIR = "housing_repair", _("Housing-repair group")
    MEAL_DELIVERY = "meal_delivery", _("Meal-delivery group")
    LONG_TERM_CARE_FACILITY = "long_term_care_facility", _("Long-term-care facility")
    DISABILITY_RESIDENCE = "disability_residence", _("Disability residence")
    MENTAL_HEALTH_CENTRE = "mental_health_centre", _("Mental health welfare centre")
    KOREAN_MEDICINE = "korean_medicine", _("Korean medicine clinic")
    OTHER = "other", _("Other")


# The Act lets these send a discharge notice for a person going home.
DISCHARGE_KINDS = frozenset({InstitutionKind.HOSPITAL, InstitutionKind.LONG_TERM_CARE_FACILITY,
                             InstitutionKind.DISABILITY_RESIDENCE})


class Institution(models.Model):
    # The stable code scopes partner workers (StaffProfile.institution_code) and consents to share
    # (Consent.recipient_code); names change and are typed differently, codes do not.
    code = models.CharField(_("institution code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=InstitutionKind.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    dongs = models.ManyToManyField("areas.Dong", blank=True, related_name="+", verbose_name=_("dongs served"))
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner institution")

    def __str__(self) -> str:
        return self.name

    @property
    def sends_discharge_notices(self) -> bool:
        return self.kind in DISCHARGE_KINDS


class Service(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="services")
    # The national resource file's own id; imports update by it, so a second import changes nothing.
    code = models.CharField(_("service code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category_code = models.CharField(_("resource category"), max_length=5, db_index=True)
    eligibility = models.TextField(_("eligibility notes"), blank=True)
    dongs = models.ManyToManyField("areas.Dong", blank=True, related_name="+", verbose_name=_("dongs served"))
    citywide = models.BooleanField(_("whole city"), default=False)
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    waiting = models.PositiveIntegerField(_("waiting list"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category_code", "name"]
        verbose_name = _("service")

    def __str__(self) -> str:
        return f"{self.name} ({self.institution.name})"

    @property
    def category_label(self) -> str:
        return category_label(self.category_code)


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    STARTED = "started", _("In service")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended")


# While a referral is in one of these, the institution may see the client (with consent).
ACTIVE_STATUSES = (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.STARTED)


class EndReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    CASE_CLOSED = "case_closed", _("Case closed")
    CANCELLED = "cancelled", _("Cancelled by the case manager")


class Referral(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    # Denormalised from the service: partner scoping is one indexed column.
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="referrals")
    plan_line = models.ForeignKey("cases.SupportPlanLine", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="referrals")
    consent = models.ForeignKey("registry.Consent", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices,
                              default=ReferralStatus.REQUESTED, db_index=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateField(_("respond by"))
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("decline reason"), blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=30, choices=EndReason.choices, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        indexes = [models.Index(fields=["institution", "status"]), models.Index(fields=["status", "respond_by"])]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.service.name}"

    def is_overdue_on(self, day: dt.date) -> bool:
        return self.status == ReferralStatus.REQUESTED and self.respond_by < day

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ActivityKind(models.TextChoices):
    DELIVERY = "delivery", _("Delivery or visit")
    CHANGE = "change", _("Change reported")


class ReferralActivity(models.Model):
    """A delivery or visit, or a change the provider reports (the Act makes providers report changes)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "pk"]


class DischargeNotice(models.Model):
    """A hospital, long-term-care facility or disability residence telling the city that a person goes home."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="discharge_notices")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    discharge_on = models.DateField(_("discharge date"))
    consent_given = models.BooleanField(_("the person consented to the notice"))
    note = models.TextField(_("notes"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    matched_existing = models.BooleanField(default=False)
