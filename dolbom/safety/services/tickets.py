"""Device tickets: supervision faults of the equipment, for the installer, kept apart from care incidents."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.lib.errors import DomainError
from dolbom.safety.errors import SafetyErrorCode
from dolbom.safety.models import Device, DeviceTicket, FaultKind, Gateway, Home, TicketStatus
from dolbom.safety.services.common import clean_note, require


def subject_of(gateway: Gateway | int, device: Device | int | None) -> str:
    if device is not None:
        return f"dev:{device if isinstance(device, int) else device.pk}"
    return f"gw:{gateway if isinstance(gateway, int) else gateway.pk}"


def ticket_open(*, home: Home, gateway: Gateway, kind: FaultKind | str, now: dt.datetime, device: Device | None = None,
                holds: bool = False, note: str = "") -> DeviceTicket | None:
    """Open the ticket unless the same fault is already open on the same equipment (then None)."""
    subject = subject_of(gateway, device)
    if DeviceTicket.objects.filter(subject=subject, kind=kind, resolved_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            return DeviceTicket.objects.create(home=home, dong_id=home.dong_id, gateway=gateway, device=device,
                                               subject=subject, kind=kind, holds_verdict=holds, opened_at=now,
                                               note=note[:300])
    except IntegrityError:
        return None  # opened meanwhile by another worker


def tickets_close_automatically(*, subject: str, kinds: list[str], now: dt.datetime, note: str) -> int:
    """The fault went away by itself (power back, a heartbeat, the first event of a new device)."""
    return DeviceTicket.objects.filter(subject=subject, kind__in=kinds, resolved_at__isnull=True).update(
        status=TicketStatus.RESOLVED, resolved_at=now, note=note[:300])


@transaction.atomic
def ticket_resolve(*, actor: User, ticket: DeviceTicket, note: str) -> DeviceTicket:
    """The installer fixed it (a new battery, the plug back in). A verdict the fault held is given at the
    next sweep: an overdue deadline fires then."""
    from dolbom.safety.selectors import can_manage_devices, ticket_visible

    require(can_manage_devices(actor))
    note = clean_note(note)
    ticket = lock_in_scope(ticket_visible(actor), ticket.pk, SafetyErrorCode.TICKET_NOT_FOUND, actor=actor,
                           record_type="safety_ticket", resident="home__resident_id")
    if ticket.resolved_at is not None:
        raise DomainError(SafetyErrorCode.TICKET_RESOLVED)
    ticket.status, ticket.resolved_at, ticket.resolved_by = TicketStatus.RESOLVED, timezone.now(), actor
    ticket.note = (f"{ticket.note} / {note}" if ticket.note and note else note or ticket.note)[:300]
    ticket.save(update_fields=["status", "resolved_at", "resolved_by", "note"])
    if ticket.kind == FaultKind.FLAPPING and ticket.device_id:
        Device.objects.filter(pk=ticket.device_id).update(flapping_since=None)
    return ticket
