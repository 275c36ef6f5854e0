"""Consultations: slots from the adviser's hours, one booking per slot, cut-off, reminders, outcome, referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.cases.models import Case, CaseOrigin, CaseStatus
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.programmes import selectors, services
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.models import (
    AdviserKind,
    BookingStatus,
    ConsultationBooking,
    ConsultationSlot,
    ReferralStatus,
    WelfareReferral,
)
from dolbom.programmes.services import consultations
from dolbom.registry.models import Consent
from dolbom.testing import personas
from dolbom.verification.services import challenge_verify

from .conftest import code_for, new_phone

CTX = AccessContext(ip="10.0.0.1", path="/test")


def _fourth_monday_after(day: dt.date) -> dt.date:
    while True:
        day += dt.timedelta(days=1)
        if day.weekday() == 0 and 22 <= day.day <= 28:
            return day


@pytest.fixture
def slots(city, adviser):
    today = timezone.localdate()
    services.schedule_create(actor=city, adviser=adviser, rrule="FREQ=MONTHLY;BYDAY=4MO", starts_on=today,
                             ends_on=today + dt.timedelta(days=70), start_time=dt.time(15), end_time=dt.time(17),
                             slot_minutes=20)
    return list(ConsultationSlot.objects.filter(adviser=adviser).order_by("starts_at"))


def public_booking(slot, outbox, *, phone=None, topic="종합소득세 신고"):
    phone = phone or new_phone()
    with TestCase.captureOnCommitCallbacks(execute=True):
        challenge = services.booking_start(slot=slot, name="최민수", phone=phone, topic=topic, privacy_consent=True)
    challenge_verify(token=challenge.token, purpose="programmes.consult", code=code_for(outbox, phone))
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.booking_apply(slot_id=slot.pk, challenge_token=challenge.token, name="최민수", phone=phone,
                                      topic=topic)


def test_the_fourth_monday_afternoon_is_cut_into_twenty_minute_slots(slots):
    first_day = _fourth_monday_after(timezone.localdate() - dt.timedelta(days=1))
    that_day = [s for s in slots if timezone.localtime(s.starts_at).date() == first_day]
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in that_day] == [
        "15:00", "15:20", "15:40", "16:00", "16:20", "16:40"]
    assert all(timezone.localtime(s.starts_at).weekday() == 0 for s in slots)


def test_slots_are_20_or_30_minutes(city, adviser):
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        services.schedule_create(actor=city, adviser=adviser, rrule="FREQ=MONTHLY;BYDAY=4MO", starts_on=today,
                                 ends_on=today + dt.timedelta(days=30), start_time=dt.time(15), end_time=dt.time(17),
                                 slot_minutes=45)
    assert refused.value.code == E.SLOT_INVALID


def test_a_resident_books_with_a_code_and_gets_a_link(slots, message_outbox):
    booking, token = public_booking(slots[0], message_outbox)
    assert booking.status == BookingStatus.BOOKED and booking.topic == "종합소득세 신고"
    assert token in message_outbox[-1].text and "예약되었습니다" in message_outbox[-1].text
    assert selectors.booking_by_token(token) == booking


def test_one_slot_takes_one_booking(slots, message_outbox, officer):
    public_booking(slots[0], message_outbox)
    with pytest.raises(DomainError) as refused:
        services.booking_register(actor=officer, slot=slots[0], name="가", phone="", topic="상속")
    assert refused.value.code == E.SLOT_TAKEN
    booking = ConsultationBooking.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationBooking.objects.create(slot=slots[0], adviser=slots[0].adviser, source="staff", name="나",
                                           phone_hash="x", topic="y", manage_nonce="n", manage_token_hash="h",
                                           created_at=timezone.now())
    assert booking.slot == slots[0]


def test_a_phone_holds_one_open_booking_per_adviser(slots, message_outbox):
    phone = new_phone()
    public_booking(slots[0], message_outbox, phone=phone)
    with pytest.raises(DomainError) as refused:
        public_booking(slots[1], message_outbox, phone=phone)
    assert refused.value.code == E.ALREADY_BOOKED


def test_rescheduling_and_cancelling_online_stop_at_the_cut_off(slots, message_outbox):
    booking, token = public_booking(slots[0], message_outbox)
    moved = services.booking_reschedule(token=token, slot=slots[1])
    assert moved.slot == slots[1] and moved.rescheduled == 1
    ConsultationSlot.objects.filter(pk=slots[1].pk).update(starts_at=timezone.now() + dt.timedelta(hours=5),
                                                          ends_at=timezone.now() + dt.timedelta(hours=5, minutes=20))
    with pytest.raises(DomainError) as refused:
        services.booking_cancel(token=token)
    assert refused.value.code == E.CUTOFF_PASSED and "063-281-3000" in refused.value.message


def test_staff_may_cancel_after_the_cut_off_with_a_reason(slots, message_outbox, officer):
    booking, _ = public_booking(slots[0], message_outbox)
    ConsultationSlot.objects.filter(pk=slots[0].pk).update(starts_at=timezone.now() + dt.timedelta(hours=1),
                                                          ends_at=timezone.now() + dt.timedelta(hours=1, minutes=20))
    with pytest.raises(DomainError):
        services.booking_cancel(actor=officer, booking=booking, reason="")
    services.booking_cancel(actor=officer, booking=booking, reason="본인 전화로 취소 요청")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    # The slot is free again.
    assert slots[0].pk in selectors.open_slots().values_list("pk", flat=True)


def test_reminders_go_the_day_before_and_two_hours_before_once_each(slots, message_outbox):
    booking, _ = public_booking(slots[0], message_outbox)
    ConsultationBooking.objects.filter(pk=booking.pk).update(created_at=timezone.now() - dt.timedelta(days=7))
    starts = timezone.localtime(slots[0].starts_at)
    day_before = timezone.make_aware(dt.datetime.combine(starts.date() - dt.timedelta(days=1), dt.time(10, 1)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert consultations.reminders_send(now=day_before - dt.timedelta(hours=2)) == 0
        assert consultations.reminders_send(now=day_before) == 1
        assert consultations.reminders_send(now=day_before + dt.timedelta(minutes=10)) == 0
        assert consultations.reminders_send(now=starts - dt.timedelta(hours=1, minutes=55)) == 1
        assert consultations.reminders_send(now=starts - dt.timedelta(hours=1)) == 0
    texts = [m.text for m in message_outbox if m.purpose == "reminder"]
    assert len(texts) == 2 and "내일" in texts[0] and "2시간 뒤" in texts[1]


def test_the_outcome_is_noted_by_the_adviser_and_a_welfare_need_needs_consent(
        slots, message_outbox, adviser, partner, officer):
    from dolbom.programmes.models import Adviser

    Adviser.objects.filter(pk=adviser.pk).update(user=partner)
    booking, _ = public_booking(slots[0], message_outbox)
    with pytest.raises(Forbidden):
        services.booking_outcome_record(actor=officer.__class__.objects.create(username="x"), booking=booking,
                                        attended=True, outcome="안내")
    with pytest.raises(DomainError) as refused:
        services.booking_outcome_record(actor=partner, booking=booking, attended=True, outcome="체납 분할납부 안내",
                                        welfare_need="실직 후 생계 곤란", dong=adviser.dong)
    assert refused.value.code == E.CONSENT_REQUIRED and not WelfareReferral.objects.exists()
    services.booking_outcome_record(actor=partner, booking=booking, attended=True, outcome="체납 분할납부 안내",
                                    welfare_need="실직 후 생계 곤란", consent_given=True, dong=adviser.dong)
    referral = WelfareReferral.objects.get()
    assert referral.dong == adviser.dong and referral.status == ReferralStatus.NEW
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DONE and booking.outcome_by == partner


def test_the_dong_officer_opens_a_discovered_case_from_the_referral(slots, message_outbox, adviser, city, officer,
                                                                    resident, other_officer):
    booking, _ = public_booking(slots[0], message_outbox)
    services.booking_outcome_record(actor=city, booking=booking, attended=True, outcome="상속세 안내",
                                    welfare_need="혼자 살며 끼니를 거름", consent_given=True, dong=adviser.dong)
    referral = WelfareReferral.objects.get()
    # Another dong's officer does not see it: 404 and a DENIED row.
    with pytest.raises(NotFound):
        selectors.referral_get(viewer=other_officer, referral_id=referral.pk, context=CTX)
    assert AccessLog.objects.filter(actor=other_officer, action=AccessAction.DENIED,
                                    record_type="welfare_referral").exists()
    assert [r.pk for r in selectors.referral_list(viewer=officer, context=CTX)] == [referral.pk]
    case = services.welfare_referral_open_case(actor=officer, referral=referral, resident=resident)
    assert case.status == CaseStatus.DISCOVERED and case.origin == CaseOrigin.COMMUNITY_REFERRAL
    assert "혼자 살며" in case.origin_note
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CASE_OPENED and referral.case == case
    assert Consent.objects.filter(resident=resident, given_at=referral.consent_at).exists()
    with pytest.raises(DomainError) as again:
        services.welfare_referral_open_case(actor=officer, referral=referral, resident=resident)
    assert again.value.code == E.REFERRAL_DONE
    assert Case.objects.count() == 1


def test_an_adviser_sees_the_bookings_of_their_own_slots_only(slots, message_outbox, adviser, partner, city):
    from dolbom.programmes.models import Adviser

    Adviser.objects.filter(pk=adviser.pk).update(user=partner)
    adviser.refresh_from_db()
    other = services.adviser_create(actor=city, name="박변호", kind=AdviserKind.LEGAL, venue="시청", contact="063")
    other_slot = services.slot_add(actor=city, adviser=other, starts_at=timezone.now() + dt.timedelta(days=3),
                                   minutes=30)
    mine, _ = public_booking(slots[0], message_outbox)
    theirs, _ = public_booking(other_slot, message_outbox)
    assert list(selectors.booking_visible(partner)) == [mine]
    day = timezone.localtime(slots[0].starts_at).date()
    rows = selectors.adviser_day(viewer=partner, adviser=adviser, day=day, context=CTX)
    assert rows[0][1] == mine and AccessLog.objects.filter(actor=partner, record_type="consultation_day").exists()
    with pytest.raises(NotFound):
        selectors.booking_get(viewer=partner, booking_id=theirs.pk, context=CTX)


def test_staff_book_for_a_caller_without_a_mobile_phone(slots, officer):
    booking, _ = services.booking_register(actor=officer, slot=slots[0], name="김할머니", phone="063-222-3333",
                                           topic="기초연금")
    assert booking.phone == "" and booking.created_by == officer


def test_a_past_slot_cannot_be_booked(slots, officer):
    ConsultationSlot.objects.filter(pk=slots[0].pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    slots[0].refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.booking_register(actor=officer, slot=slots[0], name="가", phone="", topic="나")
    assert refused.value.code == E.SLOT_PAST


def test_unneeded_personal_data_is_purged_after_the_retention_period(slots, message_outbox):
    from dolbom.programmes.services.retention import RETENTION, personal_data_purge

    booking, _ = public_booking(slots[0], message_outbox)
    assert personal_data_purge() == (0, 0)
    assert personal_data_purge(now=slots[0].ends_at + RETENTION + dt.timedelta(days=1)) == (0, 1)
    booking.refresh_from_db()
    assert booking.name == booking.phone == booking.topic == "" and booking.purged_at


def test_a_partner_cannot_define_advisers(partner):
    with pytest.raises(Forbidden):
        services.adviser_create(actor=partner, name="가", kind=AdviserKind.TAX, venue="나", contact="다")


def test_a_dong_officer_books_for_a_resident_from_the_registry(slots, officer):
    resident = personas.make_resident(officer, name="이순자")
    booking, _ = services.booking_register(actor=officer, slot=slots[0], name="", phone="", topic="주택 임대차",
                                           resident=resident)
    assert booking.name == "이순자" and booking.resident == resident and booking.phone == "01012345678"
