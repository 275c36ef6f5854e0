"""``dolbom ops backup DIR`` and ``dolbom ops restore DIR``: the database, the document store, the keys apart.

A backup directory holds:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the server runs and writes) or
  ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``, one consistent snapshot; ``pg_restore`` reads it);
- ``documents.tar``: the document store, i.e. what the apps keep under the data directory (discovery's
  imported files and quality reports, subsidy documents and letters, ...), everything there except what is
  derived or secret (``_EXCLUDED``: the SQLite files, the key file, collected static files, caches);
- ``manifest.json``: what was backed up, when, from which schema (the last migration of each app), a SHA-256
  of every file and of every document, and the ids of the keys the stored RRNs are sealed under (never keys);
- the keys, in a file of their own (``keys.json``, mode 600, or wherever ``--keys-to`` says: keep it on
  another medium than the rest). The dump never holds a key: a stolen backup without its key file gives up no
  RRN. A restore needs the keys the backup's rows are sealed under, which after a rotation are no longer the
  current ones: the restore adds them to the key ring as extra keys (or, where keys come from the
  environment, names the ones to add), and ``dolbom ops rotate-keys`` then brings the rows to the current key.

``restore`` checks every checksum before it touches anything, replaces the database (SQLite: the backup API
in the other direction; PostgreSQL: the schema dropped and the dump loaded in one transaction, so a failed
load leaves the old database), puts the documents back (what they replace is set aside under
``.pre-restore-<time>/`` in the data directory), and migrates an older schema forward.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from dolbom.lib import keys as keys_lib
from dolbom.lib import rrn
from dolbom.ops import keyrotation

FORMAT = 1
MANIFEST, DOCUMENTS, KEYS = "manifest.json", "documents.tar", "keys.json"
SQLITE_FILE, PG_FILE = "database.sqlite3", "database.dump"
# Under the data directory: derived (static files, caches), secret (the key file) or the database itself.
_EXCLUDED = {"static", "cache", "keys.json", "keys.json.lock", "messages.jsonl"}
Log = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused, with what to do about it."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _private(path: Path) -> None:
    path.chmod(0o600)


# Where things are --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Database:
    vendor: str  # "sqlite" or "postgresql"
    name: str  # SQLite: the file; PostgreSQL: the database
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, db: dict[str, Any]) -> Database:
        engine = db["ENGINE"]
        vendor = "sqlite" if engine.endswith("sqlite3") else "postgresql" if "postgresql" in engine else engine
        if vendor not in ("sqlite", "postgresql"):
            raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")
        return cls(vendor, str(db["NAME"]), str(db.get("HOST") or ""), str(db.get("PORT") or ""),
                   str(db.get("USER") or ""), str(db.get("PASSWORD") or ""))

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls.from_settings(dj_database_url.parse(url))

    @contextlib.contextmanager
    def conninfo(self) -> Iterator[str]:
        """A libpq connection string for pg_dump and psql. The password goes into a passfile of our own (mode
        600, deleted afterwards), never onto the command line, where ps would show it; the rest of the
        environment (PGSSLMODE, ...) is passed on untouched."""
        parts = {"dbname": self.name, "host": self.host, "port": self.port, "user": self.user}
        with tempfile.TemporaryDirectory(prefix="dolbom-pg-") as tmp:
            if self.password:
                passfile = Path(tmp) / "pgpass"
                fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                escaped = self.password.replace("\\", "\\\\").replace(":", "\\:")
                with os.fdopen(fd, "w") as f:
                    f.write(f"*:*:*:*:{escaped}\n")
                parts["passfile"] = str(passfile)
            yield " ".join(f"{k}={_conninfo_quote(v)}" for k, v in parts.items() if v)


def _conninfo_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def configured_database() -> Database:
    return Database.from_settings(settings.DATABASES["default"])


def _excluded_paths() -> set[Path]:
    data = Path(settings.DATA_DIR).resolve()
    db = settings.DATABASES["default"]
    excluded = {data / name for name in _EXCLUDED}
    if db["ENGINE"].endswith("sqlite3"):
        name = Path(str(db["NAME"])).resolve()
        excluded |= {name, Path(f"{name}-wal"), Path(f"{name}-shm"), Path(f"{name}-journal")}
    if settings.DOLBOM_KEYS_FILE:
        excluded.add(Path(settings.DOLBOM_KEYS_FILE).resolve())
    return excluded


def document_roots() -> list[tuple[str, Path]]:
    """(name in the archive, directory): the data directory, and the subsidy documents if kept elsewhere."""
    data = Path(settings.DATA_DIR).resolve()
    roots = [("data", data)]
    documents = Path(settings.DOLBOM_SUBSIDY_DOCUMENT_DIR).resolve()
    if documents != data and data not in documents.parents:
        roots.append(("subsidies", documents))
    return roots


def _document_files(skip: set[Path]) -> list[tuple[str, Path]]:
    """(archive name, file) of every document, sorted; symlinks are not followed (nothing outside is taken)."""
    excluded = _excluded_paths() | skip
    files = []
    for name, root in document_roots():
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if here / d not in excluded and not (here / d).is_symlink()
                                 and not d.startswith(".pre-restore-"))
            for f in sorted(filenames):
                path = here / f
                if path in excluded or path.is_symlink() or not path.is_file():
                    continue
                files.append((f"{name}/{path.relative_to(root).as_posix()}", path))
    return files


# Backup ------------------------------------------------------------------------------------------

def _migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        latest: dict[str, str] = {}
        for app, name in cursor.fetchall():
            latest[app] = name
    return latest


def _keys_document() -> dict[str, Any]:
    enc, idx = keys_lib.ring_values(settings.RRN_KEYS), keys_lib.ring_values(settings.RRN_INDEX_KEYS)
    return {"secret_key": settings.SECRET_KEY, "rrn_encryption_key": enc[0], "rrn_extra_keys": enc[1],
            "rrn_index_key": idx[0], "rrn_index_extra_keys": idx[1]}


def _dump_sqlite(db: Database, out: Path) -> None:
    """The configured database through Django's own connection (so an in-memory one, the tests', works too)."""
    connection.ensure_connection()
    target = sqlite3.connect(out)
    try:
        with target:
            connection.connection.backup(target)  # page by page under SQLite's locking: consistent while others write
    finally:
        target.close()


def _dump_postgresql(db: Database, out: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed (Debian: postgresql-client)")
    with db.conninfo() as dsn:
        run = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(out),
                              "--dbname", dsn], capture_output=True, text=True)
    if run.returncode != 0:
        raise BackupError(f"pg_dump failed: {run.stderr.strip()}")


def backup(target: Path, *, keys_to: Path | None = None, with_keys: bool = True, log: Log = print) -> dict[str, Any]:
    """Write a backup into ``target`` (a new or empty directory); returns the manifest."""
    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: each backup goes into a directory of its own")
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)
    db = configured_database()
    started = timezone.now()
    manifest: dict[str, Any] = {
        "format": FORMAT, "created_at": started.isoformat(), "dolbom": importlib.metadata.version("dolbom"),
        "vendor": db.vendor, "migrations": _migrations(), "rrn_key_ids": keyrotation.key_ids_in_use(),
        "index_key_ids": list(settings.RRN_INDEX_KEYS.ids),
    }
    db_file = target / (SQLITE_FILE if db.vendor == "sqlite" else PG_FILE)
    (_dump_sqlite if db.vendor == "sqlite" else _dump_postgresql)(db, db_file)
    _private(db_file)
    manifest["database"] = {"file": db_file.name, "sha256": _sha256(db_file), "bytes": db_file.stat().st_size}
    log(f"database: {db_file.name} ({db_file.stat().st_size:,} bytes)")

    skip = {target} | ({keys_to.resolve()} if keys_to else set())
    documents = []
    archive = target / DOCUMENTS
    with tarfile.open(archive, "w") as tar:
        for name, path in _document_files(skip):
            documents.append({"path": name, "sha256": _sha256(path), "bytes": path.stat().st_size})
            tar.add(path, arcname=name, recursive=False)
    _private(archive)
    manifest["documents"] = {"file": DOCUMENTS, "sha256": _sha256(archive), "bytes": archive.stat().st_size,
                             "roots": [name for name, _ in document_roots()], "files": documents}
    log(f"documents: {len(documents)} files ({sum(d['bytes'] for d in documents):,} bytes)")

    if with_keys:
        keys_path = (keys_to or target / KEYS).resolve()
        keys_lib.key_file_write(keys_path, _keys_document())
        manifest["keys"] = {"file": keys_path.name if keys_path.parent == target else str(keys_path),
                            "sha256": _sha256(keys_path), "rrn_key_ids": list(settings.RRN_KEYS.ids),
                            "index_key_ids": list(settings.RRN_INDEX_KEYS.ids)}
        log(f"keys: {keys_path} (mode 600; keep it apart from the backup, on another medium)")
    else:
        manifest["keys"] = None
    manifest["finished_at"] = timezone.now().isoformat()
    path = target / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    _private(path)
    return manifest


# Verify and restore --------------------------------------------------------------------------------

def verify(source: Path) -> dict[str, Any]:
    """Read the manifest and check every checksum (the database file, the archive and each document in it)."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} holds no {MANIFEST}: not a dolbom backup")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not this version's ({FORMAT})")
    for part in ("database", "documents"):
        entry = manifest[part]
        file = source / entry["file"]
        if not file.is_file() or _sha256(file) != entry["sha256"]:
            raise BackupError(f"{file.name}: missing or its checksum differs from the manifest (damaged backup)")
    wanted = {d["path"]: d["sha256"] for d in manifest["documents"]["files"]}
    with tarfile.open(source / DOCUMENTS) as tar:
        seen = {}
        for member in tar:
            _check_member(member)
            if member.isfile():
                f = tar.extractfile(member)
                assert f is not None
                seen[member.name] = hashlib.file_digest(f, "sha256").hexdigest()
    if seen != wanted:
        raise BackupError(f"{DOCUMENTS}: its files differ from the manifest (damaged backup)")
    return manifest


def _check_member(member: tarfile.TarInfo) -> None:
    parts = Path(member.name).parts
    if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
        raise BackupError(f"{DOCUMENTS}: refusing {member.name!r} (not a plain file inside the store)")


def _is_empty(db: Database, *, configured: bool) -> bool:
    if configured:
        return "django_migrations" not in connection.introspection.table_names()
    if db.vendor == "sqlite":
        if not Path(db.name).exists() or Path(db.name).stat().st_size == 0:
            return True
        with sqlite3.connect(db.name) as c:
            return c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
                             ).fetchone()[0] == 0
    with db.conninfo() as dsn:
        run = subprocess.run(["psql", "-X", "-At", "-d", dsn, "-c",
                              "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
                             capture_output=True, text=True)
    if run.returncode != 0:
        raise BackupError(f"cannot reach the database {db.name}: {run.stderr.strip()}")
    return run.stdout.strip() == "0"


def _restore_sqlite(source_file: Path, db: Database, *, configured: bool) -> None:
    """Into the configured database through Django's connection (the backup API replaces every page under
    SQLite's lock, so another process sees the old database or the new one, never a mix), or into a file."""
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        if configured:
            connection.ensure_connection()
            source.backup(connection.connection)
            return
        Path(db.name).parent.mkdir(parents=True, exist_ok=True)
        keys_lib.private_file(Path(db.name))
        target = sqlite3.connect(db.name, timeout=60)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _restore_postgresql(source_file: Path, db: Database) -> None:
    for tool in ("pg_restore", "psql"):
        if shutil.which(tool) is None:
            raise BackupError(f"{tool} is not installed (Debian: postgresql-client)")
    # pg_restore writes the dump as SQL; psql runs it after dropping the schema, all in one transaction:
    # a load that fails half-way (a full disk, a bad dump) rolls back to the database as it was.
    dump = subprocess.Popen(["pg_restore", "--no-owner", "--no-privileges", "--file", "-", str(source_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with db.conninfo() as dsn:
        load = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", dsn,
                               "-c", "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;", "-f", "-"],
                              stdin=dump.stdout, capture_output=True, text=True)
    assert dump.stdout is not None
    dump.stdout.close()
    dump_err = dump.stderr.read().decode() if dump.stderr else ""
    if dump.wait() != 0 or load.returncode != 0:
        raise BackupError(f"the database was not restored (left as it was): {dump_err.strip()} {load.stderr.strip()}")


def _restore_documents(source: Path, log: Log) -> int:
    """Put the archive's files back; whatever they replace is set aside, not deleted."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    roots = dict(document_roots())
    restored = 0
    with tarfile.open(source / DOCUMENTS) as tar, tempfile.TemporaryDirectory(
            dir=Path(settings.DATA_DIR).parent if Path(settings.DATA_DIR).parent.exists() else None) as tmp:
        members = list(tar)
        for m in members:
            _check_member(m)
        tar.extractall(tmp, members=members, filter="data")
        for name in sorted(os.listdir(tmp)):
            root = roots.get(name)
            if root is None:
                log(f"documents: {name}/ has no place in this installation; left out")
                continue
            root.mkdir(parents=True, exist_ok=True)
            aside = Path(settings.DATA_DIR) / f".pre-restore-{stamp}" / name
            for entry in sorted(os.listdir(Path(tmp) / name)):
                current = root / entry
                if current.exists() or current.is_symlink():
                    aside.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(current), aside / entry)
                shutil.move(str(Path(tmp) / name / entry), current)
            restored += sum(1 for m in members if m.isfile() and m.name.startswith(f"{name}/"))
        if (Path(settings.DATA_DIR) / f".pre-restore-{stamp}").exists():
            log(f"documents replaced by the backup's are kept in {Path(settings.DATA_DIR) / f'.pre-restore-{stamp}'}")
    return restored


def _ring_from(document: dict[str, Any], current: str, extra: str) -> list[bytes]:
    values = [document.get(current)] + list(document.get(extra, []))
    return [base64.b64decode(v) for v in values if v]


def _add_keys(backup_keys: dict[str, Any], log: Log) -> list[str]:
    """Make this installation read the backup's keys. Returns the ids still missing (keys from the environment)."""
    enc_old = _ring_from(backup_keys, "rrn_encryption_key", "rrn_extra_keys")
    idx_old = _ring_from(backup_keys, "rrn_index_key", "rrn_index_extra_keys")
    enc, idx = settings.RRN_KEYS, settings.RRN_INDEX_KEYS
    missing_enc = [k for k in enc_old if rrn.key_id(k) not in enc.ids]
    missing_idx = [k for k in idx_old if rrn.key_id(k) not in idx.ids]
    if not missing_enc and not missing_idx:
        return []
    path = keyrotation.keys_come_from_file()
    if path is None:
        return [rrn.key_id(k) for k in missing_enc + missing_idx]
    encode = lambda k: base64.b64encode(k).decode()  # noqa: E731
    with keys_lib.key_file_edit(path) as data:
        data["rrn_extra_keys"] = list(dict.fromkeys([*data.get("rrn_extra_keys", []), *map(encode, missing_enc)]))
        data["rrn_index_extra_keys"] = list(dict.fromkeys([*data.get("rrn_index_extra_keys", []),
                                                           *map(encode, missing_idx)]))
    keyrotation.use_rings(rrn.KeyRing(enc.current, (*enc.others, *missing_enc)),
                          rrn.KeyRing(idx.current, (*idx.others, *missing_idx)))
    log(f"keys: the backup's keys {', '.join(rrn.key_id(k) for k in missing_enc + missing_idx)} added to {path} as "
        "extra keys (restart or reload the server and the worker to read with them)")
    return []


def restore(source: Path, *, database_url: str | None = None, keys_file: Path | None = None, force: bool = False,
            migrate: bool = True, log: Log = print) -> dict[str, Any]:
    """Restore a backup into the configured database (or ``database_url``) and the document store."""
    source = source.resolve()
    manifest = verify(source)
    log(f"backup of {manifest['created_at']} ({manifest['vendor']}): checksums match")
    db = Database.from_url(database_url) if database_url else configured_database()
    if db.vendor != manifest["vendor"]:
        raise BackupError(f"this backup is of a {manifest['vendor']} database; the target is {db.vendor}")
    is_configured = database_url is None
    if not force and not _is_empty(db, configured=is_configured):
        raise BackupError(f"the database {db.name} is not empty: a restore replaces it; stop the server and the "
                          "worker, then run again with --force")
    keys_path = keys_file or (source / KEYS if (source / KEYS).exists() else None)
    backup_keys = json.loads(keys_path.read_text()) if keys_path else None
    if manifest.get("keys") and keys_path and _sha256(keys_path) != manifest["keys"]["sha256"]:
        log("keys: this key file is not the one written with the backup; using it anyway")

    for alias in connections:
        connections[alias].close()  # no connection of ours keeps the old database open
    source_file = source / manifest["database"]["file"]
    if db.vendor == "sqlite":
        _restore_sqlite(source_file, db, configured=is_configured)
    else:
        _restore_postgresql(source_file, db)
    log(f"database: restored into {db.name}")
    if is_configured:
        log(f"documents: {_restore_documents(source, log)} files restored")
    else:
        log("documents: left alone (the target is not this installation's database)")

    used = {kid for counts in manifest["rrn_key_ids"].values() for kid in counts if kid}
    missing = _add_keys(backup_keys, log) if backup_keys else []
    unreadable = sorted(used - set(settings.RRN_KEYS.ids))
    if missing or unreadable:
        log("keys: RRNs of this backup are sealed under keys this installation does not hold: "
            f"{', '.join(sorted(set(missing) | set(unreadable)))}. Add them from the backup's key file to "
            "DOLBOM_RRN_EXTRA_KEYS / DOLBOM_RRN_INDEX_EXTRA_KEYS, then run `dolbom ops rotate-keys`.")
    elif settings.RRN_KEYS.current_id not in used and used:
        log("keys: the restored RRNs are sealed under older keys; `dolbom ops rotate-keys` brings them to the "
            "current one")
    if migrate and is_configured:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        log("schema: migrated to this version")
    log("restored. The retention purge runs again at its next time: anything past its period since the backup "
        "was made is destroyed again.")
    return manifest
