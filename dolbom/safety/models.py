"""The emergency safety service (응급안전안심서비스): homes with a gateway and sensors, the events they send,
the inactivity clock of each home, incidents for the emergency worker, device tickets, absences.

Two streams are kept apart on purpose (보건복지부 응급안전안심서비스 사업안내): *incidents* are about a person
(fire, gas, the emergency button, long inactivity) and go to the emergency worker's screen; *device tickets*
are about equipment (no heartbeat, power cut, low battery, a sensor that never reported) and go to the
installer's queue. A device fault puts the home's inactivity verdict on hold instead of raising a care alert
that would only measure a dead battery.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Homes and their people --------------------------------------------------------------------------


class Centre(models.Model):
    """A local emergency-safety centre (지역센터, often run by a senior welfare centre): its workers answer
    the alarms of the homes it looks after."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Responder(models.Model):
    """An emergency worker (응급관리요원) or a team lead of a centre: who an escalation reaches.

    The phone is the worker's work phone for escalation texts; residents' numbers never go to it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_responder")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="responders")
    is_lead = models.BooleanField(_("team lead"), default=False)
    phone = models.CharField(_("work phone"), max_length=20, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["centre", "-is_lead", "pk"]

    def __str__(self) -> str:
        staff = getattr(self.user, "staff", None)
        return staff.display_name if staff else self.user.get_username()


class HomeStatus(models.TextChoices):
    WAITING = "waiting", _("On the waiting list")
    ACTIVE = "active", _("In service")
    ENDED = "ended", _("Service ended")


class EndReason(models.TextChoices):
    DEATH = "death", _("Death")
    MOVED = "moved", _("Moved away")
    ADMITTED = "admitted", _("Admitted to a facility")
    REFUSED = "refused", _("Refused the service")
    OTHER = "other", _("Other")


# The Ministry's defaults for "no activity detected" (활동 미감지): 12 hours a caution, 18 a warning,
# 24 a danger. A home may set its own (a resident who sleeps long, a night-shift family member).
DEFAULT_CAUTION_MINUTES = 12 * 60
DEFAULT_WARNING_MINUTES = 18 * 60
DEFAULT_DANGER_MINUTES = 24 * 60


class Home(models.Model):
    """One home in the service (or waiting for it): the person it protects, their household, the centre and
    the worker responsible, and the home's inactivity settings."""

    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("resident"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    # Copied from the resident, as Resident.dong is from the household: scoping is one indexed column.
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+", verbose_name=_("dong"))
    status = models.CharField(_("status"), max_length=10, choices=HomeStatus.choices, db_index=True)
    centre = models.ForeignKey(Centre, null=True, blank=True, on_delete=models.PROTECT, related_name="homes",
                               verbose_name=_("centre"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="safety_homes", verbose_name=_("emergency worker"))
    applied_on = models.DateField(_("applied on"))
    application_note = models.CharField(_("why the service is needed"), max_length=300, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    caution_minutes = models.PositiveIntegerField(_("caution after (minutes)"), default=DEFAULT_CAUTION_MINUTES)
    warning_minutes = models.PositiveIntegerField(_("warning after (minutes)"), default=DEFAULT_WARNING_MINUTES)
    danger_minutes = models.PositiveIntegerField(_("danger after (minutes)"), default=DEFAULT_DANGER_MINUTES)
    # Hours in which no movement is expected (sleep): they do not count towards inactivity. Both empty: none.
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    checkin_on_caution = models.BooleanField(_("automatic check-in call on a caution"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # One live home per household: two would raise two alarms for one fall.
            models.UniqueConstraint(fields=["household"], condition=~Q(status="ended"),
                                    name="safety_one_live_home_per_household"),
            models.CheckConstraint(condition=Q(caution_minutes__lt=models.F("warning_minutes"))
                                   & Q(warning_minutes__lt=models.F("danger_minutes")),
                                   name="safety_levels_in_order"),
        ]
        indexes = [models.Index(fields=["dong", "status"]), models.Index(fields=["worker", "status"])]

    def __str__(self) -> str:
        return f"{self.household.number}"

    def level_minutes(self, level: str) -> int:
        return {"caution": self.caution_minutes, "warning": self.warning_minutes,
                "danger": self.danger_minutes}[level]


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", _("In use")
    REPLACED = "replaced", _("Replaced")
    RETIRED = "retired", _("Retired")


class Gateway(models.Model):
    """The home's gateway (게이트웨이): the controller that talks to the centre. Its serial is the
    ``controller`` of every event; its token (only the SHA-256 kept) authorises the HTTPS batch endpoint."""

    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="gateways")
    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    model_name = models.CharField(_("model"), max_length=60, blank=True)
    firmware = models.CharField(_("firmware"), max_length=40, blank=True)
    installed_on = models.DateField(_("installed on"))
    status = models.CharField(_("status"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE)
    retired_on = models.DateField(null=True, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    powered = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["home", "-installed_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["home"], condition=Q(status="active"),
                                               name="safety_one_active_gateway_per_home")]

    def __str__(self) -> str:
        return self.serial


class DeviceKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity sensor")
    DOOR = "door", _("Door sensor")
    FIRE = "fire", _("Fire detector")
    GAS = "gas", _("Gas detector")
    BUTTON = "button", _("Emergency button")


# What tells the service a person is moving about: the inactivity clock restarts on these only.
LIFE_SIGN_KINDS = frozenset({DeviceKind.ACTIVITY, DeviceKind.DOOR})


class Device(models.Model):
    """A sensor of a home's gateway. ``component`` is its channel on the gateway (SCAIP's component)."""

    gateway = models.ForeignKey(Gateway, on_delete=models.PROTECT, related_name="devices")
    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="devices")
    kind = models.CharField(_("kind"), max_length=10, choices=DeviceKind.choices)
    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    component = models.CharField(_("channel"), max_length=20, blank=True)
    location = models.CharField(_("location"), max_length=40, blank=True)
    # The person the device belongs to (a pendant button is worn by one person; a detector by the home).
    resident = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("resident"))
    installed_on = models.DateField(_("installed on"))
    status = models.CharField(_("status"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE)
    retired_on = models.DateField(null=True, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    battery_pct = models.PositiveSmallIntegerField(_("battery (%)"), null=True, blank=True)
    firmware = models.CharField(_("firmware"), max_length=40, blank=True)
    first_event_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)  # coalesced: to within ten minutes
    flapping_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["home", "kind", "pk"]
        indexes = [models.Index(fields=["home", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


# Events in ----------------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    NO_ACTIVITY = "no_activity", _("No activity")
    DOOR_OPEN = "door_open", _("Door opened")
    DOOR_CLOSE = "door_close", _("Door closed")
    FIRE = "fire", _("Fire")
    FIRE_CLEARED = "fire_cleared", _("Fire cleared")
    GAS = "gas", _("Gas leak")
    GAS_CLEARED = "gas_cleared", _("Gas cleared")
    BUTTON = "button", _("Emergency button")
    BUTTON_CANCELLED = "button_cancelled", _("Emergency button cancelled")
    POWER_OFF = "power_off", _("Gateway power off")
    POWER_ON = "power_on", _("Gateway power on")
    HEARTBEAT = "heartbeat", _("Heartbeat")
    LOW_BATTERY = "low_battery", _("Low battery")
    TAMPER = "tamper", _("Tamper")


class Transport(models.TextChoices):
    MQTT = "mqtt", "MQTT"
    HTTPS = "https", "HTTPS"
    DIRECT = "direct", _("Direct (demo, import)")


class Event(models.Model):
    """One event as the gateway sent it, stored before it is acknowledged.

    (gateway, event_id, sequence) is the natural key: a gateway that resends after a lost acknowledgement,
    or a broker that redelivers after our crash, hits the unique constraint and nothing happens twice."""

    # The hottest table (thousands of rows a second). Its keys come from the lookup of the same transaction
    # and equipment is retired, never deleted (PROTECT keeps it so in the ORM), so the database checks no
    # foreign key here: the three checks and the two single-column indexes the composite ones already
    # cover cost PostgreSQL about as much as the row itself (measured with bench/safety_profile.py).
    # Three indexes, each for a reader: the primary key (incidents and their log point at events), the
    # natural key (idempotency), (home, occurred_at) (the resident's page, the sweep's last sign of life).
    # Retention reads by age, oldest first, which is the table's own order. Nothing reads events by device
    # (a device's events are its home's), so the device column has no index: one fewer written per event.
    gateway = models.ForeignKey(Gateway, on_delete=models.PROTECT, related_name="+", db_constraint=False,
                                db_index=False)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False)
    event_id = models.CharField(max_length=64)
    sequence = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    status_code = models.PositiveSmallIntegerField()
    component = models.CharField(max_length=20, blank=True)
    location = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField()  # the gateway's clock
    received_at = models.DateTimeField()  # ours
    transport = models.CharField(max_length=6, choices=Transport.choices)
    raw = models.TextField()  # the event exactly as received (JSON text)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id", "sequence"],
                                               name="safety_event_once")]
        indexes = [models.Index(fields=["home", "occurred_at"])]


class Reject(models.Model):
    """An event refused at the door, with its code and what arrived: counted, never silently dropped."""

    received_at = models.DateTimeField(db_index=True)
    transport = models.CharField(max_length=6, choices=Transport.choices)
    code = models.CharField(max_length=40, db_index=True)
    detail = models.CharField(max_length=300, blank=True)
    topic = models.CharField(max_length=200, blank=True)
    controller = models.CharField(max_length=64, blank=True)
    raw = models.TextField(blank=True)  # the first 8 KB

    class Meta:
        ordering = ["-received_at", "-pk"]


# The inactivity clock ---------------------------------------------------------------------------


class Level(models.TextChoices):
    CAUTION = "caution", _("Caution")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Danger")


LEVEL_ORDER = (Level.CAUTION, Level.WARNING, Level.DANGER)


class Clock(models.Model):
    """The home's next inactivity deadline, as a row: a worker that crashed, restarted or was down for a
    day finds every overdue deadline here and fires it (a timer in memory would be gone).

    ``base_at`` is where counting starts: the last sign of life (activity, a person confirming by phone or
    visit, the end of an absence). ``due_at`` is when ``next_level`` is reached, quiet hours and
    absences left out (safety/clock.py)."""

    home = models.OneToOneField(Home, on_delete=models.CASCADE, primary_key=True, related_name="clock")
    last_activity_at = models.DateTimeField(null=True, blank=True)
    base_at = models.DateTimeField()
    next_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    # No index on due_at, on purpose: activity rewrites a busy home's row every few seconds, and a row whose
    # indexed columns do not change is rewritten in place on PostgreSQL (a "HOT" update: no index entry, the
    # clock's UPDATE about 40% cheaper, bench/safety_profile.py --statements). The sweep that reads due_at
    # runs every few seconds and scans the table (one row per home: milliseconds for a city).
    due_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()


# Incidents ----------------------------------------------------------------------------------------


class Cause(models.TextChoices):
    FIRE = "fire", _("Fire")
    GAS = "gas", _("Gas leak")
    BUTTON = "button", _("Emergency button")
    INACTIVITY = "inactivity", _("No activity")


ALARM_CAUSES = frozenset({Cause.FIRE, Cause.GAS, Cause.BUTTON})


class Severity(models.IntegerChoices):
    P1 = 1, _("Emergency")
    P2 = 2, _("Warning")
    P3 = 3, _("Caution")


LEVEL_SEVERITY = {Level.CAUTION: Severity.P3, Level.WARNING: Severity.P2, Level.DANGER: Severity.P1}


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("New")
    ACKNOWLEDGED = "acknowledged", _("Being handled")
    RESOLVED = "resolved", _("Resolved")


class Report119(models.TextChoices):
    """The fire station's side (119): fire and gas detectors report automatically from most gateways."""

    NONE = "none", _("Not reported")
    AUTO_SENT = "auto_sent", _("Reported automatically by the gateway")
    REPORTED = "reported", _("Reported by the worker")
    DISPATCHED = "dispatched", _("119 dispatched")
    NOT_NEEDED = "not_needed", _("Not needed")


class Outcome(models.TextChoices):
    SAFE_BY_PHONE = "safe_by_phone", _("Safe: confirmed by phone")
    SAFE_ON_VISIT = "safe_on_visit", _("Safe: confirmed on a visit")
    HOSPITAL = "hospital", _("Taken to hospital")
    HANDLED_119 = "handled_119", _("Handled by 119")
    DEATH = "death", _("Found dead")
    ACTIVITY_RESUMED = "activity_resumed", _("Activity resumed (automatic)")
    CHECKIN_ANSWERED = "checkin_answered", _("Answered the check-in call (automatic)")
    FALSE_ALARM = "false_alarm", _("False alarm")


# Outcomes a worker records; the automatic ones are the system's.
WORKER_OUTCOMES = (Outcome.SAFE_BY_PHONE, Outcome.SAFE_ON_VISIT, Outcome.HOSPITAL, Outcome.HANDLED_119,
                   Outcome.DEATH, Outcome.FALSE_ALARM)


class FalseAlarmReason(models.TextChoices):
    COOKING = "cooking", _("Cooking smoke or steam")
    ACCIDENTAL = "accidental", _("Button pressed by mistake")
    TEST = "test", _("Test or maintenance")
    DEVICE_FAULT = "device_fault", _("Device fault")
    AWAY = "away", _("Away from home (absence not registered)")
    SLEEPING = "sleeping", _("Long sleep or rest")
    OTHER = "other", _("Other")


class CheckinStatus(models.TextChoices):
    NONE = "", _("No check-in call")
    REQUESTED = "requested", _("Check-in call requested")
    ANSWERED = "answered", _("Answered the check-in call")
    NO_ANSWER = "no_answer", _("Did not answer the check-in call")
    NEEDS_HELP = "needs_help", _("Check-in call: needs help")
    NOT_ENROLLED = "not_enrolled", _("Not enrolled in check-in calls")


class Escalation(models.IntegerChoices):
    WORKER = 0, _("Emergency worker")
    LEAD = 1, _("Team lead")
    CITY = 2, _("City integrated-care team")


class Incident(models.Model):
    """Something a person must look at now: a fire, a gas leak, the button, or long inactivity.

    One open incident per home and cause (the partial unique constraint): a detector that keeps sounding,
    or inactivity that deepens from caution to danger, attaches to the open one instead of opening more."""

    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="incidents")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+")
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, blank=True)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=IncidentStatus.choices, db_index=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    first_event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event_at = models.DateTimeField(_("happened at"))  # the device's time of the first event, or the deadline
    last_event_at = models.DateTimeField(null=True, blank=True)
    repeats = models.PositiveIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)  # a visit or 119 on site
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    false_alarm_reason = models.CharField(_("false-alarm reason"), max_length=20, choices=FalseAlarmReason.choices,
                                          blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    report_119 = models.CharField(_("119 report"), max_length=12, choices=Report119.choices, default=Report119.NONE)
    report_119_at = models.DateTimeField(null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(choices=Escalation.choices, default=Escalation.WORKER)
    escalated_at = models.DateTimeField(null=True, blank=True)
    checkin_call = models.ForeignKey("checkins.Call", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    checkin_status = models.CharField(max_length=12, choices=CheckinStatus.choices, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["severity", "opened_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["home", "cause"], condition=Q(resolved_at__isnull=True),
                                               name="safety_one_open_incident_per_home_cause")]
        indexes = [models.Index(fields=["dong", "status"]), models.Index(fields=["home", "opened_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_cause_display()}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class LogKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    REPEAT = "repeat", _("Repeated")
    CLEARED = "cleared", _("Cleared at the device")
    LEVEL = "level", _("Level raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PHONE_CALL = "phone_call", _("Phone call")
    VISIT = "visit", _("Visit")
    DISPATCH_119 = "dispatch_119", _("119 dispatch")
    FALSE_ALARM = "false_alarm", _("False alarm")
    ESCALATED = "escalated", _("Escalated")
    CHECKIN = "checkin", _("Check-in call")
    ACTIVITY = "activity", _("Activity detected")
    CASE = "case", _("Case")
    RESOLVED = "resolved", _("Resolved")


class IncidentLog(models.Model):
    """The incident's own history: every event attached, every step taken, by whom."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    kind = models.CharField(max_length=15, choices=LogKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["incident", "at", "pk"]


# Device tickets, absences, settings ---------------------------------------------------------------


class FaultKind(models.TextChoices):
    HEARTBEAT_LOST = "heartbeat_lost", _("No heartbeat")
    POWER_OFF = "power_off", _("Power off")
    LOW_BATTERY = "low_battery", _("Low battery")
    SILENT_SINCE_INSTALL = "silent_since_install", _("Silent since installation")
    TAMPER = "tamper", _("Tampered with")
    FLAPPING = "flapping", _("Flapping sensor")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class DeviceTicket(models.Model):
    """A supervision fault of the equipment, for the installer; kept apart from care incidents.

    ``holds_verdict``: a fault of the gateway or of a sensor the inactivity clock relies on means that
    "no activity" may only mean "no data", so the inactivity verdict waits until it is fixed; once it is,
    an overdue deadline fires at once (never silently skipped). ``subject`` ("gw:12", "dev:40") makes one open
    ticket per piece of equipment and fault."""

    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="tickets")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+")
    gateway = models.ForeignKey(Gateway, on_delete=models.PROTECT, related_name="tickets")
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    subject = models.CharField(max_length=30)
    kind = models.CharField(_("fault"), max_length=25, choices=FaultKind.choices)
    holds_verdict = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["subject", "kind"], condition=Q(resolved_at__isnull=True),
                                               name="safety_one_open_ticket_per_subject_fault")]
        indexes = [models.Index(fields=["home", "status"])]


class AbsenceReason(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital stay")
    TRIP = "trip", _("Trip or stay away")
    FAMILY = "family", _("Staying with family")
    OTHER = "other", _("Other")


ABSENCE_MAX_DAYS = 31


class Absence(models.Model):
    """A registered absence (hospital stay, a trip): inactivity is not counted during it. Fire, gas and the
    button are never suppressed by one (the house may burn while its resident is away)."""

    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="absences")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=10, choices=AbsenceReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    ended_early_at = models.DateTimeField(null=True, blank=True)  # activity at home before the end

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="safety_absence_ends_after_start")]
        indexes = [models.Index(fields=["home", "ends_at"])]


class SafetySettings(models.Model):
    """One row: the city's operating figures. Defaults follow the published social-alarm targets."""

    # An unacknowledged P1 goes to the team lead after this, and to the city team after the second figure.
    escalate_lead_seconds = models.PositiveIntegerField(_("escalate to the team lead after (seconds)"), default=60)
    escalate_city_seconds = models.PositiveIntegerField(_("escalate to the city team after (seconds)"),
                                                        default=180)
    heartbeat_minutes = models.PositiveIntegerField(_("expected heartbeat interval (minutes)"), default=60)
    heartbeats_missed = models.PositiveSmallIntegerField(_("heartbeats missed before a ticket"), default=3)
    silent_install_hours = models.PositiveIntegerField(_("a new device must report within (hours)"), default=24)
    low_battery_pct = models.PositiveSmallIntegerField(_("low battery below (%)"), default=20)
    flap_events = models.PositiveSmallIntegerField(_("flapping: events"), default=12)
    flap_seconds = models.PositiveIntegerField(_("flapping: within (seconds)"), default=120)
    # Activity closer together than this does not move the clock row again: a busy kitchen sends hundreds of
    # events an hour, and a deadline twelve hours away does not need them all. The sweep looks at the events
    # themselves before it fires, so a coalesced row never fires early.
    activity_coalesce_seconds = models.PositiveIntegerField(default=300)
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def current(cls) -> SafetySettings:
        return cls.objects.order_by("pk").first() or cls()

    @classmethod
    def cached(cls, seconds: float = 30.0) -> SafetySettings:
        """For the ingest's every batch: the figures change a few times a year, read them twice a minute."""
        import time

        now = time.monotonic()
        hit = _SETTINGS_CACHE.get("row")
        if hit is None or now - hit[0] > seconds:
            hit = (now, cls.current())
            _SETTINGS_CACHE["row"] = hit
        return hit[1]


_SETTINGS_CACHE: dict[str, tuple[float, SafetySettings]] = {}
