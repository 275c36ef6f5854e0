"""Integrated support meetings (통합지원회의, Act §15), councils and their recurring sessions.

One ``Meeting`` row is one sitting: either an integrated support meeting with cases on its agenda, or a
session of a council (dong care council, practitioners' meeting, ...) with topics and action items.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    INTEGRATED_SUPPORT = "integrated_support", _("Integrated support meeting")
    COUNCIL = "council", _("Council session")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SIGNED = "signed", _("Minutes signed")


class CouncilKind(models.TextChoices):
    CITY_COUNCIL = "city_council", _("City integrated-support council")
    DONG_COUNCIL = "dong_council", _("Dong care council")
    PRACTITIONERS = "practitioners", _("Monthly practitioners' meeting")
    TEAM_LEADERS = "team_leaders", _("Quarterly team-leader meeting")
    ADMINISTRATIVE = "administrative", _("Fortnightly administrative council")
    JOINT_EXECUTIVE = "joint_executive", _("Joint executive meeting")


class MemberKind(models.TextChoices):
    """The five kinds of people the Act lets sit on an integrated support meeting (Decree §13)."""

    CITY_STAFF = "city_staff", _("City or district staff")
    HEALTH_CENTRE_DONG_STAFF = "health_centre_dong_staff", _("Public health centre or dong staff")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    EXPERT_BODY_STAFF = "expert_body_staff", _("Expert-body staff")
    OTHER_EXPERT = "other_expert", _("Health, housing or care expert")


class Council(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CouncilKind.choices)
    dong = models.ForeignKey("areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("dong"))
    # RFC 5545 subset (FREQ=WEEKLY|MONTHLY, INTERVAL, BYDAY), see lib/recurrence.py.
    rrule = models.CharField(_("recurrence rule"), max_length=100)
    starts_on = models.DateField(_("first session on"))
    time = models.TimeField(_("time"))
    place = models.CharField(_("place"), max_length=100)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("chair"))
    chair_title = models.CharField(_("chair's title"), max_length=100, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "dong"], name="council_kind_dong_unique"),
                       models.UniqueConstraint(fields=["name"], name="council_name_unique")]

    def __str__(self) -> str:
        return self.name


class CouncilMember(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="council_memberships")
    name = models.CharField(_("name"), max_length=50)
    institution = models.CharField(_("institution"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=50, blank=True)

    class Meta:
        ordering = ["council", "pk"]


class Meeting(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("title"), max_length=150)
    # The dong whose cases it decides; empty for a city-level meeting.
    dong = models.ForeignKey("areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("dong"))
    scheduled_at = models.DateTimeField(_("date and time"), db_index=True)
    place = models.CharField(_("place"), max_length=100)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="chaired_meetings", verbose_name=_("chair"))
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    topics = models.TextField(_("agenda topics"), blank=True)
    minutes = models.TextField(_("meeting minutes"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["council", "scheduled_at"], name="council_session_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_signed(self) -> bool:
        return self.status == MeetingStatus.SIGNED


class Attendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_invitations")
    member_kind = models.CharField(_("member kind"), max_length=30, choices=MemberKind.choices)
    institution = models.CharField(_("institution"), max_length=100, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "member_kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendee_unique")]


class AgendaReason(models.TextChoices):
    MARKED = "marked", _("Marked for a meeting")
    PLAN_PENDING = "plan_pending", _("Waiting for plan approval")
    ESCALATED = "escalated", _("Escalated by a dong meeting")
    OTHER = "other", _("Other")


class Decision(models.TextChoices):
    APPROVE_PLAN = "approve_plan", _("Approve the plan")
    CHANGE_PLAN = "change_plan", _("Change the plan")
    ADD_SERVICES = "add_services", _("Add services")
    ESCALATE = "escalate", _("Escalate")
    CLOSE = "close", _("Close the case")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="meeting_items")
    position = models.PositiveSmallIntegerField()
    reason = models.CharField(_("why on the agenda"), max_length=20, choices=AgendaReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # The support-plan version the decision was about (approve or change).
    plan_version = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_case_unique")]


class ServiceRequest(models.Model):
    """One service the meeting decided to add, and what became of it: a referral, or the refusal.

    Plain ids rather than foreign keys into the referrals app: the meeting keeps its record even if
    the catalogue changes, and the two apps migrate independently."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="service_requests")
    service_id = models.PositiveIntegerField()
    service_name = models.CharField(max_length=200)
    institution_name = models.CharField(max_length=200, blank=True)
    referral_id = models.PositiveIntegerField(null=True, blank=True)
    refusal_code = models.CharField(max_length=50, blank=True)
    refusal_message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["item", "pk"]

    @property
    def refused(self) -> bool:
        return self.referral_id is None


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    title = models.CharField(_("action item"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions",
                              verbose_name=_("owner"))
    due_on = models.DateField(_("due date"), db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_note = models.CharField(_("result of the action"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"])]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
