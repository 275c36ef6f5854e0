"""How long raw events are kept. Incidents, tickets and the monthly figures are kept with the case records;
the raw stream (thousands of rows a second nationally) only as long as the operators need to look back."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from dolbom.safety.models import Event, Incident, IncidentLog

CHUNK = 10_000


def events_purge(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete events older than DOLBOM_SAFETY_EVENT_RETENTION_DAYS, except those an incident points at
    (its evidence). In chunks, so the table is never locked for long."""
    now = now or timezone.now()
    before = now - dt.timedelta(days=days if days is not None else settings.DOLBOM_SAFETY_EVENT_RETENTION_DAYS)
    evidence_incident = Incident.objects.filter(first_event_id=OuterRef("pk"))
    evidence_log = IncidentLog.objects.filter(event_id=OuterRef("pk"))
    deleted = 0
    while True:
        ids = list(Event.objects.filter(occurred_at__lt=before).filter(~Exists(evidence_incident), ~Exists(evidence_log))
                   .values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return deleted
        deleted += Event.objects.filter(pk__in=ids).delete()[0]
