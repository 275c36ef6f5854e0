"""Homes and their equipment: the waiting list, installation, the home's settings, devices added, replaced and
retired, the gateway's token, absences."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.accounts.scope import lock_in_scope, role_of
from dolbom.lib.errors import DomainError, NotFound
from dolbom.registry.models import Resident
from dolbom.safety import events
from dolbom.safety.errors import SafetyErrorCode
from dolbom.safety.models import (
    ABSENCE_MAX_DAYS,
    Absence,
    AbsenceReason,
    Centre,
    Clock,
    Device,
    DeviceKind,
    DeviceStatus,
    EndReason,
    Gateway,
    Home,
    HomeStatus,
    Responder,
    SafetySettings,
)
from dolbom.safety.services.common import clean_note, clock_recompute, clock_restart, open_case, require

MIN_LEVEL_MINUTES = 60
MAX_LEVEL_MINUTES = 72 * 60
MAX_QUIET_HOURS = 12


def _lock_home(actor: User, home: Home) -> Home:
    from dolbom.safety.selectors import home_visible

    return lock_in_scope(home_visible(actor).select_related("resident"), home.pk, SafetyErrorCode.HOME_NOT_FOUND,
                         actor=actor, record_type="safety_home", resident="resident_id")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str]:
    token = "dsg_" + secrets.token_urlsafe(32)
    return token, token_hash(token)


# The waiting list and installation ------------------------------------------------------------------

@transaction.atomic
def waitlist_add(*, actor: User, resident: Resident, note: str = "", applied_on: dt.date | None = None) -> Home:
    """The dong office puts a resident on the waiting list (the service is applied for at the dong office)."""
    from dolbom.registry.selectors import resident_visible
    from dolbom.safety.selectors import can_add_to_waitlist

    require(can_add_to_waitlist(actor))
    resident = resident_visible(actor).select_related("household").filter(pk=resident.pk).first()
    if resident is None:
        raise NotFound(SafetyErrorCode.RESIDENT_NOT_FOUND)
    if Home.objects.filter(household_id=resident.household_id).exclude(status=HomeStatus.ENDED).exists():
        raise DomainError(SafetyErrorCode.ALREADY_IN_SERVICE)
    try:
        with transaction.atomic():
            return Home.objects.create(resident=resident, household_id=resident.household_id, dong_id=resident.dong_id,
                                       status=HomeStatus.WAITING, applied_on=applied_on or timezone.localdate(),
                                       application_note=clean_note(note)[:300], applied_by=actor)
    except IntegrityError as exc:  # two officers pressing at once
        raise DomainError(SafetyErrorCode.ALREADY_IN_SERVICE) from exc


@dataclass(frozen=True)
class DeviceSpec:
    kind: str
    serial: str
    component: str = ""
    location: str = ""
    firmware: str = ""


def _check_serial(serial: str) -> str:
    serial = serial.strip()
    if not serial:
        raise DomainError(SafetyErrorCode.SERIAL_REQUIRED)
    if Gateway.objects.filter(serial=serial).exists() or Device.objects.filter(serial=serial).exists():
        raise DomainError(SafetyErrorCode.SERIAL_TAKEN, serial=serial)
    return serial


def _check_worker(centre: Centre, worker: User) -> None:
    if role_of(worker) != Role.EMERGENCY_WORKER or not Responder.objects.filter(
            user=worker, centre=centre, active=True).exists():
        raise DomainError(SafetyErrorCode.WORKER_INVALID)


def _device(home: Home, gateway: Gateway, spec: DeviceSpec, installed_on: dt.date) -> Device:
    if spec.kind not in DeviceKind.values:
        raise DomainError(SafetyErrorCode.KIND_INVALID)
    return Device.objects.create(gateway=gateway, home=home, kind=spec.kind, serial=_check_serial(spec.serial),
                                 component=spec.component.strip()[:20], location=spec.location.strip()[:40],
                                 firmware=spec.firmware.strip()[:40], installed_on=installed_on,
                                 resident=home.resident if spec.kind == DeviceKind.BUTTON else None)


@dataclass(frozen=True)
class Installed:
    home: Home
    gateway: Gateway
    token: str  # shown once: only its hash is kept


@transaction.atomic
def home_install(*, actor: User, home: Home, centre: Centre, worker: User, gateway_serial: str,
                 devices: list[DeviceSpec], installed_on: dt.date | None = None, gateway_model: str = "",
                 firmware: str = "") -> Installed:
    """The equipment is in: the home enters the service with its gateway and sensors, the centre and the
    worker who answers its alarms, and its inactivity clock starts now."""
    from dolbom.safety.selectors import can_install

    require(can_install(actor))
    home = _lock_home(actor, home)
    if home.status != HomeStatus.WAITING:
        raise DomainError(SafetyErrorCode.NOT_WAITING)
    _check_worker(centre, worker)
    installed_on = installed_on or timezone.localdate()
    token, digest = _new_token()
    gateway = Gateway.objects.create(home=home, serial=_check_serial(gateway_serial), model_name=gateway_model[:60],
                                     firmware=firmware[:40], installed_on=installed_on, token_hash=digest)
    for spec in devices:
        _device(home, gateway, spec, installed_on)
    home.status, home.centre, home.worker, home.installed_on = HomeStatus.ACTIVE, centre, worker, installed_on
    home.save(update_fields=["status", "centre", "worker", "installed_on", "updated_at"])
    clock_restart(home, timezone.now())
    case = open_case(home.resident_id)
    if case is not None:
        events.safety_installed(case=case, home=home, actor=actor)
    return Installed(home=home, gateway=gateway, token=token)


@transaction.atomic
def home_assign(*, actor: User, home: Home, worker: User) -> Home:
    """Another worker of the centre takes the home over (a leave, a new round)."""
    from dolbom.safety.selectors import can_manage_devices

    require(can_manage_devices(actor))
    home = _lock_home(actor, home)
    if home.status != HomeStatus.ACTIVE or home.centre is None:
        raise DomainError(SafetyErrorCode.NOT_ACTIVE)
    _check_worker(home.centre, worker)
    home.worker = worker
    home.save(update_fields=["worker", "updated_at"])
    return home


@transaction.atomic
def home_settings_update(*, actor: User, home: Home, caution_minutes: int, warning_minutes: int,
                         danger_minutes: int, quiet_start: dt.time | None, quiet_end: dt.time | None,
                         checkin_on_caution: bool) -> Home:
    """The home's levels and quiet hours; the deadline is computed again from the same last sign of life."""
    from dolbom.safety.selectors import can_manage_devices

    require(can_manage_devices(actor))
    levels = (caution_minutes, warning_minutes, danger_minutes)
    if not (MIN_LEVEL_MINUTES <= caution_minutes < warning_minutes < danger_minutes <= MAX_LEVEL_MINUTES):
        raise DomainError(SafetyErrorCode.LEVELS_INVALID)
    if (quiet_start is None) != (quiet_end is None) or (quiet_start is not None and quiet_start == quiet_end):
        raise DomainError(SafetyErrorCode.QUIET_HOURS_INVALID)
    if quiet_start is not None and quiet_end is not None:
        start = quiet_start.hour * 60 + quiet_start.minute
        end = quiet_end.hour * 60 + quiet_end.minute
        if (end - start) % (24 * 60) > MAX_QUIET_HOURS * 60:
            raise DomainError(SafetyErrorCode.QUIET_HOURS_INVALID)
    home = _lock_home(actor, home)
    home.caution_minutes, home.warning_minutes, home.danger_minutes = levels
    home.quiet_start, home.quiet_end, home.checkin_on_caution = quiet_start, quiet_end, checkin_on_caution
    home.save(update_fields=["caution_minutes", "warning_minutes", "danger_minutes", "quiet_start", "quiet_end",
                             "checkin_on_caution", "updated_at"])
    clock_recompute(home)
    return home


@transaction.atomic
def home_end(*, actor: User, home: Home, reason: str, note: str = "") -> Home:
    """The service ends (death, a move, admission, refusal): its equipment is retired with it."""
    from dolbom.safety.selectors import can_install

    require(can_install(actor))
    if reason not in EndReason.values:
        raise DomainError(SafetyErrorCode.END_REASON_REQUIRED)
    home = _lock_home(actor, home)
    if home.status == HomeStatus.ENDED:
        raise DomainError(SafetyErrorCode.NOT_ACTIVE)
    today = timezone.localdate()
    home.gateways.filter(status=DeviceStatus.ACTIVE).update(status=DeviceStatus.RETIRED, retired_on=today)
    home.devices.filter(status=DeviceStatus.ACTIVE).update(status=DeviceStatus.RETIRED, retired_on=today)
    home.status, home.ended_on, home.end_reason = HomeStatus.ENDED, today, reason
    home.application_note = (f"{home.application_note} / {clean_note(note)}" if note else home.application_note)[:300]
    home.save(update_fields=["status", "ended_on", "end_reason", "application_note", "updated_at"])
    Clock.objects.filter(home=home).update(due_at=None, next_level="", updated_at=timezone.now())
    return home


# Devices ------------------------------------------------------------------------------------------

def _active_gateway(home: Home) -> Gateway:
    gateway = home.gateways.filter(status=DeviceStatus.ACTIVE).first()
    if gateway is None:
        raise DomainError(SafetyErrorCode.NOT_ACTIVE)
    return gateway


@transaction.atomic
def device_add(*, actor: User, home: Home, spec: DeviceSpec, installed_on: dt.date | None = None) -> Device:
    from dolbom.safety.selectors import can_manage_devices

    require(can_manage_devices(actor))
    home = _lock_home(actor, home)
    if home.status != HomeStatus.ACTIVE:
        raise DomainError(SafetyErrorCode.NOT_ACTIVE)
    return _device(home, _active_gateway(home), spec, installed_on or timezone.localdate())


def _lock_device(actor: User, device: Device) -> Device:
    from dolbom.safety.selectors import can_manage_devices, device_visible

    require(can_manage_devices(actor))
    device = lock_in_scope(device_visible(actor).select_related("home", "gateway"), device.pk,
                           SafetyErrorCode.DEVICE_NOT_FOUND, actor=actor, record_type="safety_device",
                           resident="home__resident_id")
    if device.status != DeviceStatus.ACTIVE:
        raise DomainError(SafetyErrorCode.DEVICE_NOT_ACTIVE)
    return device


@transaction.atomic
def device_replace(*, actor: User, device: Device, serial: str, firmware: str = "") -> Device:
    """A new unit of the same kind in the same place; the old one's history stays with it. Its open tickets
    close: the fault left with the old unit."""
    from dolbom.safety.services.tickets import subject_of

    device = _lock_device(actor, device)
    today = timezone.localdate()
    new = _device(device.home, device.gateway, DeviceSpec(kind=device.kind, serial=serial, component=device.component,
                                                         location=device.location, firmware=firmware), today)
    new.resident = device.resident
    new.save(update_fields=["resident"])
    device.status, device.retired_on, device.replaced_by = DeviceStatus.REPLACED, today, new
    device.save(update_fields=["status", "retired_on", "replaced_by"])
    _close_tickets(subject_of(device.gateway_id, device.pk), actor, "기기 교체")
    return new


@transaction.atomic
def device_retire(*, actor: User, device: Device, note: str = "") -> Device:
    from dolbom.safety.services.tickets import subject_of

    device = _lock_device(actor, device)
    device.status, device.retired_on = DeviceStatus.RETIRED, timezone.localdate()
    device.save(update_fields=["status", "retired_on"])
    _close_tickets(subject_of(device.gateway_id, device.pk), actor, clean_note(note) or "기기 회수")
    return device


def _close_tickets(subject: str, actor: User, note: str) -> None:
    from dolbom.safety.models import DeviceTicket, TicketStatus

    DeviceTicket.objects.filter(subject=subject, resolved_at__isnull=True).update(
        status=TicketStatus.RESOLVED, resolved_at=timezone.now(), resolved_by=actor, note=note[:300])


@transaction.atomic
def gateway_replace(*, actor: User, home: Home, serial: str, firmware: str = "") -> Installed:
    """A new gateway: the sensors move to it (they pair with the new controller), the old one is kept as
    history, and a new token is issued."""
    from dolbom.safety.selectors import can_manage_devices
    from dolbom.safety.services.tickets import subject_of

    require(can_manage_devices(actor))
    home = _lock_home(actor, home)
    old = _active_gateway(home)
    today = timezone.localdate()
    serial = _check_serial(serial)
    old.status, old.retired_on, old.token_hash = DeviceStatus.REPLACED, today, ""
    old.save(update_fields=["status", "retired_on", "token_hash"])
    token, digest = _new_token()
    new = Gateway.objects.create(home=home, serial=serial, model_name=old.model_name, firmware=firmware[:40],
                                 installed_on=today, token_hash=digest)
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    home.devices.filter(status=DeviceStatus.ACTIVE).update(gateway=new)
    _close_tickets(subject_of(old.pk, None), actor, "게이트웨이 교체")
    return Installed(home=home, gateway=new, token=token)


@transaction.atomic
def gateway_token_rotate(*, actor: User, gateway: Gateway) -> str:
    """A new token for the HTTPS endpoint (the old one stops working at once); returned once."""
    from dolbom.safety.selectors import can_manage_devices, home_visible

    require(can_manage_devices(actor))
    gateway = lock_in_scope(Gateway.objects.filter(home__in=home_visible(actor)), gateway.pk,
                            SafetyErrorCode.DEVICE_NOT_FOUND, actor=actor, record_type="safety_gateway",
                            resident="home__resident_id")
    if gateway.status != DeviceStatus.ACTIVE:
        raise DomainError(SafetyErrorCode.DEVICE_NOT_ACTIVE)
    token, gateway.token_hash = _new_token()
    gateway.save(update_fields=["token_hash"])
    return token


def gateway_authenticate(token: str) -> Gateway | None:
    if not token:
        return None
    return (Gateway.objects.filter(token_hash=token_hash(token), status=DeviceStatus.ACTIVE,
                                   home__status=HomeStatus.ACTIVE).select_related("home").first())


# Absences -------------------------------------------------------------------------------------------

@transaction.atomic
def absence_register(*, actor: User, home: Home, starts_at: dt.datetime, ends_at: dt.datetime, reason: str,
                     note: str = "") -> Absence:
    """A hospital stay or a trip, told by the person, the family or the case manager: no inactivity alert
    while it lasts (fire, gas and the button still alarm). At most 31 days, so that a forgotten absence
    cannot switch a home's watch off for good."""
    from dolbom.safety.selectors import can_respond

    require(can_respond(actor))
    if reason not in AbsenceReason.values:
        raise DomainError(SafetyErrorCode.ABSENCE_REASON)
    now = timezone.now()
    if ends_at <= starts_at or ends_at <= now:
        raise DomainError(SafetyErrorCode.ABSENCE_DATES)
    if ends_at - starts_at > dt.timedelta(days=ABSENCE_MAX_DAYS):
        raise DomainError(SafetyErrorCode.ABSENCE_TOO_LONG)
    home = _lock_home(actor, home)
    if home.status != HomeStatus.ACTIVE:
        raise DomainError(SafetyErrorCode.NOT_ACTIVE)
    absence = Absence.objects.create(home=home, starts_at=starts_at, ends_at=ends_at, reason=reason,
                                     note=clean_note(note)[:200], registered_by=actor, registered_at=now)
    clock_recompute(home)
    return absence


@transaction.atomic
def absence_cancel(*, actor: User, absence: Absence) -> Absence:
    """The person is back early (or never left): the absence ends now and inactivity counts from now."""
    from dolbom.safety.selectors import absence_visible, can_respond

    require(can_respond(actor))
    absence = lock_in_scope(absence_visible(actor).select_related("home"), absence.pk,
                            SafetyErrorCode.ABSENCE_NOT_FOUND, actor=actor, record_type="safety_absence",
                            resident="home__resident_id")
    now = timezone.now()
    if absence.cancelled_at is not None or absence.ended_early_at is not None or absence.ends_at <= now:
        raise DomainError(SafetyErrorCode.ABSENCE_OVER)
    if absence.starts_at <= now:
        absence.ended_early_at = now
    else:
        absence.cancelled_at, absence.cancelled_by = now, actor
    absence.save(update_fields=["ended_early_at", "cancelled_at", "cancelled_by"])
    clock_recompute(absence.home)
    return absence


# Centres and responders (set up by the city team) ----------------------------------------------------

@transaction.atomic
def responder_set(*, actor: User, user: User, centre: Centre, is_lead: bool = False, phone: str = "",
                  active: bool = True) -> Responder:
    from dolbom.safety.selectors import can_install

    require(can_install(actor))
    if role_of(user) != Role.EMERGENCY_WORKER:
        raise DomainError(SafetyErrorCode.WORKER_INVALID)
    responder, _created = Responder.objects.update_or_create(user=user, defaults={
        "centre": centre, "is_lead": is_lead, "phone": phone.strip()[:20], "active": active})
    return responder


# The city's operating figures ---------------------------------------------------------------------------

SETTINGS_FIELDS = ("escalate_lead_seconds", "escalate_city_seconds", "heartbeat_minutes", "heartbeats_missed",
                   "silent_install_hours", "low_battery_pct", "flap_events", "flap_seconds")


@transaction.atomic
def safety_settings_update(*, actor: User, **values: int) -> SafetySettings:
    """The escalation ladder's clock and the supervision figures, set by the city team. The ladder must climb
    (the city after the team lead) within the published 3-minute target's reach of an hour at most."""
    from dolbom.safety.selectors import can_install

    require(can_install(actor))
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(SafetyErrorCode.SETTINGS_INVALID)
    row = SafetySettings.objects.select_for_update().order_by("pk").first() or SafetySettings()
    for name, value in values.items():
        setattr(row, name, int(value))
    if not (10 <= row.escalate_lead_seconds < row.escalate_city_seconds <= 3600) \
            or not (5 <= row.heartbeat_minutes <= 24 * 60) or not (1 <= row.heartbeats_missed <= 10) \
            or not (1 <= row.silent_install_hours <= 7 * 24) or not (1 <= row.low_battery_pct <= 50) \
            or not (4 <= row.flap_events <= 200) or not (10 <= row.flap_seconds <= 3600):
        raise DomainError(SafetyErrorCode.SETTINGS_INVALID)
    row.save()
    from dolbom.safety.models import _SETTINGS_CACHE

    _SETTINGS_CACHE.clear()
    return row
