"""``dolbom serve``: gunicorn configured from the settings, started for real on loopback, answering pages,
static files and the health check, masking RRNs in its request log, and stopping cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from dolbom.ops import serve as ops_serve

STATIC = Path(__file__).resolve().parents[2] / "web" / "static" / "dolbom" / "dolbom.css"


def test_the_gunicorn_configuration_follows_the_flags_and_the_settings(settings):
    settings.DOLBOM_TRUSTED_PROXIES = ["10.0.0.5", "10.0.0.6"]
    cfg = ops_serve.DolbomServer(ops_serve.options(bind="127.0.0.1:9000, unix:/run/dolbom/web.sock", workers=3,
                                                   threads=4, timeout=45, access_log=True)).cfg
    assert cfg.bind == ["127.0.0.1:9000", "unix:/run/dolbom/web.sock"]
    assert (cfg.workers, cfg.threads, cfg.worker_class_str, cfg.timeout) == (3, 4, "gthread", 45)
    assert cfg.forwarded_allow_ips == ["10.0.0.5", "10.0.0.6"]
    assert cfg.preload_app is False and cfg.max_requests == 2000 and cfg.accesslog == "-"
    assert cfg.logconfig_dict["handlers"]["access"]["filters"] == ["mask_rrns"]

    single = ops_serve.DolbomServer(ops_serve.options(bind="127.0.0.1:9000", workers=1, threads=1, timeout=30,
                                                      access_log=False)).cfg
    assert single.worker_class_str == "sync" and single.accesslog is None


def test_it_refuses_to_serve_a_database_behind_the_release(monkeypatch):
    monkeypatch.setattr(ops_serve, "unapplied_migrations", lambda: ["cases.0042_new"])
    with pytest.raises(SystemExit, match="dolbom migrate"):
        ops_serve.serve(bind="127.0.0.1:1", workers=1, threads=1, timeout=30, collectstatic=False, access_log=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    """The test database, as the server process can reach it: SQLite's (in memory) copied to a file,
    PostgreSQL's test database by its URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "serve.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        with target:
            connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=5) as r:  # noqa: S310 (loopback)
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.mark.django_db(transaction=True)
def test_it_starts_answers_pages_static_files_and_health_on_loopback_then_stops_on_sigterm(tmp_path):
    # About 4 s: a real gunicorn master and worker importing the whole project.
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(tmp_path), "DOLBOM_DATA_DIR": str(tmp_path / "data"),
           "DJANGO_SETTINGS_MODULE": "dolbom.settings", "DOLBOM_ENV": "development"}
    env.pop("DOLBOM_KEYS_FILE", None)
    server = subprocess.Popen([sys.executable, "-m", "dolbom.cli", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--threads", "2", "--timeout", "30"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body, _ = _get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        assert (status, body) == (200, b"ok\n")

        status, body, headers = _get(f"{base}/login/")
        assert status == 200 and "로그인" in body.decode()
        assert "Content-Security-Policy" in headers

        status, body, _ = _get(f"{base}/static/dolbom/dolbom.css")
        assert status == 200 and body == STATIC.read_bytes()

        status, _, _ = _get(f"{base}/residents/?q=480302-2000011")
        assert status in (302, 200)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            rc = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        log = server.stdout.read().decode()
    assert rc == 0, log
    assert "/healthz" in log and "/static/dolbom/dolbom.css" in log  # the request log is on
    assert "/residents/?q=******-*******" in log and "2000011" not in log, log  # the RRN masked
