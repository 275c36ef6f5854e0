"""The public pages: the board shows counts and no names; applying and checking need the phone's code."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dolbom.subsidies import services
from dolbom.subsidies.models import Application, Channel, Objection
from dolbom.subsidies.tests.conftest import SLATE_FACTS, applicant, in_round, pdf_bytes, slate_documents

PHONE = "010-3456-7890"


@pytest.fixture
def open_slate(slate):
    slate.rounds.update(opens_at=timezone.now() - dt.timedelta(days=1), closes_at=timezone.now() + dt.timedelta(days=9))
    return slate


def _code(outbox) -> str:
    return re.search(r"인증번호 (\d{6})", outbox[-1].text).group(1)


def _verified(client: Client, outbox, url: str, capture) -> None:
    with capture(execute=True):
        client.post(url, {"step": "phone", "phone": PHONE})
    client.post(url, {"step": "code", "code": _code(outbox)})


def _form(slate) -> dict:
    data = {"step": "form", "category": slate.categories.get().pk, "name": "박순례", "birth_date": "1951-07-07",
            "address": "전주시 덕진구 가리내로 3", "rrn": "", "dong": "", "privacy": "on", "welfare": "on"}
    data.update({f"f-{k}": ("on" if v is True else "" if v is False else v) for k, v in SLATE_FACTS.items()})
    data["f-income_tier"] = "general"
    for k in ("building_register", "roof_photo", "estimate", "owner_consent", "resident_register"):
        fh = io.BytesIO(pdf_bytes(k))
        fh.name = f"{k}.pdf"
        data[f"doc_{k}"] = fh
    return data


def test_the_board_shows_counts_per_category_and_no_names(open_slate, officer, resident):
    services.application_submit(actor=officer, programme=open_slate, round=open_slate.rounds.get(),
                                category=open_slate.categories.get(), applicant=applicant(), declared=SLATE_FACTS,
                                resident=resident, documents=slate_documents())
    html = Client().get(reverse("subsidies:public_board")).content.decode()
    assert "주택 슬레이트 철거·처리" in html and ">400<" in html and ">1<" in html
    assert "김영숙" not in html and "SLATE-2026-00001" not in html


def test_an_online_application_needs_the_code_and_the_code_serves_once(open_slate, message_outbox,
                                                                      django_capture_on_commit_callbacks):
    client = Client()
    url = reverse("subsidies:public_apply", args=[open_slate.code])
    before = client.post(url, _form(open_slate))  # no code yet: only the phone step is offered
    assert not Application.objects.exists() and before.status_code == 302
    _verified(client, message_outbox, url, django_capture_on_commit_callbacks)
    done = client.post(url, _form(open_slate))
    assert done.status_code == 200, done.content.decode()[:1500]
    app = Application.objects.get()
    assert app.channel == Channel.PUBLIC and app.phone == PHONE and app.welfare_consent_at is not None
    assert app.fact_sources["age"] == "declared" and app.resident is None
    assert app.number in done.content.decode()
    client.post(url, _form(open_slate))  # the same form again: the code is spent
    assert Application.objects.count() == 1


def test_an_online_application_without_the_privacy_consent_is_refused(open_slate, message_outbox,
                                                                      django_capture_on_commit_callbacks):
    client = Client()
    url = reverse("subsidies:public_apply", args=[open_slate.code])
    _verified(client, message_outbox, url, django_capture_on_commit_callbacks)
    data = _form(open_slate)
    data.pop("privacy")
    assert client.post(url, data).status_code == 400
    assert not Application.objects.exists()


def test_the_applicant_sees_their_own_application_after_a_code_and_can_object(
        slate, city, officer, resident, message_outbox, django_capture_on_commit_callbacks):
    app = services.application_submit(actor=officer, programme=slate, round=slate.rounds.get(),
                                      category=slate.categories.get(), applicant=applicant(phone=PHONE),
                                      declared={**SLATE_FACTS, "roof_material": "other"}, resident=resident,
                                      documents=slate_documents(), at=in_round(slate))
    services.application_refuse(actor=city, application=app, reason="not_eligible")
    client = Client()
    url = reverse("subsidies:public_status")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"step": "number", "number": app.number, "phone": PHONE})
    client.post(url, {"step": "code", "code": _code(message_outbox)})
    page = client.get(url).content.decode()
    assert "지붕이 슬레이트가 아님" in page and "김*숙" in page
    pdf = client.get(reverse("subsidies:public_notice"))
    assert pdf["Content-Type"] == "application/pdf"
    client.post(url, {"action": "objection", "grounds": "지붕 재질을 다시 확인해 주십시오."})
    assert Objection.objects.get().filed_by is None


def test_someone_elses_receipt_number_opens_nothing(slate, officer, resident, message_outbox,
                                                    django_capture_on_commit_callbacks):
    app = services.application_submit(actor=officer, programme=slate, round=slate.rounds.get(),
                                      category=slate.categories.get(), applicant=applicant(), declared=SLATE_FACTS,
                                      resident=resident, documents=slate_documents(), at=in_round(slate))
    client = Client()
    url = reverse("subsidies:public_status")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"step": "number", "number": app.number, "phone": "010-9999-0000"})
    client.post(url, {"step": "code", "code": _code(message_outbox)})
    page = client.get(url, follow=True).content.decode()
    assert "김*숙" not in page and app.number not in re.split(r"<main[^>]*>", page)[1].split("form")[0]


def test_an_objection_after_the_period_is_refused(slate, city, officer, resident):
    app = services.application_submit(actor=officer, programme=slate, round=slate.rounds.get(),
                                      category=slate.categories.get(), applicant=applicant(),
                                      declared={**SLATE_FACTS, "building_use": "other"}, resident=resident,
                                      documents=slate_documents(), at=in_round(slate))
    decision = services.application_refuse(actor=city, application=app, reason="not_eligible")
    late = timezone.now() + dt.timedelta(days=slate.objection_days + 1)
    with pytest.raises(Exception) as refused:
        services.objection_file(actor=None, decision=decision, grounds="늦었지만 다시 봐 주세요", at=late)
    assert getattr(refused.value, "code", "") == "objection_late"
    objection = services.objection_file(actor=None, decision=decision, grounds="기한 안에 냅니다")
    assert objection.answer_by == timezone.localdate() + dt.timedelta(days=slate.objection_answer_days)
