"""The ingest worker (``dolbom safety ingest``): a long-running MQTT subscriber that stores gateway events and
acknowledges them only after the commit.

    alarm session  ──on_message──▶  alarm queue  ─┐  (always first)
    events session ──on_message──▶  events queue ─┴─batch──▶  events_ingest (one transaction)  ──▶  ack each

Two MQTT sessions, two client ids: a broker keeps one first-in-first-out queue per session, so with one
session a fire waits behind every activity event the broker holds (at 5,000 events/s a worker a few seconds
behind makes that tens of thousands). Gateways publish fire, gas and the button (and their clear and cancel)
on their ``alarm`` topic (safety/PROTOCOL.md), which the worker reads through a session of its own with its
own queue; the loop drains the alarm queue before it takes each activity batch, and a batch still filling
stops waiting when an alarm arrives. An alarm sent on the events topic (an older gateway) is still stored,
and goes first within its batch. Each message is acknowledged on the connection that delivered it: packet
ids are per connection. The sessions, their queues and the acknowledgements are in lanes.py.

Two threads share the work of ``run()``: the loop's thread takes a batch and parses it (JSON, the schema's
checks: pure Python), then hands it to the database thread, which stores it (look-ups, COPY, the rules'
statements, the commit) and acknowledges it. While the database thread waits on PostgreSQL (psycopg releases
the GIL) the loop's thread parses the next batch: one batch is stored while one more waits, parsed, for the
database thread, no more. Everything that writes goes through that one thread, in the order the batches came,
so a home's clock never sees a later batch before an earlier one; alarm batches are handed over ahead of the
waiting activity batch, and the sweep runs (on the loop's thread) only once the database thread is idle.

Throughput comes from batching: one transaction takes up to DOLBOM_SAFETY_BATCH messages, or whatever
arrived within DOLBOM_SAFETY_BATCH_MS of the first (stored with a few set-based statements: on PostgreSQL
COPY straight into the table, and a batch holding a resend again through ``INSERT … ON CONFLICT DO NOTHING``,
see services/sql.py). Safety comes from the order of the
last two steps: a message is acknowledged (PUBACK, ``client.ack``) only once its batch is committed. If the
worker dies before that (kill -9, a power cut), the broker still holds the message in the worker's persistent
session and sends it again on reconnect; the unique constraint turns the resend into a no-op. If the database
is down, the batch is retried until it is back, without acknowledging anything meanwhile.

At start the worker connects first (the alarm session before the events one) and takes what the alarm lane
holds; then it runs the start-up sweep (safety/services/sweep.py): escalations and supervision; the
inactivity deadlines that fell due while it was down as soon as it has taken what the broker kept for it (at
most a minute later), so that a resident whose movement is waiting in the queue is not alarmed for. Then it
runs the sweep every few seconds itself, and holds the deadlines back the same way whenever it falls behind
the stream, i.e. the freshest event of a batch is older than LAG_LIMIT (for at most five minutes: a deadline
is delayed, never skipped). Firing deadlines yields to the stream after SWEEP_BUDGET and goes on after the
next batch.

A restarted worker needs seconds before it can connect (Python, Django and every app imported: 1-4 s on
two busy cores), and its alarms wait that long at the broker. A standby (``--standby-lock``, the same client
id) is started beside it and waits, imported, on a file lock that the active worker holds for its life; the
kernel releases it when that process ends, however it ends, and the standby connects to the same sessions
within milliseconds (take_over). One host only: a lock file is not shared across machines.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone

from dolbom.safety import protocol
from dolbom.safety.errors import IngestErrorCode
from dolbom.safety.lanes import ALARM, EVENTS, Message, Sessions
from dolbom.safety.models import Transport
from dolbom.safety.mqtt import Broker
from dolbom.safety.pipeline import Job, Writer
from dolbom.safety.services import SweepReport, events_ingest, reject_record, sweep
from dolbom.safety.services.rules import ALARMS

if TYPE_CHECKING:
    import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)

STARTUP_WAIT = 60.0  # seconds the first deadline sweep waits for the broker's backlog
MAX_DEFER = 300.0  # seconds deadlines may wait while the worker is behind the stream
# Behind the stream: even the freshest event of a batch is older than this. (Not the oldest: a gateway
# flushing the buffer it kept while offline sends old events however current we are.)
LAG_LIMIT = 20.0
ALARM_KINDS = frozenset(ALARMS)
# Firing overdue deadlines stops after this long and goes on after the next batch: after a long outage
# thousands can be due, and a fire must not wait behind them.
SWEEP_BUDGET = 0.3


ALARM_WAIT = 5.0  # seconds the start-up sweep waits for the alarm session to be subscribed and drained
STANDBY_POLL = 0.02
# Seconds between tries of a database that is down: doubling from the first to the most (a restart of a few
# seconds is noticed within a second of its end).
RETRY_FIRST, RETRY_MAX = 0.25, 1.0  # seconds between a standby's tries of the active worker's lock
SWITCH_INTERVAL = 0.0005  # seconds: sys.setswitchinterval in run() (see there)


@dataclass
class Stats:
    received: int = 0
    alarms: int = 0  # messages of the alarm lane (in received too)
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    acked: int = 0
    db_retries: int = 0
    reconnects: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return (f"received {self.received:,} (alarm lane {self.alarms:,}), stored {self.stored:,} "
                f"({self.stored / elapsed:,.0f}/s), duplicates {self.duplicates:,}, rejected {self.rejected:,}, "
                f"batches {self.batches:,}, database retries {self.db_retries}, reconnects {self.reconnects}")


class IngestWorker:
    def __init__(self, broker: Broker, *, client_id: str, prefix: str = protocol.TOPIC_PREFIX, share_group: str = "",
                 batch: int = 1000, batch_ms: float = 25.0, session_expiry: int = 7 * 24 * 3600,
                 sweep_seconds: float = 5.0, supervision_seconds: float = 60.0, out: TextIO | None = None,
                 stats_seconds: float = 0.0, standby_lock: str = "", alarm_log: TextIO | None = None) -> None:
        self.broker = broker
        # CSV: controller, event id, sequence, wall time of each alarm's commit and of its message's arrival
        self.alarm_log = alarm_log
        self._arrived: dict[int, float] = {}  # id of a Parsed alarm -> when its message arrived
        self.standby_lock = standby_lock  # a file: the worker holding its lock is the active one
        self.client_id = client_id
        self.prefix = prefix
        self.subscription = protocol.subscription(prefix, share_group)
        self.alarm_subscription = protocol.alarm_subscription(prefix, share_group)
        self.batch = max(1, batch)
        self.batch_wait = max(0.0, batch_ms) / 1000
        self.session_expiry = session_expiry
        self.sweep_seconds = sweep_seconds
        self.supervision_seconds = supervision_seconds
        self.out = out
        self.stats_seconds = stats_seconds
        self.stats = Stats()
        self.stopping = threading.Event()
        self.sessions = Sessions(broker, client_id=client_id, subscription=self.subscription,
                                 alarm_subscription=self.alarm_subscription, session_expiry=session_expiry,
                                 stats=self.stats, stopping=self.stopping, say=self._say)
        self.lanes = self.sessions.lanes
        self.connected, self.subscribed = self.sessions.connected, self.sessions.subscribed  # both sessions
        self._queue, self._alarms = self.sessions.events, self.sessions.alarms
        self._ready = self.sessions.ready  # guards both queues and generations; notified by either lane
        self._behind_since: float | None = time.monotonic()  # until the first drain: the backlog may be waiting
        self._first_deadlines = False
        self.lag = 0.0  # seconds between the freshest event of the last batch and its processing
        self._batch_parsed = False  # whether the last batch had a valid event (and so a lag)
        # The freshest event of the last activity batch, while more is waiting behind it (None: nothing waits).
        # A deadline after it is not judged yet: the movement that would move it may be queued. Being less than
        # LAG_LIMIT behind is "current" for holding all deadlines back, not for these: at 5,000 events/s, a
        # worker 15 s behind judged deadlines that events still queued had moved (bench/safety.py: 101 false
        # inactivity alerts in one 60 s run).
        self._stream_at: dt.datetime | None = None
        # For tests: called after a batch is committed and before it is acknowledged.
        self.after_commit: Callable[[list[Message]], None] | None = None
        self._lock_fd: int | None = None
        self._lane = ""  # the lane of the batch being stored ("" between batches)
        # The database thread of run() and what is handed to it (guarded by _ready, as the message queues).
        self._writer = Writer(self._ready, self._finish, crashed=self.stopping.set, closing=self._reset_connection)

    @property
    def _client(self) -> mqtt.Client | None:
        """The events session's client (tests cut its connection to play a crash)."""
        return self.lanes[EVENTS].client

    @_client.setter
    def _client(self, value: mqtt.Client | None) -> None:
        self.lanes[EVENTS].client = value

    def close(self) -> None:
        self.sessions.close()

    def _take(self, timeout: float) -> list[Message]:
        """The next batch of one lane, this worker's size and wait (Sessions.take)."""
        return self.sessions.take(timeout, batch=self.batch, batch_wait=self.batch_wait)

    # the main loop -------------------------------------------------------------------------------------

    def start_up(self) -> str:
        """Escalations and supervision, once the alarm lane is taken (the deadlines follow the backlog)."""
        report = str(self._sweep(supervision=True, deadlines=False))
        self._say(f"시작 점검: {report} ({time.monotonic() - self.stats.started:.2f}s after start)")
        return report

    def caught_up(self) -> bool:
        """Whether the deadlines may be judged: nothing waiting, or waiting too long already."""
        behind = self._behind_since
        limit = STARTUP_WAIT if not self._first_deadlines else MAX_DEFER
        return behind is None or time.monotonic() - behind > limit

    def take_over(self) -> bool:
        """With a standby lock: wait, started and imported, until this worker holds the lock (the active worker
        holds it for its life; the kernel releases it the moment that process ends, kill -9 included). A
        restarted process needs seconds to import Django and the apps before it can connect; a standby is
        connected a few milliseconds after the active one dies. False if stopped while waiting."""
        if not self.standby_lock:
            self._behind_since = time.monotonic()
            return True
        import fcntl

        fd = os.open(self.standby_lock, os.O_RDWR | os.O_CREAT, 0o600)
        waiting = False
        while not self.stopping.is_set():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not waiting:
                    waiting = True
                    self._say("대기 중 (standby: another worker holds the lock)")
                self.stopping.wait(STANDBY_POLL)
                continue
            self._lock_fd = fd  # held until the process ends
            self.stats.started = time.monotonic()  # its start-up times count from taking over
            # The broker's backlog for these sessions comes only now: the deadlines wait for it as after a
            # restart (from construction, a standby that waited past STARTUP_WAIT judged them at once, on
            # clocks the queued activity had not yet moved: false inactivity alerts in bench/safety.py).
            self._behind_since = time.monotonic()
            if waiting:
                self._say("인계 (took over from the active worker)")
            return True
        os.close(fd)
        return False

    def run(self, *, until: Callable[[], bool] | None = None) -> Stats:
        if not self.take_over():
            return self.stats
        # The GIL handed over every 0.5 ms instead of 5: the database thread, back from PostgreSQL several
        # times a batch, otherwise waits up to 5 ms each time for the loop's thread parsing the next batch.
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._writer.start()
        self.sessions.connect()
        connected_at = time.monotonic()
        started_up = False
        next_sweep = time.monotonic() + self.sweep_seconds
        next_supervision = time.monotonic() + self.supervision_seconds
        next_stats = time.monotonic() + self.stats_seconds if self.stats_seconds else float("inf")
        try:
            while not self.stopping.is_set() and not (until and until()):
                timeout = 0.05 if not started_up else min(0.5, max(0.01, next_sweep - time.monotonic()))
                self._writer.raise_error()
                batch = self._take(timeout=timeout)
                if batch:
                    self._submit(self._prepare(batch))
                elif self.subscribed.is_set():
                    self._stream_at = None  # nothing waiting: stored up to now
                if batch and batch[0].lane == ALARM:
                    continue  # the alarm lane again, until it is empty
                if not started_up:
                    if not self.lanes[ALARM].subscribed.is_set() and time.monotonic() - connected_at < ALARM_WAIT:
                        continue  # what the alarm session kept comes right after its subscription
                    self.start_up()
                    started_up = True
                    continue
                self._track(batch)
                now = time.monotonic()
                if now >= next_sweep or (not self._first_deadlines and self.caught_up()):
                    supervision = now >= next_supervision
                    deadlines = self.caught_up()
                    report = self._sweep(supervision=supervision, deadlines=deadlines)
                    if deadlines and not self._first_deadlines:
                        self._first_deadlines = True
                        self._say(f"기한 점검: {report}")
                    # More deadlines due than the budget allowed: again right after the next batch.
                    next_sweep = now if getattr(report, "more", False) else now + self.sweep_seconds
                    if supervision:
                        next_supervision = now + self.supervision_seconds
                if now >= next_stats:
                    self._say(self.stats.line())
                    next_stats = now + self.stats_seconds
            self._writer.raise_error()
        finally:
            self._writer.stop()
            self.sessions.close()
            self._release_lock()  # a stop (a deploy) hands over as a crash does
        return self.stats

    def _release_lock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # closing the file releases its lock

    def _track(self, batch: list[Message]) -> None:
        """Behind the stream: the freshest event of the last batch is older than LAG_LIMIT (the broker's backlog
        after a restart, a worker too slow for the stream). Current: a fresher batch, or a quiet half second
        once subscribed. Not "more is waiting": under a steady stream the next messages are always arriving
        while a batch is stored, and judging by that held the deadlines back for MAX_DEFER at every busy
        moment (bench/safety.py counted those as missed alerts). Only the events lane counts: a fresh alarm
        says nothing of the activity still queued behind it."""
        if batch and self._batch_parsed:
            behind = self.lag > LAG_LIMIT
        elif not batch and self.subscribed.is_set():
            behind = False
        else:
            return
        if behind and self._behind_since is None:
            self._behind_since = time.monotonic()
        elif not behind:
            self._behind_since = None

    def stop(self) -> None:
        self.stopping.set()
        with self._ready:
            self._ready.notify_all()

    def process(self, batch: list[Message]) -> None:
        """Store the batch (retrying while the database is down), then acknowledge it, in this thread."""
        self._finish(self._prepare(batch))

    def _prepare(self, batch: list[Message]) -> Job:
        """The batch's Python part that needs no database: each message's topic and JSON read and judged."""
        self.stats.received += len(batch)
        self.stats.alarms += sum(1 for m in batch if m.lane == ALARM)
        now = timezone.now()
        parsed: list[protocol.Parsed] = []
        refused: list[protocol.Refused] = []
        topics: list[str] = []
        for m in batch:
            controller = protocol.controller_of_topic(m.topic, self.prefix)
            if controller is None:
                refused.append(protocol.Refused(IngestErrorCode.TOPIC_INVALID, m.topic[:200],
                                                m.payload[:8192].decode("utf-8", "replace")))
                topics.append(m.topic)
                continue
            ok, bad = protocol.parse_message(m.payload, now=now, topic_controller=controller)
            parsed += ok
            refused += bad
            topics += [m.topic] * len(bad)
            if self.alarm_log is not None:
                self._arrived.update((id(p), m.arrived) for p in ok if p.kind in ALARM_KINDS)
        if batch and batch[0].lane == EVENTS:  # how far behind the stream: the events lane only
            self._batch_parsed = bool(parsed)
        if parsed and batch[0].lane == EVENTS:
            freshest = max(p.event.time for p in parsed)
            self.lag = max(0.0, (now - freshest).total_seconds())
            self._stream_at = freshest
        return Job(batch, parsed, refused, topics)

    def _finish(self, job: Job) -> None:
        """The batch's database part: stored in its transaction, then acknowledged (after the commit)."""
        batch, parsed = job.batch, job.parsed
        lane, self._lane = self._lane, batch[0].lane if batch else EVENTS
        try:
            # Fire, gas and the button sent on the events topic (older gateways) first, in a transaction of
            # their own: their incidents are committed (and on the worker's screen) before the thousand
            # activity events around them are stored.
            alarms = [p for p in parsed if p.kind in ALARM_KINDS]
            if alarms and len(alarms) < len(parsed):
                self._store(alarms, [], [])
                self._committed(alarms)
                parsed = [p for p in parsed if p.kind not in ALARM_KINDS]
                alarms = []
            self._store(parsed, job.refused, job.topics)
            self._committed(alarms)
            if self.after_commit is not None:
                self.after_commit(batch)
            self.sessions.ack(batch)
        finally:
            self._lane = lane

    # the hand-over to the database thread (run() only; pipeline.Writer) ------------------------------------------

    def _submit(self, job: Job) -> None:
        """Hand a prepared batch to the database thread: an alarm batch goes ahead of any activity; an activity
        batch waits for the one slot (one batch stored while the next is parsed, no more: what the worker holds
        unacknowledged stays small, and an alarm arriving meanwhile is parsed and handed over first)."""
        if job.batch and job.batch[0].lane == ALARM:
            with self._ready:
                self._writer.hand_alarm(job)
            return
        while True:
            with self._ready:
                if self._writer.hand(job):
                    return
                alarms = self.sessions.alarm_batch() if self._alarms else None
                if alarms is None:
                    self._ready.wait(0.5)
                    continue
            self._submit(self._prepare(alarms))

    def _idle(self) -> None:
        """Wait until the database thread has stored and acknowledged everything handed to it (before a sweep,
        which reads the clocks those batches move, on this thread's own connection)."""
        with self._ready:
            while self._writer.busy():
                self._writer.raise_error()
                self._ready.wait(0.5)
            self._writer.raise_error()

    def _alarms_meanwhile(self) -> None:
        """While an activity batch waits for the database: the alarms that came in meanwhile, each batch retried
        until the database is back (so they are committed before the activity batch that waited first)."""
        while not self.stopping.is_set():
            with self._ready:
                job = self._writer.take_alarm()
                if job is None:
                    if not self._alarms:
                        return
                    batch = self.sessions.alarm_batch()
            self._finish(job if job is not None else self._prepare(batch))

    def _store(self, parsed: list[protocol.Parsed], refused: list[protocol.Refused], topics: list[str]) -> None:
        delay = RETRY_FIRST
        while True:
            try:
                result = events_ingest(parsed=parsed, refused=refused, refused_topics=topics,
                                       transport=Transport.MQTT)
            except (OperationalError, InterfaceError) as exc:
                # The database is down or restarting: keep the batch, acknowledge nothing, try again.
                self.stats.db_retries += 1
                log.warning("safety ingest: database unavailable (%s); retrying in %.1fs", exc, delay)
                self._reset_connection()
                if self.stopping.wait(delay):
                    raise
                delay = min(delay * 2, RETRY_MAX)
                if self._lane == EVENTS:
                    self._alarms_meanwhile()  # when the database is back, the alarms take it first
                continue
            except DatabaseError:
                # A row the database refuses (not a connection problem): find it by storing one event at
                # a time, and keep the one that fails as a reject rather than retrying it for ever.
                log.exception("safety ingest: batch refused by the database; storing event by event")
                self._reset_connection()
                if len(parsed) + len(refused) <= 1:
                    self._keep_unprocessable(parsed, refused, topics)
                    return
                for p in parsed:
                    self._store([p], [], [])
                if refused:
                    self._store([], refused, topics)
                return
            self.stats.stored += result.accepted
            self.stats.duplicates += result.duplicates
            self.stats.rejected += len(result.refused)
            self.stats.batches += 1
            return

    def _committed(self, alarms: list[protocol.Parsed]) -> None:
        """With ``alarm_log``: when each alarm's transaction committed (what bench/safety.py times: the incident
        is on the worker's screen from then on; its opened_at is when the transaction began), and when its
        message reached the worker (the broker's part of the wait, against the worker's)."""
        if self.alarm_log is None or not alarms:
            return
        wall = time.time()
        arrived = self._arrived
        self.alarm_log.write("".join(f"{p.event.controller},{p.event.event_id},{p.event.seq},{wall:.3f},"
                                     f"{arrived.pop(id(p), 0.0):.3f}\n" for p in alarms))
        self.alarm_log.flush()

    def _keep_unprocessable(self, parsed: list[protocol.Parsed], refused: list[protocol.Refused],
                            topics: list[str]) -> None:
        kept = [protocol.Refused(IngestErrorCode.PROCESSING_FAILED, p.event.event_id, p.raw, p.event.controller)
                for p in parsed] + refused
        reject_record(refused=kept, transport=Transport.MQTT, topic=topics[0] if topics else "")
        self.stats.rejected += len(kept)

    def _sweep(self, *, supervision: bool, deadlines: bool = True) -> SweepReport | str:
        self._idle()  # the clocks as the batches handed over leave them (as when the loop stored them itself)
        try:
            return sweep(supervision=supervision, deadlines=deadlines, budget=SWEEP_BUDGET, stream_at=self._stream_at)
        except (OperationalError, InterfaceError) as exc:
            log.warning("safety ingest: sweep skipped, database unavailable (%s)", exc)
            self._reset_connection()
            return "database unavailable"

    @staticmethod
    def _reset_connection() -> None:
        try:
            connection.close()
        except DatabaseError:
            pass
        close_old_connections()

    def _say(self, line: str) -> None:
        if self.out is not None:
            self.out.write(line + "\n")
            self.out.flush()
