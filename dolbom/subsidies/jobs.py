"""Periodic work of the subsidies app (run by ``dolbom worker``, lib/jobs.py)."""

from __future__ import annotations

import datetime as dt
import time

from dolbom.lib.jobs import Job, job_register


def lapse_supplements_job() -> str:
    from dolbom.subsidies.services import supplements_lapse

    return f"보완 기한 경과 {supplements_lapse()}건"


def sweep_documents_job() -> str:
    """Files whose row never committed (an upload in a transaction that rolled back) are removed after a day."""
    from dolbom.subsidies import storage
    from dolbom.subsidies.models import Document

    known = set(Document.objects.values_list("stored_name", flat=True))
    cutoff = time.time() - 24 * 3600
    removed = 0
    for path in storage.document_dir().iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return f"고아 파일 {removed}개 삭제"


def register() -> None:
    job_register(Job(key="subsidies.lapse_supplements", every=dt.timedelta(hours=1), run=lapse_supplements_job,
                     description="Mark applications whose supplement deadline passed"))
    job_register(Job(key="subsidies.sweep_documents", every=dt.timedelta(hours=6), run=sweep_documents_job,
                     description="Remove uploaded files left without a row"))
