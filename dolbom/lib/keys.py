"""Key material for sessions and resident-registration-number protection.

In production every key must come from the environment (a city keeps them in its secrets store; settings
reads the variables and passes their values here); in development and tests a random key file is created
once under the data directory so the demo works on a fresh laptop. Keys are never committed and never logged.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_KEY_FILE = "keys.json"


def _dev_keys(data_dir: Path) -> dict[str, str]:
    path = data_dir / _KEY_FILE
    if path.exists():
        return json.loads(path.read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    generated = {
        "secret_key": secrets.token_urlsafe(50),
        "rrn_encryption_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "rrn_index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    # Owner-only: the file holds the key that decrypts every RRN in the development database.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return json.loads(path.read_text())
    with os.fdopen(fd, "w") as f:
        json.dump(generated, f)
    return generated


def _get(value: str | None, env: str, name: str, data_dir: Path, production: bool) -> str:
    if value:
        return value
    if production:
        raise ImproperlyConfigured(f"{env} must be set when DOLBOM_ENV=production")
    return _dev_keys(data_dir)[name]


def secret_key(value: str | None, data_dir: Path, *, production: bool) -> str:
    """``value``: DOLBOM_SECRET_KEY from the environment, if set."""
    return _get(value, "DOLBOM_SECRET_KEY", "secret_key", data_dir, production)


def _key_bytes(value: str, env: str) -> bytes:
    raw = base64.b64decode(value)
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{env} must be 32 bytes, base64-encoded")
    return raw


def rrn_encryption_key(value: str | None, data_dir: Path, *, production: bool) -> bytes:
    """``value``: DOLBOM_RRN_KEY from the environment, if set."""
    return _key_bytes(_get(value, "DOLBOM_RRN_KEY", "rrn_encryption_key", data_dir, production), "DOLBOM_RRN_KEY")


def rrn_index_key(value: str | None, data_dir: Path, *, production: bool) -> bytes:
    """``value``: DOLBOM_RRN_INDEX_KEY from the environment, if set."""
    return _key_bytes(
        _get(value, "DOLBOM_RRN_INDEX_KEY", "rrn_index_key", data_dir, production), "DOLBOM_RRN_INDEX_KEY"
    )


def private_file(path: Path) -> None:
    """Create ``path`` owner-only (0600) if it does not exist, and take group and world access away if it does.

    For the SQLite database: SQLite would create it with the process umask (usually world-readable), and
    its -wal and -shm files take the database file's mode."""
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:  # a file owned by another account (a packaged install): leave it to the operator
        pass


# Production refuses to start on an unsafe key or setting -----------------------------------------

MIN_SECRET_KEY_LENGTH = 50


def production_problems(*, secret_key: str, rrn_encryption_key: bytes, rrn_index_key: bytes, debug: bool,
                        allowed_hosts: list[str], message_backend: str, ssl_redirect: bool,
                        trusted_proxies: list[str]) -> list[str]:
    """What makes a production configuration unsafe, one line per problem, naming the variable to fix."""
    problems = []
    if len(secret_key) < MIN_SECRET_KEY_LENGTH or len(set(secret_key)) < 10 or secret_key.startswith("django-insecure"):
        problems.append(f"DOLBOM_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters "
                        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')")
    if rrn_encryption_key == rrn_index_key:
        problems.append("DOLBOM_RRN_KEY and DOLBOM_RRN_INDEX_KEY must be different keys: the blind index key "
                        "must not decrypt the numbers")
    if len(set(rrn_encryption_key)) < 8 or len(set(rrn_index_key)) < 8:
        problems.append("DOLBOM_RRN_KEY and DOLBOM_RRN_INDEX_KEY must be random 32-byte keys "
                        "(python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')")
    if debug:
        problems.append("DOLBOM_DEBUG must be off: debug pages show settings and personal data")
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("DOLBOM_ALLOWED_HOSTS must name the server's host names (not '*')")
    if message_backend != "http":
        problems.append("DOLBOM_MESSAGE_BACKEND must be 'http' (the city's gateway): the others print or keep "
                        "the texts, one-time codes included")
    if ssl_redirect and not trusted_proxies:
        problems.append("DOLBOM_TRUSTED_PROXIES must list the TLS reverse proxy's address (or set "
                        "DOLBOM_SSL_REDIRECT=0 where TLS ends on this server): without it every request "
                        "looks like plain HTTP and the client's address is the proxy's")
    return problems


def refuse_unsafe_production(**settings: object) -> None:
    problems = production_problems(**settings)  # type: ignore[arg-type]
    if problems:
        raise ImproperlyConfigured("DOLBOM_ENV=production refuses to start:\n" + "\n".join(f"- {p}" for p in problems))
