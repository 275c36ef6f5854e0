"""The ingest worker's batch path without a broker (``IngestWorker.process``): one bad message or a resend
does not cost the rest of the batch, alarms are committed ahead of the activity around them, deadlines are
held only while the worker is really behind, and firing a backlog of deadlines yields to new events."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

from django.utils import timezone

from dolbom.safety import protocol
from dolbom.safety import worker as worker_module
from dolbom.safety.lanes import ALARM, ALARM_BATCH, EVENTS, Message
from dolbom.safety.models import Cause, Clock, Event, Incident, Reject
from dolbom.safety.mqtt import Broker
from dolbom.safety.services import deadlines_fire
from dolbom.safety.tests.conftest import install, payload
from dolbom.safety.worker import LAG_LIMIT, IngestWorker
from dolbom.testing import personas

PREFIX = protocol.TOPIC_PREFIX


def offline_worker() -> IngestWorker:
    # Never connected: process() stores and, with no client, acknowledges nothing.
    return IngestWorker(Broker("127.0.0.1", 1), client_id="test-offline", prefix=PREFIX)


def message(body, controller: str = "T-GW", lane: str = EVENTS) -> Message:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    topic = protocol.alarm_topic(controller, PREFIX) if lane == ALARM else protocol.event_topic(controller, PREFIX)
    return Message(0, 0, 1, topic, raw, time.time(), lane)


def test_a_batch_with_a_resend_and_a_malformed_message_stores_the_rest_once(home):
    first, second = payload("activity"), payload("door_open")
    w = offline_worker()
    w.process([message(first)])
    w.process([message(first), message(b'{"v": 1, "controller": "T-GW", '), message(second),
               message(payload("activity"))])
    assert Event.objects.count() == 3
    assert Event.objects.filter(event_id=first["event_id"]).count() == 1
    assert list(Reject.objects.values_list("code", flat=True)) == ["malformed_json"]
    assert (w.stats.stored, w.stats.duplicates, w.stats.rejected) == (3, 1, 1)


def test_alarms_are_committed_before_the_activity_of_their_batch(home, monkeypatch):
    calls: list[list[str]] = []
    real = worker_module.events_ingest

    def recording(**kwargs):
        calls.append([p.kind for p in kwargs["parsed"]])
        return real(**kwargs)

    monkeypatch.setattr(worker_module, "events_ingest", recording)
    batch = [message(payload("activity")), message(payload("door_open")), message(payload("button")),
             message(payload("activity")), message(payload("fire"))]
    offline_worker().process(batch)
    assert calls == [["button", "fire"], ["activity", "door_open", "activity"]]
    assert set(Incident.objects.values_list("cause", flat=True)) == {Cause.BUTTON, Cause.FIRE}
    assert Event.objects.count() == 5


def test_a_busy_but_current_stream_does_not_hold_the_deadlines(home):
    w = offline_worker()
    w._first_deadlines = True
    w.subscribed.set()
    # More messages always waiting, but each batch fresh: current.
    w._queue.append(message(payload("activity")))
    w.process([message(payload("activity"))])
    w._track([object()] * 2)
    assert w.caught_up()
    # A batch whose freshest event is older than the lag limit: behind (the broker's backlog).
    old = timezone.now() - dt.timedelta(seconds=LAG_LIMIT + 30)
    w.process([message(payload("activity", at=old))])
    w._track([object()])
    assert not w.caught_up()


def test_firing_a_backlog_of_deadlines_stops_at_its_budget_and_goes_on(installed, city, officer, centre, worker):
    install(city, personas.make_resident(officer, name="박순자"), centre, worker, prefix="U")
    past = timezone.now() - dt.timedelta(minutes=5)
    Clock.objects.update(due_at=past, next_level="caution", base_at=past - dt.timedelta(hours=12))
    assert deadlines_fire(budget=0.0) == (0, True)
    fired, more = deadlines_fire()
    assert (fired, more) == (2, False)
    assert Incident.objects.filter(cause=Cause.INACTIVITY).count() == 2


def test_an_alarm_waiting_is_taken_before_the_events_queued_ahead_of_it(home):
    w = offline_worker()
    w._queue.extend(message(payload("activity")) for _ in range(5))
    w._alarms.append(message(payload("button"), lane=ALARM))
    first = w._take(timeout=0.01)
    assert [m.lane for m in first] == [ALARM]
    assert [m.lane for m in w._take(timeout=0.01)] == [EVENTS] * 5


def test_a_batch_still_filling_stops_waiting_when_an_alarm_arrives(home):
    w = offline_worker()
    w.batch_wait = 5.0  # would wait five seconds for the batch to fill
    w._queue.append(message(payload("activity")))
    alarm = message(payload("fire"), lane=ALARM)

    def arrive() -> None:
        time.sleep(0.1)
        with w._ready:
            w._alarms.append(alarm)
            w._ready.notify()

    threading.Thread(target=arrive).start()
    began = time.monotonic()
    taken = w._take(timeout=0.01)
    assert [m.lane for m in taken] == [ALARM] and time.monotonic() - began < 2.0
    assert len(w._queue) == 1  # the event waits for the next turn


def test_alarms_kept_while_the_worker_was_away_are_committed_a_few_at_a_time(home):
    w = offline_worker()
    w._alarms.extend(message(payload("button"), lane=ALARM) for _ in range(ALARM_BATCH * 2 + 1))
    sizes = [len(w._take(timeout=0.01)) for _ in range(3)]
    assert sizes == [ALARM_BATCH, ALARM_BATCH, 1]


def test_the_alarm_log_has_a_line_for_each_alarm_once_it_is_committed(home):
    import io

    w = offline_worker()
    w.alarm_log = io.StringIO()
    button, fire = payload("button"), payload("fire")
    logged_at_commit: list[str] = []
    w.after_commit = lambda batch: logged_at_commit.append(w.alarm_log.getvalue())
    w.process([message(payload("activity")), message(button)])
    w.process([message(fire, lane=ALARM)])
    lines = [line.split(",") for line in w.alarm_log.getvalue().splitlines()]
    assert [tuple(x[:3]) for x in lines] == [("T-GW", button["event_id"], str(button["seq"])),
                                               ("T-GW", fire["event_id"], str(fire["seq"]))]
    assert Incident.objects.filter(cause__in=[Cause.BUTTON, Cause.FIRE]).count() == 2
    assert logged_at_commit[0].count("\n") == 1  # written before the batch is acknowledged


def test_while_the_database_is_down_an_alarm_that_comes_in_is_committed_before_the_waiting_activity(home,
                                                                                                   monkeypatch):
    from django.db import OperationalError

    w = offline_worker()
    real = worker_module.events_ingest
    committed: list[list[str]] = []
    down = {"tries": 0}

    def flaky(**kwargs):
        kinds = [p.kind for p in kwargs["parsed"]]
        if down["tries"] < 2:  # down for the activity batch's first try and the alarm's first try
            down["tries"] += 1
            if down["tries"] == 1:
                w._alarms.append(message(payload("button"), lane=ALARM))  # arrives during the outage
            raise OperationalError("the database system is starting up")
        committed.append(kinds)
        return real(**kwargs)

    monkeypatch.setattr(worker_module, "events_ingest", flaky)
    monkeypatch.setattr(worker_module, "RETRY_FIRST", 0.01)
    monkeypatch.setattr(IngestWorker, "_reset_connection", staticmethod(lambda: None))  # the test's transaction
    w.process([message(payload("activity"))])
    assert committed == [["button"], ["activity"]]
    assert w.stats.db_retries == 2 and not w._alarms
    assert Incident.objects.get().cause == Cause.BUTTON
