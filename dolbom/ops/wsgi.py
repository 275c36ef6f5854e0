"""The WSGI application ``dolbom serve`` runs: Django's, with ``/healthz`` in front for the load balancer.

``/healthz`` answers before Django's middleware (no session, no sign-in, no access log: it reads no one's
data) with 200 ``ok`` when this node can query the database and 503 when it cannot, so that a balancer sends
requests only to nodes that can answer them and takes a node back by itself once its database is back.
It is not in the URL configuration, so that nothing public is added to the pages the security tests list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import close_old_connections, connection

HEALTH_PATH = "/healthz"
StartResponse = Callable[..., Any]


def _health(start_response: StartResponse) -> Iterable[bytes]:
    close_old_connections()  # a connection broken by a database restart is dropped, not reused
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        status, body = "200 OK", b"ok\n"
    except Exception:  # any failure to reach the database is "not ready", whatever the driver calls it
        connection.close()
        status, body = "503 Service Unavailable", b"database unavailable\n"
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


def build() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    # The settings are those of the process that forked the workers (`dolbom serve` sets them up); run any
    # other way (gunicorn dolbom.ops.wsgi), DJANGO_SETTINGS_MODULE must name them, as for dolbom/wsgi.py.
    from django.core.wsgi import get_wsgi_application

    django_app = get_wsgi_application()

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _health(start_response)
        return django_app(environ, start_response)

    return application


application = build()
