"""The process harness of bench/safety.py: the broker, the database, the ingest worker (real or naive) and the
device simulator, each its own process, and the helpers that start, kill and wait for them. No Django here:
the orchestrator starts the processes and reads the database directly; the scenarios and the report are in
bench/safety.py, what runs inside Django (the city, the reset, the count) in bench/safety_city.py, the naive
subscriber in bench/safety_baseline.py.
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
SCRIPT = ROOT / "bench" / "safety_city.py"  # the parts that run inside Django ("_verb" entry points)
BASELINE = ROOT / "bench" / "safety_baseline.py"  # the naive subscriber
CAUTION_MINUTES = 1


def _pg_restart(cluster: str) -> list[str]:
    """``pg_ctlcluster`` restarting ``VERSION/NAME`` (``--pg-cluster VERSION/NAME``: a cluster the caller
    made for the bench, e.g. ``pg_createcluster 15 bench -p 5433 --start``; never a shared one)."""
    version, name = cluster.split("/", 1)
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"]


def _cpu_of(pid: int | None, *, children: bool = False) -> float:
    """CPU seconds (user + system) of a live process from /proc; with ``children``, those of the children
    it has waited for too (PostgreSQL's postmaster reaps its backends). 0 where it cannot be read."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


class Cluster:
    """A throw-away PostgreSQL cluster of the bench's own (``--pg-cluster own``, the default): initdb in a
    temporary folder, its own port, restarted mid-run and removed at the end, so that the restart cuts no
    one else's connections on a shared machine. Run as root, the server runs as the ``postgres`` user."""

    def __init__(self, tmp: Path, version: str = "15") -> None:
        self.bin = Path(f"/usr/lib/postgresql/{version}/bin")
        if not (self.bin / "initdb").exists():
            found = shutil.which("initdb")
            if found is None:
                raise SystemExit("no initdb: install PostgreSQL's server, or pass --pg-url and --pg-cluster")
            self.bin = Path(found).parent
        self.dir = tmp / "pg"
        self.dir.mkdir()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            tmp.chmod(0o755)
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.data = self.dir / "data"
        self._ctl("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as f:
            # As the machine's own cluster is set (shared_buffers 128 MB, fsync and synchronous commit on).
            f.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                    "shared_buffers = 128MB\nmax_wal_size = 1GB\n")
        self._ctl("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "start")
        self.url_base = f"postgres://postgres@127.0.0.1:{self.port}"

    def _ctl(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bin / tool), *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{tool} failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")

    def restart_command(self) -> list[str]:
        return [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
                "-m", "fast", "-w", "restart"]

    def cpu(self) -> float:
        """CPU seconds of the cluster so far: the postmaster, the backends it reaped, those still running."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0.0
        total = _cpu_of(pid, children=True)
        for child in Path("/proc").iterdir():
            if child.name.isdigit():
                try:
                    ppid = int((child / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                if ppid == pid:
                    total += _cpu_of(int(child.name))
        return total

    def stop(self, *, remove: bool = True) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"],
                       capture_output=True)
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)


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

    def cpu(self) -> float:
        """CPU seconds of the broker so far."""
        return _cpu_of(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Database:
    """The run's database: a SQLite file, or a PostgreSQL database created afresh, in the bench's own
    throw-away cluster (``cluster``) or at ``pg_url`` on a cluster the caller names (``pg_cluster``)."""

    def __init__(self, kind: str, tmp: Path, pg_url: str, pg_cluster: str = "own") -> None:
        self.kind = kind
        self.cluster: Cluster | None = None
        self.restart_command: list[str] = []
        if kind == "postgres":
            if pg_cluster == "own":
                self.cluster = Cluster(tmp)
                pg_url = f"{self.cluster.url_base}/{pg_url.rsplit('/', 1)[1]}"
                self.restart_command = self.cluster.restart_command()
            else:
                self.restart_command = _pg_restart(pg_cluster)
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

    def rows(self, sql: str) -> list[tuple]:
        """A query's rows (retried while the database restarts)."""
        for _ in range(20):
            try:
                if self.kind == "sqlite":
                    import sqlite3

                    with sqlite3.connect(self.path, timeout=30) as conn:
                        return conn.execute(sql).fetchall()
                import psycopg

                with psycopg.connect(self.url, connect_timeout=5) as conn:
                    return conn.execute(sql).fetchall()
            except Exception:  # noqa: BLE001 - the database may be restarting
                time.sleep(0.5)
        return []

    def execute(self, sql: str, params: tuple = ()) -> None:
        """One statement, committed (``%s`` placeholders on both databases)."""
        if self.kind == "sqlite":
            import sqlite3

            with sqlite3.connect(self.path, timeout=30) as conn:
                conn.execute(sql.replace("%s", "?"), params)
            return
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as conn:
            conn.execute(sql, params)

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

    def cpu(self) -> float:
        """CPU seconds of the bench's own cluster so far (0 on SQLite or a cluster not ours)."""
        return self.cluster.cpu() if self.cluster is not None else 0.0

    def drop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
            return
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
    """The ingest worker (real or naive) in its own process. With ``standby`` (real only) a second process waits
    beside it on a lock (``--standby-lock``) and takes over when the active one is killed; ``start`` then
    starts a new standby."""

    def __init__(self, mode: str, env: dict[str, str], client_id: str, prefix: str, port: int, log: Path,
                 *, standby: bool = False) -> None:
        self.mode, self.env, self.client_id, self.prefix, self.port, self.log = mode, env, client_id, prefix, port, log
        self.standby = standby and mode == "real"
        self.lock = log.with_suffix(".lock")
        self.spare_log = log.with_suffix(".standby.log")
        self.alarm_log = log.parent / f"alarms-{mode}.csv"  # when each alarm was committed (real worker)
        self.proc: subprocess.Popen | None = None
        self.spare: subprocess.Popen | None = None
        self.cpu = 0.0  # CPU seconds of the worker processes ended so far (a kill, a stop)
        # The last (re)start: seconds to the alarm lane subscribed and to every session subscribed, from the new
        # process's start (a cold restart) or from the kill (a standby taking over).
        self.started: dict[str, float] = {}

    def _spawn(self, log: Path) -> subprocess.Popen:
        if self.mode == "real":
            cmd = _dolbom("safety", "ingest", "--client-id", self.client_id, "--sweep-seconds", "1",
                          "--stats-seconds", "0", "--alarm-log", str(self.alarm_log),
                          *(("--standby-lock", str(self.lock)) if self.standby else ()))
        else:
            cmd = [PY, str(BASELINE), self.client_id, self.prefix, str(self.port), str(CAUTION_MINUTES * 60)]
        return subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log.open("a"), stderr=subprocess.STDOUT)

    def _serving(self, proc: subprocess.Popen, log: Path, began: float) -> dict[str, float]:
        """Wait until the process at ``log`` has every session subscribed (Django's start-up, or a standby's
        wait, then the subscriptions); seconds since ``began`` to its alarm lane and to all."""
        before, before_alarm = _count(log, "구독 완료"), _count(log, "경보 구독 완료")
        lanes = 2 if self.mode == "real" else 1  # the real worker's alarm session and events session
        deadline = time.monotonic() + 120
        alarm_at = None
        while _count(log, "구독 완료") < before + lanes:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the {self.mode} worker did not start: {log.read_text()[-2000:]}")
            if alarm_at is None and _count(log, "경보 구독 완료") > before_alarm:
                alarm_at = time.time()
            time.sleep(0.02)
        ready = time.time()
        return {"alarm_lane": (alarm_at or ready) - began, "ready": ready - began}

    def start(self) -> None:
        """The active worker if none runs (a cold start, timed in ``started``), then a standby if asked for."""
        if self.proc is None or self.proc.poll() is not None:
            began = time.time()
            self.proc = self._spawn(self.log)
            self.started = self._serving(self.proc, self.log, began)
        if self.standby and (self.spare is None or self.spare.poll() is not None):
            waiting = _count(self.spare_log, "대기 중")
            self.spare = self._spawn(self.spare_log)
            deadline = time.monotonic() + 120
            while _count(self.spare_log, "대기 중") <= waiting:
                if self.spare.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the standby did not start: {self.spare_log.read_text()[-2000:]}")
                time.sleep(0.05)

    def kill(self) -> None:
        """kill -9 of the active worker; with a standby, return once it has taken over (timed in ``started``)."""
        assert self.proc is not None
        self.cpu += _cpu_of(self.proc.pid)
        down = time.time()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        if self.standby and self.spare is not None:
            self.started = self._serving(self.spare, self.spare_log, down)
            self.proc, self.spare = self.spare, None
            self.log, self.spare_log = self.spare_log, self.log

    def stop(self) -> None:
        for proc in (self.proc, self.spare):
            if proc is not None and proc.poll() is None:
                self.cpu += _cpu_of(proc.pid)
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _count(log: Path, marker: str) -> int:
    return log.read_text(encoding="utf-8").count(marker) if log.exists() else 0


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
        self.cpu = 0.0  # CPU seconds of the simulator, known once it has ended (wait)
        self.started = threading.Event()
        self.at = 0.0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not self.started.is_set() and "발행 시작" in line:  # simulator.publish, payloads encoded
                self.at = time.time()
                self.started.set()
            self.lines.append(line.rstrip())

    def wait(self) -> str:
        # wait4 rather than wait: the simulator's CPU seconds (user + system) come with its exit status.
        _pid, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.cpu = usage.ru_utime + usage.ru_stime
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


