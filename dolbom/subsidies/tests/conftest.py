"""Fixtures of the subsidies tests: the shipped programmes loaded by the city team, applications in their
first round, and small valid files for uploads."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from dolbom.subsidies import programmes as shipped
from dolbom.subsidies import services
from dolbom.subsidies.models import Programme


def pdf_bytes(text: str = "document") -> bytes:
    """A one-page PDF, as a scanner or a phone app makes one."""
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.add_metadata({"/Title": text})
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.DOLBOM_SUBSIDY_DOCUMENT_DIR = tmp_path / "subsidies"
    settings.DOLBOM_SUBSIDY_VIRUS_SCAN = ""


def load(actor, code: str) -> Programme:
    return services.programme_load(actor=actor, data=shipped.load(shipped.HERE / f"{code}.json"))


@pytest.fixture
def slate(city) -> Programme:
    return load(city, "slate-2026")


@pytest.fixture
def solar(city) -> Programme:
    return load(city, "solar-2026")


@pytest.fixture
def ev(city) -> Programme:
    return load(city, "ev-2026")


def in_round(programme: Programme, days: int = 1) -> dt.datetime:
    """A moment inside the programme's first round."""
    return programme.rounds.get(number=1).opens_at + dt.timedelta(days=days)


def applicant(name: str = "김영숙", birth: dt.date = dt.date(1948, 3, 2), phone: str = "010-1234-5678",
              address: str = "전주시 완산구 서신로 1") -> services.Applicant:
    return services.Applicant(name=name, birth_date=birth, phone=phone, address=address)


SLATE_FACTS = {"building_use": "house", "roof_material": "slate", "building_year": 1979, "roof_area_m2": 90,
               "removal_cost": 4_200_000, "roof_replacement": False, "replacement_cost": 0, "owner_consent": True}


def slate_documents() -> list[services.Upload]:
    return [services.Upload(kind=k, data=pdf_bytes(k), name=f"{k}.pdf")
            for k in ("building_register", "roof_photo", "estimate", "owner_consent")]


def accept_all(actor, application) -> None:
    for doc in application.documents.all():
        services.document_review(actor=actor, document=doc, accept=True)


def submit_slate(actor, slate: Programme, *, resident=None, facts: dict | None = None, documents=None,
                 **who) -> services.Application:
    """A slate-roof application in the first round (the office's, when ``actor`` is an officer)."""
    return services.application_submit(
        actor=actor, programme=slate, round=slate.rounds.get(number=1), category=slate.categories.get(),
        applicant=applicant(**who), declared={**SLATE_FACTS, **(facts or {})}, resident=resident,
        documents=slate_documents() if documents is None else documents, at=in_round(slate))


@pytest.fixture
def application(slate, officer, resident):
    """김영숙's slate-roof application, taken at the 서신동 office with every document."""
    return submit_slate(officer, slate, resident=resident)
