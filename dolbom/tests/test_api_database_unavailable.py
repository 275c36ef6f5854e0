"""While PostgreSQL restarts (bench/faults.py), the API answers 503 with a stable code and Retry-After, not a
500: the transaction rolled back and the client may send the same request again."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import RequestFactory

from dolbom import api


class _PgError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__("server said so")
        self.sqlstate = sqlstate


def _answer(exc: Exception, handler=api.operational_error):
    response = handler(RequestFactory().post("/api/cases/1/follow-ups"), exc)
    return response.status_code, json.loads(response.content)["code"], response.get("Retry-After")


def _raised_from(sqlstate: str | None, message: str) -> OperationalError:
    exc = OperationalError(message)
    exc.__cause__ = _PgError(sqlstate)
    return exc


@pytest.mark.parametrize("sqlstate", ["57P01", "08006", None])
def test_a_database_restart_answers_503_database_unavailable(monkeypatch, sqlstate):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    assert _answer(_raised_from(sqlstate, "terminating connection")) == (503, "database_unavailable", "2")
    assert _answer(InterfaceError("connection already closed"), api.connection_lost) == (503, "database_unavailable",
                                                                                       "2")


def test_another_database_error_is_still_a_server_error(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    assert _answer(_raised_from("42P01", "relation does not exist"))[:2] == (500, "server_error")


@pytest.mark.parametrize("sqlstate", ["57P01", "08006"])
def test_a_page_during_a_database_restart_answers_a_korean_503(monkeypatch, sqlstate):
    from django.utils import translation

    from dolbom.web.middleware import DatabaseRefusalMiddleware

    monkeypatch.setattr(connection, "vendor", "postgresql")
    middleware = DatabaseRefusalMiddleware(lambda request: None)
    request = RequestFactory().post("/cases/1/steps/close/")
    with translation.override("ko"):
        for exc in (_raised_from(sqlstate, "terminating connection"), InterfaceError("connection already closed")):
            response = middleware.process_exception(request, exc)
            assert (response.status_code, response["Retry-After"]) == (503, "2")
            assert "잠시 후" in response.content.decode()
        # A query the database refuses for another reason stays a server error (Django's 500 page).
        assert middleware.process_exception(request, _raised_from("42P01", "relation does not exist")) is None
