"""The ingest worker on a real MQTT broker (Mosquitto on 127.0.0.1:1883, as in CI): ack after commit,
redelivery after a crash stores nothing twice, overdue deadlines fire at start."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid

import pytest
from django.utils import timezone

from dolbom.safety import protocol
from dolbom.safety.models import Cause, Clock, Event, Incident, Reject
from dolbom.safety.mqtt import client
from dolbom.safety.tests.conftest import payload
from dolbom.safety.worker import IngestWorker

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def prefix() -> str:
    # A topic tree of this test's own: other engineers' runs share the broker.
    return f"test-{uuid.uuid4().hex[:10]}/safety/v1/gw"


def make_worker(broker, prefix: str, client_id: str) -> IngestWorker:
    return IngestWorker(broker, client_id=client_id, prefix=prefix, batch=100, batch_ms=10, session_expiry=300,
                        sweep_seconds=0.5)


class Running:
    def __init__(self, worker: IngestWorker) -> None:
        self.worker = worker
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.worker.run()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.error = exc
        finally:
            from django.db import connections

            connections.close_all()

    def __enter__(self) -> IngestWorker:
        self.thread.start()
        assert wait_for(self.worker.subscribed.is_set), "the worker did not subscribe"
        return self.worker

    def __exit__(self, *exc) -> None:
        self.worker.stop()
        self.thread.join(10)
        assert not self.thread.is_alive(), "the worker did not stop"


def publish(broker, prefix: str, bodies: list, controller: str = "T-GW") -> None:
    pub = client(broker)
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    infos = [pub.publish(protocol.event_topic(controller, prefix),
                         body if isinstance(body, bytes) else json.dumps(body).encode(), qos=1) for body in bodies]
    for info in infos:
        info.wait_for_publish(5)
    pub.disconnect()
    pub.loop_stop()


def test_events_published_over_mqtt_are_stored_and_bad_ones_refused(broker, prefix, home):
    worker = make_worker(broker, prefix, f"t-{uuid.uuid4().hex[:8]}")
    with Running(worker):
        publish(broker, prefix, [payload("activity"), payload("button"), b"{not json", payload("fire", gateway="X")])
        assert wait_for(lambda: Event.objects.count() == 2 and Reject.objects.count() == 2)
    assert Incident.objects.get().cause == Cause.BUTTON
    assert sorted(Reject.objects.values_list("code", flat=True)) == ["controller_mismatch", "malformed_json"]
    assert worker.stats.acked == 4


def crashing_worker(broker, prefix: str, client_id: str) -> tuple[IngestWorker, threading.Event]:
    """A worker that dies as under kill -9 right after its first commit: both sessions' sockets cut, nothing
    acknowledged; the event is set once it has committed."""
    worker = make_worker(broker, prefix, client_id)
    committed = threading.Event()

    def crash(batch) -> None:
        committed.set()
        for lane in worker.lanes.values():
            lane.client.socket().close()
            lane.client.loop_stop()
            lane.client = None
        raise SystemExit("crashed after commit")

    worker.after_commit = crash
    return worker, committed


def test_a_crash_between_commit_and_ack_is_redelivered_and_stored_once(broker, prefix, home):
    client_id = f"t-{uuid.uuid4().hex[:8]}"
    first, committed = crashing_worker(broker, prefix, client_id)
    with Running(first):
        publish(broker, prefix, [payload("button", event_id="b-1", seq=7)])
        assert wait_for(committed.is_set)
    assert Event.objects.count() == 1 and Incident.objects.count() == 1

    second = make_worker(broker, prefix, client_id)
    with Running(second):
        assert wait_for(lambda: second.stats.duplicates >= 1), "the broker did not send the message again"
    assert Event.objects.count() == 1
    incident = Incident.objects.get()
    assert incident.repeats == 0 and incident.log.count() == 1

    third = make_worker(broker, prefix, client_id)
    with Running(third):
        time.sleep(1.0)
    assert third.stats.received == 0, "the redelivered message was acknowledged this time"


def test_the_worker_fires_overdue_deadlines_at_start_without_any_new_event(broker, prefix, home):
    at = timezone.now() - dt.timedelta(hours=13)
    Clock.objects.filter(home=home).update(base_at=at, last_activity_at=at, due_at=at + dt.timedelta(hours=12))
    worker = make_worker(broker, prefix, f"t-{uuid.uuid4().hex[:8]}")
    with Running(worker):
        assert wait_for(lambda: Incident.objects.filter(cause=Cause.INACTIVITY).exists(), timeout=10)
    assert worker.stats.received == 0


def test_at_start_the_worker_takes_the_backlog_before_it_judges_inactivity(broker, prefix, home):
    """Movement that waited in the broker while the worker was down counts before any deadline fires."""
    client_id = f"t-{uuid.uuid4().hex[:8]}"
    first = make_worker(broker, prefix, client_id)
    with Running(first):
        pass  # the persistent session now exists: the broker keeps what is published for it
    at = timezone.now() - dt.timedelta(hours=13)
    Clock.objects.filter(home=home).update(base_at=at, last_activity_at=at, due_at=at + dt.timedelta(hours=12))
    publish(broker, prefix, [payload("activity", at=timezone.now() - dt.timedelta(minutes=30))])
    second = make_worker(broker, prefix, client_id)
    with Running(second):
        assert wait_for(lambda: second._first_deadlines, timeout=10)
    assert Event.objects.count() == 1
    assert not Incident.objects.filter(cause=Cause.INACTIVITY).exists()
