"""The ingest worker (``dolbom safety ingest``): a long-running MQTT subscriber that stores gateway events and
acknowledges them only after the commit.

    paho's network thread  ──on_message──▶  queue  ──batch──▶  events_ingest (one transaction)  ──▶  ack each

Throughput comes from batching: one transaction takes up to DOLBOM_SAFETY_BATCH messages, or whatever
arrived within DOLBOM_SAFETY_BATCH_MS of the first (stored with a few set-based statements: COPY and
``INSERT … ON CONFLICT DO NOTHING`` on PostgreSQL, see services/sql.py). Fire, gas and button events of a
batch go first, in a transaction of their own, so their incidents never wait for the activity around them. Safety comes from the order of the last two steps: a
message is acknowledged (PUBACK, ``client.ack``) only once its batch is committed. If the worker dies before
that (kill -9, a power cut), the broker still holds the message in the worker's persistent session and sends
it again on reconnect; the unique constraint turns the resend into a no-op. If the database is down, the
batch is retried until it is back, without acknowledging anything meanwhile.

At start the worker runs the sweep (safety/services/sweep.py): escalations and supervision at once; the
inactivity deadlines that fell due while it was down as soon as it has taken what the broker kept for it (at
most a minute later), so that a resident whose movement is waiting in the queue is not alarmed for. Then it
runs the sweep every few seconds itself, and holds the deadlines back the same way whenever it falls behind
the stream, i.e. the freshest event of a batch is older than LAG_LIMIT (for at most five minutes: a deadline
is delayed, never skipped). Firing deadlines yields to the stream after SWEEP_BUDGET and goes on after the
next batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

import paho.mqtt.client as mqtt
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone

from dolbom.safety import protocol
from dolbom.safety.errors import IngestErrorCode
from dolbom.safety.models import Transport
from dolbom.safety.mqtt import BatchClient, Broker, client, session_properties
from dolbom.safety.services import SweepReport, events_ingest, reject_record, sweep
from dolbom.safety.services.rules import ALARMS

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


@dataclass(frozen=True)
class Message:
    generation: int  # which connection delivered it: a packet id is only meaningful on its own connection
    mid: int
    qos: int
    topic: str
    payload: bytes
    arrived: float


@dataclass
class Stats:
    received: int = 0
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
        return (f"received {self.received:,}, stored {self.stored:,} ({self.stored / elapsed:,.0f}/s), "
                f"duplicates {self.duplicates:,}, rejected {self.rejected:,}, batches {self.batches:,}, "
                f"database retries {self.db_retries}, reconnects {self.reconnects}")


class IngestWorker:
    def __init__(self, broker: Broker, *, client_id: str, prefix: str = protocol.TOPIC_PREFIX, share_group: str = "",
                 batch: int = 1000, batch_ms: float = 25.0, session_expiry: int = 7 * 24 * 3600,
                 sweep_seconds: float = 5.0, supervision_seconds: float = 60.0, out: TextIO | None = None,
                 stats_seconds: float = 0.0) -> None:
        self.broker = broker
        self.client_id = client_id
        self.prefix = prefix
        self.subscription = protocol.subscription(prefix, share_group)
        self.batch = max(1, batch)
        self.batch_wait = max(0.0, batch_ms) / 1000
        self.session_expiry = session_expiry
        self.sweep_seconds = sweep_seconds
        self.supervision_seconds = supervision_seconds
        self.out = out
        self.stats_seconds = stats_seconds
        self.stats = Stats()
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._queue: deque[Message] = deque()
        self._ready = threading.Condition()
        self._generation = 0
        self._client: mqtt.Client | None = None
        self._behind_since: float | None = time.monotonic()  # until the first drain: the backlog may be waiting
        self._first_deadlines = False
        self.lag = 0.0  # seconds between the freshest event of the last batch and its processing
        self._batch_parsed = False  # whether the last batch had a valid event (and so a lag)
        # For tests: called after a batch is committed and before it is acknowledged.
        self.after_commit: Callable[[list[Message]], None] | None = None

    # paho callbacks (network thread) ------------------------------------------------------------------

    def _on_connect(self, c: mqtt.Client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("safety ingest: broker refused the connection: %s", reason_code)
            return
        with self._ready:
            self._generation += 1
        if self.connected.is_set():
            self.stats.reconnects += 1
        self.connected.set()
        # Subscribing again is harmless with a kept session and needed with a new one.
        c.subscribe(self.subscription, qos=1)

    def _on_subscribe(self, c, userdata, mid, reason_codes, properties) -> None:
        self.subscribed.set()
        self._say("구독 완료 (subscribed)")

    def _on_disconnect(self, c, userdata, flags, reason_code, properties) -> None:
        self.subscribed.clear()
        if not self.stopping.is_set():
            log.warning("safety ingest: disconnected (%s); paho reconnects", reason_code)

    def _on_message(self, c, userdata, msg: mqtt.MQTTMessage) -> None:
        with self._ready:
            self._queue.append(Message(self._generation, msg.mid, msg.qos, msg.topic, msg.payload, time.time()))
            self._ready.notify()

    # the main loop -------------------------------------------------------------------------------------

    def start_up(self) -> str:
        """Before the first new event: escalations and supervision (the deadlines follow the backlog)."""
        report = str(self._sweep(supervision=True, deadlines=False))
        self._say(f"시작 점검: {report}")
        return report

    def caught_up(self) -> bool:
        """Whether the deadlines may be judged: nothing waiting, or waiting too long already."""
        behind = self._behind_since
        limit = STARTUP_WAIT if not self._first_deadlines else MAX_DEFER
        return behind is None or time.monotonic() - behind > limit

    def connect(self) -> None:
        c = client(self.broker, client_id=self.client_id, manual_ack=True)
        c.on_connect, c.on_subscribe = self._on_connect, self._on_subscribe
        c.on_disconnect, c.on_message = self._on_disconnect, self._on_message
        c.reconnect_delay_set(min_delay=1, max_delay=10)
        c.connect(self.broker.host, self.broker.port, keepalive=30, clean_start=False,
                  properties=session_properties(expiry=self.session_expiry))
        c.loop_start()
        self._client = c

    def run(self, *, until: Callable[[], bool] | None = None) -> Stats:
        self.start_up()
        self.connect()
        next_sweep = time.monotonic() + self.sweep_seconds
        next_supervision = time.monotonic() + self.supervision_seconds
        next_stats = time.monotonic() + self.stats_seconds if self.stats_seconds else float("inf")
        try:
            while not self.stopping.is_set() and not (until and until()):
                batch = self._take(timeout=min(0.5, max(0.01, next_sweep - time.monotonic())))
                if batch:
                    self.process(batch)
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
        finally:
            self.close()
        return self.stats

    def _track(self, batch: list[Message]) -> None:
        """Behind the stream: the freshest event of the last batch is older than LAG_LIMIT (the broker's backlog
        after a restart, a worker too slow for the stream). Current: a fresher batch, or a quiet half second
        once subscribed. Not "more is waiting": under a steady stream the next messages are always arriving
        while a batch is stored, and judging by that held the deadlines back for MAX_DEFER at every busy
        moment (bench/safety.py counted those as missed alerts)."""
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

    def close(self) -> None:
        c, self._client = self._client, None
        if c is not None:
            c.disconnect()  # the session outlives it: what is not acknowledged stays with the broker
            c.loop_stop()

    def _take(self, timeout: float) -> list[Message]:
        with self._ready:
            if not self._queue:
                self._ready.wait(timeout)
            if not self._queue:
                return []
            first_at = time.monotonic()
            while len(self._queue) < self.batch and not self.stopping.is_set():
                left = self.batch_wait - (time.monotonic() - first_at)
                if left <= 0:
                    break
                self._ready.wait(left)
            return [self._queue.popleft() for _ in range(min(self.batch, len(self._queue)))]

    def process(self, batch: list[Message]) -> None:
        """Store the batch (retrying while the database is down), then acknowledge it."""
        self.stats.received += len(batch)
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
        self._batch_parsed = bool(parsed)
        if parsed:
            self.lag = max(0.0, (now - max(p.event.time for p in parsed)).total_seconds())
        # Fire, gas and the button first, in a transaction of their own: their incidents are committed (and
        # on the worker's screen) before the thousand activity events around them are stored.
        alarms = [p for p in parsed if p.kind in ALARM_KINDS]
        if alarms and len(alarms) < len(parsed):
            self._store(alarms, [], [])
            parsed = [p for p in parsed if p.kind not in ALARM_KINDS]
        self._store(parsed, refused, topics)
        if self.after_commit is not None:
            self.after_commit(batch)
        self._ack(batch)

    def _store(self, parsed: list[protocol.Parsed], refused: list[protocol.Refused], topics: list[str]) -> None:
        delay = 0.5
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
                delay = min(delay * 2, 5.0)
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

    def _keep_unprocessable(self, parsed: list[protocol.Parsed], refused: list[protocol.Refused],
                            topics: list[str]) -> None:
        kept = [protocol.Refused(IngestErrorCode.PROCESSING_FAILED, p.event.event_id, p.raw, p.event.controller)
                for p in parsed] + refused
        reject_record(refused=kept, transport=Transport.MQTT, topic=topics[0] if topics else "")
        self.stats.rejected += len(kept)

    def _ack(self, batch: list[Message]) -> None:
        c = self._client
        if c is None:
            return
        with self._ready:
            generation = self._generation
        # A message of an earlier connection is sent again by the broker on this one (and stored as a
        # duplicate, then acknowledged): its old packet id must not acknowledge someone else's message.
        mine = [m for m in batch if m.generation == generation and m.qos > 0]
        if isinstance(c, BatchClient) and all(m.qos == 1 for m in mine):
            c.ack_many([m.mid for m in mine])  # the batch's PUBACKs in one write
        else:
            for m in mine:
                c.ack(m.mid, m.qos)
        self.stats.acked += len(mine)

    def _sweep(self, *, supervision: bool, deadlines: bool = True) -> SweepReport | str:
        try:
            return sweep(supervision=supervision, deadlines=deadlines, budget=SWEEP_BUDGET)
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
