from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitType(models.TextChoices):
    HOME_NURSING = "home_nursing", _("Home nursing")
    HOME_MEDICAL = "home_medical", _("Home medical visit")
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    DISCOVERY = "discovery", _("Discovery visit")
    CARE_CHECK = "care_check", _("Care check visit")


class Skill(models.TextChoices):
    NURSE = "nurse", _("Nurse")
    CASE_MANAGER = "case_manager", _("Case manager")
    SOCIAL_WORKER = "social_worker", _("Social worker")


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


class VisitStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    NOT_HOME = "not_home", _("Not at home")
    RESCHEDULED = "rescheduled", _("Rescheduled")


class Worker(models.Model):
    """A staff member who makes home visits: skill, shift and the dong office a day starts and ends at."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_worker")
    skill = models.CharField(_("skill"), max_length=20, choices=Skill.choices)
    base_dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("dong office"))
    shift_start = models.TimeField(_("shift start"), default="09:00")
    shift_end = models.TimeField(_("shift end"), default="18:00")
    break_start = models.TimeField(_("break start"), null=True, blank=True, default="12:00")
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=60)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        staff = getattr(self.user, "staff", None)
        return staff.display_name if staff else self.user.get_username()


class VisitRecurrence(models.Model):
    """A repeating visit from a support plan line (e.g. home nursing twice a week)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="visit_recurrences")
    plan_line = models.ForeignKey("cases.SupportPlanLine", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    visit_type = models.CharField(_("visit type"), max_length=20, choices=VisitType.choices)
    skill = models.CharField(_("skill"), max_length=20, choices=Skill.choices)
    weekdays = models.CharField(_("weekdays"), max_length=20, help_text="0=Mon … 6=Sun, comma-separated")
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    window_start = models.TimeField(_("available from"))
    window_end = models.TimeField(_("available until"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def weekday_list(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d.strip()]


class Visit(models.Model):
    """One planned home visit: a work item on a case (or on a visit-list household)."""

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="visits")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="visits")
    visit_type = models.CharField(_("visit type"), max_length=20, choices=VisitType.choices)
    skill = models.CharField(_("skill"), max_length=20, choices=Skill.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    window_start = models.TimeField(_("available from"))
    window_end = models.TimeField(_("available until"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.OPEN,
                              db_index=True)
    recurrence = models.ForeignKey(VisitRecurrence, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="visits")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Filled by the morning plan.
    planned_on = models.DateField(null=True, blank=True, db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="assigned_visits")
    planned_start = models.TimeField(null=True, blank=True)
    planned_order = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    outcome_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "priority", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recurrence", "due_on"], name="visit_recurrence_day_unique"),
        ]


class DayPlan(models.Model):
    """One run of the morning plan for a date, by a team leader, with what could not fit and why."""

    date = models.DateField(db_index=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    time_limit = models.FloatField()
    seconds = models.FloatField()
    unassigned = models.JSONField(default=dict)  # visit id -> reason code
    travel_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]


class DayRoute(models.Model):
    plan = models.ForeignKey(DayPlan, on_delete=models.CASCADE, related_name="routes")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    depart = models.TimeField(null=True, blank=True)
    back = models.TimeField(null=True, blank=True)
    break_at = models.TimeField(null=True, blank=True)
    travel_seconds = models.PositiveIntegerField(default=0)
    visit_ids = models.JSONField(default=list)  # in visit order

    class Meta:
        ordering = ["plan", "worker"]
