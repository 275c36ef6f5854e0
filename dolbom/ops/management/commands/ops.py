"""``dolbom ops serve|worker|jobs|purge|hold|release|backup|verify-backup|restore|rotate-keys|new-key``.

``dolbom serve`` and ``dolbom worker`` are the same as ``dolbom ops serve`` and ``dolbom ops worker``
(dolbom/cli.py): the two long-running processes of an installation (docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from dolbom.audit.services import denials_flush
from dolbom.lib import keys as keys_lib
from dolbom.lib.commands import AppCommand, verb
from dolbom.ops.models import HoldBasis, JobState


def _serve_arguments(parser: CommandParser) -> None:
    parser.add_argument("--bind", default=settings.DOLBOM_SERVE_BIND,
                        help="address:port or unix:/path, comma-separated (DOLBOM_SERVE_BIND)")
    parser.add_argument("--workers", type=int, default=settings.DOLBOM_SERVE_WORKERS, help="processes")
    parser.add_argument("--threads", type=int, default=settings.DOLBOM_SERVE_THREADS, help="threads per process")
    parser.add_argument("--timeout", type=float, default=settings.DOLBOM_SERVE_TIMEOUT,
                        help="seconds before a silent worker is replaced")
    parser.add_argument("--collectstatic", action="store_true",
                        help="collect (and compress) static files first; upgrades do it once (docs/DEPLOYMENT.md)")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")


def _worker_arguments(parser: CommandParser) -> None:
    parser.add_argument("--only", nargs="*", default=[], metavar="JOB", help="run only these jobs")
    parser.add_argument("--skip", nargs="*", default=[], metavar="JOB", help="run every job but these")
    parser.add_argument("--threads", type=int, default=settings.DOLBOM_WORKER_THREADS,
                        help="jobs running at once on this node")
    parser.add_argument("--once", action="store_true", help="run the jobs that are due, one after another, and exit")


def _purge_arguments(parser: CommandParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="say what would be destroyed; change nothing")
    parser.add_argument("--as", dest="username", default=None,
                        help="who orders the destruction (recorded; default: the scheduled job)")


def _hold_arguments(parser: CommandParser) -> None:
    parser.add_argument("case_number")
    parser.add_argument("--as", dest="username", required=True, help="a city-team or dong-officer user")
    parser.add_argument("--basis", choices=[b.value for b in HoldBasis], required=True)
    parser.add_argument("--reason", required=True)
    parser.add_argument("--until", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: until released)")


def _release_arguments(parser: CommandParser) -> None:
    parser.add_argument("case_number")
    parser.add_argument("--as", dest="username", required=True)
    parser.add_argument("--reason", required=True)


def _backup_arguments(parser: CommandParser) -> None:
    parser.add_argument("directory", type=Path, help="a new or empty directory")
    parser.add_argument("--keys-to", type=Path, default=None,
                        help="write the key file here instead of into the backup directory (another medium)")
    parser.add_argument("--no-keys", dest="with_keys", action="store_false",
                        help="no key file (the keys are kept in the city's secrets store)")


def _verify_arguments(parser: CommandParser) -> None:
    parser.add_argument("directory", type=Path)


def _restore_arguments(parser: CommandParser) -> None:
    parser.add_argument("directory", type=Path)
    parser.add_argument("--keys", dest="keys_file", type=Path, default=None,
                        help="the backup's key file, if it was written elsewhere")
    parser.add_argument("--database-url", default=None, help="restore into this database instead of the configured one")
    parser.add_argument("--force", action="store_true", help="replace a database that is not empty")
    parser.add_argument("--no-migrate", dest="migrate", action="store_false")


def _rotate_arguments(parser: CommandParser) -> None:
    parser.add_argument("--status", action="store_true", help="count the stored RRNs under each key; change nothing")
    parser.add_argument("--new-keys", action="store_true",
                        help="key file installations only: make fresh keys current first (one node)")
    parser.add_argument("--batch", type=int, default=2000, help="rows per transaction")


def _user(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user


def _case_id(number: str) -> int:
    from dolbom.cases.models import Case

    case_id = Case.objects.filter(number=number).values_list("pk", flat=True).first()
    if case_id is None:
        raise CommandError(f"no case {number!r}")
    return case_id


class Command(AppCommand):
    help = "Running in production: the server, the scheduler, retention, backups, key rotation."

    @verb("serve", "Serve the application with gunicorn (workers, threads, timeouts; static files collected).",
          arguments=_serve_arguments)
    def serve(self, *, bind: str, workers: int, threads: int, timeout: float, collectstatic: bool,
              access_log: bool, **options: Any) -> None:
        from dolbom.ops.serve import serve

        serve(bind=bind, workers=workers, threads=threads, timeout=timeout, collectstatic=collectstatic,
              access_log=access_log)

    @verb("worker", "Run every periodic job on its schedule, one lock per job across nodes; stops on SIGTERM.",
          arguments=_worker_arguments)
    def worker(self, *, only: list[str], skip: list[str], threads: int, once: bool, **options: Any) -> None:
        from dolbom.ops.worker import Worker, selected_jobs

        try:
            chosen = selected_jobs(only, skip)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        def log(line: str) -> None:
            self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {line}")
            self.stdout.flush()

        worker = Worker(jobs=chosen, threads=max(1, threads), log=log)
        if once:
            worker.run_due_once()
            return
        worker.install_signal_handlers()
        worker.run_forever()

    @verb("jobs", "List the registered jobs with their schedule and last run.")
    def jobs(self, **options: Any) -> None:
        from dolbom.lib.jobs import jobs

        states = {s.key: s for s in JobState.objects.all()}
        for job in jobs():
            s = states.get(job.key)
            last = (f"{timezone.localtime(s.last_started_at):%Y-%m-%d %H:%M:%S} {s.last_outcome} "
                    f"{(s.last_duration or 0):.2f}s" if s and s.last_started_at else "never run")
            self.stdout.write(f"{job.key:<32} every {job.every!s:<16} {last}")

    @verb("purge", "Destroy closed cases past their retention period (unless held), prune the access log past two "
                   "years; each destruction recorded.", arguments=_purge_arguments)
    def purge(self, *, dry_run: bool, username: str | None, **options: Any) -> None:
        from dolbom.ops.retention import purge

        result = purge(actor=_user(username), dry_run=dry_run)
        self.stdout.write(result.summary())
        for number in result.cases[:50]:
            self.stdout.write(f"  {number}")
        if len(result.cases) > 50:
            self.stdout.write(f"  … {len(result.cases) - 50} more")

    @verb("hold", "Keep a closed case past its retention period (litigation, an objection, an audit, another law).",
          arguments=_hold_arguments)
    def hold(self, *, case_number: str, username: str, basis: str, reason: str, until: dt.date | None,
             **options: Any) -> None:
        from dolbom.ops.retention import retention_hold

        actor = _user(username)
        assert actor is not None
        try:
            hold = retention_hold(actor=actor, case_id=_case_id(case_number), basis=HoldBasis(basis), reason=reason,
                                  until=until)
        finally:
            denials_flush()  # a refusal out of scope is logged, as at the end of a request
        self.stdout.write(f"{case_number}: held ({hold.get_basis_display()}{f' until {until}' if until else ''})")

    @verb("release", "End the holds on a case; it is destroyed at the next purge if its period is over.",
          arguments=_release_arguments)
    def release(self, *, case_number: str, username: str, reason: str, **options: Any) -> None:
        from dolbom.ops.retention import retention_release

        actor = _user(username)
        assert actor is not None
        try:
            n = retention_release(actor=actor, case_id=_case_id(case_number), reason=reason)
        finally:
            denials_flush()
        self.stdout.write(f"{case_number}: {n} hold(s) released")

    @verb("backup", "Back up the database, the document store and (apart) the keys into a new directory.",
          arguments=_backup_arguments)
    def backup(self, *, directory: Path, keys_to: Path | None, with_keys: bool, **options: Any) -> None:
        from dolbom.ops.backup import BackupError, backup

        try:
            backup(directory, keys_to=keys_to, with_keys=with_keys, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written to {directory}")

    @verb("verify-backup", "Check a backup's checksums against its manifest.", arguments=_verify_arguments)
    def verify_backup(self, *, directory: Path, **options: Any) -> None:
        from dolbom.ops.backup import BackupError, verify

        try:
            manifest = verify(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{directory}: backup of {manifest['created_at']} ({manifest['vendor']}, "
                          f"{len(manifest['documents']['files'])} documents): checksums match")

    @verb("restore", "Restore a backup (database, documents; the backup's keys added to the ring).",
          arguments=_restore_arguments)
    def restore(self, *, directory: Path, keys_file: Path | None, database_url: str | None, force: bool,
                migrate: bool, **options: Any) -> None:
        from dolbom.ops.backup import BackupError, restore

        try:
            restore(directory, keys_file=keys_file, database_url=database_url, force=force, migrate=migrate,
                    log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

    @verb("rotate-keys", "Re-encrypt every stored RRN and recompute its blind index under the current keys, in "
                         "batches, while the service runs.", arguments=_rotate_arguments)
    def rotate_keys(self, *, status: bool, new_keys: bool, batch: int, **options: Any) -> None:
        from dolbom.ops import keyrotation

        if status:
            self._key_status()
            return
        if new_keys:
            path = keyrotation.keys_come_from_file()
            if path is None:
                raise CommandError("the keys come from the environment (DOLBOM_RRN_KEY ...): give every node the new "
                                   "keys as described in docs/DEPLOYMENT.md, then run rotate-keys without --new-keys")
            enc_id, idx_id = keyrotation.new_keys_in_file(path)
            self.stdout.write(f"{path}: new current keys {enc_id} (RRN) and {idx_id} (index), the old ones kept as "
                              "extra keys. Restart or reload the server and the worker.")
        result = keyrotation.rotate(batch=max(1, batch), log=self.stdout.write)
        self.stdout.write(result.summary())
        if result.unreadable:
            raise CommandError("some values could not be read: see above")

    def _key_status(self) -> None:
        from dolbom.ops import keyrotation

        self.stdout.write(f"current RRN key {settings.RRN_KEYS.current_id}, extra: "
                          f"{', '.join(settings.RRN_KEYS.ids[1:]) or 'none'}")
        self.stdout.write(f"current index key {settings.RRN_INDEX_KEYS.current_id}, extra: "
                          f"{', '.join(settings.RRN_INDEX_KEYS.ids[1:]) or 'none'}")
        for label, counts in keyrotation.key_ids_in_use().items():
            parts = ", ".join(f"{kid or 'no key id (before key ids)'}: {n}" for kid, n in sorted(counts.items()))
            self.stdout.write(f"{label}: {parts or 'no values'}")

    @verb("new-key", "Print a fresh random 32-byte key, base64 (for DOLBOM_RRN_KEY or DOLBOM_RRN_INDEX_KEY).")
    def new_key(self, **options: Any) -> None:
        self.stdout.write(keys_lib.new_key())
