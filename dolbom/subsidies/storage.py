"""Documents on disk: type from the bytes, content checks, a virus-scan hook, random names outside the web root.

Files live under ``settings.DOLBOM_SUBSIDY_DOCUMENT_DIR`` (by default ``$DOLBOM_DATA_DIR/subsidies``), never
under STATIC_ROOT, and are served only through a view that checks scope and logs the read. A file's name
is random (its original name is kept in the database only), so a stored name reveals nothing and cannot
be guessed. The type is decided by the first bytes and by opening the file with Pillow or pypdf, never
by the name or the browser's claimed type; a PDF that carries scripts or embedded files is refused.

The virus scan is a hook, off by default (the document is then marked "no scanner configured"):
``DOLBOM_SUBSIDY_VIRUS_SCAN`` names a command with ``{path}`` (ClamAV: ``clamdscan --no-summary --fdpass
{path}``; exit 0 = clean, 1 = infected) or a dotted path to a callable ``(path) -> bool``.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import secrets
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from dolbom.lib.errors import DomainError
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import ScanStatus

# The only accepted kinds, by their signatures (ISO 32000 §7.5.2, JFIF/Exif SOI marker, PNG spec §5.2).
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
# PDF actions that run something: refused in an applicant's upload (read from the document's structure,
# not by searching the bytes, where compressed streams would match by chance).
PDF_ACTIONS = ("/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm")
SCAN_TIMEOUT = 60


@dataclass(frozen=True)
class Stored:
    stored_name: str
    content_type: str
    size: int
    sha256: str
    scan: str


def document_dir() -> Path:
    path = Path(settings.DOLBOM_SUBSIDY_DOCUMENT_DIR) / "documents"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def notice_dir() -> Path:
    path = Path(settings.DOLBOM_SUBSIDY_DOCUMENT_DIR) / "notices"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def max_bytes() -> int:
    return int(settings.DOLBOM_SUBSIDY_UPLOAD_MAX_MB * 1024 * 1024)


def sniff(data: bytes) -> tuple[str, str]:
    for signature, content_type, ext in SIGNATURES:
        if data.startswith(signature):
            return content_type, ext
    raise DomainError(SubsidyErrorCode.FILE_TYPE_REFUSED)


def _check_content(data: bytes, content_type: str) -> None:
    if content_type == "application/pdf":
        import pypdf

        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted or len(reader.pages) < 1 or _pdf_active(reader):
                raise DomainError(SubsidyErrorCode.FILE_DAMAGED, kind="PDF")
        except DomainError:
            raise
        except Exception as exc:  # pypdf raises many kinds for a damaged file
            raise DomainError(SubsidyErrorCode.FILE_DAMAGED, kind="PDF") from exc
        return
    from PIL import Image

    expected = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != expected:
                raise DomainError(SubsidyErrorCode.FILE_DAMAGED, kind=expected)
            img.verify()
    except DomainError:
        raise
    except Exception as exc:
        raise DomainError(SubsidyErrorCode.FILE_DAMAGED, kind=expected) from exc


def _is_action(obj) -> bool:
    obj = obj.get_object() if hasattr(obj, "get_object") else obj
    return hasattr(obj, "get") and obj.get("/S") in PDF_ACTIONS


def _pdf_active(reader) -> bool:
    """Scripts, launch actions, embedded files or XFA forms anywhere a viewer would run or open them."""
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names or "/EmbeddedFiles" in names:
        return True
    form = root.get("/AcroForm")
    if form is not None and "/XFA" in form.get_object():
        return True
    if "/OpenAction" in root and _is_action(root["/OpenAction"]):
        return True
    if "/AA" in root:
        return True
    for page in reader.pages:
        if "/AA" in page:
            return True
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/FileAttachment" or ("/A" in annot and _is_action(annot["/A"])):
                return True
    return False


def virus_scan(path: Path) -> str:
    """``clean``, ``not_scanned`` (no scanner configured), or a refusal."""
    scanner = settings.DOLBOM_SUBSIDY_VIRUS_SCAN
    if not scanner:
        return ScanStatus.NOT_SCANNED
    if "{path}" in scanner:
        argv = [part.replace("{path}", str(path)) for part in shlex.split(scanner)]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=SCAN_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            # A scanner that cannot run must not let files through unscanned.
            raise DomainError(SubsidyErrorCode.FILE_INFECTED) from exc
        clean = done.returncode == 0
    else:
        module, _, name = scanner.rpartition(".")
        clean = bool(getattr(importlib.import_module(module), name)(path))
    if not clean:
        raise DomainError(SubsidyErrorCode.FILE_INFECTED)
    return ScanStatus.CLEAN


def store(data: bytes) -> Stored:
    """Check and write one file; the caller creates the row and calls ``discard`` if its write fails."""
    if len(data) > max_bytes():
        raise DomainError(SubsidyErrorCode.FILE_TOO_LARGE, limit=f"{settings.DOLBOM_SUBSIDY_UPLOAD_MAX_MB:g}")
    if not data:
        raise DomainError(SubsidyErrorCode.FILE_TYPE_REFUSED)
    content_type, ext = sniff(data)
    _check_content(data, content_type)
    name = secrets.token_hex(16) + ext
    path = document_dir() / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        scan = virus_scan(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Stored(stored_name=name, content_type=content_type, size=len(data),
                  sha256=hashlib.sha256(data).hexdigest(), scan=scan)


def path_of(stored_name: str) -> Path:
    # Stored names are ours (hex + extension); refuse anything else so a bad row cannot point elsewhere.
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError("not a stored document name")
    return document_dir() / stored_name


def discard(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)


def read_upload(upload, limit: int | None = None) -> bytes:
    """Read an uploaded file, never more than the limit plus one byte (a larger file is refused whole)."""
    limit = max_bytes() if limit is None else limit
    data = b""
    for chunk in upload.chunks():
        data += chunk
        if len(data) > limit:
            break
    return data
