"""The device simulator's publisher on a real MQTT broker (Mosquitto on 127.0.0.1:1883): every event of the stream
arrives once, in order, on its topic (alarms on the alarm lane), as the JSON the protocol describes, and the log
lists what the broker acknowledged."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time
import uuid

import paho.mqtt.client as mqtt

from dolbom.safety import protocol, simulator

HOMES = [simulator.SimHome(f"S{i:03d}-GW", (simulator.SimDevice("activity", f"S{i:03d}-A1", "거실"),
                                             simulator.SimDevice("button", f"S{i:03d}-B1"),
                                             simulator.SimDevice("fire", f"S{i:03d}-F1", "주방")))
         for i in range(10)]


def test_the_published_stream_arrives_whole_in_order_and_alarms_on_their_lane(broker):
    prefix = f"test-{uuid.uuid4().hex[:10]}/safety/v1/gw"
    events, _notes = simulator.generate(HOMES, seconds=3600, rhythm=simulator.Rhythm.flat_rate(30.0),
                                        plan=simulator.Plan(buttons=4, fires=2, window=(0.0, 1.0)), seed=3)
    assert any(e.kind in protocol.ALARM_LANE_KINDS for e in events)
    # The machine's broker may run Mosquitto's defaults: a subscriber more than 1,000 messages behind loses some.
    assert len(events) < 800
    got: list[tuple[str, dict]] = []
    subscribed = threading.Event()
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    sub.on_message = lambda c, u, m: got.append((m.topic, json.loads(m.payload)))
    sub.on_subscribe = lambda *a: subscribed.set()
    sub.on_connect = lambda c, u, f, rc, p: c.subscribe(f"{prefix}/+/+", qos=1)
    sub.connect(broker.host, broker.port)
    sub.loop_start()
    try:
        assert subscribed.wait(10)
        log = io.StringIO()
        report = simulator.publish(events, broker=broker, prefix=prefix, pace="fast", speed=1.0,
                                   start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), run="r1", log=log)
        deadline = time.monotonic() + 20
        while len(got) < len(events) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sub.disconnect()
        sub.loop_stop()
    assert report.published == report.acknowledged == len(events)
    assert len(log.getvalue().splitlines()) == len(events)
    assert [(b["controller"], b["seq"]) for _t, b in got] == [(e.controller, e.seq) for e in events]
    for (topic, sent), e in zip(got, events, strict=True):
        assert topic == protocol.topic_for(e.kind, e.controller, prefix)
        expected = simulator.body(e, dt.datetime.fromisoformat(sent["time"]), run="r1")
        assert sent == expected
