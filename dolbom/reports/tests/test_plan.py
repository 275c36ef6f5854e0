"""The annual integrated-care plan: made from the published data, written in versions, signed off by the
team lead, exported as PDF and Word with its Korean text."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission, User

from dolbom.lib.errors import DomainError, Forbidden
from dolbom.reports import services
from dolbom.reports.models import PlanStatus
from dolbom.reports.plan import document

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(city):
    city.user_permissions.add(Permission.objects.get(codename="sign_annual_plan"))
    return User.objects.get(pk=city.pk)


@pytest.fixture
def visits_rows(test_indicator, publish):
    ind, rows = test_indicator("test.plan", label="시험 방문", tags=("annual_plan",), higher_is_better=True)
    for m in range(1, 13):
        for name in ("서신동", "효자1동", "중앙동", "풍남동", "노송동", "완산동"):
            rows.add(f"2025-{m:02d}", name, 20)
    publish(ind.key)
    return rows


@pytest.fixture
def plan_2026(visits_rows, city):
    return services.plan_create(actor=city, year=2026)


def test_a_plan_starts_from_last_years_published_figures(plan_2026):
    version = plan_2026.versions.get()
    assert version.number == 1 and version.status == PlanStatus.DRAFT
    assert version.figures["base"] == "2025"
    target = next(t for t in version.targets if t["indicator"] == "test.plan")
    assert target["target"] == 6 * 12 * 20, "last year's figure is the starting target"


def test_saving_makes_a_new_version_and_a_stale_save_is_refused(plan_2026, city, other_officer):
    v2 = services.plan_version_save(actor=city, plan=plan_2026, base_number=1, narrative={"overview": "방향"},
                                    targets=[{"indicator": "test.plan", "target": 1500}], note="목표 수정")
    assert v2.number == 2 and plan_2026.versions.get(number=1).narrative == {}
    with pytest.raises(DomainError) as stale:
        services.plan_version_save(actor=city, plan=plan_2026, base_number=1, narrative={}, targets=[])
    assert stale.value.code == "plan_stale"
    with pytest.raises(Forbidden):
        services.plan_version_save(actor=other_officer, plan=plan_2026, base_number=2, narrative={}, targets=[])
    with pytest.raises(DomainError) as bad:
        services.plan_version_save(actor=city, plan=plan_2026, base_number=2, narrative={},
                                   targets=[{"indicator": "no.such", "target": 1}])
    assert bad.value.code == "target_invalid"


def test_only_the_team_lead_signs_off_and_a_signed_version_stays_as_it_was(plan_2026, city, lead):
    with pytest.raises(Forbidden):
        services.plan_sign(actor=User.objects.create_user("clerk"), plan=plan_2026, number=1)
    signed = services.plan_sign(actor=lead, plan=plan_2026, number=1)
    assert signed.is_signed and signed.signed_by == lead
    with pytest.raises(DomainError) as again:
        services.plan_sign(actor=lead, plan=plan_2026, number=1)
    assert again.value.code == "plan_signed"
    v2 = services.plan_version_save(actor=city, plan=plan_2026, base_number=1, narrative={"next": "과제"},
                                    targets=[])
    assert not v2.is_signed and plan_2026.versions.get(number=1).is_signed
    with pytest.raises(DomainError) as old:
        services.plan_sign(actor=lead, plan=plan_2026, number=1)
    assert old.value.code == "plan_not_latest"


def test_next_years_plan_reports_the_results_against_this_plans_targets(plan_2026, city, lead, visits_rows,
                                                                          publish):
    services.plan_version_save(actor=city, plan=plan_2026, base_number=1, narrative={},
                               targets=[{"indicator": "test.plan", "target": 1000, "note": "방문 확대"}])
    services.plan_sign(actor=lead, plan=plan_2026, number=2)
    for m in range(1, 13):
        visits_rows.add(f"2026-{m:02d}", "서신동", 30)
    publish("test.plan")
    plan_2027 = services.plan_create(actor=city, year=2027)
    doc = document(plan_2027.versions.get())
    (result,) = doc["results"]
    assert result["target"] == "1,000건" and result["actual"] == "360건" and result["achieved"] == "미달"


def test_the_plan_is_exported_as_pdf_and_word_with_its_korean_text(plan_2026, city, login):
    from docx import Document
    from pypdf import PdfReader

    services.plan_version_save(actor=city, plan=plan_2026, base_number=1, narrative={"overview": "살던 곳에서 건강하게"},
                               targets=[])
    client = login(city)
    pdf = client.post("/reports/plans/2026/export/", {"indicator": "plan", "period": "2026", "format": "pdf",
                                                      "reason": "의회 보고"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "2026년 지역 통합돌봄 계획" in text and "살던 곳에서 건강하게" in text and "서신동" in text
    word = client.post("/reports/plans/2026/export/", {"indicator": "plan", "period": "2026", "format": "docx",
                                                       "reason": "의회 보고"})
    paragraphs = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "2026년 지역 통합돌봄 계획" in paragraphs and "살던 곳에서 건강하게" in paragraphs


def test_the_plan_pages_save_a_version_and_sign_it_off(plan_2026, login, lead):
    client = login(lead)
    page = client.get("/reports/plans/2026/edit/")
    assert page.status_code == 200
    form = {"base": "1", "note": "본문", "section_overview": "개요", "target_test.plan": "1200"}
    assert client.post("/reports/plans/2026/edit/", form).status_code == 302
    assert client.post("/reports/plans/2026/edit/", form).status_code == 400, "a second save from v1 is stale"
    assert client.post("/reports/plans/2026/sign/", {"number": "2"}).status_code == 302
    text = client.get("/reports/plans/2026/").content.decode()
    assert "결재" in text and "개요" in text
