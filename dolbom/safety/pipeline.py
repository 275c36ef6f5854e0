"""The ingest worker's database thread: batches parsed by the worker's loop, stored one at a time, in order.

While this thread waits on PostgreSQL (the look-ups, the COPY, the rules' statements, the commit: psycopg
releases the GIL) the loop's thread reads and parses the next batch. Everything that writes goes through this one
thread in the order the batches were handed over, so a home's clock never sees a later batch before an earlier
one; alarm batches are taken ahead of the one waiting activity batch. The hand-over shares the worker's condition
(``ready``), which also guards its message queues, so the loop can take an alarm that arrives while it waits for
the slot.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dolbom.safety import protocol
    from dolbom.safety.lanes import Message


class Job:
    """A batch read and judged (the loop's thread), waiting for the database thread to store and acknowledge it."""

    __slots__ = ("batch", "parsed", "refused", "topics")

    def __init__(self, batch: list[Message], parsed: list[protocol.Parsed], refused: list[protocol.Refused],
                 topics: list[str]) -> None:
        self.batch, self.parsed, self.refused, self.topics = batch, parsed, refused, topics


class Writer:
    """The database thread and what is handed to it: alarm batches (taken first) and one activity batch.

    ``finish`` stores and acknowledges a job; ``crashed`` is called once when it raises (the error is kept and
    raised again on the loop's thread by ``raise_error``); ``closing`` runs on the thread as it ends (its own
    database connection). Fields are read and changed only while holding ``ready``."""

    def __init__(self, ready: threading.Condition, finish: Callable[[Job], None], *, crashed: Callable[[], None],
                 closing: Callable[[], None]) -> None:
        self.ready, self._finish, self._crashed, self._closing = ready, finish, crashed, closing
        self.thread: threading.Thread | None = None
        self.done = False
        self.error: BaseException | None = None
        self.next: Job | None = None  # the one activity batch waiting
        self.alarms: deque[Job] = deque()  # alarm batches waiting: taken before next
        self.writing = False

    # The hand-over, called by the loop's thread while it holds ``ready``.
    def hand_alarm(self, job: Job) -> None:
        self.alarms.append(job)
        self.ready.notify_all()

    def hand(self, job: Job) -> bool:
        """The activity batch takes the one slot if it is free (False: it is not; wait on ``ready``)."""
        self.raise_error()
        if self.next is not None:
            return False
        self.next = job
        self.ready.notify_all()
        return True

    def take_alarm(self) -> Job | None:
        """An alarm batch handed over but not yet taken by this thread (stored by the loop's thread instead)."""
        return self.alarms.popleft() if self.alarms else None

    def busy(self) -> bool:
        return self.thread is not None and (self.next is not None or bool(self.alarms) or self.writing)

    def raise_error(self) -> None:
        error = self.error
        if error is not None:
            raise error

    def start(self) -> None:
        self.done = False
        self.thread = threading.Thread(target=self._loop, name="safety-ingest-db", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """What was handed over is stored and acknowledged first (a stop is not a crash); then the thread ends."""
        thread = self.thread
        if thread is None:
            return
        with self.ready:
            self.done = True
            self.ready.notify_all()
        thread.join(60)
        self.thread = None

    def _loop(self) -> None:
        try:
            while True:
                with self.ready:
                    while not self.alarms and self.next is None and not self.done:
                        self.ready.wait()
                    if self.alarms:
                        job = self.alarms.popleft()
                    elif self.next is not None:
                        job, self.next = self.next, None
                    else:
                        return
                    self.writing = True
                    self.ready.notify_all()  # the slot is free
                try:
                    self._finish(job)
                finally:
                    with self.ready:
                        self.writing = False
                        self.ready.notify_all()
        except BaseException as exc:  # noqa: BLE001 - the loop's thread raises it (run())
            with self.ready:
                self.error = exc
                self.ready.notify_all()
            self._crashed()
        finally:
            self._closing()
