"""A slate-roof application from receipt to payment and clawback, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.lib.errors import DomainError
from dolbom.subsidies import services
from dolbom.subsidies.models import ApplicationStatus, Decision, LedgerEntry, SupplementRequest
from dolbom.subsidies.tests.conftest import SLATE_FACTS, accept_all, applicant, in_round, slate_documents
from dolbom.testing import personas


def test_an_office_application_takes_the_registry_facts_and_is_checked(application, resident):
    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.facts["age"] == resident.age_on(dt.date(2026, 2, 2))
    assert application.verified["age"] == "registry"
    assert application.fact_sources["dong"] == "registry"
    assert application.versions.count() == 1
    assert application.amount == 3_520_000  # a general household: the per-building cap
    assert "동당 352만 원 한도" in application.explanation


def test_a_missing_document_is_asked_for_with_a_deadline(slate, officer, resident, message_outbox,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = services.application_submit(
            actor=officer, programme=slate, round=slate.rounds.get(number=1), category=slate.categories.get(),
            applicant=applicant(), declared=SLATE_FACTS, resident=resident, documents=slate_documents()[:2],
            at=in_round(slate))
    assert app.status == ApplicationStatus.INCOMPLETE
    request = SupplementRequest.objects.get(application=app)
    assert request.missing_documents == ["estimate", "owner_consent"]
    assert request.due_on == timezone.localdate() + dt.timedelta(days=slate.supplement_days)
    assert any("보완 요청" in m.text and "견적서" in m.text for m in message_outbox)


def test_the_whole_way_from_selection_to_clawback(application, slate, city):
    accept_all(city, application)
    run = services.selection_run(actor=city, round=slate.rounds.get(number=1))
    application.refresh_from_db()
    assert run.selected == 1 and application.status == ApplicationStatus.SELECTED
    decision = services.application_approve(actor=city, application=application)
    budget = slate.budget
    budget.refresh_from_db()
    assert budget.committed == 3_520_000 and decision.rule_set_version == 1
    assert decision.inputs["facts"]["removal_cost"] == 4_200_000
    assert [s["key"] for s in decision.trace if s["kind"] == "eligibility"][:2] == ["in_city", "house"]
    services.completion_check(actor=city, application=application, passed=True, note="철거 완료 확인")
    services.payment_record(actor=city, application=application, paid_on=timezone.localdate(), reference="지출-2026-1")
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (0, 3_520_000)
    claw = services.clawback_decide(actor=city, application=application, amount=1_000_000, reason="허위 견적",
                                    legal_basis="보조금 관리에 관한 법률 제33조",
                                    due_on=timezone.localdate() + dt.timedelta(days=30))
    services.clawback_recovered(actor=city, clawback=claw, recovered_on=timezone.localdate())
    budget.refresh_from_db()
    assert budget.left == slate.budget.announced - 3_520_000 + 1_000_000
    assert list(LedgerEntry.objects.filter(budget=budget).values_list("kind", flat=True)) == [
        "announce", "commit", "pay", "recover"]


def test_an_officer_of_another_dong_cannot_see_or_approve_it(application, other_officer):
    with pytest.raises(DomainError):
        services.application_approve(actor=other_officer, application=application)
    assert not Decision.objects.exists()


def test_a_refusal_can_be_objected_to_and_upheld(slate, city, officer):
    person = personas.make_resident(officer, name="이말순", birth=dt.date(1950, 5, 5))
    app = services.application_submit(
        actor=officer, programme=slate, round=slate.rounds.get(number=1), category=slate.categories.get(),
        applicant=applicant(name="이말순"), declared={**SLATE_FACTS, "owner_consent": False}, resident=person,
        documents=slate_documents(), at=in_round(slate))
    assert app.status == ApplicationStatus.INELIGIBLE
    refusal = services.application_refuse(actor=city, application=app, reason="not_eligible")
    assert refusal.reason == "건축물 소유자의 동의가 없음"
    objection = services.objection_file(actor=None, decision=refusal, grounds="소유자(아들) 동의서를 뒤늦게 받았습니다.")
    accept_all(city, app)
    services.objection_decide(actor=city, objection=objection, upheld=True, note="동의서 확인",
                              corrections={"owner_consent": True})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    new = Decision.objects.get(supersedes=refusal)
    assert new.kind == "approve" and new.amount == 3_520_000
