from __future__ import annotations

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.cases.models import Case, CaseEvent, CaseEventType, CaseStatus, SupportPlan
from dolbom.testing import personas
from dolbom.testing.pages import decision_data, plan_data, survey_data, today


def _step(c, case: Case, step: str, data: dict):
    return c.post(f"/cases/{case.pk}/steps/{step}/", data)


def _snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return case.status, case.events.count(), case.plans.count(), case.closure_reason


def test_it_walks_a_case_from_application_to_closure(login, officer, resident):
    case = personas.open_case(officer, resident)
    c = login(officer)
    assert _step(c, case, "survey", survey_data()).status_code == 302
    assert _step(c, case, "decision", decision_data()).status_code == 302
    assert _step(c, case, "plan", plan_data(lines=2)).status_code == 302
    plan = SupportPlan.objects.get(case=case)
    assert plan.lines.count() == 2
    assert _step(c, case, "follow_up", {"done_on": today(), "outcome": "continue",
                                        "note": "서비스 잘 받고 있음"}).status_code == 302
    assert _step(c, case, "close", {"reason": "no_longer_needed", "note": "목표 달성"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    html = c.get(f"/cases/{case.pk}/").content.decode()
    for label in ["신청 접수", "필요도 조사 기록", "종합판정 기록", "개인별 지원계획 수립", "모니터링 기록", "종결"]:
        assert label in html
    assert "ADL 14점, IADL 20점" in html
    assert "복합적 지원이 더 이상 필요 없음" in html


def test_it_refuses_a_plan_before_the_decision_and_changes_nothing(login, officer, resident):
    case = personas.open_case(officer, resident)
    before = _snapshot(case)
    response = _step(login(officer), case, "plan", plan_data())
    assert response.status_code == 400
    assert "개인별 지원계획은 종합판정을 한 뒤에만 수립할 수 있습니다" in response.content.decode()
    assert _snapshot(case) == before
    assert not SupportPlan.objects.exists()


def test_it_refuses_to_close_without_a_reason_and_changes_nothing(login, officer, resident):
    case = personas.open_case(officer, resident)
    before = _snapshot(case)
    c = login(officer)
    no_reason = _step(c, case, "close", {"reason": "", "note": "더 이상 필요 없음"})
    assert no_reason.status_code == 400
    assert "법정 종결 사유 5가지 중 하나" in no_reason.content.decode()
    no_note = _step(c, case, "close", {"reason": "refusal", "note": ""})
    assert no_note.status_code == 400 and "종결 의견" in no_note.content.decode()
    assert _snapshot(case) == before


def test_it_refuses_an_incomplete_survey_with_field_errors(login, officer, resident):
    case = personas.open_case(officer, resident)
    data = survey_data()
    del data["adl_bathing"]
    response = _step(login(officer), case, "survey", data)
    assert response.status_code == 400
    assert "표시된 항목을 확인해 주세요" in response.content.decode()
    assert case.surveys.count() == 0


def test_a_closed_case_is_read_only_until_reopened_with_a_reason(login, officer, resident):
    case = personas.open_case(officer, resident)
    c = login(officer)
    _step(c, case, "close", {"reason": "refusal", "note": "본인 거부"})
    html = c.get(f"/cases/{case.pk}/").content.decode()
    assert "읽기 전용" in html
    assert 'data-step="survey"' not in html and 'data-step="reopen"' in html
    refused = _step(c, case, "survey", survey_data())
    assert refused.status_code == 400 and "종결된 사례는 읽기 전용입니다" in refused.content.decode()
    assert _step(c, case, "reopen", {"reason": ""}).status_code == 400
    assert _step(c, case, "reopen", {"reason": "본인이 다시 요청"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPLIED
    assert case.events.filter(type=CaseEventType.REOPENED, note="본인이 다시 요청").exists()


def test_it_starts_a_reassessment_and_notes_a_meeting(login, officer, resident):
    case = personas.open_case(officer, resident)
    personas.survey(officer, case)
    personas.decide(officer, case)
    personas.plan(officer, case)
    c = login(officer)
    assert _step(c, case, "meeting_outcome", {"outcome": "방문간호 추가"}).status_code == 400
    assert _step(c, case, "meeting_request", {"reason": "의료 연계 논의"}).status_code == 302
    assert _step(c, case, "meeting_outcome", {"outcome": "방문간호 추가"}).status_code == 302
    assert _step(c, case, "reassessment", {"reason": "낙상으로 상태 변화"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REASSESSMENT and case.meeting_outcome == "방문간호 추가"


def test_it_records_the_application_of_a_discovered_case(login, officer, resident):
    from dolbom.cases.services import case_discover

    case = case_discover(actor=officer, resident=resident, origin="crisis_discovery", note="단수")
    c = login(officer)
    assert 'data-step="application"' in c.get(f"/cases/{case.pk}/").content.decode()
    response = _step(c, case, "application", {"applicant_type": "relative", "applicant_name": "김철수",
                                              "applicant_relation": "아들"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPLIED and case.applicant_name == "김철수"


def test_it_lists_plan_versions_and_prints_the_plan(login, officer, resident):
    case = personas.open_case(officer, resident)
    personas.survey(officer, case)
    personas.decide(officer, case)
    personas.plan(officer, case)
    c = login(officer)
    _step(c, case, "plan", plan_data(lines=1))
    versions = c.get(f"/cases/{case.pk}/plans/").content.decode()
    assert f"/cases/{case.pk}/plans/1/" in versions and f"/cases/{case.pk}/plans/2/" in versions
    printed = c.get(f"/cases/{case.pk}/plans/2/").content.decode()
    assert "개인별 지원계획서" in printed and "별지 제2호서식" in printed
    assert "병원동행" in printed and "김영숙" in printed
    assert c.get(f"/cases/{case.pk}/plans/9/").status_code == 404


def test_it_asks_a_purpose_for_a_case_outside_the_caseload(login, officer, manager, resident):
    case = personas.open_case(officer, resident)
    c = login(manager)
    first = c.get(f"/cases/{case.pk}/")
    assert first.status_code == 200 and "기록을 여는 목적을 적어 주세요" in first.content.decode()
    assert 'data-testid="timeline"' not in first.content.decode()
    c.post(f"/cases/{case.pk}/purpose/", {"purpose": "통합지원회의 준비"})
    page = c.get(f"/cases/{case.pk}/")
    assert 'data-testid="timeline"' in page.content.decode()
    log = AccessLog.objects.get(action=AccessAction.VIEW, record_type="case")
    assert log.purpose == "통합지원회의 준비" and not log.in_caseload


def test_it_returns_404_for_a_case_out_of_scope_and_logs_the_denial(login, officer, other_officer, resident):
    case = personas.open_case(officer, resident)
    c = login(other_officer)
    c.post(f"/cases/{case.pk}/purpose/", {"purpose": "확인"})
    response = c.get(f"/cases/{case.pk}/")
    assert response.status_code == 404
    assert "사례가 없거나 열람 권한 범위 밖입니다" in response.content.decode()
    assert "김영숙" not in response.content.decode()
    write = _step(c, case, "close", {"reason": "refusal", "note": "x"})
    assert write.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.APPLIED
    assert AccessLog.objects.filter(actor=other_officer, action=AccessAction.DENIED, record_type="case",
                                    resident=resident).count() == 2


def test_auditors_and_partners_get_no_case_page(login, officer, auditor, partner, resident):
    case = personas.open_case(officer, resident)
    for user in (auditor, partner):
        response = login(user).get(f"/cases/{case.pk}/")
        assert response.status_code == 404 and "김영숙" not in response.content.decode()
        assert login(user).get(f"/cases/{case.pk}/plans/").status_code == 404
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_an_unknown_step_is_404(login, officer, resident):
    case = personas.open_case(officer, resident)
    assert login(officer).post(f"/cases/{case.pk}/steps/delete/", {}).status_code == 404


def test_an_untouched_survey_item_is_refused_beside_it_and_the_other_scores_stay(login, officer, resident):
    from dolbom.cases.rules import IADL_ITEMS as iadl

    case = personas.open_case(officer, resident)
    data = survey_data()
    missing = f"iadl_{list(iadl)[-1]}"
    del data[missing]
    response = _step(login(officer), case, "survey", data)
    assert response.status_code == 400 and not case.surveys.exists()
    html = response.content.decode()
    row = html[html.index(f'name="{missing}"'):]
    assert "이 항목의 점수를 선택하세요" in row[:row.index("</tr>")]
    assert html.count('checked') == len(data) - 8  # every other item keeps the score chosen


def test_a_get_on_a_step_url_shows_the_case(login, officer, resident):
    case = personas.open_case(officer, resident)
    response = login(officer).get(f"/cases/{case.pk}/steps/close/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"


def test_what_was_typed_into_a_refused_step_stays_on_that_page_and_the_next_page_has_empty_forms(
        login, officer, resident):
    # The empty step forms are rendered once and reused (cases/views.py _unbound_step): a refused POST's
    # bound form must never become another page's form.
    case = personas.open_case(officer, resident)
    other = personas.open_case(officer, personas.make_resident(officer, name="이순자"))
    c = login(officer)
    fresh = c.get(f"/cases/{other.pk}/").content.decode()
    refused = _step(c, case, "close", {"reason": "", "note": "타이핑한 종결 의견"})
    assert refused.status_code == 400 and "타이핑한 종결 의견" in refused.content.decode()
    again = c.get(f"/cases/{other.pk}/").content.decode()
    assert "타이핑한 종결 의견" not in again
    assert again.split('id="step-close"', 1)[1].split("</form>", 1)[0] == \
        fresh.split('id="step-close"', 1)[1].split("</form>", 1)[0].replace(
            _csrf(fresh), _csrf(again))


def _csrf(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
