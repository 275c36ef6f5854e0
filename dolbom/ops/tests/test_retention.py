"""Retention: closed cases destroyed after their legal period with everything about them, unless held;
the access log pruned after two years; every destruction recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.audit.services import denials_flush
from dolbom.cases.models import Case, CaseEvent, ClosureReason, NeedsSurvey, SupportPlanLine
from dolbom.cases.services import case_close
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.ops import retention
from dolbom.ops.models import DestroyedCaseCount, Destruction, DestructionKind, HoldBasis, RetentionHold
from dolbom.referrals.models import Institution, InstitutionKind, Referral, Service
from dolbom.referrals.services import referral_create
from dolbom.registry.models import ConsentPurpose, Resident
from dolbom.registry.services import consent_record
from dolbom.testing import personas


def _closed_years_ago(actor, case: Case, years: float) -> Case:
    case_close(actor=actor, case=case, reason=ClosureReason.NO_LONGER_NEEDED, note="지원 목표 달성")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=365.25 * years))
    case.refresh_from_db()
    return case


@pytest.fixture
def referred_case(officer, manager, resident):
    """김영숙's case in service with a referral to a home-nursing agency (a higher app's record about it)."""
    case = personas.case_in_service(officer, resident, manager=manager)
    nursing = Institution.objects.create(code="JJ-HN-001", name="전주 방문간호센터",
                                         kind=InstitutionKind.HOME_NURSING_AGENCY)
    service = Service.objects.create(institution=nursing, code="SV-HN-1", name="방문간호", category_code="A02",
                                     citywide=True)
    consent_record(actor=officer, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                   recipient=nursing.name, recipient_code=nursing.code)
    referral_create(actor=manager, case=case, service=service, plan_line=case.plans.get().lines.get())
    return case


def test_the_plan_follows_every_foreign_key_to_a_case_into_every_app():
    labels = {m._meta.label for m in retention.case_dependents()}
    assert {"cases.NeedsSurvey", "cases.SupportPlan", "cases.SupportPlanLine", "cases.CaseEvent",
            "referrals.Referral", "visits.Visit", "checkins.Enrolment", "meetings.AgendaItem",
            "ops.RetentionHold"} <= labels
    assert not labels & {"registry.Resident", "registry.Household", "audit.AccessLog", "cases.Case"}


def test_a_case_closed_more_than_five_years_ago_goes_with_every_record_about_it(referred_case, officer, manager):
    other = personas.case_in_service(officer, personas.make_resident(officer, name="박순자"), manager=manager)
    case = _closed_years_ago(officer, referred_case, 5.2)
    plan = retention._collect([case.pk])
    assert Referral in plan and SupportPlanLine in plan

    result = retention.purge(actor=None, dry_run=False)

    assert result.cases == [case.number]
    for model, pks in plan.items():
        assert not model._default_manager.filter(pk__in=pks).exists(), model._meta.label
    assert Resident.objects.filter(pk=case.resident_id).exists()  # the registry's, not the case's
    assert Case.objects.filter(pk=other.pk).exists() and CaseEvent.objects.filter(case=other).exists()
    record = Destruction.objects.get(kind=DestructionKind.CASE)
    assert record.subject == case.number and record.actor is None
    assert record.rows["cases.Case"] == 1 and record.rows["referrals.Referral"] == 1
    assert record.rows["cases.CaseEvent"] == plan[CaseEvent].__len__()
    assert "제21조" in record.basis and "5년" in record.reason
    count = DestroyedCaseCount.objects.get()
    assert (count.cases, count.sex, count.origin, count.closure_reason) == (1, "F", case.origin,
                                                                            ClosureReason.NO_LONGER_NEEDED)
    assert count.age_band == 70 and count.closed_month.day == 1


def test_a_dry_run_says_what_would_go_and_changes_nothing(referred_case, officer):
    case = _closed_years_ago(officer, referred_case, 6)
    result = retention.purge(actor=None, dry_run=True)
    assert result.cases == [case.number] and result.rows["cases.Case"] == 1
    assert result.rows["cases.NeedsSurvey"] == NeedsSurvey.objects.filter(case=case).count() == 1
    assert Case.objects.filter(pk=case.pk).exists() and not Destruction.objects.exists()
    assert "would destroy 1 closed cases" in result.summary()


def test_a_case_within_its_period_or_still_open_stays(officer, manager, resident):
    recent = _closed_years_ago(officer, personas.case_in_service(officer, resident, manager=manager), 4.9)
    open_case = personas.case_in_service(officer, personas.make_resident(officer, name="이말순"), manager=manager)
    Case.objects.filter(pk=open_case.pk).update(opened_at=timezone.now() - dt.timedelta(days=3000))
    assert retention.purge(actor=None, dry_run=False).cases == []
    assert Case.objects.filter(pk__in=[recent.pk, open_case.pk]).count() == 2


def test_the_period_is_a_setting(settings, officer, manager, resident):
    case = _closed_years_ago(officer, personas.case_in_service(officer, resident, manager=manager), 6)
    settings.DOLBOM_CASE_RETENTION_YEARS = 10
    assert retention.purge(actor=None, dry_run=False).cases == []
    settings.DOLBOM_CASE_RETENTION_YEARS = 5
    assert retention.purge(actor=None, dry_run=False).cases == [case.number]


def test_a_held_case_stays_until_the_hold_is_released(referred_case, officer, city):
    case = _closed_years_ago(officer, referred_case, 7)
    hold = retention.retention_hold(actor=city, case_id=case.pk, basis=HoldBasis.LITIGATION,
                                    reason="손해배상 소송 진행 중 (전주지법 2031가단1234)")
    result = retention.purge(actor=None, dry_run=False)
    assert result.cases == [] and result.held == 1
    assert Case.objects.filter(pk=case.pk).exists()

    assert retention.retention_release(actor=city, case_id=case.pk, reason="소송 종결 (판결 확정)") == 1
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.released_by == city
    assert retention.purge(actor=city, dry_run=False).cases == [case.number]
    assert not RetentionHold.objects.filter(pk=hold.pk).exists()  # the released hold went with the case
    assert Destruction.objects.get(kind=DestructionKind.CASE).actor == city


def test_a_hold_with_an_end_date_lapses_by_itself(officer, manager, resident, city):
    case = _closed_years_ago(officer, personas.case_in_service(officer, resident, manager=manager), 6)
    retention.retention_hold(actor=city, case_id=case.pk, basis=HoldBasis.INVESTIGATION, reason="감사원 감사 자료",
                             until=timezone.localdate() + dt.timedelta(days=30))
    assert retention.purge(actor=None, dry_run=True).cases == []
    later = timezone.now() + dt.timedelta(days=31)
    assert retention.purge(actor=None, dry_run=True, now=later).cases == [case.number]


def test_holds_are_for_the_city_team_and_the_dong_officer_in_scope(officer, other_officer, auditor, manager,
                                                                    resident):
    case = _closed_years_ago(officer, personas.case_in_service(officer, resident, manager=manager), 6)
    with pytest.raises(Forbidden):
        retention.retention_hold(actor=auditor, case_id=case.pk, basis=HoldBasis.OTHER_LAW, reason="기록물 심의 중")
    with pytest.raises(NotFound):
        retention.retention_hold(actor=other_officer, case_id=case.pk, basis=HoldBasis.OTHER_LAW,
                                 reason="기록물 심의 중")
    assert denials_flush() == 1  # what the end of a request or of the command does
    assert AccessLog.objects.filter(actor=other_officer, action=AccessAction.DENIED).exists()
    with pytest.raises(DomainError):
        retention.retention_hold(actor=officer, case_id=case.pk, basis=HoldBasis.OTHER_LAW, reason=" ")
    assert retention.retention_hold(actor=officer, case_id=case.pk, basis=HoldBasis.OTHER_LAW,
                                    reason="기록물 폐기 심의 대기").case_id == case.pk
    assert not RetentionHold.objects.filter(recorded_by__in=[auditor, other_officer]).exists()


def _log(actor, resident, age_days: int) -> AccessLog:
    row = AccessLog.objects.create(actor=actor, actor_username=actor.username, actor_role="dong_officer",
                                   action=AccessAction.VIEW, resident=resident, record_type="resident",
                                   record_id=str(resident.pk), at=timezone.now() - dt.timedelta(days=age_days))
    return row


def test_the_access_log_is_pruned_after_two_years_and_the_pruning_recorded(officer, resident):
    old, edge, young = _log(officer, resident, 800), _log(officer, resident, 729), _log(officer, resident, 10)
    result = retention.purge(actor=None, dry_run=False)
    assert result.access_log_rows == 1
    assert list(AccessLog.objects.filter(pk__in=[old.pk, edge.pk, young.pk]).values_list("pk", flat=True)
                .order_by("pk")) == [edge.pk, young.pk]
    record = Destruction.objects.get(kind=DestructionKind.ACCESS_LOG)
    assert record.rows == {"audit.AccessLog": 1} and "제8조" in record.basis


def test_a_longer_access_log_period_keeps_more_and_a_shorter_one_is_refused(settings, officer, resident):
    row = _log(officer, resident, 800)
    settings.ACCESS_LOG_RETENTION_DAYS = 1000
    assert retention.purge(actor=None, dry_run=False).access_log_rows == 0
    settings.ACCESS_LOG_RETENTION_DAYS = 365
    with pytest.raises(DomainError):
        retention.purge(actor=None, dry_run=False)
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_the_database_still_refuses_to_delete_a_young_access_log_row(officer, resident):
    # The purge deletes with plain SQL; the trigger of audit/0002 is what guarantees the two years.
    row = _log(officer, resident, 100)
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [row.pk])


def test_the_daily_job_destroys_cases_only_when_the_city_lets_it(settings, officer, manager, resident):
    from dolbom.lib.jobs import job_get

    case = _closed_years_ago(officer, personas.case_in_service(officer, resident, manager=manager), 6)
    settings.DOLBOM_CASE_PURGE_BY_JOB = False
    job = job_get("ops.purge")
    assert "destroyed 0 closed cases" in job.run()
    settings.DOLBOM_CASE_PURGE_BY_JOB = True
    assert "destroyed 1 closed cases" in job.run()
    assert not Case.objects.filter(pk=case.pk).exists()


def test_the_purge_command_prints_the_cases(officer, manager, resident, capsys):
    from django.core.management import call_command

    case = _closed_years_ago(officer, personas.case_in_service(officer, resident, manager=manager), 6)
    call_command("ops", "purge", "--dry-run")
    out = capsys.readouterr().out
    assert "would destroy 1 closed cases" in out and case.number in out
    assert Case.objects.filter(pk=case.pk).exists()
    context = AccessContext(ip="127.0.0.1", path="/", purpose="")
    assert context.ip  # the command writes no access-log row of its own: it shows no one's record
    assert not AccessLog.objects.filter(record_type="case", record_id=str(case.pk), action=AccessAction.VIEW).exists()
