"""Links to care, supplements, versions, the registry's facts and the indicators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import CaseEvent
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.lib.metrics import indicator_get
from dolbom.subsidies import services
from dolbom.subsidies.models import ApplicationStatus, Pointer, SuggestionStatus, WelfareSuggestion
from dolbom.subsidies.selectors import suggestion_list
from dolbom.subsidies.tests.conftest import (
    SLATE_FACTS,
    accept_all,
    applicant,
    in_round,
    pdf_bytes,
    slate_documents,
)
from dolbom.testing import personas

SOLAR = {"is_owner": True, "capacity_kw": 3.0, "install_cost": 6_000_000, "self_share_ok": False}


def _solar(solar, officer, resident, consent: bool):
    return services.application_submit(
        actor=officer, programme=solar, round=solar.rounds.get(), category=solar.categories.get(code="house"),
        applicant=applicant(), declared=SOLAR, resident=resident, welfare_consent=consent,
        documents=[services.Upload(k, pdf_bytes(k), f"{k}.pdf") for k in ("building_register", "install_estimate")],
        at=in_round(solar))


def test_a_refusal_for_lack_of_means_reaches_the_dong_team_with_consent(solar, city, officer, resident):
    app = _solar(solar, officer, resident, consent=True)
    assert app.status == ApplicationStatus.INELIGIBLE
    services.application_refuse(actor=city, application=app, reason="not_eligible")
    suggestion = WelfareSuggestion.objects.get()
    assert suggestion.dong == resident.dong and "자부담" in suggestion.reason
    rows = suggestion_list(viewer=officer, context=AccessContext())
    assert [s.pk for s in rows] == [suggestion.pk]
    services.suggestion_handle(actor=officer, suggestion=suggestion, status=SuggestionStatus.CONTACTED, note="방문 예정")
    assert WelfareSuggestion.objects.get().handled_by == officer


def test_without_consent_no_suggestion_is_made(solar, city, officer, resident):
    app = _solar(solar, officer, resident, consent=False)
    services.application_refuse(actor=city, application=app, reason="not_eligible")
    assert not WelfareSuggestion.objects.exists()


def test_another_dongs_officer_does_not_see_the_suggestion(solar, city, officer, other_officer, resident):
    services.application_refuse(actor=city, application=_solar(solar, officer, resident, True), reason="not_eligible")
    assert suggestion_list(viewer=other_officer, context=AccessContext()) == []


def test_a_case_manager_points_a_client_at_a_programme_and_the_case_timeline_shows_it(slate, officer, manager):
    person = personas.make_resident(officer, name="오말례")
    case = personas.open_case(officer, person, manager=manager)
    pointer = services.pointer_create(actor=manager, programme=slate, resident=person, case=case, note="슬레이트 노후")
    assert CaseEvent.objects.filter(case=case, type="subsidy_pointed").exists()
    app = services.application_submit(
        actor=officer, programme=slate, round=slate.rounds.get(), category=slate.categories.get(),
        applicant=applicant(name="오말례", address="전주시 완산구 서신로 77"), declared=SLATE_FACTS, resident=person,
        documents=slate_documents(), pointer=pointer, at=in_round(slate))
    assert Pointer.objects.get().status == "applied"
    assert CaseEvent.objects.filter(case=case, type="subsidy_applied", new__number=app.number).exists()


def test_the_income_tier_is_taken_from_the_needs_survey_where_there_is_one(slate, officer, manager):
    person = personas.make_resident(officer, name="차영자")
    case = personas.open_case(officer, person, manager=manager)
    services_survey = personas.survey(manager, case)
    services_survey.benefits_received = ["기초생활수급(생계)"]
    services_survey.save()
    app = services.application_submit(
        actor=officer, programme=slate, round=slate.rounds.get(), category=slate.categories.get(),
        applicant=applicant(name="차영자", address="전주시 완산구 서신로 88"), declared=SLATE_FACTS, resident=person,
        documents=slate_documents(), at=in_round(slate))
    assert app.facts["income_tier"] == "basic" and app.verified["income_tier"].startswith("survey:")
    assert app.amount == 4_200_000  # full cost: no income-proof document needed, the survey proves it


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(slate, officer, resident):
    app = services.application_submit(
        actor=officer, programme=slate, round=slate.rounds.get(), category=slate.categories.get(),
        applicant=applicant(), declared=SLATE_FACTS, resident=resident, documents=slate_documents(), at=in_round(slate))
    services.application_update(actor=officer, application=app, declared={"removal_cost": 3_000_000},
                                reason="견적서 재발급")
    app.refresh_from_db()
    assert app.version == 2 and app.amount == 3_000_000
    versions = list(app.versions.order_by("version").values_list("data__declared__removal_cost", flat=True))
    assert versions == [4_200_000, 3_000_000]
    with pytest.raises(DomainError) as refused:
        services.application_update(actor=officer, application=app, declared={}, reason=" ")
    assert refused.value.code == "reason_required"


def test_a_supplement_left_unanswered_past_its_deadline_lapses(slate, officer, resident):
    app = services.application_submit(
        actor=officer, programme=slate, round=slate.rounds.get(), category=slate.categories.get(),
        applicant=applicant(), declared=SLATE_FACTS, resident=resident, documents=slate_documents()[:1],
        at=in_round(slate))
    assert app.status == ApplicationStatus.INCOMPLETE
    assert services.supplements_lapse(today=timezone.localdate() + dt.timedelta(days=30)) == 1
    assert services.supplements_lapse(today=timezone.localdate() + dt.timedelta(days=31)) == 0
    app.refresh_from_db()
    assert app.status == ApplicationStatus.LAPSED


def test_the_indicators_count_applications_approvals_and_budget_use(slate, city, officer, resident):
    app = services.application_submit(
        actor=officer, programme=slate, round=slate.rounds.get(), category=slate.categories.get(),
        applicant=applicant(), declared=SLATE_FACTS, resident=resident, documents=slate_documents(), at=in_round(slate))
    accept_all(city, app)
    services.selection_run(actor=city, round=slate.rounds.get())
    services.application_approve(actor=city, application=app)
    month = timezone.localdate().replace(day=1)
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    received = indicator_get("subsidies.applications").compute(dt.date(2026, 1, 1), nxt)
    assert sum(r["numerator"] for r in received) == 1
    assert sum(r["numerator"] for r in indicator_get("subsidies.approvals").compute(month, nxt)) == 1
    use = indicator_get("subsidies.budget_use").compute(month, nxt)
    assert use[0]["numerator"] == 3_520_000 and use[0]["denominator"] == 1_400_000_000
