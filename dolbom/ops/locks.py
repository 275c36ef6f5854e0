"""One job at a time across every node (ops/worker.py).

PostgreSQL: a session advisory lock on the running thread's connection, keyed by the job. It goes with the
connection, so a node that dies or loses the database frees it at once, and it costs no write.

SQLite (one machine; several processes may still run a worker, e.g. during an upgrade): the job's
``ops.JobState`` row is the lock, taken by a conditional update (``locked_until`` past or empty) and held by a
lease renewed while the job runs; a node that dies leaves it for ``LEASE`` at most.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
from collections.abc import Iterator

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from dolbom.lib.jobs import Job
from dolbom.ops.models import JobState

LEASE = dt.timedelta(seconds=60)


def advisory_key(job_key: str) -> int:
    """A signed 64-bit key for pg_try_advisory_lock, stable across nodes and releases."""
    return int.from_bytes(hashlib.sha256(f"dolbom.job:{job_key}".encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def _advisory(job: Job, node: str) -> Iterator[bool]:
    key = advisory_key(job.key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = bool(cursor.fetchone()[0])
    if not held:
        yield False
        return
    try:
        JobState.objects.get_or_create(key=job.key)
        JobState.objects.filter(key=job.key).update(locked_by=node, locked_until=None)
        yield True
    finally:
        try:
            JobState.objects.filter(key=job.key, locked_by=node).update(locked_by="")
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except Exception:  # the connection is gone, and the lock with it
            pass


def _lease_take(key: str, node: str) -> bool:
    now = timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now) | Q(locked_by=node)
    return JobState.objects.filter(Q(key=key) & free).update(locked_by=node, locked_until=now + LEASE) == 1


@contextlib.contextmanager
def _lease(job: Job, node: str) -> Iterator[bool]:
    JobState.objects.get_or_create(key=job.key)
    if not _lease_take(job.key, node):
        yield False
        return
    done = threading.Event()

    def renew() -> None:  # its own thread, so its own connection
        try:
            while not done.wait(LEASE.total_seconds() / 3):
                JobState.objects.filter(key=job.key, locked_by=node).update(locked_until=timezone.now() + LEASE)
        finally:
            connection.close()

    renewer = threading.Thread(target=renew, name=f"lease-{job.key}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        done.set()
        renewer.join()
        JobState.objects.filter(key=job.key, locked_by=node).update(locked_by="", locked_until=None)


def job_lock(job: Job, *, node: str) -> contextlib.AbstractContextManager[bool]:
    """``with job_lock(job, node=...) as held:`` — held is False when another node runs the job now."""
    return _advisory(job, node) if connection.vendor == "postgresql" else _lease(job, node)
