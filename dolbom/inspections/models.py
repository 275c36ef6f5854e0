"""Hygiene inspections of small welfare-facility kitchens (사회복지급식소 위생점검).

Since 2022-07-28 the Act on food-safety support for welfare facilities (노인·장애인 등 사회복지시설의
급식안전 지원에 관한 법률, §5: 사회복지급식관리지원센터) lets a city's meal-support centre visit the kitchens
of welfare facilities that serve fewer than 50 people a meal and have no dietitian. Those kitchens are not
집단급식소 under the Food Sanitation Act (식품위생법 §2 제12호, 시행령 §2: 1회 50명 이상), so the centre
checks them against the 집단급식소 standards as the yardstick; a facility that is a registered 집단급식소
is bound by them (``Facility.group_meal_service``), which decides whether a failed item is a legal
violation for the sanitation department.

Everything an inspector writes on the tablet carries a client-made UUID (``client_id``), so a sync that is
sent twice stores one row (services/sync.py).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FacilityKind(models.TextChoices):
    SENIOR_CENTRE = "senior_centre", _("Senior centre (경로당)")
    SENIOR_MEAL = "senior_meal", _("Free meal service for older people (경로식당)")
    DAY_CARE = "day_care", _("Day and night care centre")
    GROUP_HOME = "group_home", _("Care group home")
    DISABILITY_DAY = "disability_day", _("Day centre for disabled people")
    DISABILITY_HOME = "disability_home", _("Group home for disabled people")
    SHELTER = "shelter", _("Small residential facility")


class CareProgramme(models.TextChoices):
    """The care programmes whose clients eat in the kitchen: they decide who is affected by a finding."""

    FREE_LUNCH = "free_lunch", _("Free lunch for older people")
    MEAL_DELIVERY = "meal_delivery", _("Meal delivery at home")
    CUSTOMISED_CARE = "customised_care", _("Customised care for older people")
    DAY_CARE = "day_care", _("Day and night care")
    DISABILITY_SUPPORT = "disability_support", _("Activity support for disabled people")
    INTEGRATED_MEALS = "integrated_meals", _("Integrated-care meal support")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# Days between routine inspections by risk level: a high-risk kitchen every quarter, a medium one twice a
# year, a low one yearly (the summer special round comes on top for every kitchen).
RISK_INTERVAL_DAYS = {RiskLevel.HIGH: 90, RiskLevel.MEDIUM: 180, RiskLevel.LOW: 365}


class Facility(models.Model):
    """One welfare facility's kitchen."""

    code = models.CharField(_("facility code"), max_length=20, unique=True)
    name = models.CharField(_("facility name"), max_length=100)
    kind = models.CharField(_("facility type"), max_length=20, choices=FacilityKind.choices)
    operator = models.CharField(_("operator"), max_length=100)
    road_address = models.CharField(_("road-name address"), max_length=200)
    area = models.ForeignKey("areas.BoundaryArea", on_delete=models.PROTECT, related_name="+")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+", verbose_name=_("dong"))
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    diners_per_day = models.PositiveSmallIntegerField(_("diners per day"))
    # 집단급식소 신고 (식품위생법 §88①): only then do the Act's duties bind the kitchen.
    group_meal_service = models.BooleanField(_("registered group meal service"), default=False)
    has_dietitian = models.BooleanField(_("has a dietitian"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    programmes = models.JSONField(_("care programmes"), default=list)  # CareProgramme values
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices,
                                  default=RiskLevel.MEDIUM)
    synthetic = models.BooleanField(_("synthetic (demo) record"), default=False)
    active = models.BooleanField(default=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dong__name", "name", "pk"]
        verbose_name = _("facility")

    def __str__(self) -> str:
        return self.name

    @property
    def interval_days(self) -> int:
        return RISK_INTERVAL_DAYS[RiskLevel(self.risk_level)]

    def programme_labels(self) -> list[str]:
        labels = dict(CareProgramme.choices)
        return [str(labels.get(p, p)) for p in self.programmes]


class Inspector(models.Model):
    """A staff member of the meal-support centre who inspects kitchens; ``lead`` manages facilities,
    checklists, thresholds and rounds (the city's integrated-care team may do so too)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inspector")
    organisation = models.CharField(_("organisation"), max_length=100)
    lead = models.BooleanField(_("team lead"), default=False)
    # Where the day starts and ends (the centre); the route planner uses it.
    base_lon = models.FloatField()
    base_lat = models.FloatField()
    shift_start = models.TimeField(default=dt.time(9))
    shift_end = models.TimeField(default=dt.time(18))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        staff = getattr(self.user, "staff", None)
        return staff.display_name if staff else self.user.get_username()


class SanitationContact(models.Model):
    """The sanitation department a district's legal violations go to (구청 위생과), with the work mobile
    that receives the notice."""

    gu = models.CharField(_("district"), max_length=20, unique=True)
    department = models.CharField(_("department"), max_length=100)
    officer = models.CharField(_("officer"), max_length=50)
    phone = models.CharField(_("work mobile"), max_length=20)

    class Meta:
        ordering = ["gu"]

    def __str__(self) -> str:
        return f"{self.gu} {self.department}"


# Checklists -----------------------------------------------------------------------------------

class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class AnswerKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    MEASURED = "measured", _("Measured value")


class LimitOp(models.TextChoices):
    AT_MOST = "le", "≤"
    AT_LEAST = "ge", "≥"


class ChecklistTemplate(models.Model):
    """A version of the on-site checklist. Published versions never change: an inspection keeps the
    version it was answered on, so its score can be recomputed the same way years later."""

    code = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    current = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="inspections_template_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(current=True),
                                    name="inspections_template_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=40)  # stable across versions: reports follow an item over time
    section = models.CharField(max_length=50)
    text = models.CharField(max_length=300)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    answer_kind = models.CharField(max_length=10, choices=AnswerKind.choices, default=AnswerKind.YES_NO)
    unit = models.CharField(max_length=10, blank=True)
    limit_op = models.CharField(max_length=2, choices=LimitOp.choices, blank=True)
    limit_value = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    na_allowed = models.BooleanField(default=False)
    legal_basis = models.CharField(max_length=300)
    # True where the item restates a duty of the cited article (a failure is a violation for a kitchen the
    # article binds); False where the article is the yardstick for good practice.
    statutory = models.BooleanField(default=False)
    guidance = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="inspections_item_code_unique"),
            models.UniqueConstraint(fields=["template", "number"], name="inspections_item_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"

    @property
    def limit_display(self) -> str:
        if self.answer_kind != AnswerKind.MEASURED or self.limit_value is None:
            return ""
        return f"{LimitOp(self.limit_op).label} {self.limit_value.normalize():f} {self.unit}".strip()


# Rounds and inspections ------------------------------------------------------------------------

class RoundKind(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SUMMER = "summer", _("Summer special round")


class InspectionRound(models.Model):
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=RoundKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.name


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine inspection")
    SPECIAL = "special", _("Special inspection")
    REINSPECTION = "reinspection", _("Re-inspection")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("Inspection in progress")
    SUBMITTED = "submitted", _("Submitted")
    CLOSED = "closed", _("Closed")


class Grade(models.TextChoices):
    GOOD = "good", _("Good")
    IMPROVE = "improve", _("Needs improvement")
    FAIL = "fail", _("Fail")


class Inspection(models.Model):
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="inspections")
    round = models.ForeignKey(InspectionRound, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="inspections")
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=15, choices=InspectionKind.choices, default=InspectionKind.ROUTINE)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=15, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED,
                              db_index=True)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    due_on = models.DateField(null=True, blank=True)
    visited_on = models.DateField(null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    # Filled from the pure scoring function (scoring.py) whenever answers change; kept for reports.
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    grade = models.CharField(max_length=10, choices=Grade.choices, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_count = models.PositiveIntegerField(default=0)
    payload_sha256 = models.CharField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["facility", "status"])]

    def __str__(self) -> str:
        return f"{self.facility} {self.visited_on or self.due_on or ''}"

    @property
    def passed(self) -> bool | None:
        return None if not self.grade else self.grade != Grade.FAIL


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")
    VALUE = "value", _("Measured")


class InspectionAnswer(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    value = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    compliant = models.BooleanField(null=True)  # None: not applicable
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["item__number"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspections_answer_unique")]


# ATP swabs --------------------------------------------------------------------------------------

class Surface(models.TextChoices):
    CUTTING_BOARD = "cutting_board", _("Cutting board")
    KNIFE = "knife", _("Knife")
    COUNTER = "counter", _("Counter")
    HANDS = "hands", _("Cook's hands")
    PLATES = "plates", _("Plates")


class AtpResult(models.TextChoices):
    PASS = "pass", _("Pass")
    CAUTION = "caution", _("Caution")
    FAIL = "fail", _("Fail")


class Instrument(models.Model):
    """An ATP luminometer model; its RLU scale is its own, so limits are set per instrument."""

    model = models.CharField(_("instrument model"), max_length=100, unique=True)
    maker = models.CharField(_("maker"), max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["maker", "model"]

    def __str__(self) -> str:
        return self.model


class AtpThreshold(models.Model):
    """Pass ≤ pass_max < caution ≤ caution_max < fail, in RLU; ``surface`` blank is the instrument's default."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="thresholds")
    surface = models.CharField(max_length=20, choices=Surface.choices, blank=True)
    pass_max = models.PositiveIntegerField()
    caution_max = models.PositiveIntegerField()
    source = models.CharField(max_length=300, blank=True)  # where the numbers come from

    class Meta:
        ordering = ["instrument", "surface"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "surface"], name="inspections_threshold_unique"),
            models.CheckConstraint(condition=models.Q(caution_max__gte=models.F("pass_max")),
                                   name="inspections_threshold_order"),
        ]


class AtpReading(models.Model):
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="readings")
    surface = models.CharField(max_length=20, choices=Surface.choices)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    rlu = models.PositiveIntegerField()
    measured_at = models.DateTimeField()
    # Swabbed right after the surface was cleaned and sanitised (a re-test always is): the readings the
    # baseline calculator learns a facility's "clean" from.
    after_cleaning = models.BooleanField(default=True)
    retest_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="retests")
    # The result and the limits it was judged by, frozen when the reading is stored: a later change of the
    # thresholds must not rewrite past results.
    result = models.CharField(max_length=10, choices=AtpResult.choices)
    pass_max = models.PositiveIntegerField()
    caution_max = models.PositiveIntegerField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["measured_at", "pk"]
        indexes = [models.Index(fields=["surface", "instrument"])]


# Follow-up ------------------------------------------------------------------------------------

class ActionStatus(models.TextChoices):
    OPEN = "open", _("Correction pending")
    DONE = "done", _("Done, proof received")
    VERIFIED = "verified", _("Verified")


class CorrectiveAction(models.Model):
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="actions")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="actions")
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reading = models.ForeignKey(AtpReading, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    description = models.CharField(_("what must be corrected"), max_length=500)
    owner = models.CharField(_("owner at the facility"), max_length=50)
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True)
    proof_note = models.TextField(_("proof"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today


class Photo(models.Model):
    """A photo taken on the tablet: of a checklist item, or proof of a corrective action.

    Kept in the database rather than on disk: a few hundred kilobytes each after the tablet shrinks them,
    backed up with the records they prove, and served only through the inspection's scope."""

    client_id = models.UUIDField(unique=True)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey(CorrectiveAction, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="photos")
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]


class EscalationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")


class Escalation(models.Model):
    """Legal violations referred to the district's sanitation department, which holds the power to act."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="escalations")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="escalations")
    contact = models.ForeignKey(SanitationContact, on_delete=models.PROTECT, related_name="+")
    violations = models.JSONField(default=list)  # [{"code", "text", "legal_basis", "answer"}]
    binding = models.BooleanField()  # the facility is a registered 집단급식소
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.QUEUED)
    message_reference = models.CharField(max_length=64, blank=True)
    message_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class CoachingTopic(models.TextChoices):
    HAND_WASHING = "hand_washing", _("Hand washing")
    RETAINED_SAMPLES = "retained_samples", _("Retained samples")
    TEMPERATURES = "temperatures", _("Storage and holding temperatures")
    CLEANING = "cleaning", _("Cleaning and sanitising")
    CROSS_CONTAMINATION = "cross_contamination", _("Cross-contamination")
    SUMMER_FOOD_POISONING = "summer_food_poisoning", _("Summer food poisoning")
    SOFT_DIETS = "soft_diets", _("Soft and special diets")


class CoachingMaterial(models.TextChoices):
    SELF_CHECKLIST = "self_checklist", _("Self-hygiene checklist")
    TEMPERATURE_LOG = "temperature_log", _("Temperature log sheet")
    POSTER = "poster", _("Hand-washing poster")
    LEAFLET = "leaflet", _("Food-poisoning leaflet")
    THERMOMETER = "thermometer", _("Probe thermometer")


class CoachingRecord(models.Model):
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="coaching")
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="coaching")
    given_on = models.DateField()
    topics = models.JSONField(default=list)
    materials = models.JSONField(default=list)
    attendees = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(blank=True)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-pk"]

    def topic_labels(self) -> list[str]:
        labels = dict(CoachingTopic.choices)
        return [str(labels.get(t, t)) for t in self.topics]

    def material_labels(self) -> list[str]:
        labels = dict(CoachingMaterial.choices)
        return [str(labels.get(m, m)) for m in self.materials]


# Visits to facilities, routed by the visits app's solver ------------------------------------------

class FacilityVisitKind(models.TextChoices):
    ROUTINE = "routine", _("Routine inspection")
    REINSPECTION = "reinspection", _("Re-inspection")


class FacilityVisitStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FacilityVisit(models.Model):
    """A visit to a facility, planned into an inspector's day by the visits app's route solver.

    It lives here because ``visits.Visit`` must name a household (see services/visits.py)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(max_length=15, choices=FacilityVisitKind.choices)
    follows = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    # Kitchens are busy around meals: the default window avoids lunch service.
    window_start = models.TimeField(default=dt.time(9, 30))
    window_end = models.TimeField(default=dt.time(16, 30))
    status = models.CharField(max_length=10, choices=FacilityVisitStatus.choices, default=FacilityVisitStatus.OPEN,
                              db_index=True)
    planned_on = models.DateField(null=True, blank=True, db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    planned_start = models.TimeField(null=True, blank=True)
    planned_order = models.PositiveSmallIntegerField(null=True, blank=True)
    inspection = models.OneToOneField(Inspection, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="visit")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]


class FacilityDayPlan(models.Model):
    date = models.DateField(db_index=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField()
    travel_seconds = models.PositiveIntegerField(default=0)
    unassigned = models.JSONField(default=dict)  # visit id -> reason code
    routes = models.JSONField(default=list)  # [{"inspector": user id, "visit_ids": [...], "depart", "back"}]

    class Meta:
        ordering = ["-created_at", "-pk"]


# The facility's history -----------------------------------------------------------------------

class InspectionEvent(models.Model):
    """What happened to a facility, who did it and when: written by events.py in the same transaction."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="events")
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    old = models.JSONField(default=dict)
    new = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
