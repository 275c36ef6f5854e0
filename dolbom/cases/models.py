"""The legal case workflow of the Integrated Care Support Act (in force 2026-03-27).

Act §11–§16, Decree §9–§14 and Rule 별지 서식: application (or discovery), needs survey, eligibility
decision (종합판정), support plan, optional integrated support meeting, services with follow-up,
reassessment on change, closure with a legal reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    DISCOVERED = "discovered", _("Discovered")
    APPLIED = "applied", _("Applied")
    SURVEYED = "surveyed", _("Surveyed")
    DECIDED = "decided", _("Eligibility decided")
    IN_SERVICE = "in_service", _("Services and follow-up")
    REASSESSMENT = "reassessment", _("Reassessment")
    CLOSED = "closed", _("Closed")


class CaseOrigin(models.TextChoices):
    APPLICATION = "application", _("Application")
    CRISIS_DISCOVERY = "crisis_discovery", _("Crisis discovery")
    COMMUNITY_REFERRAL = "community_referral", _("Community referral")
    HOSPITAL_DISCHARGE = "hospital_discharge", _("Hospital discharge notice")


class ApplicantType(models.TextChoices):
    SELF = "self", _("The person")
    RELATIVE = "relative", _("A relative")
    GUARDIAN = "guardian", _("A guardian")
    INSTITUTION_STAFF = "institution_staff", _("Staff of a related institution")
    EX_OFFICIO = "ex_officio", _("Ex officio")


class ExOfficioReason(models.TextChoices):
    """The six grounds on which the head of a city may apply on a person's behalf."""

    LTC_DENIED = "ltc_denied", _("Long-term-care application denied")
    ACTIVITY_SUPPORT_DENIED = "activity_support_denied", _("Activity-support application denied")
    HOSPITAL_DISCHARGE = "hospital_discharge", _("Just discharged from hospital")
    EMERGENCY_WELFARE = "emergency_welfare", _("Emergency-welfare crisis that cannot wait")
    DISASTER = "disaster", _("Disaster emergency care")
    CANNOT_LIVE_ALONE = "cannot_live_alone", _("Cannot live alone and family care is markedly difficult")


class ClosureReason(models.TextChoices):
    DEATH = "death", _("Death")
    ADMITTED = "admitted", _("Admitted to a hospital or facility; support no longer needed")
    NO_LONGER_NEEDED = "no_longer_needed", _("Complex support no longer needed")
    REFUSAL = "refusal", _("Explicit refusal by the person")
    OTHER_MINISTRY = "other_ministry", _("Other reason recognised by the Minister")


class NeedLevel(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=40, unique=True)
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="cases")
    # The dong at opening is kept even if the dong later merges: statistics and history stay true.
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="cases", verbose_name=_("dong"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_cases", verbose_name=_("case manager"),
    )
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, db_index=True)
    origin = models.CharField(_("origin"), max_length=30, choices=CaseOrigin.choices)
    origin_note = models.CharField(_("origin note"), max_length=300, blank=True)
    # Application (Act §11; Rule 별지 제1호)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applicant_type = models.CharField(_("applicant type"), max_length=30, choices=ApplicantType.choices, blank=True)
    applicant_name = models.CharField(_("applicant name"), max_length=50, blank=True)
    applicant_relation = models.CharField(_("relation to the person"), max_length=50, blank=True)
    ex_officio_reason = models.CharField(_("ex officio reason"), max_length=30, choices=ExOfficioReason.choices, blank=True)
    explained_at = models.DateTimeField(_("explanation given at"), null=True, blank=True)
    consent = models.ForeignKey(
        "registry.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent"),
    )
    # Integrated support meeting: optional, never a gate.
    meeting_requested = models.BooleanField(_("marked for an integrated support meeting"), default=False)
    meeting_outcome = models.TextField(_("meeting outcome"), blank=True)
    # Follow-up
    first_plan_on = models.DateField(null=True, blank=True)
    next_follow_up_due = models.DateField(_("next follow-up due"), null=True, blank=True, db_index=True)
    # Closure
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=30, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        indexes = [models.Index(fields=["dong", "status"]), models.Index(fields=["manager", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class NeedsSurvey(models.Model):
    """Needs survey (Decree §10): five legal items. A new survey never overwrites an old one."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="surveys")
    sequence = models.PositiveSmallIntegerField()
    surveyed_on = models.DateField(_("surveyed on"))
    surveyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # 1. identity, household and living environment
    household_environment = models.JSONField(default=dict)
    # 2. benefits already received
    benefits_received = models.JSONField(default=list)
    # 3. daily-living and social functioning, physical and mental health
    adl = models.JSONField(default=dict)   # item -> score 1 (independent) … 3 (fully dependent)
    iadl = models.JSONField(default=dict)  # item -> score 1 … 3
    adl_total = models.PositiveSmallIntegerField()
    iadl_total = models.PositiveSmallIntegerField()
    health = models.JSONField(default=dict)  # physical and mental health notes, diagnoses
    # 4. needs
    needs = models.JSONField(default=list)
    # 5. other
    other = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="survey_sequence_unique")]


class EligibilityDecision(models.Model):
    """종합판정 (Decree §11): five factors, a medical-need and a care-need level, the explanation."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    sequence = models.PositiveSmallIntegerField()
    survey = models.ForeignKey(NeedsSurvey, on_delete=models.PROTECT, related_name="decisions")
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    physical_function = models.TextField(_("physical function and ADL"))
    medical_need = models.TextField(_("medical need"))
    nutrition = models.TextField(_("nutrition"))
    housing = models.TextField(_("housing"))
    other_factors = models.TextField(_("other"), blank=True)
    medical_need_level = models.CharField(_("medical-need level"), max_length=10, choices=NeedLevel.choices)
    care_need_level = models.CharField(_("care-need level"), max_length=10, choices=NeedLevel.choices)
    explanation = models.TextField(_("explanation given to the person"))
    explained_at = models.DateTimeField(_("explained at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="decision_sequence_unique")]


class SupportPlan(models.Model):
    """개인별 지원계획 (Rule 별지 제2호). Versioned: a change makes a new version, never an edit."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveSmallIntegerField()
    decision = models.ForeignKey(EligibilityDecision, on_delete=models.PROTECT, related_name="plans")
    goals = models.TextField(_("goals"))
    provider_linkage = models.TextField(_("how providers link up"), blank=True)
    client_opinion = models.TextField(_("the person's opinion"), blank=True)
    family_opinion = models.TextField(_("the family's opinion"), blank=True)
    starts_on = models.DateField(_("starts on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="plan_version_unique")]


class ServiceDomain(models.TextChoices):
    MEDICAL = "medical", _("Health and medical care")
    CARE = "care", _("Long-term care")
    DAILY_LIVING = "daily_living", _("Daily-living support")
    HOUSING = "housing", _("Housing")
    OTHER = "other", _("Other")


class SupportPlanLine(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    domain = models.CharField(_("domain"), max_length=20, choices=ServiceDomain.choices)
    content = models.CharField(_("content"), max_length=200)
    method = models.CharField(_("method"), max_length=100)
    quantity = models.CharField(_("quantity"), max_length=100)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    provider = models.CharField(_("provider"), max_length=100)  # free text until the service catalogue

    class Meta:
        ordering = ["plan", "position"]


class FollowUpOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue the plan")
    CHANGE = "change", _("Change needed: reassessment")


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=FollowUpOutcome.choices)
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-done_on"]


class CitySettings(models.Model):
    """One row: the intervals the city sets. The law fixes the bounds (see cases/rules.py)."""

    first_follow_up_days = models.PositiveSmallIntegerField(default=90)
    follow_up_interval_days = models.PositiveSmallIntegerField(default=90)
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def current(cls) -> CitySettings:
        return cls.objects.order_by("pk").first() or cls()


class CaseEventType(models.TextChoices):
    DISCOVERED = "discovered", _("Discovered")
    APPLICATION_RECORDED = "application_recorded", _("Application recorded")
    MANAGER_ASSIGNED = "manager_assigned", _("Case manager assigned")
    SURVEY_RECORDED = "survey_recorded", _("Needs survey recorded")
    DECISION_RECORDED = "decision_recorded", _("Eligibility decision recorded")
    PLAN_CREATED = "plan_created", _("Support plan created")
    MEETING_REQUESTED = "meeting_requested", _("Marked for integrated support meeting")
    MEETING_OUTCOME_NOTED = "meeting_outcome_noted", _("Meeting outcome noted")
    FOLLOW_UP_RECORDED = "follow_up_recorded", _("Follow-up recorded")
    REASSESSMENT_STARTED = "reassessment_started", _("Reassessment started")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    # Referrals to partner institutions (issue 3): each status change the provider reports.
    REFERRAL_CREATED = "referral_created", _("Referred to a service")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referral_declined", _("Referral declined")
    REFERRAL_STARTED = "referral_started", _("Service started")
    REFERRAL_DELIVERY = "referral_delivery", _("Service delivered")
    REFERRAL_CHANGED = "referral_changed", _("Service change reported")
    REFERRAL_COMPLETED = "referral_completed", _("Service completed")
    REFERRAL_ENDED = "referral_ended", _("Referral ended")
    MEETING_AGENDA_ADDED = "meeting_agenda_added", _("Put on a meeting agenda")
    MEETING_DECISION = "meeting_decision", _("Integrated support meeting decision")
    # Home visits (issue 4)
    VISIT_DONE = "visit_done", _("Visit done")
    VISIT_NOT_HOME = "visit_not_home", _("Visit: not at home")
    VISIT_RESCHEDULED = "visit_rescheduled", _("Visit rescheduled")
    # Check-in calls (issue 5)
    CHECKIN_ENROLLED = "checkin_enrolled", _("Enrolled in check-in calls")
    CHECKIN_CHANGED = "checkin_changed", _("Check-in calls paused, resumed or stopped")
    CHECKIN_CALL = "checkin_call", _("Check-in call")
    CHECKIN_ALERT = "checkin_alert", _("Check-in alert")
    CHECKIN_ALERT_CLOSED = "checkin_alert_closed", _("Check-in alert closed")
    # Crisis discovery (issue 6)
    DISCOVERY_SIGNALS = "discovery_signals", _("New crisis-discovery signals")
    DISCOVERY_OUTCOME = "discovery_outcome", _("Discovery visit outcome")


# The timeline's event types. The first domains' types above stay in CaseEventType (their stored values
# are history); a newer domain app declares its own TextChoices in its events.py and registers it from
# its AppConfig.ready(), so that cases never has to change for it (docs/ARCHITECTURE.md, "Events").
_EVENT_TYPE_LABELS: dict[str, object] = {t.value: t.label for t in CaseEventType}


def event_types_register(choices: type[models.TextChoices]) -> None:
    """Add a domain's timeline event types (values must be unique across apps, 40 characters at most)."""
    for value, label in choices.choices:
        if len(value) > 40:
            raise ValueError(f"timeline event type {value!r} is longer than 40 characters")
        known = _EVENT_TYPE_LABELS.get(value)
        if known is not None and str(known) != str(label):
            raise ValueError(f"timeline event type {value!r} is already registered as {known!r}")
        _EVENT_TYPE_LABELS[value] = label


def event_type_known(value: str) -> bool:
    return value in _EVENT_TYPE_LABELS


def event_type_label(value: str) -> str:
    return str(_EVENT_TYPE_LABELS.get(value, value))


class CaseEvent(models.Model):
    """The case timeline. Written only by cases/events.py, in the same transaction as the change."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    # No fixed choices: the known types are CaseEventType plus those registered by the domain apps.
    type = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    old = models.JSONField(default=dict)
    new = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    @property
    def type_label(self) -> str:
        return event_type_label(self.type)
