"""The gateway protocol's parser: the fast path for canonical events judges exactly as the schema (pydantic)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dolbom.safety import protocol
from dolbom.safety.errors import IngestErrorCode

NOW = dt.datetime(2026, 3, 27, 5, 10, tzinfo=dt.UTC)
BASE = {"v": 1, "controller": "GW-1", "event_id": "e1", "seq": 7, "time": "2026-03-27T14:05:09.120+09:00",
        "device": "A-1", "device_kind": "activity", "status_code": 100, "location": "거실", "battery": 80}

VARIANTS = [
    {},
    {"time": "2026-03-27T05:05:09Z"},
    {"time": "2026-03-27T05:05:09.123456+00:00"},
    {"time": "2026-03-27T14:05:09"},  # naive
    {"time": "2026-03-27 14:05:09+09:00"},  # another separator: pydantic's call
    {"time": "2026-02-30T14:05:09+09:00"},
    {"time": 1774587909},
    {"time": "2026-03-27T06:00:00+00:00"},  # 50 minutes ahead
    {"seq": "7"},
    {"seq": -1},
    {"seq": 7.0},
    {"seq": True},
    {"status_code": "100"},
    {"status_code": 999},
    {"controller": " GW-1 "},
    {"controller": ""},
    {"controller": "G" * 65},
    {"event_id": ["e1"]},
    {"device": None, "device_kind": "gateway", "status_code": 500},
    {"device": "  "},
    {"device": 5},
    {"device_kind": "fire"},
    {"device_kind": ["activity"]},
    {"battery": 101},
    {"battery": "80"},
    {"battery": None},
    {"location": "x" * 41},
    {"component": "c1"},
    {"firmware": 3},
    {"report_119": "sent", "device_kind": "fire", "status_code": 200},
    {"report_119": "maybe"},
    {"report_119": {"a": 1}},
    {"v": 2},
    {"v": 1.0},
    {"extra": "kept in raw, ignored"},
]


def _judged(item: dict, *, fast: bool) -> object:
    raw = json.dumps(item, ensure_ascii=False)
    if not fast:
        original, protocol._fast = protocol._fast, lambda item: None
    try:
        return protocol.validate(item, raw, now=NOW)
    except protocol.ProtocolError as exc:
        return exc.code, exc.detail
    finally:
        if not fast:
            protocol._fast = original


@pytest.mark.parametrize("change", VARIANTS, ids=[json.dumps(v, ensure_ascii=False)[:40] for v in VARIANTS])
def test_the_fast_parser_judges_every_variant_as_the_schema_does(change):
    item = {**BASE, **change}
    assert _judged(item, fast=True) == _judged(item, fast=False)


def test_a_canonical_event_takes_the_fast_path_with_the_schemas_values():
    event = protocol._fast(dict(BASE))
    assert event is not None
    assert event.time == dt.datetime(2026, 3, 27, 5, 5, 9, 120000, tzinfo=dt.UTC)
    assert (event.controller, event.seq, event.battery, event.component) == ("GW-1", 7, 80, "")


def test_a_missing_field_is_refused_with_its_name():
    item = dict(BASE)
    del item["seq"]
    assert _judged(item, fast=True) == (IngestErrorCode.FIELD_MISSING, "seq")


def test_one_bad_event_in_a_buffered_flush_does_not_refuse_the_rest():
    bad = {**BASE, "event_id": "e2", "status_code": 999}
    ok, refused = protocol.parse_message(json.dumps([BASE, bad]).encode(), now=NOW, topic_controller="GW-1")
    assert [p.event.event_id for p in ok] == ["e1"]
    assert [(r.code, r.controller) for r in refused] == [(IngestErrorCode.STATUS_UNKNOWN, "GW-1")]


def test_an_event_naming_another_gateway_than_its_topic_is_refused():
    ok, refused = protocol.parse_message(json.dumps(BASE).encode(), now=NOW, topic_controller="GW-2")
    assert ok == [] and refused[0].code == IngestErrorCode.CONTROLLER_MISMATCH and refused[0].controller == "GW-1"


def test_alarms_and_their_clearing_go_on_the_alarm_lane_and_both_topics_name_their_gateway():
    prefix = "city/safety/v1/gw"
    for kind in ("fire", "fire_cleared", "gas", "gas_cleared", "button", "button_cancelled"):
        assert protocol.topic_for(kind, "GW-1", prefix) == "city/safety/v1/gw/GW-1/alarm"
    for kind in ("activity", "door_open", "heartbeat", "power_off", "low_battery"):
        assert protocol.topic_for(kind, "GW-1", prefix) == "city/safety/v1/gw/GW-1/events"
    assert protocol.controller_of_topic("city/safety/v1/gw/GW-1/alarm", prefix) == "GW-1"
    assert protocol.controller_of_topic("city/safety/v1/gw/GW-1/events", prefix) == "GW-1"
    assert protocol.controller_of_topic("city/safety/v1/gw/GW-1/other", prefix) is None
    assert protocol.alarm_subscription(prefix, "g") == "$share/g/city/safety/v1/gw/+/alarm"
