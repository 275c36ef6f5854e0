"""Crisis discovery (복지사각지대 발굴): cycles, imported source files, model versions, visit lists, outcomes.

Indicator values themselves are not rows here. Each imported file is validated by the engine and stored
once as a Parquet file under the data directory, named by the SHA-256 of the file as received; the
``SourceImport`` row is the commit point that makes it part of a cycle. Scoring reads those files
column-wise (Polars), which a table of tens of millions of indicator rows would only slow down, and
re-importing the same file is a unique-key no-op.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NATIONAL_SUPPORT_RATE_2024 = 0.584  # 보건복지부, 2024 복지사각지대 발굴 결과: supported ÷ listed
DEFAULT_HOUSEHOLDS_PER_WORKER = 550  # Jeonju 2023: the load that overwhelmed dong officials


class CycleKind(models.TextChoices):
    NATIONAL = "national", _("National list")
    CITY = "city", _("City's own cycle")


class DiscoverySettings(models.Model):
    """One row: the city's limits for crisis discovery."""

    households_per_worker_limit = models.PositiveIntegerField(
        _("households per worker per cycle (warning above)"), default=DEFAULT_HOUSEHOLDS_PER_WORKER)
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def current(cls) -> DiscoverySettings:
        return cls.objects.order_by("pk").first() or cls()


class ModelVersion(models.Model):
    """Every trained model is kept with its artefact and metrics, so every score traces to its model."""

    version = models.CharField(_("model version"), max_length=80, unique=True)
    artefact = models.BinaryField()
    feature_names = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    quality = models.JSONField(default=dict)  # the engine's quality report, as written to the file
    quality_file = models.CharField(max_length=300, blank=True)  # relative to DATA_DIR
    label_source = models.CharField(_("labels"), max_length=200)
    training_rows = models.PositiveIntegerField(default=0)
    seed = models.IntegerField(default=0)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    trained_at = models.DateTimeField(_("trained at"))

    class Meta:
        ordering = ["-trained_at", "-pk"]
        verbose_name = _("model version")

    def __str__(self) -> str:
        return self.version


class Cycle(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CycleKind.choices)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("visits due on"))
    households_per_worker_limit = models.PositiveIntegerField(
        _("households per worker (warning above)"), default=DEFAULT_HOUSEHOLDS_PER_WORKER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="cycles", verbose_name=_("model version"))

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("discovery cycle")

    def __str__(self) -> str:
        return self.name


class SourceImport(models.Model):
    """One source agency's file for a cycle, fully validated before this row exists."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="imports")
    source = models.CharField(_("source agency"), max_length=60)
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    catalogue_version = models.CharField(max_length=40, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    households = models.PositiveIntegerField(_("households"))
    stored_path = models.CharField(max_length=300)  # Parquet, relative to DATA_DIR
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["cycle", "imported_at", "pk"]
        # The same bytes under another agency's name are a different file (an empty file, say).
        constraints = [models.UniqueConstraint(fields=["cycle", "source", "sha256"], name="discovery_import_once")]


class EntrySource(models.TextChoices):
    MODEL = "model", _("Crisis indicators")
    NEIGHBOUR = "neighbour", _("Neighbour")
    POSTAL_WORKER = "postal_worker", _("Postal worker")
    LANDLORD = "landlord", _("Landlord")
    VOLUNTEER = "volunteer", _("Volunteer or honorary welfare official")
    OTHER = "other", _("Other reporter")


COMMUNITY_SOURCES = [s for s in EntrySource if s != EntrySource.MODEL]


class Outcome(models.TextChoices):
    SUPPORTED_PUBLIC = "supported_public", _("Supported by a public service")
    SUPPORTED_PRIVATE = "supported_private", _("Supported by a private resource")
    CLOSED_COUNSELLED = "closed_counselled", _("Closed after visit and counselling")
    NOT_TARGET = "not_target", _("Not a target after field check")
    REJECTED = "rejected", _("Rejected after applying")
    INVESTIGATING = "investigating", _("Still under investigation")
    NO_CONTACT = "no_contact", _("Cannot be located: no contact")
    EMPTY_HOUSE = "empty_house", _("Cannot be located: empty house")
    MOVED = "moved", _("Cannot be located: moved")
    LONG_HOSPITAL = "long_hospital", _("Cannot be located: long hospital stay")


SUPPORTED_OUTCOMES = frozenset({Outcome.SUPPORTED_PUBLIC, Outcome.SUPPORTED_PRIVATE})
# Labels for retraining: a person's field judgement. Open or unreachable outcomes say nothing either way.
NEGATIVE_OUTCOMES = frozenset({Outcome.CLOSED_COUNSELLED, Outcome.NOT_TARGET, Outcome.REJECTED})


class VisitListEntry(models.Model):
    """One household on a dong's visit list for a cycle: from the model's ranking or a community referral."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="entries")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+", verbose_name=_("dong"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("person"))
    source = models.CharField(_("source"), max_length=20, choices=EntrySource.choices)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    probability = models.FloatField(_("probability of needing support"), null=True, blank=True)
    reasons = models.JSONField(default=list)  # Korean, from the model's per-household contributions
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("model version"))
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    report_note = models.TextField(_("what was reported"), blank=True)
    listed_at = models.DateTimeField(_("listed at"))
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["cycle", "dong", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["cycle", "household"], name="discovery_entry_once")]
        indexes = [models.Index(fields=["cycle", "dong", "rank"])]


class Objection(models.Model):
    """PIPA §37-2: a resident refused decisions by automated processing. Honoured from ``at`` on."""

    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("objected at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
