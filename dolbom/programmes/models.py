"""Community programmes with limited places (프로그램 / 회차 / 신청) and free consultation slots
(마을세무사·마을변호사 상담).

Capacity is the database's to enforce, not a count before an insert: each session row carries its
counters of places taken and CHECK constraints that keep them within the capacity (``Session.Meta``), and
every write that changes them locks the session row first (services/signups.py). One booking per
consultation slot, one active sign-up per family and session, and the monthly limit per family are
partial unique constraints, so two requests racing each other cannot both win on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PartyCounting(models.TextChoices):
    PERSONS = "persons", _("Each person takes a place")
    FAMILIES = "families", _("A family takes one place")


class Allocation(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    LOTTERY = "lottery", _("Lottery with a published seed")


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=150)
    organiser = models.CharField(_("organiser"), max_length=100)
    # Stable code of the organiser (as a consent's recipient_code), so consent checks do not depend on spelling.
    organiser_code = models.CharField(_("organiser code"), max_length=40, blank=True)
    venue = models.CharField(_("venue"), max_length=150)
    audience = models.CharField(_("audience"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    contact = models.CharField(_("contact"), max_length=100)
    # The dong whose office runs it (its officers see the sign-ups); empty for a city-wide programme.
    dong = models.ForeignKey("areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("dong"))
    # lib/recurrence.py rules: FREQ=MONTHLY;BYDAY=2SA,4SA;BYMONTH=5,6,7,8,9,10,11.
    rrule = models.CharField(_("recurrence rule"), max_length=120)
    season_starts_on = models.DateField(_("season starts on"))
    season_ends_on = models.DateField(_("season ends on"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    capacity = models.PositiveSmallIntegerField(_("places per session"))
    reserved = models.PositiveSmallIntegerField(_("reserved places"), default=0)
    reserve_release_hours = models.PositiveSmallIntegerField(_("reserved places released (hours before)"),
                                                             default=72)
    party_counting = models.CharField(_("party sizes"), max_length=10, choices=PartyCounting.choices,
                                      default=PartyCounting.PERSONS)
    max_party_size = models.PositiveSmallIntegerField(_("largest party"), default=4)
    allocation = models.CharField(_("allocation"), max_length=12, choices=Allocation.choices,
                                  default=Allocation.FIRST_COME)
    limit_per_month = models.PositiveSmallIntegerField(_("sessions per family a month"), null=True, blank=True)
    signup_opens_days = models.PositiveSmallIntegerField(_("sign-up opens (days before)"), default=14)
    signup_opens_time = models.TimeField(_("sign-up opens at"), default=dt.time(10, 0))
    signup_closes_hours = models.PositiveSmallIntegerField(_("sign-up closes (hours before)"), default=24)
    offer_hours = models.PositiveSmallIntegerField(_("hours to accept a freed place"), default=24)
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="managed_programmes",
                                      verbose_name=_("staff in charge"))
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-season_starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(reserved__lt=F("capacity")), name="programme_reserved_below_capacity"),
            models.CheckConstraint(condition=Q(season_ends_on__gte=F("season_starts_on")),
                                   name="programme_season_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def places_for(self, party_size: int) -> int:
        return 1 if self.party_counting == PartyCounting.FAMILIES else party_size


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    """One sitting of a programme. ``taken`` counts the places held by confirmed sign-ups and open offers;
    ``taken_general`` the part of them outside the reserved places. The CHECK constraints below are what
    makes overbooking impossible: an UPDATE that would take a place too many fails in the database."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=12, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    capacity = models.PositiveSmallIntegerField(_("places"))
    reserved = models.PositiveSmallIntegerField(_("reserved places"), default=0)
    taken = models.PositiveSmallIntegerField(default=0)
    taken_general = models.PositiveSmallIntegerField(default=0)
    signup_opens_at = models.DateTimeField(_("sign-up opens at"))
    signup_closes_at = models.DateTimeField(_("sign-up closes at"))
    reserve_release_at = models.DateTimeField(null=True, blank=True)
    reserve_released_at = models.DateTimeField(null=True, blank=True)
    next_number = models.PositiveIntegerField(default=1)  # receipt numbers, given under the row lock
    # Lottery: the seed is drawn when the session is created and kept secret; its SHA-256 is published at
    # once, the seed itself after the draw, so that nobody can pick a seed after seeing the applicants and
    # anyone can re-run the draw (selectors.lottery_publication).
    lottery_seed = models.CharField(max_length=64, blank=True)
    seed_commitment = models.CharField(max_length=64, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    attendance_closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "starts_at"], name="programme_session_unique"),
            models.CheckConstraint(condition=Q(reserved__lte=F("capacity")), name="session_reserved_le_capacity"),
            models.CheckConstraint(condition=Q(taken__gte=F("taken_general")), name="session_taken_ge_general"),
            models.CheckConstraint(condition=Q(taken_general__lte=F("capacity") - F("reserved")),
                                   name="session_general_within_capacity"),
            models.CheckConstraint(condition=Q(taken__lte=F("taken_general") + F("reserved")),
                                   name="session_reserved_within_reserve"),
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="session_taken_le_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_lottery(self) -> bool:
        return self.programme.allocation == Allocation.LOTTERY

    @property
    def free_general(self) -> int:
        return self.capacity - self.reserved - self.taken_general

    @property
    def free_reserved(self) -> int:
        return self.reserved - (self.taken - self.taken_general)

    @property
    def free(self) -> int:
        return self.capacity - self.taken


class SignupStatus(models.TextChoices):
    APPLIED = "applied", _("Applied (lottery)")
    CONFIRMED = "confirmed", _("Confirmed")
    OFFERED = "offered", _("Place offered")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    PASSED_OVER = "passed_over", _("Offer expired")


# Sign-ups that still count: for the family's one sign-up per session and for the monthly limit.
ACTIVE = (SignupStatus.APPLIED, SignupStatus.CONFIRMED, SignupStatus.OFFERED, SignupStatus.WAITING)
# Sign-ups that hold places in the session's counters.
HOLDING = (SignupStatus.CONFIRMED, SignupStatus.OFFERED)


class Pool(models.TextChoices):
    GENERAL = "general", _("General places")
    RESERVED = "reserved", _("Reserved places")


class Source(models.TextChoices):
    PUBLIC = "public", _("Online, by the resident")
    STAFF = "staff", _("By staff")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Not recorded")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


class Signup(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="signups")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")  # for the monthly limit
    number = models.PositiveIntegerField()  # receipt number within the session: the lottery's stable id
    status = models.CharField(_("status"), max_length=12, choices=SignupStatus.choices)
    pool = models.CharField(max_length=10, choices=Pool.choices, default=Pool.GENERAL)
    source = models.CharField(max_length=10, choices=Source.choices)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=11, blank=True)  # 01012345678, for offers and reminders
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    party_size = models.PositiveSmallIntegerField(_("party size"))
    places = models.PositiveSmallIntegerField()
    # Who a family is for the limits: an HMAC of the phone number (or of the household for staff sign-ups
    # of a resident without a mobile phone); never the number in clear.
    family_key = models.CharField(max_length=64)
    month = models.DateField()  # first day of the session's month
    month_slot = models.PositiveSmallIntegerField(null=True, blank=True)
    resident = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="programme_signups")
    consent = models.ForeignKey("registry.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referred = models.BooleanField(default=False)  # referred by a case manager: may take a reserved place
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    queue_rank = models.PositiveIntegerField(null=True, blank=True)  # waiting-list order (then number)
    was_waiting = models.BooleanField(default=False)  # joined the waiting list at some point
    drawn_rank = models.PositiveIntegerField(null=True, blank=True)  # place in the lottery's order
    drawn_confirmed = models.BooleanField(default=False)  # got a place at the draw
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    checkin_code = models.CharField(max_length=8)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True, default="")
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # The link that lets the person see, accept or cancel: its token is an HMAC of this nonce under a key
    # derived from SECRET_KEY (services/links.py), so a copy of the database alone opens no link, and
    # the same link can be sent again with an offer. Looked up by the token's SHA-256.
    manage_nonce = models.CharField(max_length=32)
    manage_token_hash = models.CharField(max_length=64, unique=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="signup_number_unique"),
            models.UniqueConstraint(fields=["session", "checkin_code"], name="signup_checkin_code_unique"),
            models.UniqueConstraint(fields=["session", "family_key"], condition=Q(status__in=ACTIVE),
                                    name="signup_family_once_per_session"),
            models.UniqueConstraint(fields=["programme", "family_key", "month", "month_slot"],
                                    condition=Q(month_slot__isnull=False), name="signup_family_month_limit"),
            models.CheckConstraint(condition=Q(places__gte=1) & Q(party_size__gte=1), name="signup_party_positive"),
        ]
        indexes = [models.Index(fields=["session", "status", "queue_rank", "number"])]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class AdviserKind(models.TextChoices):
    TAX = "tax", _("Village tax accountant")
    LEGAL = "legal", _("Village lawyer")


class Adviser(models.Model):
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=AdviserKind.choices)
    organisation = models.CharField(_("office"), max_length=100, blank=True)
    # The adviser's own login (a partner-institution account): sees the bookings of their own slots.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="adviser_roles", verbose_name=_("login"))
    dong = models.ForeignKey("areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("dong"))
    venue = models.CharField(_("venue"), max_length=150)
    contact = models.CharField(_("contact for changes"), max_length=100)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(_("online changes until (hours before)"), default=24)
    booking_opens_days = models.PositiveSmallIntegerField(_("bookable (days ahead)"), default=31)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class ConsultationSchedule(models.Model):
    """The regular hours (4th Monday 15:00–17:00) cut into slots of 20 or 30 minutes."""

    adviser = models.ForeignKey(Adviser, on_delete=models.CASCADE, related_name="schedules")
    rrule = models.CharField(_("recurrence rule"), max_length=120)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    start_time = models.TimeField(_("from (time)"))
    end_time = models.TimeField(_("until (time)"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"))

    class Meta:
        ordering = ["adviser", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__in=(20, 30)), name="schedule_slot_minutes"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="schedule_time_order"),
        ]


class ConsultationSlot(models.Model):
    adviser = models.ForeignKey(Adviser, on_delete=models.PROTECT, related_name="slots")
    schedule = models.ForeignKey(ConsultationSchedule, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="slots")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=150)
    on_demand = models.BooleanField(default=False)  # 수시 상담, added outside the regular hours
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "adviser"]
        constraints = [models.UniqueConstraint(fields=["adviser", "starts_at"], name="slot_adviser_time_unique"),
                       models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_time_order")]

    def __str__(self) -> str:
        return f"{self.adviser} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    DONE = "done", _("Consulted")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class ConsultationBooking(models.Model):
    slot = models.ForeignKey(ConsultationSlot, on_delete=models.PROTECT, related_name="bookings")
    adviser = models.ForeignKey(Adviser, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(_("status"), max_length=10, choices=BookingStatus.choices,
                              default=BookingStatus.BOOKED)
    source = models.CharField(max_length=10, choices=Source.choices)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    phone_hash = models.CharField(max_length=64, db_index=True)
    topic = models.TextField(_("topic"))
    resident = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    manage_nonce = models.CharField(max_length=32)  # see Signup.manage_nonce
    manage_token_hash = models.CharField(max_length=64, unique=True)
    rescheduled = models.PositiveSmallIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    reminded_day_before_at = models.DateTimeField(null=True, blank=True)
    reminded_two_hours_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("what was advised"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            # One person per slot, whoever books it and however many press the button at once.
            models.UniqueConstraint(fields=["slot"], condition=~Q(status=BookingStatus.CANCELLED),
                                    name="booking_one_per_slot"),
            # One open booking per phone and adviser: a macro cannot hoard an adviser's afternoon.
            models.UniqueConstraint(fields=["adviser", "phone_hash"], condition=Q(status=BookingStatus.BOOKED),
                                    name="booking_one_open_per_phone"),
        ]


class ReferralStatus(models.TextChoices):
    NEW = "new", _("Waiting for the dong office")
    CASE_OPENED = "case_opened", _("Case opened")
    CLOSED = "closed", _("Closed without a case")


class WelfareReferral(models.Model):
    """A welfare need an adviser noticed in a consultation, passed to the dong office with the person's consent.

    The adviser is an outside professional: they may neither read the registry nor open cases. The dong
    office identifies the person in the registry and opens a discovered case (cases.services.case_discover,
    origin community referral), or closes the referral with a reason."""

    booking = models.ForeignKey(ConsultationBooking, on_delete=models.PROTECT, related_name="welfare_referrals")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+", verbose_name=_("dong"))
    need = models.TextField(_("welfare need"))
    consent_at = models.DateTimeField(_("consent given at"))
    consent_method = models.CharField(_("consent"), max_length=30, default="verbal")
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.NEW)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]


class EventKind(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Joined the waiting list")
    APPLIED = "applied", _("Applied for the lottery")
    DRAWN = "drawn", _("Lottery drawn")
    OFFERED = "offered", _("Place offered")
    OFFER_ACCEPTED = "offer_accepted", _("Offer accepted")
    OFFER_DECLINED = "offer_declined", _("Offer declined")
    PASSED_OVER = "passed_over", _("Offer expired, passed over")
    CANCELLED = "cancelled", _("Cancelled")
    MOVED = "moved", _("Moved on the waiting list")
    OVERRIDE_CONFIRMED = "override_confirmed", _("Confirmed out of order")
    CAPACITY_CHANGED = "capacity_changed", _("Places changed")
    RESERVE_RELEASED = "reserve_released", _("Reserved places released")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    CHECKIN_UNDONE = "checkin_undone", _("Check-in undone")
    ATTENDANCE_CLOSED = "attendance_closed", _("Attendance closed")
    BOOKED = "booked", _("Consultation booked")
    RESCHEDULED = "rescheduled", _("Consultation rescheduled")
    BOOKING_CANCELLED = "booking_cancelled", _("Consultation cancelled")
    OUTCOME = "outcome", _("Outcome noted")
    REMINDED = "reminded", _("Reminder sent")
    REFERRED = "referred", _("Referred to the dong office")
    REFERRAL_HANDLED = "referral_handled", _("Referral handled")


class ProgrammeEvent(models.Model):
    """Every change of a sign-up, a waiting list or a booking, with who did it (none: the person or the
    scheduler) and why. Manual changes of order and overrides carry a reason (services refuse without)."""

    kind = models.CharField(max_length=20, choices=EventKind.choices)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    signup = models.ForeignKey(Signup, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    booking = models.ForeignKey(ConsultationBooking, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]
