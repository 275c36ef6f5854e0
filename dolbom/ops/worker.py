"""``dolbom worker``: every periodic job of lib/jobs.py on its schedule, on one node or several.

One process per node. Each job runs in a thread of its own, so that a long report refresh does not hold
back the safety sweep that runs every ten seconds, and never twice at once anywhere: before a run the node
takes the job's lock (ops/locks.py: a PostgreSQL advisory lock, or on SQLite a lock row with a lease), and
under the lock it reads the job's last start again, since another node may have run it a moment before.
So the schedule is shared through the database, not kept per node: with three nodes a daily job still
runs once a day, and a node that dies mid-run leaves the job to the others (at once on PostgreSQL, where
the lock goes with the connection; after the lease on SQLite).

Each run is recorded (ops.JobState: last start, duration, outcome, report; ops.JobRun: the history). A job
that raises is recorded as failed with its error and tried again at its next time. SIGTERM (systemd's stop)
and SIGINT stop starting jobs and wait for the running ones to finish; a second signal stops at once. A
database that goes away (a restart, a failover) is waited for; nothing needs restarting by hand.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import DatabaseError, InterfaceError, close_old_connections, connection
from django.utils import timezone

from dolbom.lib.access import mask_rrns
from dolbom.lib.jobs import Job, jobs
from dolbom.ops import locks
from dolbom.ops.models import JobOutcome, JobRun, JobState

Log = Callable[[str], None]
_REPORT_CHARS = 2000
_DB_RETRY_SECONDS = 5.0


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def is_due(job: Job, state: JobState | None, now: dt.datetime) -> bool:
    """Due when it never ran, or its interval has passed since it last started (anywhere)."""
    return state is None or state.last_started_at is None or now >= state.last_started_at + job.every


def selected_jobs(only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[Job]:
    only, skip = set(only), set(skip)
    known = {j.key for j in jobs()}
    unknown = (only | skip) - known
    if unknown:
        raise ValueError(f"no such job: {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})")
    return [j for j in jobs() if (not only or j.key in only) and j.key not in skip]


def _short(text: str) -> str:
    text = mask_rrns(text.strip())
    return text if len(text) <= _REPORT_CHARS else text[: _REPORT_CHARS - 1] + "…"


def run_job(job: Job, *, node: str, log: Log) -> str | None:
    """Run ``job`` here if no other node is running it and it is still due; its outcome, or None if skipped.

    Runs in the caller's thread with that thread's database connection (``run_forever`` closes it after each
    run: a job thread must not keep a connection that a database restart has broken)."""
    try:
        with locks.job_lock(job, node=node) as held:
            if not held:
                return None
            state, _ = JobState.objects.get_or_create(key=job.key)
            started = timezone.now()
            if not is_due(job, state, started):
                return None  # another node ran it between our look and our lock
            JobState.objects.filter(key=job.key).update(last_started_at=started, last_outcome=JobOutcome.RUNNING,
                                                        last_node=node)
            run = JobRun.objects.create(key=job.key, node=node, started_at=started, outcome=JobOutcome.RUNNING)
            t0 = time.monotonic()
            try:
                report, outcome = str(job.run() or ""), JobOutcome.OK
            except Exception as exc:  # a job's failure is recorded and retried next time, never the worker's end
                report = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exception(exc)[-6:])
                outcome = JobOutcome.FAILED
                if not connection.in_atomic_block:
                    close_old_connections()  # a job that broke its connection must not break the recording
            duration = time.monotonic() - t0
            finished = timezone.now()
            report = _short(report)
            state_update = dict(last_finished_at=finished, last_duration=duration, last_outcome=outcome,
                                last_report=report)
            JobState.objects.filter(key=job.key).update(**state_update)
            from django.db.models import F

            JobState.objects.filter(key=job.key).update(
                runs=F("runs") + 1, failures=F("failures") + (1 if outcome == JobOutcome.FAILED else 0))
            JobRun.objects.filter(pk=run.pk).update(finished_at=finished, duration=duration, outcome=outcome,
                                                     report=report)
            log(f"{job.key}: {outcome} in {duration:.2f}s" + (f" — {report.splitlines()[0]}" if report else ""))
            return outcome
    except (DatabaseError, InterfaceError) as exc:
        log(f"{job.key}: the database is unavailable ({type(exc).__name__}: {mask_rrns(str(exc)).strip()[:200]}); "
            "trying again at its next time")
        return None


def _run_in_thread(job: Job, *, node: str, log: Log) -> str | None:
    try:
        return run_job(job, node=node, log=log)
    finally:
        connection.close()


@dataclass
class Worker:
    jobs: list[Job]
    threads: int = 4
    tick: float = 1.0
    log: Log = print
    node: str = field(default_factory=node_name)
    stop: threading.Event = field(default_factory=threading.Event)

    def _states(self) -> dict[str, JobState]:
        return {s.key: s for s in JobState.objects.filter(key__in=[j.key for j in self.jobs])}

    def run_due_once(self) -> dict[str, str | None]:
        """Run every due job once, one after another, in this thread (``--once``, tests)."""
        states = self._states()
        now = timezone.now()
        return {job.key: run_job(job, node=self.node, log=self.log) for job in self.jobs
                if is_due(job, states.get(job.key), now)}

    def run_forever(self) -> None:
        self.log(f"worker {self.node}: {len(self.jobs)} jobs, {self.threads} threads")
        running: dict[str, Future] = {}
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="job") as pool:
            while not self.stop.is_set():
                for key in [k for k, f in running.items() if f.done()]:
                    running.pop(key)
                try:
                    states = self._states()
                except (DatabaseError, InterfaceError) as exc:
                    self.log(f"the database is unavailable ({type(exc).__name__}); waiting")
                    connection.close()
                    self.stop.wait(_DB_RETRY_SECONDS)
                    continue
                now = timezone.now()
                for job in self.jobs:
                    if job.key not in running and len(running) < self.threads and is_due(job, states.get(job.key), now):
                        running[job.key] = pool.submit(_run_in_thread, job, node=self.node, log=self.log)
                self.stop.wait(self.tick)
            if running:
                self.log(f"stopping: waiting for {', '.join(sorted(running))}")
        connection.close()
        self.log(f"worker {self.node}: stopped")

    def install_signal_handlers(self) -> None:
        def stop(signum: int, frame: object) -> None:
            if self.stop.is_set():  # the second signal: do not wait for the running jobs
                os._exit(128 + signum)
            self.log(f"{signal.Signals(signum).name}: finishing the running jobs, starting no new one")
            self.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
