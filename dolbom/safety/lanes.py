"""The ingest worker's two MQTT sessions (lanes): connected, subscribed, their messages queued, taken in batches
and acknowledged on the connection that delivered them.

A broker keeps one first-in-first-out queue per session, so with one session a fire waits behind every activity
event the broker holds. Gateways publish fire, gas and the button (and their clear and cancel) on their ``alarm``
topic (safety/PROTOCOL.md), which the worker reads through a session of its own with its own queue: the alarm
queue is drained before each activity batch, and a batch still filling stops waiting when an alarm arrives.
Each message is acknowledged on the connection that delivered it: packet ids are per connection. What the
worker does with a batch (store it, then acknowledge it) is in worker.py and pipeline.py.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import paho.mqtt.client as mqtt

from dolbom.safety import protocol
from dolbom.safety.mqtt import BatchClient, Broker, client, session_properties

if TYPE_CHECKING:
    from dolbom.safety.worker import Stats

log = logging.getLogger("dolbom.safety.worker")

EVENTS, ALARM = protocol.EVENTS_TOPIC, protocol.ALARM_TOPIC  # the worker's two lanes (sessions)
ALARM_SUFFIX = "-alarm"  # the alarm session's client id: the worker's own, with this after it
# Alarms per transaction at most: each costs tens of milliseconds of rules (its incident, the timeline, the
# worker's notice), and the first of a few hundred kept while the worker was away should not wait for the last.
ALARM_BATCH = 20


@dataclass(frozen=True)
class Message:
    generation: int  # which connection delivered it: a packet id is only meaningful on its own connection
    mid: int
    qos: int
    topic: str
    payload: bytes
    arrived: float
    lane: str = EVENTS  # which session delivered it, and so which client acknowledges it


class Lane:
    """One MQTT session of the worker: its client id, subscription, client, connection generation and queue."""

    def __init__(self, name: str, client_id: str, subscription: str) -> None:
        self.name, self.client_id, self.subscription = name, client_id, subscription
        self.queue: deque[Message] = deque()
        self.generation = 0
        self.client: mqtt.Client | None = None
        self.connected = threading.Event()
        self.subscribed = threading.Event()


class Sessions:
    """The alarm and the events session. ``ready`` guards both queues and the connection generations and is
    notified by either lane; the worker's database hand-over (pipeline.Writer) shares it, so the loop can take an
    alarm that arrives while it waits for the writer."""

    def __init__(self, broker: Broker, *, client_id: str, subscription: str, alarm_subscription: str,
                 session_expiry: int, stats: Stats, stopping: threading.Event, say: Callable[[str], None]) -> None:
        self.broker = broker
        self.session_expiry = session_expiry
        self.stats = stats
        self.stopping = stopping
        self.say = say
        # The alarm session first: connected first, drained first.
        self.lanes = {ALARM: Lane(ALARM, client_id + ALARM_SUFFIX, alarm_subscription),
                      EVENTS: Lane(EVENTS, client_id, subscription)}
        self.events = self.lanes[EVENTS].queue
        self.alarms = self.lanes[ALARM].queue
        self.ready = threading.Condition()
        self.connected = threading.Event()  # both sessions connected
        self.subscribed = threading.Event()  # both sessions subscribed

    # paho callbacks (each session's network thread; userdata is its Lane) -------------------------------

    def _on_connect(self, c: mqtt.Client, lane: Lane, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("safety ingest: broker refused the %s connection: %s", lane.name, reason_code)
            return
        with self.ready:
            lane.generation += 1
        if lane.connected.is_set():
            self.stats.reconnects += 1
        lane.connected.set()
        if all(x.connected.is_set() for x in self.lanes.values()):
            self.connected.set()
        # Subscribing again is harmless with a kept session and needed with a new one.
        c.subscribe(lane.subscription, qos=1)

    def _on_subscribe(self, c, lane: Lane, mid, reason_codes, properties) -> None:
        lane.subscribed.set()
        if all(x.subscribed.is_set() for x in self.lanes.values()):
            self.subscribed.set()
        after = time.monotonic() - self.stats.started
        if lane.name == ALARM:
            self.say(f"경보 구독 완료 (alarm lane subscribed, {after:.2f}s after start)")
        else:
            self.say(f"구독 완료 (subscribed, {after:.2f}s after start)")

    def _on_disconnect(self, c, lane: Lane, flags, reason_code, properties) -> None:
        lane.subscribed.clear()
        self.subscribed.clear()
        if not self.stopping.is_set():
            log.warning("safety ingest: %s session disconnected (%s); paho reconnects", lane.name, reason_code)

    def _on_message(self, c, lane: Lane, msg: mqtt.MQTTMessage) -> None:
        with self.ready:
            lane.queue.append(Message(lane.generation, msg.mid, msg.qos, msg.topic, msg.payload, time.time(),
                                      lane.name))
            self.ready.notify()

    # the worker's side ----------------------------------------------------------------------------------

    def connect(self) -> None:
        for lane in self.lanes.values():  # the alarm lane first
            c = client(self.broker, client_id=lane.client_id, manual_ack=True)
            c.user_data_set(lane)
            c.on_connect, c.on_subscribe = self._on_connect, self._on_subscribe
            c.on_disconnect, c.on_message = self._on_disconnect, self._on_message
            c.reconnect_delay_set(min_delay=1, max_delay=10)
            c.connect(self.broker.host, self.broker.port, keepalive=30, clean_start=False,
                      properties=session_properties(expiry=self.session_expiry))
            c.loop_start()
            lane.client = c

    def close(self) -> None:
        for lane in self.lanes.values():
            c, lane.client = lane.client, None
            if c is not None:
                c.disconnect()  # the session outlives it: what is not acknowledged stays with the broker
                c.loop_stop()

    def take(self, timeout: float, *, batch: int, batch_wait: float) -> list[Message]:
        """The next batch, all of one lane: the alarms waiting (ALARM_BATCH at most), if any; else up to
        ``batch`` events, waiting at most ``batch_wait`` for it to fill, and not at all once an alarm comes in
        meanwhile (the events stay queued for the next turn)."""
        with self.ready:
            if not self.events and not self.alarms:
                self.ready.wait(timeout)
            if self.alarms:
                return self.alarm_batch()
            if not self.events:
                return []
            first_at = time.monotonic()
            while len(self.events) < batch and not self.stopping.is_set():
                left = batch_wait - (time.monotonic() - first_at)
                if left <= 0:
                    break
                self.ready.wait(left)
                if self.alarms:
                    return self.alarm_batch()
            return [self.events.popleft() for _ in range(min(batch, len(self.events)))]

    def alarm_batch(self) -> list[Message]:
        """The alarms waiting, ALARM_BATCH at most (call holding ``ready``)."""
        return [self.alarms.popleft() for _ in range(min(ALARM_BATCH, len(self.alarms)))]

    def ack(self, batch: list[Message]) -> None:
        """Each message acknowledged by the session and connection that delivered it."""
        for name, lane in self.lanes.items():
            c = lane.client
            if c is None:
                continue
            with self.ready:
                generation = lane.generation
            # A message of an earlier connection is sent again by the broker on this one (and stored as a
            # duplicate, then acknowledged): its old packet id must not acknowledge someone else's message.
            mine = [m for m in batch if m.lane == name and m.generation == generation and m.qos > 0]
            if not mine:
                continue
            if isinstance(c, BatchClient) and all(m.qos == 1 for m in mine):
                c.ack_many([m.mid for m in mine])  # the batch's PUBACKs in one write
            else:
                for m in mine:
                    c.ack(m.mid, m.qos)
            self.stats.acked += len(mine)
