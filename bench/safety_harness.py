"""The process harness of bench/safety.py: the broker, the database, the ingest worker (real or naive) and the
device simulator, each its own process, and the helpers that start, kill and wait for them. No Django here:
the orchestrator starts the processes and reads the database directly; the scenarios, the baseline and the
report are in bench/safety.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SCRIPT = ROOT / "bench" / "safety.py"  # the scenarios; its "_verb" entry points run inside Django
CAUTION_MINUTES = 1


def _pg_restart(cluster: str) -> list[str]:
    """``pg_ctlcluster`` restarting ``VERSION/NAME`` (``--pg-cluster``; on a shared machine a throw-away
    cluster of its own, e.g. ``pg_createcluster 15 bench -p 5433 --start``, so others' runs are not cut)."""
    version, name = cluster.split("/", 1)
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"]



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        conf = (ROOT / "dolbom/safety/deploy/mosquitto.conf").read_text(encoding="utf-8")
        lines = [ln for ln in conf.splitlines() if not ln.startswith(("listener", "persistence_location", "log_dest"))]
        lines += [f"listener {self.port} 127.0.0.1", "persistence false", "log_dest none"]
        path = tmp / "mosquitto.conf"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([binary, "-c", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("mosquitto did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Database:
    def __init__(self, kind: str, tmp: Path, pg_url: str) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.path = tmp / "bench.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            self.url = pg_url
            name = pg_url.rsplit("/", 1)[1]
            admin = pg_url.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
            self.name, self.admin = name, admin

    def count(self, table: str) -> int:
        for _ in range(20):
            try:
                if self.kind == "sqlite":
                    import sqlite3

                    with sqlite3.connect(self.path, timeout=30) as conn:
                        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                import psycopg

                with psycopg.connect(self.url, connect_timeout=5) as conn:
                    return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            except Exception:  # noqa: BLE001 - the database may be restarting
                time.sleep(0.5)
        return -1

    def drop(self) -> None:
        if self.kind == "postgres":
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _env(db: Database, broker: Broker, tmp: Path, prefix: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": db.url, "DOLBOM_DATA_DIR": str(tmp / "data"), "DOLBOM_MQTT_HOST": "127.0.0.1",
                "DOLBOM_MQTT_PORT": str(broker.port), "DOLBOM_MQTT_TOPIC_PREFIX": prefix,
                "DOLBOM_MESSAGE_BACKEND": "file", "DOLBOM_MESSAGE_FILE": str(tmp / "messages.jsonl"),
                "DOLBOM_LOG_LEVEL": "ERROR", "PYTHONUNBUFFERED": "1"})
    return env


def _dolbom(*args: str) -> list[str]:
    return [PY, "-c", "import sys; from dolbom.cli import main; sys.exit(main())", *args]


def _self(*args: str) -> list[str]:
    return [PY, str(SCRIPT), *args]


def _run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:6])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


class Worker:
    def __init__(self, mode: str, env: dict[str, str], client_id: str, prefix: str, port: int, log: Path) -> None:
        self.mode, self.env, self.client_id, self.prefix, self.port, self.log = mode, env, client_id, prefix, port, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self.mode == "real":
            cmd = _dolbom("safety", "ingest", "--client-id", self.client_id, "--sweep-seconds", "1",
                          "--stats-seconds", "0")
        else:
            cmd = _self("_naive", self.client_id, self.prefix, str(self.port), str(CAUTION_MINUTES * 60))
        before = self._subscriptions()
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while self._subscriptions() <= before:  # Django's start-up, then the subscription
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the {self.mode} worker did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)

    def _subscriptions(self) -> int:
        return self.log.read_text(encoding="utf-8").count("구독 완료") if self.log.exists() else 0

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Simulator:
    """``dolbom safety simulate`` in its own process; ``started`` is set when it begins to publish."""

    def __init__(self, env: dict[str, str], args, *, seconds: float, speed: float, run: str, log: Path, notes: Path,
                 pace: str = "live", extra: tuple[str, ...] = ()) -> None:
        hours = seconds * speed / 3600
        cmd = _dolbom("safety", "simulate", "--homes", str(args.homes), "--hours", f"{hours:.6f}", "--pace", pace,
                      "--speed", f"{speed:.4f}", "--rhythm", "flat", "--per-hour", f"{args.per_hour:.3f}",
                      "--seed", str(args.seed), "--run", run, "--log", str(log), "--notes", str(notes), *extra)
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines: list[str] = []
        self.started = threading.Event()
        self.at = 0.0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not self.started.is_set() and "이벤트" in line:
                self.at = time.time()
                self.started.set()
            self.lines.append(line.rstrip())

    def wait(self) -> str:
        self.proc.wait()
        time.sleep(0.2)
        if self.proc.returncode != 0:
            raise SystemExit("the simulator failed:\n" + "\n".join(self.lines[-30:]))
        return next((ln for ln in self.lines[::-1] if ln.startswith("published")), "")


def _drain(db: Database, table: str, target: int, timeout: float) -> float:
    """Wait until ``target`` rows are stored (or nothing moves for 15 s); seconds it took."""
    began = time.monotonic()
    last, still = -1, time.monotonic()
    while time.monotonic() - began < timeout:
        n = db.count(table)
        if n >= target:
            break
        if n != last:
            last, still = n, time.monotonic()
        elif time.monotonic() - still > 30:
            break
        time.sleep(0.5)
    return time.monotonic() - began


