"""Check-in calls (AI 안부전화): enrolment, scheduled calls and their turns, memory slots, alerts.

A *call* is one scheduled check-in; the tries of the telephone (no answer, retry) are counted on it, so
that the response rate counts each scheduled check-in once however many times the phone rang.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    TWICE_WEEKLY = "twice_weekly", _("Twice a week")
    TWICE_MONTHLY = "twice_monthly", _("Twice a month")


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Calls active")
    PAUSED = "paused", _("Calls paused")
    STOPPED = "stopped", _("Calls stopped")


class Topic(models.TextChoices):
    HEALTH = "health", _("Health")
    MEALS = "meals", _("Meals")
    SLEEP = "sleep", _("Sleep")
    ACTIVITY = "activity", _("Exercise and going out")
    MOOD = "mood", _("Mood")
    DAILY = "daily", _("Daily life")


class Enrolment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="checkin_enrolments")
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices, db_index=True)
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(_("day"))  # 0 = Monday
    second_weekday = models.PositiveSmallIntegerField(_("second day"), null=True, blank=True)
    window_start = models.TimeField(_("from"))
    window_end = models.TimeField(_("until"))
    preferred_name = models.CharField(_("preferred name"), max_length=30)
    honorific = models.CharField(_("honorific"), max_length=20, default="어르신")
    topics = models.JSONField(_("topics to ask about"), default=list)
    opted_out = models.JSONField(_("topics opted out"), default=list)
    note = models.CharField(_("note for the caller"), max_length=200, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    missed_in_row = models.PositiveSmallIntegerField(default=0)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live enrolment per case: two would ring the same person twice.
            models.UniqueConstraint(fields=["case"], condition=~models.Q(status="stopped"),
                                    name="checkin_one_live_enrolment_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.preferred_name} {self.honorific}"

    @property
    def address(self) -> str:
        return f"{self.preferred_name} {self.honorific}".strip()


class CampaignKind(models.TextChoices):
    HEAT_WAVE = "heat_wave", _("Heat-wave check")
    COLD_WAVE = "cold_wave", _("Cold-wave check")
    DISASTER = "disaster", _("Disaster check")
    NOTICE = "notice", _("Notice")


class Campaign(models.Model):
    """A purpose call by the city to a group (all enrolled clients, or those of one dong)."""

    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    title = models.CharField(_("title"), max_length=100)
    message = models.TextField(_("what the caller says"), blank=True)
    dong = models.ForeignKey("areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("dong"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class CallKind(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    PURPOSE = "purpose", _("Purpose call")


class CallStatus(models.TextChoices):
    DUE = "due", _("Due")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Call completed")
    RESCHEDULED = "rescheduled", _("Call later")
    MISSED = "missed", _("No answer")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    WEB_CHAT = "web_chat", _("Chat page")
    TEXT_API = "text_api", _("Gateway (text)")
    VOICE = "voice", _("Voice gateway")


class Call(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="calls")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=CallKind.choices, default=CallKind.ROUTINE)
    status = models.CharField(_("status"), max_length=15, choices=CallStatus.choices, db_index=True)
    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices, blank=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    state = models.JSONField(default=dict)  # the dialogue engine's state between turns
    summary = models.TextField(_("summary"), blank=True)
    signals = models.JSONField(default=dict)  # kind -> "low" | "medium" | "high"
    evidence = models.JSONField(default=dict)  # kind -> [words]
    needs_followup = models.BooleanField(default=False)
    safety = models.BooleanField(default=False)
    reported_at = models.DateTimeField(null=True, blank=True)  # results written to the case and alerts
    rescheduled_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="rescheduled_from")
    llm_used = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        indexes = [models.Index(fields=["dong", "due_at"]), models.Index(fields=["enrolment", "due_at"])]


class TurnRole(models.TextChoices):
    # The batch format of issue 5: "system" is the caller, "user" the client.
    CALLER = "system", _("Caller")
    CLIENT = "user", _("Client")


class Turn(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="turns")
    seq = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=10, choices=TurnRole.choices)
    text = models.TextField(blank=True)
    step = models.CharField(max_length=30, blank=True)
    signals = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ["call", "seq"]
        constraints = [models.UniqueConstraint(fields=["call", "seq"], name="checkin_turn_seq_unique")]


class Slot(models.TextChoices):
    HEALTH = "health", _("Health")
    MEALS = "meals", _("Meals")
    SLEEP = "sleep", _("Sleep")
    PLACES = "places", _("Places visited")
    PETS = "pets", _("Pets")
    FAMILY = "family", _("Family")


class MemorySlot(models.Model):
    """What the caller remembers about a client between calls; the case manager may correct it."""

    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    slot = models.CharField(max_length=10, choices=Slot.choices)
    value = models.CharField(_("what we know"), max_length=300, blank=True)
    # Ask about it next time ("지난주에 무릎이 아프다고 하셨는데 …"): the phrase to quote, empty for none.
    follow_up = models.CharField(max_length=120, blank=True)
    cue = models.CharField(max_length=30, blank=True)  # a word the caller may use: a pet's name, a place
    source_call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["resident", "slot"]
        constraints = [models.UniqueConstraint(fields=["resident", "slot"], name="checkin_memory_slot_unique")]


class MemoryChange(models.Model):
    """Every change of a slot, by a call (actor empty) or by a correcting case manager (with a reason)."""

    memory = models.ForeignKey(MemorySlot, on_delete=models.CASCADE, related_name="changes")
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACTED = "acted", _("Acted on")
    CLOSED = "closed", _("Alert closed")


class AlertKind(models.TextChoices):
    HEALTH = "health", _("Health")
    SLEEP = "sleep", _("Sleep")
    MEALS = "meals", _("Meals")
    MOOD = "mood", _("Mood")
    SELF_HARM = "self_harm", _("Self-harm")
    EMERGENCY = "emergency", _("Emergency")
    DAILY_LIVING = "daily_living", _("Daily living")
    MISSED_CALLS = "missed_calls", _("Missed calls in a row")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("Case manager")
    DONG = 1, _("Dong welfare officer")
    CITY = 2, _("City integrated-care team")


class Alert(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="checkin_alerts")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+")
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, db_index=True)
    excerpt = models.TextField(_("call excerpt"), blank=True)
    status = models.CharField(_("status"), max_length=15, choices=AlertStatus.choices, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    acted_at = models.DateTimeField(null=True, blank=True)
    action_note = models.TextField(_("action taken"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    close_note = models.TextField(_("closing note"), blank=True)
    escalation = models.PositiveSmallIntegerField(choices=EscalationLevel.choices, default=EscalationLevel.NONE)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["dong", "status"])]


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("To call back")
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")


class CallbackTask(models.Model):
    """A person from the dong team calls back a client the caller could not reach."""

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="callback")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=15, choices=CallbackStatus.choices, db_index=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class CheckinSettings(models.Model):
    """One row: what the city sets for check-in calls."""

    max_attempts = models.PositiveSmallIntegerField(_("tries before a call-back"), default=3)
    retry_minutes = models.PositiveSmallIntegerField(_("minutes between tries"), default=20)
    escalate_after_minutes = models.PositiveSmallIntegerField(
        _("minutes before an unacknowledged high alert escalates"), default=30)
    missed_in_row_alert = models.PositiveSmallIntegerField(_("missed calls in a row that raise an alert"), default=2)
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def current(cls) -> CheckinSettings:
        return cls.objects.order_by("pk").first() or cls()
