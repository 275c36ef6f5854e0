"""The worker's two threads on a real MQTT broker (Mosquitto on 127.0.0.1:1883, as in CI): the next batch is
read and parsed while one is stored, nothing is acknowledged before its own batch is committed, the batches
are stored in the order they came (a home's clock ends at its latest event), and a redelivery after a crash
with a batch waiting behind the stored one stores nothing twice."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.utils import timezone

from dolbom.safety import protocol
from dolbom.safety.models import Clock, Event
from dolbom.safety.tests.conftest import payload
from dolbom.safety.tests.test_worker_alarm_lane import send
from dolbom.safety.tests.test_worker_mqtt import Running, make_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def prefix() -> str:
    # A topic tree of this test's own: other engineers' runs share the broker.
    return f"test-{uuid.uuid4().hex[:10]}/safety/v1/gw"


def spaced(count: int) -> list[dict]:
    """Activity events of one sensor, six minutes apart up to six minutes ago: each moves the home's clock (the
    coalescing is five minutes) and none looks like flapping."""
    now = timezone.now()
    return [payload("activity", at=now - dt.timedelta(minutes=6 * (count - i))) for i in range(count)]


def pipelined(broker, prefix: str, client_id: str):
    """A worker of small batches whose sweeps (which wait for the database thread to be idle) stay out of the
    way once the first one has run."""
    worker = make_worker(broker, prefix, client_id)
    worker.batch, worker.sweep_seconds = 20, 60.0
    return worker


def test_the_next_batch_is_parsed_while_one_is_stored_and_each_is_acked_only_after_its_commit(broker, prefix, home):
    worker = pipelined(broker, prefix, f"t-{uuid.uuid4().hex[:8]}")
    gate = threading.Event()
    acked_at_commit: list[tuple[int, int]] = []  # (events stored, messages acknowledged) at each commit

    def hold_first(batch) -> None:
        acked_at_commit.append((Event.objects.count(), worker.stats.acked))
        gate.wait(60)

    worker.after_commit = hold_first
    bodies = spaced(60)
    topic = protocol.event_topic("T-GW", prefix)
    with Running(worker):
        assert wait_for(lambda: worker._first_deadlines)
        send(broker, [(topic, bodies[0])])
        assert wait_for(lambda: len(acked_at_commit) == 1)
        send(broker, [(topic, body) for body in bodies[1:]])
        # The first batch is committed but held before its acknowledgement; the next one is read and parsed
        # meanwhile and waits for the database thread.
        assert wait_for(lambda: worker.stats.received > 1 and worker._writer.next is not None)
        assert Event.objects.count() == 1 and worker.stats.acked == 0
        gate.set()
        assert wait_for(lambda: worker.stats.acked == 60)
    assert Event.objects.count() == 60
    # Every commit came before its own batch's acknowledgement and after the previous batch's.
    assert all(acked < stored for stored, acked in acked_at_commit), acked_at_commit
    assert [stored for stored, _ in acked_at_commit] == sorted(stored for stored, _ in acked_at_commit)
    # In order: the clock ends at the latest event, never at one of an earlier batch.
    assert Clock.objects.get(home=home).last_activity_at == dt.datetime.fromisoformat(bodies[-1]["time"])


def test_a_crash_with_a_parsed_batch_waiting_loses_nothing_and_stores_nothing_twice(broker, prefix, home):
    client_id = f"t-{uuid.uuid4().hex[:8]}"
    first = pipelined(broker, prefix, client_id)
    committed = threading.Event()
    first_batch: list[int] = []

    def crash(batch) -> None:
        # kill -9 just after the first commit, with the next batch parsed and waiting: nothing acknowledged.
        assert wait_for(lambda: first._writer.next is not None, timeout=10)
        first_batch.append(len(batch))
        committed.set()
        for lane in first.lanes.values():
            lane.client.socket().close()
            lane.client.loop_stop()
            lane.client = None
        raise SystemExit("crashed after commit")

    first.after_commit = crash
    bodies = spaced(41)
    topic = protocol.event_topic("T-GW", prefix)
    with Running(first):
        assert wait_for(lambda: first._first_deadlines)
        send(broker, [(topic, bodies[0])])
        send(broker, [(topic, body) for body in bodies[1:]])
        assert wait_for(committed.is_set)
    assert Event.objects.count() == first_batch[0] < 41 and first.stats.acked == 0

    second = make_worker(broker, prefix, client_id)
    with Running(second):
        assert wait_for(lambda: Event.objects.count() == 41 and second.stats.acked >= 41)
    assert second.stats.duplicates == first_batch[0]  # the first batch again: committed, never acknowledged
    assert Event.objects.count() == 41
    assert Clock.objects.get(home=home).last_activity_at == dt.datetime.fromisoformat(bodies[-1]["time"])
