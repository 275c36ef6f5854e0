"""Finding (low): production accepted a short secret key and the same key for RRN encryption and its index.

``DOLBOM_ENV=production`` refuses to start when a key or setting is unsafe and names each one; with safe
ones it starts with HSTS, the HTTPS redirect and __Host- cookies. Each case starts Django in a fresh
process, as a server would."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest

from dolbom.lib import keys

SAFE = {
    "DOLBOM_ENV": "production",
    "DOLBOM_SECRET_KEY": "k" * 10 + "Zx8#qP2!mN5vR9tY3wL7eJ1cB6hG4fD0aS" + "u" * 10,
    "DOLBOM_RRN_KEY": base64.b64encode(bytes(range(32))).decode(),
    "DOLBOM_RRN_INDEX_KEY": base64.b64encode(bytes(range(100, 132))).decode(),
    "DOLBOM_ALLOWED_HOSTS": "dolbom.jeonju.go.kr",
    "DOLBOM_MESSAGE_BACKEND": "http",
    "DOLBOM_TRUSTED_PROXIES": "127.0.0.1",
}
PROBE = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'dolbom.settings'; django.setup(); "
         "from django.conf import settings as s; "
         "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
         "s.CSRF_COOKIE_SECURE)")


def _start(tmp_path, **overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOLBOM_")}
    env.update(SAFE, DOLBOM_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    env.update(overrides)
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)


def test_safe_settings_start_with_hsts_the_https_redirect_and_host_only_cookies(tmp_path):
    r = _start(tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["31536000", "True", "__Host-dolbom-session", "True", "True"]


SAFE_VALUES = dict(secret_key=SAFE["DOLBOM_SECRET_KEY"], rrn_encryption_key=bytes(range(32)),
                   rrn_index_key=bytes(range(100, 132)), debug=False, allowed_hosts=["dolbom.jeonju.go.kr"],
                   message_backend="http", ssl_redirect=True, trusted_proxies=["127.0.0.1"])


def test_safe_values_have_no_problem():
    assert keys.production_problems(**SAFE_VALUES) == []


@pytest.mark.parametrize("overrides, named", [
    ({"secret_key": "short-secret"}, "DOLBOM_SECRET_KEY"),
    ({"secret_key": "django-insecure-" + "a1b2c3d4e5f6g7h8i9j0" * 3}, "DOLBOM_SECRET_KEY"),
    ({"secret_key": "ab" * 40}, "DOLBOM_SECRET_KEY"),
    ({"rrn_index_key": bytes(range(32))}, "DOLBOM_RRN_INDEX_KEY must be different"),
    ({"rrn_encryption_key": bytes(32)}, "random 32-byte keys"),
    ({"debug": True}, "DOLBOM_DEBUG"),
    ({"allowed_hosts": ["*"]}, "DOLBOM_ALLOWED_HOSTS"),
    ({"message_backend": "console"}, "DOLBOM_MESSAGE_BACKEND"),
    ({"trusted_proxies": []}, "DOLBOM_TRUSTED_PROXIES"),
], ids=["short-secret", "django-insecure", "low-variety", "same-rrn-keys", "zero-rrn-key", "debug", "any-host",
        "console-messages", "no-proxy"])
def test_each_unsafe_value_is_named(overrides, named):
    problems = keys.production_problems(**{**SAFE_VALUES, **overrides})
    assert len(problems) == 1 and named in problems[0]


def test_tls_ending_on_this_server_needs_no_proxy():
    assert keys.production_problems(**{**SAFE_VALUES, "ssl_redirect": False, "trusted_proxies": []}) == []


def test_every_problem_is_listed_at_once(tmp_path):
    r = _start(tmp_path, DOLBOM_SECRET_KEY="x" * 60, DOLBOM_DEBUG="1", DOLBOM_ALLOWED_HOSTS="*")
    assert r.returncode != 0 and "DOLBOM_ENV=production refuses to start" in r.stderr
    assert all(name in r.stderr for name in ("DOLBOM_SECRET_KEY", "DOLBOM_DEBUG", "DOLBOM_ALLOWED_HOSTS"))


def test_the_sqlite_file_is_created_owner_only(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOLBOM_")}
    env.update(DOLBOM_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    write = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'dolbom.settings'; django.setup(); "
             "from django.db import connection; c = connection.cursor(); c.execute('create table t (x)'); "
             "c.execute('insert into t values (1)')")
    r = subprocess.run([sys.executable, "-c", write], env={**env, "PYTHONUNBUFFERED": "1"}, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    for name in ("db.sqlite3", "keys.json"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0, name
