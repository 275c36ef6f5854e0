"""Purpose calls by the city to a group: a heat-wave, cold-wave or disaster check, or a notice."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import profile
from dolbom.areas.models import Dong
from dolbom.checkins.errors import CheckinErrorCode
from dolbom.checkins.models import (
    Call,
    CallKind,
    CallStatus,
    Campaign,
    CampaignKind,
    CheckinSettings,
    Enrolment,
    EnrolmentStatus,
)
from dolbom.lib.errors import DomainError, Forbidden


@transaction.atomic
def campaign_create(*, actor: User, kind: CampaignKind | str, title: str, message: str = "",
                    dong: Dong | None = None) -> Campaign:
    """One due call per active enrolment in the group (the whole city, or one dong). Paused clients
    are left out: they asked not to be called."""
    p = profile(actor)
    if p is None or p.role != Role.CITY_TEAM:
        raise Forbidden(CheckinErrorCode.NOT_ALLOWED)
    if not title.strip():
        raise DomainError(CheckinErrorCode.NOTE_REQUIRED)
    enrolments = Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).select_related("case")
    if dong is not None:
        enrolments = enrolments.filter(case__dong=dong)
    enrolments = list(enrolments)
    if not enrolments:
        raise DomainError(CheckinErrorCode.CAMPAIGN_EMPTY)
    campaign = Campaign.objects.create(kind=CampaignKind(kind), title=title.strip(), message=message.strip(),
                                       dong=dong, created_by=actor)
    now = timezone.now()
    Call.objects.bulk_create([
        Call(enrolment=e, campaign=campaign, dong_id=e.case.dong_id, kind=CallKind.PURPOSE, status=CallStatus.DUE,
             due_at=now, next_attempt_at=now)
        for e in enrolments
    ])
    return campaign


@transaction.atomic
def checkin_settings_update(*, actor: User, max_attempts: int, retry_minutes: int, escalate_after_minutes: int,
                            missed_in_row_alert: int) -> CheckinSettings:
    """The city's settings for tries, spacing and escalation; only the city team sets them."""
    p = profile(actor)
    if p is None or p.role != Role.CITY_TEAM:
        raise Forbidden(CheckinErrorCode.NOT_ALLOWED)
    if not (1 <= max_attempts <= 10 and 5 <= retry_minutes <= 240 and 5 <= escalate_after_minutes <= 1440
            and 1 <= missed_in_row_alert <= 10):
        raise DomainError(CheckinErrorCode.SETTINGS_OUT_OF_RANGE)
    row = CheckinSettings.objects.select_for_update().order_by("pk").first() or CheckinSettings()
    row.max_attempts, row.retry_minutes = max_attempts, retry_minutes
    row.escalate_after_minutes, row.missed_in_row_alert = escalate_after_minutes, missed_in_row_alert
    row.save()
    return row
