"""``dolbom serve``: the production web server, gunicorn, in front of dolbom's WSGI application.

Why gunicorn: dolbom is a synchronous Django application (every view and service blocks on the database),
and gunicorn is the long-standing pre-fork WSGI server for exactly that on Linux: a master that restarts a
worker that dies or hangs past its timeout, graceful restarts of its workers (SIGHUP: new workers start, old
ones finish their requests), a bounded number of requests per worker against slow
leaks, and threads per worker so that a request waiting for PostgreSQL does not hold a whole process.
granian (Rust) serves faster on benchmarks but its WSGI mode and reload semantics are younger; uvicorn
serves ASGI, which would run our synchronous views in a thread pool anyway; waitress is one process, so one
core for Python. TLS ends at the reverse proxy (nginx, docs/DEPLOYMENT.md), not here.

Several nodes run behind a load balancer on one PostgreSQL: nothing here keeps state on a node's disk except
the configured document store (DOLBOM_DATA_DIR on shared storage), sessions are in the database, the cache is
Redis when DOLBOM_CACHE_URL names one, and static files are collected into each node's own STATIC_ROOT (they
come from the release, not from users) once per upgrade: ``dolbom collectstatic`` compresses them (gzip and
Brotli, for WhiteNoise to serve), which takes a minute, so a start does not repeat it unless asked to. Without
collected files WhiteNoise serves them from the apps' directories, uncompressed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

# The request line with its query string goes through the same RRN mask as every other log (lib/logs.py).
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(f)s" "%(a)s"'


def logconfig() -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_rrns": {"()": "dolbom.lib.logs.MaskRRNs"}},
        "formatters": {"generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"},
                       "access": {"format": "%(message)s"}},
        "handlers": {
            "error": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "generic",
                      "filters": ["mask_rrns"]},
            "access": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "access",
                       "filters": ["mask_rrns"]},
        },
        # gunicorn merges this over its defaults key by key: the root logger must name a handler defined here.
        "root": {"level": "WARNING", "handlers": ["error"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def options(*, bind: str, workers: int, threads: int, timeout: float, access_log: bool) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "bind": [b.strip() for b in bind.split(",") if b.strip()],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        # A worker silent longer than this is killed and replaced (the planner's solver is capped below it).
        "timeout": int(timeout),
        "graceful_timeout": 30,
        "keepalive": 5,
        "max_requests": 2000,
        "max_requests_jitter": 200,
        # Not preloaded: each worker builds the application after the fork, so no database connection or
        # thread of the master's is shared. Settings (keys included) are the master's, read when `dolbom serve`
        # started: new keys need a restart (docs/DEPLOYMENT.md, one node at a time behind the balancer).
        "preload_app": False,
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "logconfig_dict": logconfig(),
        "proc_name": "dolbom",
        # Proxies whose X-Forwarded-Proto gunicorn believes (Django's own setting decides the client address).
        "forwarded_allow_ips": ",".join(settings.DOLBOM_TRUSTED_PROXIES) or "127.0.0.1,::1",
        "limit_request_line": 8190,
        # gunicorn's control socket would sit in the home directory: state on the node that nothing here uses.
        "control_socket_disable": True,
    }
    if Path("/dev/shm").is_dir():
        opts["worker_tmp_dir"] = "/dev/shm"  # the workers' heartbeat files: a slow disk must not look like a hang
    return opts


class DolbomServer(BaseApplication):
    def __init__(self, opts: dict[str, Any]) -> None:
        self.opts = opts
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.opts.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from dolbom.ops.wsgi import application

        return application


def serve(*, bind: str, workers: int, threads: int, timeout: float, collectstatic: bool, access_log: bool,
          check_migrations: bool = True) -> None:
    if check_migrations:
        pending = unapplied_migrations()
        if pending:
            raise SystemExit(f"the database schema is behind this release ({len(pending)} migrations, e.g. "
                             f"{pending[0]}): run `dolbom migrate` first")
    if collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    for alias in connections:
        connections[alias].close()  # nothing opened here may be shared with the forked workers
    DolbomServer(options(bind=bind, workers=workers, threads=threads, timeout=timeout,
                         access_log=access_log)).run()
