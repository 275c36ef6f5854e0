"""Key material for sessions and resident-registration-number protection.

In production every key must come from the environment (a city keeps them in its secrets store; settings
reads the variables and passes their values here) or from a key file the city's secrets store provides
(``DOLBOM_KEYS_FILE``, mode 600: what a systemd credential or a mounted secret looks like); in development and
tests a random key file is created once under the data directory so the demo works on a fresh laptop. Keys
are never committed and never logged.

RRN keys come as rings (lib/rrn.py ``KeyRing``): the current key, which encrypts, and the extra keys still
accepted for reading and searching (``DOLBOM_RRN_EXTRA_KEYS``, ``DOLBOM_RRN_INDEX_EXTRA_KEYS``; in a key file
``rrn_extra_keys``, ``rrn_index_extra_keys``). A rotation adds the next key as an extra on every node, then makes
it current with the old one as an extra, then re-encrypts (``dolbom ops rotate-keys``; docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from dolbom.lib.rrn import KeyRing

_KEY_FILE = "keys.json"


def key_file_path(data_dir: Path, keys_file: str | Path | None = None) -> Path:
    """The key file in use: ``DOLBOM_KEYS_FILE`` when set, else the development file under the data directory."""
    return Path(keys_file) if keys_file else data_dir / _KEY_FILE


def new_key() -> str:
    """A fresh 32-byte key, base64 (what DOLBOM_RRN_KEY and DOLBOM_RRN_INDEX_KEY hold)."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _dev_keys(data_dir: Path) -> dict[str, Any]:
    path = data_dir / _KEY_FILE
    if path.exists():
        return json.loads(path.read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    generated = {
        "secret_key": secrets.token_urlsafe(50),
        "rrn_encryption_key": new_key(),
        "rrn_index_key": new_key(),
    }
    # Owner-only: the file holds the key that decrypts every RRN in the development database.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return json.loads(path.read_text())
    with os.fdopen(fd, "w") as f:
        json.dump(generated, f)
    return generated


def _file_keys(data_dir: Path, keys_file: str | Path | None, production: bool) -> dict[str, Any] | None:
    if keys_file:
        path = Path(keys_file)
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(f"DOLBOM_KEYS_FILE {path} cannot be read as a key file: {exc}") from exc
    if production:
        return None
    return _dev_keys(data_dir)


def _get(value: str | None, env: str, name: str, data_dir: Path, production: bool,
         keys_file: str | Path | None = None) -> str:
    if value:
        return value
    found = _file_keys(data_dir, keys_file, production)
    if found is None or not found.get(name):
        if production or keys_file:
            raise ImproperlyConfigured(f"{env} must be set when DOLBOM_ENV=production (or DOLBOM_KEYS_FILE "
                                       f"must hold {name!r})")
        raise ImproperlyConfigured(f"the key file under {data_dir} holds no {name!r}")
    return found[name]


def secret_key(value: str | None, data_dir: Path, *, production: bool, keys_file: str | Path | None = None) -> str:
    """``value``: DOLBOM_SECRET_KEY from the environment, if set."""
    return _get(value, "DOLBOM_SECRET_KEY", "secret_key", data_dir, production, keys_file)


def _key_bytes(value: str, env: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{env} must be 32 bytes, base64-encoded") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{env} must be 32 bytes, base64-encoded")
    return raw


def rrn_encryption_key(value: str | None, data_dir: Path, *, production: bool,
                       keys_file: str | Path | None = None) -> bytes:
    """``value``: DOLBOM_RRN_KEY from the environment, if set."""
    return _key_bytes(_get(value, "DOLBOM_RRN_KEY", "rrn_encryption_key", data_dir, production, keys_file),
                      "DOLBOM_RRN_KEY")


def rrn_index_key(value: str | None, data_dir: Path, *, production: bool,
                  keys_file: str | Path | None = None) -> bytes:
    """``value``: DOLBOM_RRN_INDEX_KEY from the environment, if set."""
    return _key_bytes(
        _get(value, "DOLBOM_RRN_INDEX_KEY", "rrn_index_key", data_dir, production, keys_file),
        "DOLBOM_RRN_INDEX_KEY",
    )


def _extra(value: str | None, env: str, name: str, data_dir: Path, production: bool,
           keys_file: str | Path | None) -> tuple[bytes, ...]:
    listed = [v.strip() for v in (value or "").split(",") if v.strip()]
    found = _file_keys(data_dir, keys_file, production) if (keys_file or not production) else None
    listed += list((found or {}).get(name, []))
    return tuple(dict.fromkeys(_key_bytes(v, env) for v in listed))


def rrn_key_ring(value: str | None, extra: str | None, data_dir: Path, *, production: bool,
                 keys_file: str | Path | None = None) -> KeyRing:
    """DOLBOM_RRN_KEY (encrypts) and DOLBOM_RRN_EXTRA_KEYS (comma-separated, still decrypt)."""
    current = rrn_encryption_key(value, data_dir, production=production, keys_file=keys_file)
    return KeyRing(current, _extra(extra, "DOLBOM_RRN_EXTRA_KEYS", "rrn_extra_keys", data_dir, production,
                                   keys_file))


def rrn_index_key_ring(value: str | None, extra: str | None, data_dir: Path, *, production: bool,
                       keys_file: str | Path | None = None) -> KeyRing:
    """DOLBOM_RRN_INDEX_KEY (indexes new values) and DOLBOM_RRN_INDEX_EXTRA_KEYS (still searched)."""
    current = rrn_index_key(value, data_dir, production=production, keys_file=keys_file)
    return KeyRing(current, _extra(extra, "DOLBOM_RRN_INDEX_EXTRA_KEYS", "rrn_index_extra_keys", data_dir,
                                   production, keys_file))


def ring_values(ring: KeyRing) -> tuple[str, list[str]]:
    """A ring as the key file writes it: the current key and the extras, base64."""
    encode = lambda k: base64.b64encode(k).decode()  # noqa: E731
    return encode(ring.current), [encode(k) for k in ring.keys[1:]]


@contextlib.contextmanager
def key_file_edit(path: Path) -> Iterator[dict[str, Any]]:
    """Change a key file in place: under an exclusive lock, written whole to a temporary file (0600) and
    renamed over the old one, so that a process reading it never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text()) if path.exists() else {}
        yield data
        key_file_write(path, data)


def key_file_write(path: Path, data: dict[str, Any]) -> None:
    """Write a whole new key file (a backup's keys), owner-only, by the same write-and-rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


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
