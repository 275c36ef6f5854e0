"""``dolbom worker``: every registered job on its own schedule, shared through the database, and never run
twice at once by two workers (an advisory lock on PostgreSQL, a lease row on SQLite)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dolbom.lib.jobs import Job, jobs
from dolbom.ops import locks
from dolbom.ops.models import JobOutcome, JobRun, JobState
from dolbom.ops.worker import Worker, run_job, selected_jobs

# The periodic commands that used to be cron lines: each must be a registered job the worker runs.
FORMERLY_CRON = {"checkins.run_due", "referrals.remind", "programmes.remind", "programmes.tick", "safety.sweep",
                 "reports.refresh", "verification.purge", "subsidies.lapse_supplements", "ops.purge"}


def _recording(ran: list[str], pause: float = 0.0) -> list[Job]:
    def runner(key: str):
        def run() -> str:
            ran.append(key)
            time.sleep(pause)
            return f"{key} done"
        return run

    return [dataclasses.replace(j, run=runner(j.key)) for j in jobs()]


def _quiet_worker(chosen: list[Job], node: str = "node-a") -> Worker:
    return Worker(jobs=chosen, threads=2, log=lambda line: None, node=node)


def test_the_former_cron_jobs_are_registered_for_the_worker():
    assert FORMERLY_CRON <= {j.key for j in jobs()}
    assert {j.key for j in selected_jobs(skip=["ops.purge"])} == {j.key for j in jobs()} - {"ops.purge"}
    with pytest.raises(ValueError, match="no such job"):
        selected_jobs(only=["checkins.nope"])


@pytest.mark.django_db
def test_each_job_runs_when_due_and_again_only_after_its_own_interval():
    ran: list[str] = []
    chosen = _recording(ran)
    worker = _quiet_worker(chosen)

    outcomes = worker.run_due_once()
    assert sorted(ran) == sorted(j.key for j in chosen)
    assert set(outcomes.values()) == {JobOutcome.OK}
    assert worker.run_due_once() == {}  # nothing is due a moment later

    # Move every job's last start back by just under, or by exactly, its own interval.
    now = timezone.now()
    for i, job in enumerate(chosen):
        back = job.every if i % 2 else job.every - dt.timedelta(seconds=2)
        JobState.objects.filter(key=job.key).update(last_started_at=now - back)
    ran.clear()
    worker.run_due_once()
    assert sorted(ran) == sorted(j.key for i, j in enumerate(chosen) if i % 2)
    state = JobState.objects.get(key=chosen[1].key)
    assert (state.runs, state.last_outcome, state.last_report) == (2, JobOutcome.OK, f"{chosen[1].key} done")
    assert JobRun.objects.filter(key=chosen[1].key, outcome=JobOutcome.OK).count() == 2


@pytest.mark.django_db
def test_a_failing_job_is_recorded_with_its_error_and_masked_and_the_others_still_run():
    def broken() -> str:
        raise RuntimeError("gateway refused 480302-2000011")

    ran: list[str] = []
    others = [j for j in _recording(ran) if j.key != "checkins.run_due"][:2]
    chosen = [Job(key="checkins.run_due", every=dt.timedelta(minutes=2), run=broken), *others]
    outcomes = _quiet_worker(chosen).run_due_once()
    assert outcomes["checkins.run_due"] == JobOutcome.FAILED and len(ran) == 2
    state = JobState.objects.get(key="checkins.run_due")
    assert state.failures == 1 and "RuntimeError" in state.last_report
    assert "2000011" not in state.last_report  # an RRN in an error message is masked in the record


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_run_a_job_once():
    calls: list[str] = []
    job = Job(key="reports.refresh", every=dt.timedelta(minutes=5),
              run=lambda: calls.append(threading.current_thread().name) or time.sleep(0.4) or "ok")
    start = threading.Barrier(2)
    outcomes: dict[str, str | None] = {}
    errors: list[Exception] = []

    def node(name: str) -> None:
        try:
            start.wait(timeout=10)
            outcomes[name] = run_job(job, node=name, log=lambda line: None)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=node, args=(f"node-{c}",), name=f"node-{c}") for c in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(calls) == 1
    assert sorted(outcomes.values(), key=str) == [None, JobOutcome.OK]  # the other skipped: locked, then not due
    assert JobRun.objects.filter(key=job.key).count() == 1


@pytest.mark.django_db(transaction=True)
def test_while_one_node_holds_a_jobs_lock_another_cannot_take_it_and_can_once_it_is_released():
    job = Job(key="safety.sweep", every=dt.timedelta(seconds=10), run=lambda: "ok")
    holding, release, seen = threading.Event(), threading.Event(), {}

    def holder() -> None:
        try:
            with locks.job_lock(job, node="node-a") as held:
                seen["a"] = held
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    t = threading.Thread(target=holder)
    t.start()
    assert holding.wait(timeout=10)
    with locks.job_lock(job, node="node-b") as held:
        seen["b while a"] = held
    release.set()
    t.join(timeout=10)
    with locks.job_lock(job, node="node-b") as held:
        seen["b after a"] = held
    assert seen == {"a": True, "b while a": False, "b after a": True}


@pytest.mark.django_db
def test_on_sqlite_a_dead_nodes_lease_runs_out(settings):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL frees the advisory lock with the dead node's connection")
    job = Job(key="ops.purge", every=dt.timedelta(hours=24), run=lambda: "ok")
    JobState.objects.create(key=job.key, locked_by="dead-node:1", locked_until=timezone.now() + dt.timedelta(seconds=30))
    with locks.job_lock(job, node="node-b") as held:
        assert held is False
    JobState.objects.filter(key=job.key).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    with locks.job_lock(job, node="node-b") as held:
        assert held is True


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_dead_nodes_lock_goes_with_its_connection():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's lease is tested above")
    import psycopg

    job = Job(key="ops.purge", every=dt.timedelta(hours=24), run=lambda: "ok")
    db = connection.settings_dict
    other = psycopg.connect(dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"],
                            password=db["PASSWORD"] or None, autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [locks.advisory_key(job.key)])  # a node that holds the job
    with locks.job_lock(job, node="node-b") as held:
        assert held is False
    other.close()  # the node dies: its connection, and the lock with it, are gone
    deadline = time.monotonic() + 5  # the server ends the closed session's backend a moment later
    while True:
        with locks.job_lock(job, node="node-b") as held:
            if held or time.monotonic() > deadline:
                break
        time.sleep(0.05)
    assert held is True


@pytest.mark.django_db
def test_the_worker_command_runs_the_due_jobs_once_and_lists_them():
    call_command("ops", "worker", "--once", "--only", "verification.purge", stdout=open("/dev/null", "w"))
    state = JobState.objects.get(key="verification.purge")
    assert state.last_outcome == JobOutcome.OK and state.runs == 1
    from io import StringIO

    out = StringIO()
    call_command("ops", "jobs", stdout=out)
    listed = out.getvalue()
    assert all(j.key in listed for j in jobs())
    assert "never run" in listed and f"verification.purge{' ' * 14}" in listed


def test_run_forever_stops_when_asked_and_waits_for_the_running_job(transactional_db):
    ran: list[str] = []
    chosen = [j for j in _recording(ran, pause=0.3) if j.key == "verification.purge"]
    worker = Worker(jobs=chosen, threads=1, tick=0.05, log=lambda line: None, node="node-a")
    t = threading.Thread(target=worker.run_forever)
    t.start()
    deadline = time.monotonic() + 10
    while not ran and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.stop.set()
    t.join(timeout=10)
    assert not t.is_alive() and ran == ["verification.purge"]
    assert JobState.objects.get(key="verification.purge").last_outcome == JobOutcome.OK  # finished, not cut off
