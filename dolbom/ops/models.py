"""What running the service in production records: the scheduler's jobs, retention holds and destructions.

Jobs (``dolbom worker``, ops/worker.py): one row per registered job with its lock and its last run, shared
by every node through the database, and the history of runs. Retention (ops/retention.py): the holds that
keep a closed case past its legal period, the record of every destruction (파기 관리대장), and the counts that
the destroyed cases leave to statistics, with no person in them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    OK = "ok", _("Done")
    FAILED = "failed", _("Failed")


class JobState(models.Model):
    """One registered job (lib/jobs.py), shared by every node: its lock and its last run.

    On SQLite the lock is this row (``locked_by`` until ``locked_until``, renewed while the job runs); on
    PostgreSQL an advisory lock held by the running node's connection, and these columns only say who."""

    key = models.CharField(max_length=100, primary_key=True)
    locked_by = models.CharField(max_length=200, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration = models.FloatField(null=True, blank=True)  # seconds
    last_outcome = models.CharField(max_length=10, choices=JobOutcome.choices, blank=True)
    last_report = models.TextField(blank=True)
    last_node = models.CharField(max_length=200, blank=True)
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["key"]


class JobRun(models.Model):
    """Each run of a job, for the operator: when, where, how long, how it ended (pruned after 90 days)."""

    key = models.CharField(max_length=100)
    node = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=JobOutcome.choices)
    report = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["key", "started_at"]), models.Index(fields=["started_at"])]


class HoldBasis(models.TextChoices):
    LITIGATION = "litigation", _("Litigation or a dispute")
    OBJECTION = "objection", _("An objection or an appeal under way")
    INVESTIGATION = "investigation", _("An audit or an investigation")
    OTHER_LAW = "other_law", _("Another law requires keeping it")


class RetentionHold(models.Model):
    """A closed case kept past its retention period (개인정보 보호법 §21① proviso: another law or a dispute).

    Ends when released or on its ``until`` date; the purge skips a case while any hold on it is in force."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("basis"), max_length=20, choices=HoldBasis.choices)
    reason = models.CharField(_("reason"), max_length=300)
    until = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    release_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]


class DestructionKind(models.TextChoices):
    CASE = "case", _("Welfare case information")
    ACCESS_LOG = "access_log", _("Access log")


class Destruction(models.Model):
    """개인정보 파기 관리대장 (표준 개인정보 보호지침 §10; 개인정보 보호법 §21): what was destroyed, why, how, when,
    by whom. Names no person: a case by its number, the rows by table and count."""

    kind = models.CharField(max_length=20, choices=DestructionKind.choices)
    subject = models.CharField(max_length=200)  # the case number, or the access log's period
    closed_at = models.DateTimeField(null=True, blank=True)  # a case: when it was closed
    rows = models.JSONField(default=dict)  # table label -> rows deleted
    reason = models.CharField(max_length=300)  # the retention rule that ended
    basis = models.CharField(max_length=300)  # the law behind the rule
    method = models.CharField(max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")  # empty: the scheduled job
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]


class DestroyedCaseCount(models.Model):
    """What destroyed cases leave to statistics: counts by month of closure, dong, origin, closure reason,
    ten-year age band and sex, with no identifier (개인정보 보호법 §58-2: anonymous information). Published
    figures still go through the reports app's small-cell suppression."""

    closed_month = models.DateField()  # the first day of the month of closure
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(max_length=30)
    closure_reason = models.CharField(max_length=30)
    age_band = models.PositiveSmallIntegerField()  # 60: aged 60–69 at closure
    sex = models.CharField(max_length=1)
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["closed_month", "dong"]
        constraints = [models.UniqueConstraint(
            fields=["closed_month", "dong", "origin", "closure_reason", "age_band", "sex"],
            name="ops_destroyed_case_count_cell")]
