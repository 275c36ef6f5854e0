"""Events in: one batch from any transport (the MQTT worker, the HTTPS endpoint, the demo) stored and acted on
in one transaction.

The transport acknowledges only after this returns, i.e. after the commit: an event is either in the
database with all its consequences (an incident, a moved deadline), or not acknowledged and therefore sent
again. A resend hits the (gateway, event id, sequence) unique constraint: ``INSERT … ON CONFLICT DO NOTHING
RETURNING`` tells which rows are new, and only those reach the rules, so a redelivery changes nothing.
Refused events are written to the reject table in the same transaction, with their code and raw text.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.safety.errors import IngestErrorCode
from dolbom.safety.models import DeviceStatus, Event, HomeStatus, Reject
from dolbom.safety.protocol import Parsed, Refused
from dolbom.safety.services import rules, sql

_COLUMNS = ("gateway", "device", "home", "event_id", "sequence", "kind", "status_code", "component", "location",
            "occurred_at", "received_at", "transport", "raw")


class GatewayRow(NamedTuple):  # tuples: built a thousand at a time, per batch
    id: int
    serial: str
    home_id: int
    dong_id: int
    status: str
    home_status: str
    last_seen_at: dt.datetime | None
    last_heartbeat_at: dt.datetime | None
    powered: bool
    ticketed: bool  # an open fault that an event can show fixed (rules.CLOSED_BY_EVENTS): nearly always false


class DeviceRow(NamedTuple):
    id: int
    serial: str
    gateway_id: int
    home_id: int
    kind: str
    status: str
    battery_pct: int | None
    first_event_at: dt.datetime | None
    last_event_at: dt.datetime | None
    flapping_since: dt.datetime | None


class Accepted:
    """A valid event matched to its equipment, before it is stored. (A slotted class with its key made once:
    a thousand a batch, read several times each; a frozen dataclass costs a setattr call per field.)"""

    __slots__ = ("parsed", "gateway", "device", "index", "key")

    def __init__(self, parsed: Parsed, gateway: GatewayRow, device: DeviceRow | None, index: int) -> None:
        self.parsed, self.gateway, self.device = parsed, gateway, device
        self.index = index  # position in the caller's list
        self.key: tuple[int, str, int] = (gateway.id, parsed.event.event_id, parsed.event.seq)


@dataclass
class IngestResult:
    """What became of each event handed in, in the order given: "accepted", "duplicate" or an error code."""

    statuses: list[str]
    refused: list[Refused] = field(default_factory=list)
    new_event_ids: list[int] = field(default_factory=list)
    incidents_opened: list[int] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.statuses.count("accepted")

    @property
    def duplicates(self) -> int:
        return self.statuses.count("duplicate")


def _lookup(parsed: list[Parsed]) -> tuple[dict[str, GatewayRow], dict[str, DeviceRow]]:
    from dolbom.safety.models import Device, Gateway

    controllers = list({p.event.controller for p in parsed})
    serials = list({p.event.device for p in parsed if p.event.device and p.event.device_kind != "gateway"})
    if sql.is_postgres():
        g_sql, d_sql = _lookup_sql()
        g_rows = sql.select_rows(*g_sql, [sql.rows_json(controllers)])
        d_rows = sql.select_rows(*d_sql, [sql.rows_json(serials)]) if serials else []
    else:
        from django.db.models import Exists, OuterRef

        from dolbom.safety.models import DeviceTicket

        ticketed = Exists(DeviceTicket.objects.filter(gateway_id=OuterRef("pk"), resolved_at__isnull=True,
                                                      kind__in=rules.CLOSED_BY_EVENTS))
        g_rows = list(Gateway.objects.filter(serial__in=controllers).annotate(ticketed=ticketed)
                      .values_list(*_G_FIELDS, "ticketed"))
        d_rows = list(Device.objects.filter(serial__in=serials).values_list(*_D_FIELDS)) if serials else []
    # tuple.__new__: the NamedTuple's own __new__ is a Python function, a measurable cost a thousand times a batch
    new = tuple.__new__
    gateways = {row[1]: new(GatewayRow, row) for row in g_rows}
    devices = {row[1]: new(DeviceRow, row) for row in d_rows}
    return gateways, devices


_G_FIELDS = ("id", "serial", "home_id", "home__dong_id", "status", "home__status", "last_seen_at", "last_heartbeat_at",
             "powered")
_D_FIELDS = ("id", "serial", "gateway_id", "home_id", "kind", "status", "battery_pct", "first_event_at",
             "last_event_at", "flapping_since")


@functools.cache
def _lookup_sql() -> tuple[tuple[list[str], str], tuple[list[str], str]]:
    """PostgreSQL: the columns and the rest of the two lookups (``sql.select_rows``), made once."""
    from dolbom.safety.models import Device, DeviceTicket, Gateway, Home

    g, h, d, t = sql.table(Gateway), sql.table(Home), sql.table(Device), DeviceTicket
    gc = [f"g.{sql.column(Gateway, n)}" for n in ("id", "serial", "home")]
    gc += [f"h.{sql.column(Home, 'dong')}", f"g.{sql.column(Gateway, 'status')}", f"h.{sql.column(Home, 'status')}"]
    gc += [f"g.{sql.column(Gateway, n)}" for n in ("last_seen_at", "last_heartbeat_at", "powered")]
    kinds = ", ".join(f"'{k}'" for k in rules.CLOSED_BY_EVENTS)  # the enum's own values, not input
    gc += [f"EXISTS (SELECT 1 FROM {sql.table(t)} t WHERE t.{sql.column(t, 'gateway')} = g.{sql.column(Gateway, 'id')} "
           f"AND t.{sql.column(t, 'resolved_at')} IS NULL AND t.{sql.column(t, 'kind')} IN ({kinds}))"]
    g_rest = (f"FROM {g} g JOIN {h} h ON h.{sql.column(Home, 'id')} = g.{sql.column(Gateway, 'home')} "
              f"WHERE g.{sql.column(Gateway, 'serial')} = {sql.any_of()}")
    dc = [sql.column(Device, n.removesuffix("_id")) for n in _D_FIELDS]
    return (gc, g_rest), (dc, f"FROM {d} WHERE {sql.column(Device, 'serial')} = {sql.any_of()}")


_ACTIVE_DEVICE, _ACTIVE_HOME = str(DeviceStatus.ACTIVE), str(HomeStatus.ACTIVE)  # plain str: compared per event


def _match(p: Parsed, gateways: dict[str, GatewayRow], devices: dict[str, DeviceRow]
           ) -> tuple[GatewayRow, DeviceRow | None] | tuple[IngestErrorCode, str]:
    event = p.event
    gateway = gateways.get(event.controller)
    if gateway is None:
        return IngestErrorCode.UNKNOWN_CONTROLLER, event.controller
    if gateway.status != _ACTIVE_DEVICE or gateway.home_status != _ACTIVE_HOME:
        return IngestErrorCode.GATEWAY_RETIRED, event.controller
    if event.device_kind == "gateway":
        return gateway, None
    device = devices.get(event.device or "")
    if device is None or device.gateway_id != gateway.id:
        return IngestErrorCode.UNKNOWN_DEVICE, event.device or ""
    if device.status != _ACTIVE_DEVICE:
        return IngestErrorCode.DEVICE_RETIRED, device.serial
    if device.kind != event.device_kind:
        return IngestErrorCode.DEVICE_KIND_MISMATCH, f"{event.device_kind} != {device.kind}"
    return gateway, device


def _insert(rows: list[Accepted], *, transport: str, received_at: dt.datetime, direct: bool = False
            ) -> dict[tuple[int, str, int], int]:
    """Insert the events; the keys that were new, with their ids (a resend returns nothing).

    PostgreSQL, ``direct``: straight in by COPY with ids drawn beforehand (no staging table, no ON CONFLICT,
    no savepoint); a batch holding a resend breaks the unique constraint, which aborts the transaction
    (``_Resent``), and goes again without ``direct``: through ``sql.insert_returning``."""
    if sql.is_postgres():
        if not rows:
            return {}
        lines = _copy_lines(rows, transport=transport, received_at=received_at)
        if direct:
            import psycopg

            ids = sql.next_ids(Event, len(rows))
            text = "".join([f"{pk}\t{line}" for pk, line in zip(ids, lines, strict=True)]).encode()
            try:
                sql.copy_insert(Event, text, columns=("id", *_COLUMNS))
            except IntegrityError as exc:  # psycopg's error, as Django's (sql.pg_cursor)
                if isinstance(exc.__cause__, psycopg.errors.UniqueViolation):
                    raise _Resent from exc
                raise
            return {a.key: pk for a, pk in zip(rows, ids, strict=True)}
        values, text = [], "".join(lines).encode()
    else:
        values = [[a.gateway.id, a.device.id if a.device else None, a.gateway.home_id, a.parsed.event.event_id,
                   a.parsed.event.seq, a.parsed.kind, a.parsed.event.status_code, a.parsed.event.component,
                   a.parsed.event.location, a.parsed.event.time, received_at, transport, a.parsed.raw]
                  for a in rows]
        text = None
    found = sql.insert_returning(Event, _COLUMNS, values, conflict=("gateway", "event_id", "sequence"),
                                 returning=("id", "gateway", "event_id", "sequence"), copy_text=text)
    return {(int(gateway_id), str(event_id), int(sequence)): int(pk) for pk, gateway_id, event_id, sequence in found}


def _copy_lines(rows: list[Accepted], *, transport: str, received_at: dt.datetime) -> list[str]:
    """The rows of _COLUMNS in COPY's text format, one f-string each (the generic ``sql._copy_text`` tests
    every value's type: a quarter of the worker's time per event, measured by bench/safety_profile.py)."""
    esc, null = sql.copy_escape, "\\N"
    received = received_at.isoformat()
    lines = []
    for a in rows:
        e, d, raw = a.parsed.event, a.device, a.parsed.raw
        event_id, component, location = e.event_id, e.component, e.location
        # One test of the four texts together (nearly always clean) instead of an escape call for each.
        texts = f"{event_id}{component}{location}{raw}"
        if "\\" in texts or "\t" in texts or "\n" in texts or "\r" in texts:
            event_id, component, location, raw = esc(event_id), esc(component), esc(location), esc(raw)
        lines.append(f"{a.gateway.id}\t{d.id if d is not None else null}\t{a.gateway.home_id}\t{event_id}\t"
                     f"{int(e.seq)}\t{a.parsed.kind}\t{int(e.status_code)}\t{component}\t{location}\t"
                     f"{e.time.isoformat()}\t{received}\t{transport}\t{raw}\n")
    return lines


def _reject_rows(refused: list[Refused], *, transport: str, received_at: dt.datetime, topic: str) -> list[Reject]:
    return [Reject(received_at=received_at, transport=transport, code=str(r.code), detail=r.detail[:300],
                   topic=topic[:200], controller=r.controller[:64], raw=r.raw[:8192]) for r in refused]


def events_ingest(*, parsed: list[Parsed], refused: list[Refused] = (), transport: str, topic: str = "",
                  received_at: dt.datetime | None = None, refused_topics: list[str] | None = None) -> IngestResult:
    """Store a batch and apply the rules to what is new, in one transaction (see the module's docstring).

    ``refused`` are the transport's own refusals (bad JSON, a topic that names another gateway), stored as
    rejects beside those found here (unknown device, retired gateway); ``refused_topics`` their topics when
    the batch mixes several MQTT messages."""
    received_at = received_at or timezone.now()
    gateways, devices = _lookup(parsed) if parsed else ({}, {})
    statuses: list[str] = []
    found: list[Refused] = []
    accepted: list[Accepted] = []
    seen: set[tuple[int, str, int]] = set()
    for index, p in enumerate(parsed):
        matched = _match(p, gateways, devices)
        if isinstance(matched[0], IngestErrorCode):
            code, detail = matched  # type: ignore[misc]
            statuses.append(str(code))
            found.append(Refused(code, str(detail)[:300], p.raw[:8192], p.event.controller))
            continue
        gateway, device = matched  # type: ignore[misc]
        a = Accepted(p, gateway, device, index)
        if a.key in seen:
            statuses.append("duplicate")
            continue
        seen.add(a.key)
        accepted.append(a)
        statuses.append("")
    result = IngestResult(statuses=statuses)
    rejects = _reject_rows(list(refused), transport=transport, received_at=received_at, topic=topic)
    if refused_topics:
        for row, t in zip(rejects, refused_topics, strict=False):
            row.topic = t[:200]
    rejects += _reject_rows(found, transport=transport, received_at=received_at, topic=topic)
    try:
        with transaction.atomic():
            _store(result, accepted, rejects, transport=transport, received_at=received_at, direct=True)
    except _Resent:
        # Nothing of the first try is left (its transaction rolled back): the batch again, telling old from new.
        with transaction.atomic():
            _store(result, accepted, rejects, transport=transport, received_at=received_at, direct=False)
    result.refused = list(refused) + found
    return result


class _Resent(Exception):
    """The batch's direct COPY met an event already stored (a resend): its transaction is rolled back."""


def _store(result: IngestResult, accepted: list[Accepted], rejects: list[Reject], *, transport: str,
           received_at: dt.datetime, direct: bool) -> None:
    """The batch's writes, inside its transaction: the events, what the rules make of the new ones, the rejects."""
    new = _insert(accepted, transport=transport, received_at=received_at, direct=direct)
    fresh = []
    for a in accepted:
        pk = new.get(a.key)
        result.statuses[a.index] = "accepted" if pk is not None else "duplicate"
        if pk is not None:
            fresh.append(rules.New(id=pk, accepted=a))
    result.incidents_opened = rules.apply(fresh, now=received_at) if fresh else []
    result.new_event_ids = [n.id for n in fresh]
    if rejects:
        Reject.objects.bulk_create(rejects)


def reject_record(*, refused: list[Refused], transport: str, topic: str = "",
                  received_at: dt.datetime | None = None) -> None:
    """Refusals alone (a message whose batch could not be processed at all is kept here, never dropped)."""
    if refused:
        Reject.objects.bulk_create(_reject_rows(refused, transport=transport, received_at=received_at or timezone.now(),
                                                topic=topic))
