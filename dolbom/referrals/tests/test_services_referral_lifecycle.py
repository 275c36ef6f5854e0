from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dolbom.cases.models import CaseEventType
from dolbom.cases.services import case_close
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.referrals import services
from dolbom.referrals.models import ActivityKind, EndReason, ReferralStatus
from dolbom.referrals.selectors import referral_visible, referrals_awaiting_response
from dolbom.referrals.tests.conftest import share_with
from dolbom.registry.services import consent_withdraw


@pytest.fixture
def referral(manager, case, consent, nursing_service, plan_line):
    return services.referral_create(actor=manager, case=case, service=nursing_service, plan_line=plan_line)


def _types(case) -> list[str]:
    return [e.type for e in case.events.order_by("at", "pk") if e.type.startswith("referral_")]


def test_the_provider_takes_a_referral_round_the_closed_loop(partner, case, referral):
    services.referral_accept(actor=partner, referral=referral)
    services.referral_start(actor=partner, referral=referral, started_on=timezone.localdate())
    services.delivery_record(actor=partner, referral=referral, note="혈압 측정")
    services.change_report(actor=partner, referral=referral, note="방문 요일 화→목 변경")
    done = services.referral_complete(actor=partner, referral=referral, outcome="혈압 안정")
    assert done.status == ReferralStatus.COMPLETED and done.outcome == "혈압 안정"
    assert _types(case) == ["referral_created", "referral_accepted", "referral_started", "referral_delivery",
                            "referral_changed", "referral_completed"]
    assert [a.kind for a in referral.activities.all()] == [ActivityKind.DELIVERY, ActivityKind.CHANGE]
    completed = case.events.get(type=CaseEventType.REFERRAL_COMPLETED)
    assert completed.actor == partner and completed.old == {"status": "started"}


def test_a_decline_needs_a_reason_and_ends_the_partners_access(partner, case, referral):
    with pytest.raises(DomainError) as exc:
        services.referral_decline(actor=partner, referral=referral, reason=" ")
    assert exc.value.code == "reason_required"
    services.referral_decline(actor=partner, referral=referral, reason="방문 인력 부족")
    assert case.events.get(type=CaseEventType.REFERRAL_DECLINED).note == "방문 인력 부족"
    assert not referral_visible(partner).exists()


def test_steps_out_of_order_are_refused(partner, referral):
    with pytest.raises(DomainError) as exc:
        services.referral_start(actor=partner, referral=referral)
    assert exc.value.code == "step_not_allowed"
    with pytest.raises(DomainError):
        services.delivery_record(actor=partner, referral=referral, note="x")
    services.referral_accept(actor=partner, referral=referral)
    with pytest.raises(DomainError):
        services.referral_accept(actor=partner, referral=referral)
    with pytest.raises(DomainError) as exc:
        services.referral_start(actor=partner, referral=referral,
                                started_on=timezone.localdate() + dt.timedelta(days=1))
    assert exc.value.code == "date_in_future"


def test_only_the_provider_answers(manager, city, referral):
    for actor in (manager, city):
        with pytest.raises(Forbidden):
            services.referral_accept(actor=actor, referral=referral)


def test_another_institutions_worker_cannot_touch_the_referral(hospital_worker, referral):
    with pytest.raises(NotFound):
        services.referral_accept(actor=hospital_worker, referral=referral)


def test_the_response_deadline_makes_a_referral_overdue_and_due_for_a_reminder(referral):
    today = timezone.localdate()
    assert not referral.is_overdue_on(today)
    assert referral.is_overdue_on(referral.respond_by + dt.timedelta(days=1))
    assert list(referrals_awaiting_response(today=referral.respond_by)) == [referral]
    assert list(referrals_awaiting_response(today=referral.respond_by - dt.timedelta(days=1))) == []


def test_withdrawing_consent_ends_the_referral_and_the_partners_access_at_once(officer, partner, case, consent,
                                                                             referral):
    services.referral_accept(actor=partner, referral=referral)
    assert referral_visible(partner).count() == 1
    consent_withdraw(actor=officer, consent=consent)
    assert not referral_visible(partner).exists()
    referral.refresh_from_db()
    assert (referral.status, referral.end_reason) == (ReferralStatus.ENDED, EndReason.CONSENT_WITHDRAWN)
    ended = case.events.get(type=CaseEventType.REFERRAL_ENDED)
    assert ended.actor == officer and ended.old == {"status": "accepted"}
    with pytest.raises(NotFound):
        services.referral_start(actor=partner, referral=referral)


def test_a_second_consent_to_the_same_institution_keeps_the_referral(officer, resident, partner, nursing, consent,
                                                                     referral):
    share_with(officer, resident, nursing)
    consent_withdraw(actor=officer, consent=consent)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED
    assert referral_visible(partner).count() == 1


def test_closing_the_case_ends_its_referrals_in_the_same_transaction(manager, partner, case, referral):
    case_close(actor=manager, case=case, reason="refusal", note="본인 거부")
    assert not referral_visible(partner).exists()
    referral.refresh_from_db()
    assert referral.end_reason == EndReason.CASE_CLOSED
    assert "referral_ended" in _types(case)
    # The sweep (for cases closed before this hook existed) finds nothing left to end.
    assert services.referrals_end_for_closed_cases(actor=manager) == 0


def test_the_case_manager_can_cancel_but_not_twice(manager, case, referral):
    services.referral_cancel(actor=manager, referral=referral)
    with pytest.raises(DomainError) as exc:
        services.referral_cancel(actor=manager, referral=referral)
    assert exc.value.code == "step_not_allowed"
    assert _types(case) == ["referral_created", "referral_ended"]


def test_the_remind_command_lists_answers_due_and_marks_them(referral):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("referrals", "remind", stdout=out)
    assert "응답 대기 0건" in out.getvalue()
    type(referral).objects.filter(pk=referral.pk).update(respond_by=timezone.localdate() - dt.timedelta(days=2))
    call_command("referrals", "remind", "--mark", stdout=out)
    assert "JJ-HN-001" in out.getvalue() and "기한 지남" in out.getvalue() and "응답 대기 1건" in out.getvalue()
    referral.refresh_from_db()
    assert referral.last_reminded_at is not None


def test_the_sweep_command_ends_referrals_of_closed_cases(manager, case, referral):
    import io

    from django.core.management import call_command

    # A case closed before closure ended referrals itself (data from an older release).
    type(case).objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    out = io.StringIO()
    call_command("referrals", "sweep", "--actor", manager.username, stdout=out)
    assert "종료한 의뢰 1건" in out.getvalue()


def test_ending_the_referrals_of_one_closed_case_happens_once(manager, case, referral):
    case_close(actor=manager, case=case, reason="refusal", note="거부")
    assert _types(case).count("referral_ended") == 1
    assert services.referrals_end_for_case(actor=manager, case=case) == []
