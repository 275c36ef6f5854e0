"""What reports stores: the monthly facts every indicator computed, and the figures published from them.

``Fact`` is the reports table of the issue: month × dong × dimensions, raw (a count of 2 is stored as 2),
written only by the refresh and read only by it. ``Cell`` is what may be shown: months, quarters and years,
per dong, for the city, for a merged dong's comparable series, cut by one dimension, with the small-cell
decision already taken (reports/suppression.py); a hidden cell keeps no number at all, so no page, API
answer or export can show one by mistake. The annual plan and its versions live here too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Fact(models.Model):
    indicator = models.CharField(max_length=80)
    month = models.DateField()
    # The dong valid at the month's end (an ended dong's rows carried to its successor); null: not in a dong.
    dong = models.ForeignKey("areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    age_band = models.CharField(max_length=8, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    target_group = models.CharField(max_length=20, blank=True)
    numerator = models.FloatField()
    denominator = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["indicator", "month"])]


class PeriodKind(models.TextChoices):
    MONTH = "M", _("Month")
    QUARTER = "Q", _("Quarter")
    YEAR = "Y", _("Year")


class Area(models.TextChoices):
    CITY = "city", _("Whole city")
    DONG = "dong", _("Dong")
    # A dong before it existed, as the sum of the dongs it was made from (금암동 before 2025-03-10), so that a
    # series across the merger compares like with like.
    SERIES = "series", _("Dong (comparable series)")
    NONE = "none", _("Not in a dong")


class Cell(models.Model):
    indicator = models.CharField(max_length=80)
    period = models.CharField(max_length=7)  # "2025-03", "2025-Q1", "2025"
    kind = models.CharField(max_length=1, choices=PeriodKind.choices)
    start = models.DateField()
    area = models.CharField(max_length=8, choices=Area.choices)
    dong = models.ForeignKey("areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dim = models.CharField(max_length=16, blank=True)  # "", "age_band", "sex", "target_group"
    value = models.CharField(max_length=20, blank=True)  # the dimension's value ("85+", "F", "older")
    hidden = models.BooleanField(default=False)
    # Null when hidden: a suppressed figure is never stored where a page could read it.
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["indicator", "kind", "area", "dim", "start"]),
                   models.Index(fields=["period", "area", "dim"]),
                   # The latest month published (every page's default month).
                   models.Index(fields=["kind", "start"])]


class Publication(models.Model):
    """What one indicator's cells of one year were published from: a digest of its facts, the months and
    everything else the cells depend on (reports/refresh.py). The incremental refresh leaves a year whose
    digest has not changed as it is, instead of rebuilding and suppressing its cells again."""

    indicator = models.CharField(max_length=80)
    year = models.PositiveSmallIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="reports_publication_once")]


class Refresh(models.Model):
    """One run of the refresh: what it covered and how long it took (the dashboards say how fresh they are)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=False)
    first_month = models.DateField()
    last_month = models.DateField()
    indicators = models.PositiveIntegerField(default=0)
    facts = models.PositiveIntegerField(default=0)
    cells = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed off")


class AnnualPlan(models.Model):
    """The local integrated-care plan of a year and the results report of the year before (돌봄통합지원법)."""

    year = models.PositiveSmallIntegerField(unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-year"]
        permissions = [("sign_annual_plan", "Can sign off the annual integrated-care plan (team lead)")]

    def __str__(self) -> str:
        return f"{self.year}"


class PlanVersion(models.Model):
    """One saved state of a plan. Never edited: a change is a new version, a signed version is final."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    narrative = models.JSONField(default=dict)  # section key -> text
    targets = models.JSONField(default=list)  # [{"indicator": key, "target": number, "note": text}]
    figures = models.JSONField(default=dict)  # the published figures the version was written on
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="reports_plan_version_unique")]

    @property
    def is_signed(self) -> bool:
        return self.status == PlanStatus.SIGNED
