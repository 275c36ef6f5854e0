"""The gateway's event payload and topics (documented for vendors in safety/PROTOCOL.md).

The fields follow the social-alarm model of SCAIP (SS 91100, the Swedish standard most Nordic and Korean
vendors map to): a *controller* (the gateway), the *device* and its kind, the device's *component*, a
*status code*, a *location*, and the gateway's own *event id* and *sequence*, which together with the
controller make an event's natural key. Parsing is pure: it needs no database, so the MQTT worker and the
HTTPS endpoint refuse a malformed message with the same code before touching a table.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dolbom.safety.errors import IngestErrorCode

SCHEMA_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
MAX_EVENTS_PER_MESSAGE = 100  # a gateway flushing what it buffered while offline
MAX_EVENTS_PER_BATCH = 500  # the HTTPS endpoint
FUTURE_TOLERANCE = dt.timedelta(minutes=10)

# status code -> (event kind, the device kinds that may send it). "gateway" is the controller itself.
STATUS_CODES: dict[int, tuple[str, frozenset[str]]] = {
    100: ("activity", frozenset({"activity"})),
    101: ("no_activity", frozenset({"activity"})),
    110: ("door_open", frozenset({"door"})),
    111: ("door_close", frozenset({"door"})),
    200: ("fire", frozenset({"fire"})),
    201: ("fire_cleared", frozenset({"fire"})),
    210: ("gas", frozenset({"gas"})),
    211: ("gas_cleared", frozenset({"gas"})),
    300: ("button", frozenset({"button"})),
    301: ("button_cancelled", frozenset({"button"})),
    400: ("power_off", frozenset({"gateway"})),
    401: ("power_on", frozenset({"gateway"})),
    500: ("heartbeat", frozenset({"gateway", "activity", "door", "fire", "gas", "button"})),
    510: ("low_battery", frozenset({"activity", "door", "fire", "gas", "button"})),
    520: ("tamper", frozenset({"gateway", "activity", "door", "fire", "gas", "button"})),
}
CODE_OF_KIND = {kind: code for code, (kind, _) in STATUS_CODES.items()}
DEVICE_KINDS = ("activity", "door", "fire", "gas", "button", "gateway")

# Topics: one per gateway, so that a broker ACL can let each gateway publish to its own topic only. Each gateway
# has two: ``events`` for everything, and ``alarm``, the priority lane, for fire, gas and the button (and their
# clear and cancel). The worker reads the lane through a session of its own, so an alarm never queues behind the
# activity the broker holds for the events session (a broker's queue per client is first in, first out).
TOPIC_PREFIX = "dolbom/safety/v1/gw"
EVENTS_TOPIC = "events"
ALARM_TOPIC = "alarm"
ALARM_LANE_KINDS = frozenset({"fire", "fire_cleared", "gas", "gas_cleared", "button", "button_cancelled"})


def event_topic(controller: str, prefix: str = TOPIC_PREFIX) -> str:
    return f"{prefix}/{controller}/{EVENTS_TOPIC}"


def alarm_topic(controller: str, prefix: str = TOPIC_PREFIX) -> str:
    return f"{prefix}/{controller}/{ALARM_TOPIC}"


def topic_for(kind: str, controller: str, prefix: str = TOPIC_PREFIX) -> str:
    """Where a gateway publishes an event of ``kind``: alarms and their clearing on the alarm lane."""
    return alarm_topic(controller, prefix) if kind in ALARM_LANE_KINDS else event_topic(controller, prefix)


def _subscribed(topic: str, share_group: str) -> str:
    return f"$share/{share_group}/{topic}" if share_group else topic


def subscription(prefix: str = TOPIC_PREFIX, share_group: str = "") -> str:
    """The ingest worker's subscription to the events topics; with a share group several workers split the
    stream (MQTT 5 shared subscriptions)."""
    return _subscribed(f"{prefix}/+/{EVENTS_TOPIC}", share_group)


def alarm_subscription(prefix: str = TOPIC_PREFIX, share_group: str = "") -> str:
    """The ingest worker's subscription to the alarm lane (its second session)."""
    return _subscribed(f"{prefix}/+/{ALARM_TOPIC}", share_group)


def controller_of_topic(topic: str, prefix: str = TOPIC_PREFIX) -> str | None:
    """The gateway of an events or alarm topic; None for any other topic."""
    head, _, rest = topic.partition(prefix + "/")
    if head or not rest:
        return None
    controller, _, tail = rest.partition("/")
    return controller if controller and tail in (EVENTS_TOPIC, ALARM_TOPIC) else None


class EventIn(BaseModel):
    """One event from a gateway (schema version 1)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    v: int = Field(SCHEMA_VERSION, description="schema version")
    controller: str = Field(min_length=1, max_length=64, description="the gateway's serial number (SCAIP controller)")
    event_id: str = Field(min_length=1, max_length=64, description="the gateway's id of the event")
    seq: int = Field(ge=0, le=2**63 - 1, description="the gateway's sequence number; with event_id and "
                                                      "controller the event's natural key")
    time: dt.datetime = Field(description="when it happened, ISO 8601 with a UTC offset")
    device: str | None = Field(None, max_length=64, description="the device's serial number; empty for the gateway")
    device_kind: Literal["activity", "door", "fire", "gas", "button", "gateway"]
    component: str = Field("", max_length=20, description="the device's channel on the gateway")
    status_code: int = Field(description="see the status code table")
    location: str = Field("", max_length=40, description="where the device is (거실, 주방, 현관, ...)")
    battery: int | None = Field(None, ge=0, le=100, description="battery level in percent, if the device reports it")
    firmware: str = Field("", max_length=40)
    report_119: Literal["sent", "failed"] | None = Field(
        None, description="fire and gas: whether the gateway's own 119 report went out")

    @field_validator("time")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive time")
        return value


@dataclass(frozen=True)
class ProtocolError(Exception):
    code: IngestErrorCode
    detail: str = ""


class Event:
    """A valid event's fields (those of EventIn), as the ingest reads them: a plain object, because the
    worker makes thousands a second and a pydantic instance costs several times more to build."""

    __slots__ = ("v", "controller", "event_id", "seq", "time", "device", "device_kind", "component", "status_code",
                 "location", "battery", "firmware", "report_119")

    def __init__(self, v: int, controller: str, event_id: str, seq: int, time: dt.datetime, device: str | None,
                 device_kind: str, component: str, status_code: int, location: str, battery: int | None,
                 firmware: str, report_119: str | None) -> None:
        self.v, self.controller, self.event_id, self.seq, self.time = v, controller, event_id, seq, time
        self.device, self.device_kind, self.component, self.status_code = device, device_kind, component, status_code
        self.location, self.battery, self.firmware, self.report_119 = location, battery, firmware, report_119

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Event) and all(getattr(self, f) == getattr(other, f) for f in self.__slots__)

    def __repr__(self) -> str:
        return "Event(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self.__slots__) + ")"


@dataclass(frozen=True)
class Parsed:
    """A valid event, with what it decodes to and its raw JSON text."""

    event: Event
    kind: str  # EventKind value
    raw: str


# The canonical time of the schema (what gateways send: `2026-03-27T14:05:09.120+09:00`); anything else goes to
# pydantic, which accepts more (other separators, numbers) and says why it refuses.
_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)\Z")
_KINDS = frozenset(DEVICE_KINDS)
_INT_MAX = 2**63 - 1


def _fast(item: dict) -> Event | None:
    """The canonical form of an event, checked with a few comparisons: exact types, in range, nothing for
    str_strip_whitespace to strip. None when anything is unusual or wrong: pydantic then judges the item
    (coercions, error codes), so this path accepts only what pydantic accepts, with the same values
    (test_protocol checks that both agree)."""
    g = item.get
    controller, event_id, seq, time, kind, code = (g("controller"), g("event_id"), g("seq"), g("time"),
                                                   g("device_kind"), g("status_code"))
    device, component, location = g("device"), g("component", ""), g("location", "")
    battery, firmware, report = g("battery"), g("firmware", ""), g("report_119")
    str_ = str
    if not (type(controller) is str_ and 0 < len(controller) <= 64 and type(event_id) is str_
            and 0 < len(event_id) <= 64 and type(seq) is int and 0 <= seq <= _INT_MAX and type(code) is int
            and type(kind) is str_ and kind in _KINDS and type(time) is str_ and _CANONICAL_TIME.match(time)
            and (device is None or (type(device) is str_ and len(device) <= 64))
            and type(component) is str_ and len(component) <= 20 and type(location) is str_ and len(location) <= 40
            and type(firmware) is str_ and len(firmware) <= 40
            and (battery is None or (type(battery) is int and 0 <= battery <= 100))
            and (report is None or report == "sent" or report == "failed") and type(g("v", SCHEMA_VERSION)) is int):
        return None
    for text in (controller, event_id, device, component, location, firmware):
        if text and (text[0].isspace() or text[-1].isspace()):
            return None
    try:
        at = dt.datetime.fromisoformat(time)
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return Event(SCHEMA_VERSION, controller, event_id, seq, at, device, kind, component, code, location, battery,
                 firmware, report)


def _checked(item: dict) -> Event:
    """pydantic's judgement of an item the fast path did not take, as the same plain object."""
    try:
        event = EventIn.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field(first)
        if first.get("type") == "missing":
            raise ProtocolError(IngestErrorCode.FIELD_MISSING, field) from None
        if field == "time":
            raise ProtocolError(IngestErrorCode.TIME_INVALID, str(item.get("time"))[:60]) from None
        raise ProtocolError(IngestErrorCode.FIELD_INVALID, field) from None
    return Event(*(getattr(event, name) for name in Event.__slots__))


def _field(error: dict[str, Any]) -> str:
    return ".".join(str(p) for p in error.get("loc", ())) or "?"


def validate(item: Any, raw: str, *, now: dt.datetime) -> Parsed:
    """One decoded JSON value to a Parsed event, or ProtocolError with its code."""
    if not isinstance(item, dict):
        raise ProtocolError(IngestErrorCode.FIELD_INVALID, "event must be a JSON object")
    version = item.get("v", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise ProtocolError(IngestErrorCode.VERSION_UNSUPPORTED, str(version)[:20])
    event = _fast(item) or _checked(item)
    known = STATUS_CODES.get(event.status_code)
    if known is None:
        raise ProtocolError(IngestErrorCode.STATUS_UNKNOWN, str(event.status_code))
    kind, senders = known
    if event.device_kind not in senders:
        raise ProtocolError(IngestErrorCode.STATUS_NOT_FOR_DEVICE, f"{event.status_code}/{event.device_kind}")
    if event.device_kind != "gateway" and not event.device:
        raise ProtocolError(IngestErrorCode.FIELD_MISSING, "device")
    if event.time - now > FUTURE_TOLERANCE:
        raise ProtocolError(IngestErrorCode.TIME_IN_FUTURE, event.time.isoformat())
    return Parsed(event=event, kind=kind, raw=raw)


@dataclass(frozen=True)
class Refused:
    code: IngestErrorCode
    detail: str
    raw: str
    controller: str = ""


def _head(payload: bytes) -> str:
    """What a refusal keeps of a message it could not read as events."""
    return payload[:8192].decode("utf-8", "replace")


def parse_message(payload: bytes, *, now: dt.datetime, topic_controller: str | None = None
                  ) -> tuple[list[Parsed], list[Refused]]:
    """An MQTT message (one event, or a JSON array of events) into valid events and refusals.

    Each element is judged alone: one bad event in a gateway's buffered flush does not refuse the rest."""
    if len(payload) > MAX_MESSAGE_BYTES:
        return [], [Refused(IngestErrorCode.TOO_LARGE, f"{len(payload)} bytes", _head(payload))]
    try:
        text = payload.decode("utf-8")
        decoded = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        return [], [Refused(IngestErrorCode.MALFORMED_JSON, str(exc)[:200], _head(payload))]
    if type(decoded) is dict:  # nearly every message: one event
        return judge([(decoded, text)], now=now, controller=topic_controller)
    if isinstance(decoded, list):
        if len(decoded) > MAX_EVENTS_PER_MESSAGE:
            return [], [Refused(IngestErrorCode.BATCH_TOO_LARGE, str(len(decoded)), _head(payload))]
        items = [(item, json.dumps(item, ensure_ascii=False, separators=(",", ":"))) for item in decoded]
    else:
        items = [(decoded, text)]
    return judge(items, now=now, controller=topic_controller)


def judge(items: list[tuple[Any, str]], *, now: dt.datetime, controller: str | None
          ) -> tuple[list[Parsed], list[Refused]]:
    """Validate decoded items; with ``controller`` (the topic's or the token's) every event must name it."""
    ok: list[Parsed] = []
    refused: list[Refused] = []
    for item, raw in items:
        try:
            parsed = validate(item, raw, now=now)
        except ProtocolError as exc:
            given = str(item.get("controller", ""))[:64] if isinstance(item, dict) else ""
            refused.append(Refused(exc.code, exc.detail, raw[:8192], given))
            continue
        if controller is not None and parsed.event.controller != controller:
            refused.append(Refused(IngestErrorCode.CONTROLLER_MISMATCH, f"{parsed.event.controller} != {controller}",
                                   raw[:8192], str(item.get("controller", ""))[:64]))
            continue
        ok.append(parsed)
    return ok, refused


def event_json(*, controller: str, event_id: str, seq: int, time: dt.datetime, device: str | None,
               device_kind: str, kind: str, component: str = "", location: str = "", battery: int | None = None,
               report_119: str | None = None) -> dict[str, Any]:
    """An event as a gateway sends it (the simulator, tests and vendors' examples use this)."""
    body: dict[str, Any] = {"v": SCHEMA_VERSION, "controller": controller, "event_id": event_id, "seq": seq,
                            "time": time.isoformat(timespec="milliseconds"), "device_kind": device_kind,
                            "status_code": CODE_OF_KIND[kind]}
    if device:
        body["device"] = device
    if component:
        body["component"] = component
    if location:
        body["location"] = location
    if battery is not None:
        body["battery"] = battery
    if report_119 is not None:
        body["report_119"] = report_119
    return body
