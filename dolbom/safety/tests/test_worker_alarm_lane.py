"""The alarm lane on a real MQTT broker (Mosquitto on 127.0.0.1:1883, as in CI): fire, gas and the button come
through a second session of the worker, ahead of whatever activity the broker holds for the first; each
message is acknowledged by the session that delivered it; redelivery on the alarm session opens nothing twice;
an alarm on the old events topic still counts."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

from dolbom.safety import protocol
from dolbom.safety.lanes import ALARM, EVENTS
from dolbom.safety.models import Cause, Event, Incident
from dolbom.safety.mqtt import client
from dolbom.safety.tests.conftest import payload
from dolbom.safety.tests.test_worker_mqtt import Running, crashing_worker, make_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def prefix() -> str:
    # A topic tree of this test's own: other engineers' runs share the broker.
    return f"test-{uuid.uuid4().hex[:10]}/safety/v1/gw"


def send(broker, messages: list[tuple[str, dict]]) -> None:
    """Publish (topic, body) pairs with QoS 1, in order, over one connection (as one gateway does)."""
    pub = client(broker)
    pub.max_inflight_messages_set(0)
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    infos = [pub.publish(topic, json.dumps(body).encode(), qos=1) for topic, body in messages]
    for info in infos:
        info.wait_for_publish(30)
    pub.disconnect()
    pub.loop_stop()


def test_an_alarm_behind_thousands_of_activity_events_is_stored_before_the_backlog(broker, prefix, home):
    backlog = 3000
    worker = make_worker(broker, prefix, f"t-{uuid.uuid4().hex[:8]}")
    gate = threading.Event()
    stored_before_alarm: list[int] = []

    def watch(batch) -> None:
        if batch[0].lane == ALARM:
            stored_before_alarm.append(Event.objects.filter(kind="activity").count())
        gate.wait(60)  # the first batch holds the worker while the backlog piles up behind it

    worker.after_commit = watch
    with Running(worker):
        send(broker, [(protocol.event_topic("T-GW", prefix), payload("activity"))])
        send(broker, [(protocol.event_topic("T-GW", prefix), payload("activity")) for _ in range(backlog)]
             + [(protocol.alarm_topic("T-GW", prefix), payload("button"))])
        # Everything is delivered (the receive maximum lets the broker send it all) and waits in the worker.
        assert wait_for(lambda: len(worker._queue) >= backlog - worker.batch and len(worker._alarms) == 1)
        gate.set()
        assert wait_for(lambda: Event.objects.count() == backlog + 2, timeout=120)
    assert Incident.objects.get().cause == Cause.BUTTON
    # One session would have delivered the button after all 3,000, and stored it last.
    assert len(stored_before_alarm) == 1 and stored_before_alarm[0] <= worker.batch, stored_before_alarm


def test_an_alarm_redelivered_after_a_crash_between_commit_and_ack_opens_no_second_incident(broker, prefix, home):
    client_id = f"t-{uuid.uuid4().hex[:8]}"
    first, committed = crashing_worker(broker, prefix, client_id)
    with Running(first):
        send(broker, [(protocol.alarm_topic("T-GW", prefix), payload("fire", event_id="f-1", seq=3))])
        assert wait_for(committed.is_set)
    assert Event.objects.count() == 1 and Incident.objects.count() == 1

    second = make_worker(broker, prefix, client_id)
    with Running(second):
        assert wait_for(lambda: second.stats.duplicates >= 1), "the alarm session did not send the message again"
    assert second.stats.alarms == 1
    assert Event.objects.count() == 1
    incident = Incident.objects.get()
    assert incident.cause == Cause.FIRE and incident.repeats == 0 and incident.log.count() == 1

    third = make_worker(broker, prefix, client_id)
    with Running(third):
        time.sleep(1.0)
    assert third.stats.received == 0, "the redelivered alarm was not acknowledged on its session"


def test_an_alarm_on_the_old_events_topic_still_opens_its_incident(broker, prefix, home):
    worker = make_worker(broker, prefix, f"t-{uuid.uuid4().hex[:8]}")
    with Running(worker):
        send(broker, [(protocol.event_topic("T-GW", prefix), payload("gas"))])
        assert wait_for(lambda: Incident.objects.filter(cause=Cause.GAS).exists())
    assert worker.stats.alarms == 0 and worker.stats.acked == 1


def test_each_message_is_acknowledged_by_the_session_that_delivered_it(broker, prefix, home):
    client_id = f"t-{uuid.uuid4().hex[:8]}"
    first = make_worker(broker, prefix, client_id)
    acks: list[tuple[str, list[int]]] = []
    delivered: list[tuple[str, int]] = []

    def spy(batch) -> None:
        delivered.extend((m.lane, m.mid) for m in batch)
        for name, lane in first.lanes.items():
            real = lane.client.ack_many
            if getattr(real, "spied", False):
                continue

            def record(mids, name=name, real=real):
                acks.append((name, list(mids)))
                return real(mids)

            record.spied = True
            lane.client.ack_many = record

    first.after_commit = spy
    with Running(first):
        send(broker, [(protocol.event_topic("T-GW", prefix), payload("activity")),
                      (protocol.alarm_topic("T-GW", prefix), payload("button")),
                      (protocol.event_topic("T-GW", prefix), payload("door_open"))])
        assert wait_for(lambda: Event.objects.count() == 3 and first.stats.acked == 3)
    by_lane = {name: sorted(mid for lane, mids in acks if lane == name for mid in mids) for name in (ALARM, EVENTS)}
    assert by_lane == {name: sorted(mid for lane, mid in delivered if lane == name) for name in (ALARM, EVENTS)}
    assert len(by_lane[ALARM]) == 1 and len(by_lane[EVENTS]) == 2

    again = make_worker(broker, prefix, client_id)
    with Running(again):
        time.sleep(1.0)
    assert again.stats.received == 0, "a message was acknowledged on the wrong session and sent again"


def test_a_standby_takes_over_the_alarm_lane_as_soon_as_the_active_worker_ends(broker, prefix, home, tmp_path):
    client_id = f"t-{uuid.uuid4().hex[:8]}"
    lock = str(tmp_path / "ingest.lock")
    active = make_worker(broker, prefix, client_id)
    active.standby_lock = lock
    standby = make_worker(broker, prefix, client_id)
    standby.standby_lock = lock
    waiting = Running(standby)
    with Running(active):
        waiting.thread.start()
        time.sleep(0.5)
        assert not standby.lanes[ALARM].connected.is_set(), "the standby connected while the active one held the lock"
        send(broker, [(protocol.alarm_topic("T-GW", prefix), payload("button"))])
        assert wait_for(lambda: Incident.objects.filter(cause=Cause.BUTTON).exists())
    ended = time.monotonic()  # the active worker has ended, and let go of its lock
    assert wait_for(standby.lanes[ALARM].subscribed.is_set, timeout=5)
    assert time.monotonic() - ended < 1.0
    send(broker, [(protocol.alarm_topic("T-GW", prefix), payload("fire"))])
    assert wait_for(lambda: Incident.objects.filter(cause=Cause.FIRE).exists())
    waiting.__exit__(None, None, None)
    assert standby.stats.alarms == 1


def test_a_standby_that_waited_long_holds_the_deadlines_back_for_the_backlog_it_takes_over(broker, prefix,
                                                                                          tmp_path):
    # The active worker's queued activity reaches the standby only after it takes over; judging the deadlines
    # before that raised inactivity alerts for residents who were moving (bench/safety.py, --standby).
    from dolbom.safety import worker as worker_module

    standby = make_worker(broker, prefix, f"t-{uuid.uuid4().hex[:8]}")
    standby.standby_lock = str(tmp_path / "ingest.lock")
    standby._behind_since = time.monotonic() - 10 * worker_module.STARTUP_WAIT  # constructed long ago
    assert standby.caught_up()
    assert standby.take_over()
    assert not standby.caught_up(), "the standby judged deadlines before taking the broker's backlog"
    standby._release_lock()
