"""Uploads: the type from the bytes, size and content checks, the virus-scan hook, names that say nothing."""

from __future__ import annotations

import io
import os
import stat

import pypdf
import pytest
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from dolbom.lib.errors import DomainError
from dolbom.subsidies import storage
from dolbom.subsidies.models import ScanStatus
from dolbom.subsidies.tests.conftest import jpeg_bytes, pdf_bytes, png_bytes


def scanner_clean_unless_eicar(path) -> bool:
    """A scanner callable: True when the file is clean."""
    return b"EICAR" not in path.read_bytes()


@pytest.mark.parametrize("data", [pdf_bytes(), png_bytes(), jpeg_bytes()], ids=["pdf", "png", "jpeg"])
def test_pdf_png_and_jpeg_are_stored_under_a_random_name_readable_by_the_owner_only(data, settings):
    stored = storage.store(data)
    path = storage.path_of(stored.stored_name)
    assert path.read_bytes() == data and len(stored.stored_name.split(".")[0]) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not str(path).startswith(str(settings.STATIC_ROOT))
    assert stored.scan == ScanStatus.NOT_SCANNED  # no scanner configured: the hook is a no-op, and says so


def test_the_type_comes_from_the_bytes_not_the_name():
    with pytest.raises(DomainError) as refused:
        storage.store(b"MZ\x90\x00 this is an executable renamed to .pdf")
    assert refused.value.code == "file_type_refused"


def test_a_file_that_only_starts_like_a_png_is_refused():
    with pytest.raises(DomainError) as refused:
        storage.store(b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10)
    assert refused.value.code == "file_damaged"


def test_a_pdf_that_runs_javascript_is_refused():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DomainError) as refused:
        storage.store(out.getvalue())
    assert refused.value.code == "file_damaged"


def test_a_file_over_the_limit_is_refused_whole(settings):
    settings.DOLBOM_SUBSIDY_UPLOAD_MAX_MB = 0.001
    with pytest.raises(DomainError) as refused:
        storage.store(pdf_bytes() + b" " * 2000)
    assert refused.value.code == "file_too_large"
    assert list(storage.document_dir().iterdir()) == []


def test_a_scanner_command_that_finds_a_virus_refuses_the_file_and_leaves_nothing(settings, tmp_path):
    script = tmp_path / "scan.sh"
    script.write_text("#!/bin/sh\ngrep -q EICAR \"$1\" && exit 1\nexit 0\n")
    script.chmod(0o700)
    settings.DOLBOM_SUBSIDY_VIRUS_SCAN = f"{script} {{path}}"
    assert storage.store(pdf_bytes("clean")).scan == ScanStatus.CLEAN
    with pytest.raises(DomainError) as refused:
        storage.store(pdf_bytes("X5O!P%@AP EICAR-STANDARD-ANTIVIRUS-TEST-FILE"))
    assert refused.value.code == "file_infected"
    assert len(list(storage.document_dir().iterdir())) == 1


def test_a_scanner_callable_is_named_by_its_dotted_path(settings):
    settings.DOLBOM_SUBSIDY_VIRUS_SCAN = "dolbom.subsidies.tests.test_documents.scanner_clean_unless_eicar"
    assert storage.store(pdf_bytes("fine")).scan == ScanStatus.CLEAN
    with pytest.raises(DomainError):
        storage.store(pdf_bytes("EICAR"))


def test_a_stored_name_cannot_point_outside_the_document_folder():
    for bad in ("../keys.json", "/etc/passwd", ".hidden", ""):
        with pytest.raises(ValueError):
            storage.path_of(bad)
