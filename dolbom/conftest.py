from __future__ import annotations

import pytest

from dolbom.accounts.models import Role
from dolbom.testing import personas
from dolbom.testing.browser import browser_page, chromium  # noqa: F401  (fixtures for every app)
from dolbom.testing.pages import login  # noqa: F401  (a fixture for every app's page tests)


def _transactional(marker: pytest.Mark | None) -> bool:
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture(autouse=True)
def _no_refusal_kept_from_another_test():
    """Refusals are kept aside until the end of a request or command (audit/services.py); one a test left
    unflushed would be written in the next test's name."""
    from dolbom.audit.services import denials_discard

    denials_discard()
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: F811  (extends pytest-django's)
    """The database as migrations left it, serialized once at setup, on every connection object. Django keeps
    it on the one DatabaseWrapper that created the test database; a browser test's thread context sees another
    wrapper without it, so its flush re-ran post_migrate (new content-type ids) and restored nothing. Restored
    with dolbom/testing/restore.py: the same rows, parsed once and inserted in batches."""
    from django.db import connections

    from dolbom.testing.restore import install

    undo = []
    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
            undo.append(install(connections[alias]))
    yield
    for step in undo:
        step()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test restores the database it found (serialized_rollback). A transactional test
    without it ends with a flush that re-creates the content types under new ids (SQLite keeps counting),
    and the next test that restores the serialized database then collides with them: 'UNIQUE constraint
    failed: django_content_type' at the setup of every browser test after a concurrency test."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        by_fixture = bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))
        if (_transactional(marker) or by_fixture) and not (marker and marker.kwargs.get("serialized_rollback")):
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _messages_to_the_outbox(settings):
    """As Django's test runner does for e-mail: no test sends a real text message, and each starts with an
    empty outbox (``message_outbox``)."""
    from dolbom.integrations.messaging.backends import outbox

    settings.DOLBOM_MESSAGE_BACKEND = "locmem"
    outbox.clear()


@pytest.fixture(autouse=True)
def _force_login_is_a_finished_sign_in(monkeypatch):
    """A test client's force_login stands for the whole sign-in, the second factor included
    (dolbom/testing/second_factor.py); the sign-in pages are tested through their forms."""
    from django.test.client import ClientMixin

    from dolbom.testing.second_factor import mark_verified

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        mark_verified(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits and lockout counters live in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def message_outbox():
    """The text messages sent so far in this test (``OutboundMessage``: to, text, purpose, kind, ...)."""
    from dolbom.integrations.messaging.backends import outbox

    return outbox


@pytest.fixture
def officer(db):
    """김민지, dong welfare officer at 서신동."""
    return personas.make_staff("minji", "김민지", Role.DONG_OFFICER, "서신동")


@pytest.fixture
def manager(db):
    """박정우, case manager at 서신동."""
    return personas.make_staff("jeongwoo", "박정우", Role.CASE_MANAGER, "서신동")


@pytest.fixture
def partner(db):
    """이수진, partner-institution worker (home nursing)."""
    return personas.make_staff("sujin", "이수진", Role.PARTNER, institution="전주 방문간호센터")


@pytest.fixture
def auditor(db):
    """최영호, auditor."""
    return personas.make_staff("youngho", "최영호", Role.AUDITOR)


@pytest.fixture
def city(db):
    """정하늘, city integrated-care team."""
    return personas.make_staff("haneul", "정하늘", Role.CITY_TEAM)


@pytest.fixture
def other_officer(db):
    """한도윤, dong welfare officer at 효자1동 (another dong)."""
    return personas.make_staff("doyun", "한도윤", Role.DONG_OFFICER, "효자1동")


@pytest.fixture
def resident(officer):
    """김영숙, 78, living alone in 서신동."""
    return personas.make_resident(officer)


@pytest.fixture(autouse=True)
def _transactional_tests_keep_reference_data(request, django_db_setup, django_db_blocker):
    """Transactional tests (live_server, the browser test) end with a flush; SQLite flushes with DELETE,
    which the append-only trigger refuses. Empty the log with the trigger lifted, then put it back.
    PostgreSQL flushes with TRUNCATE, which row triggers do not see."""
    transactional = _transactional(request.node.get_closest_marker("django_db"))
    if not (transactional or set(request.fixturenames) & {"transactional_db", "live_server"}):
        yield
        return
    from django.db import connection

    from dolbom.areas.dongs import load_dongs
    from dolbom.areas.models import BoundaryArea, Dong

    # A flush also removes the dongs that a data migration loaded; put them back (idempotent). A test with
    # serialized_rollback (every transactional one, pytest_collection_modifyitems) has them back already.
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("serialized_rollback")):
        with django_db_blocker.unblock():
            load_dongs(Dong, BoundaryArea)
    if connection.vendor != "sqlite":
        yield
        return
    import importlib

    sql = importlib.import_module("dolbom.audit.migrations.0002_append_only")

    yield
    # pytest-django's flush runs after this teardown: empty the log first, with the guard lifted briefly.
    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute(sql.SQLITE_DOWN[1])
        cur.execute("DELETE FROM audit_accesslog")
        cur.execute(sql.SQLITE_UP[1])
