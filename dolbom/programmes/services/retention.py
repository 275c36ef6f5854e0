"""Destroying what is no longer needed (PIPA §21): names and phone numbers of past sign-ups and bookings.

The counts stay (attendance, no-shows, conversions feed the indicators); who it was does not. The public
pages say so: "kept for 180 days after the session".
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dolbom.programmes.models import ConsultationBooking, Signup

RETENTION = dt.timedelta(days=180)


@transaction.atomic
def personal_data_purge(*, now: dt.datetime | None = None) -> tuple[int, int]:
    now = now or timezone.now()
    cut = now - RETENTION
    signups = Signup.objects.filter(session__ends_at__lt=cut, purged_at__isnull=True).update(
        name="", phone="", purged_at=now)
    bookings = ConsultationBooking.objects.filter(slot__ends_at__lt=cut, purged_at__isnull=True).update(
        name="", phone="", topic="", outcome="", purged_at=now)
    return signups, bookings
