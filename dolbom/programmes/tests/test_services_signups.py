"""Sign-ups: places held by the database's counters, the waiting list, offers, limits and manual changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import TestCase
from django.utils import timezone

from dolbom.lib.errors import DomainError, Forbidden
from dolbom.programmes import services
from dolbom.programmes.errors import ProgrammeErrorCode as E
from dolbom.programmes.models import (
    Attendance,
    EventKind,
    PartyCounting,
    Pool,
    ProgrammeEvent,
    Session,
    SessionStatus,
    Signup,
    SignupStatus,
)
from dolbom.programmes.services import signups as signup_services
from dolbom.programmes.services import waitlist
from dolbom.registry.models import Consent, ConsentPurpose
from dolbom.testing import personas
from dolbom.verification.errors import VerificationErrorCode

from .conftest import code_for, make_programme, new_phone, open_session, public_signup


def _statuses(session: Session) -> list[str]:
    return list(Signup.objects.filter(session=session).order_by("number").values_list("status", flat=True))


def test_the_eleventh_family_joins_the_waiting_list_of_a_ten_family_session(session, message_outbox):
    rows = [public_signup(session, message_outbox)[0] for _ in range(11)]
    session.refresh_from_db()
    assert [r.status for r in rows] == [SignupStatus.CONFIRMED] * 10 + [SignupStatus.WAITING]
    assert session.taken == session.taken_general == 10
    assert "대기 1번" in message_outbox[-1].text and "01" not in rows[-1].checkin_code


def test_the_database_refuses_a_place_too_many_even_without_the_service(session):
    Session.objects.filter(pk=session.pk).update(taken=10, taken_general=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(taken=F("taken") + 1, taken_general=F("taken_general") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(taken=F("taken") + 1)  # not even into reserved places it lacks


def test_each_person_takes_a_place_when_the_programme_counts_persons(city, message_outbox):
    programme = make_programme(city, party_counting=PartyCounting.PERSONS, capacity=5)
    session = open_session(programme)
    parent_and_two, _ = public_signup(session, message_outbox, party=3)
    couple, _ = public_signup(session, message_outbox, party=2)
    one_more, _ = public_signup(session, message_outbox, party=1)
    session.refresh_from_db()
    assert (parent_and_two.places, couple.places) == (3, 2)
    assert session.taken == 5 and one_more.status == SignupStatus.WAITING


def test_a_family_counts_one_place_whatever_its_size(session, message_outbox):
    signup, _ = public_signup(session, message_outbox, party=5)
    session.refresh_from_db()
    assert signup.places == 1 and signup.party_size == 5 and session.taken == 1


def test_a_party_larger_than_the_programme_allows_is_refused(session, message_outbox):
    with pytest.raises(DomainError) as refused:
        public_signup(session, message_outbox, party=6)
    assert refused.value.code == E.PARTY_SIZE_INVALID


def test_one_code_serves_one_sign_up(session, message_outbox):
    phone = new_phone()
    public_signup(session, message_outbox, phone=phone)
    from dolbom.verification.models import PhoneChallenge

    challenge_token = PhoneChallenge.objects.get(used_at__isnull=False).token
    with pytest.raises(DomainError) as refused:
        # The same verified code replayed for a second sign-up: the first used it up.
        services.signup_apply(session_id=session.pk, challenge_token=challenge_token, name="홍길동", phone=phone,
                              party_size=1)
    assert refused.value.code == VerificationErrorCode.ALREADY_USED


def test_the_same_phone_cannot_sign_up_twice_for_a_session(session, message_outbox):
    phone = new_phone()
    public_signup(session, message_outbox, phone=phone)
    with pytest.raises(DomainError) as refused:
        public_signup(session, message_outbox, phone=phone)
    assert refused.value.code == E.ALREADY_SIGNED_UP


def test_a_family_may_sign_up_once_a_month_waiting_lists_included(city, message_outbox):
    programme = make_programme(city, limit_per_month=1)
    first, second = open_session(programme, days=7), open_session(programme, days=8)
    if timezone.localtime(first.starts_at).month != timezone.localtime(second.starts_at).month:
        second = open_session(programme, days=6)
    phone = new_phone()
    public_signup(first, message_outbox, phone=phone)
    with pytest.raises(DomainError) as refused:
        public_signup(second, message_outbox, phone=phone)
    assert refused.value.code == E.MONTHLY_LIMIT
    # Cancelling frees the month.
    services.signup_cancel(token=_token_of(first, phone))
    assert public_signup(second, message_outbox, phone=phone)[0].status == SignupStatus.CONFIRMED


def _token_of(session: Session, phone: str) -> str:
    from dolbom.programmes.services.common import link_token
    from dolbom.verification.services import phone_hash

    signup = Signup.objects.get(session=session, phone_hash=phone_hash(phone), status__in=["confirmed", "waiting"])
    return link_token(signup.manage_nonce)


def test_the_monthly_limit_holds_in_the_database_when_two_sessions_race(city):
    programme = make_programme(city, limit_per_month=1)
    a, b = open_session(programme, days=7), open_session(programme, days=7, hours=2)
    month = timezone.localtime(a.starts_at).date().replace(day=1)
    common = dict(programme=programme, status=SignupStatus.CONFIRMED, source="public", name="가", party_size=1,
                  places=1, family_key="same-family", month=month, month_slot=1, created_at=timezone.now())
    Signup.objects.create(session=a, number=1, checkin_code="AAAAAA", manage_nonce="a", manage_token_hash="a", **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(session=b, number=1, checkin_code="BBBBBB", manage_nonce="b", manage_token_hash="b",
                              **common)


def test_sign_up_outside_the_window_is_refused(session, message_outbox):
    Session.objects.filter(pk=session.pk).update(signup_opens_at=timezone.now() + dt.timedelta(days=1))
    session.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        public_signup(session, message_outbox)
    assert refused.value.code == E.NOT_OPEN_YET
    Session.objects.filter(pk=session.pk).update(signup_opens_at=timezone.now() - dt.timedelta(days=2),
                                                 signup_closes_at=timezone.now() - dt.timedelta(minutes=1))
    session.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        public_signup(session, message_outbox)
    assert refused.value.code == E.CLOSED


def test_sign_ups_are_rate_limited_per_phone_and_per_address(session, message_outbox):
    phone = new_phone()
    for _ in range(signup_services.PER_PHONE.per):
        services.signup_start(session=session, name="가", phone=phone, party_size=1, privacy_consent=True)
    with pytest.raises(DomainError) as refused:
        services.signup_start(session=session, name="가", phone=phone, party_size=1, privacy_consent=True)
    assert refused.value.code == E.RATE_LIMITED and refused.value.status_code == 429
    for _ in range(signup_services.PER_ADDRESS.per):
        services.signup_start(session=session, name="가", phone=new_phone(), party_size=1, privacy_consent=True,
                              ip="198.51.100.7")
    with pytest.raises(DomainError) as refused:
        services.signup_start(session=session, name="가", phone=new_phone(), party_size=1, privacy_consent=True,
                              ip="198.51.100.7")
    assert refused.value.code == E.RATE_LIMITED


def test_the_form_needs_the_privacy_consent(session):
    with pytest.raises(DomainError) as refused:
        services.signup_start(session=session, name="가", phone=new_phone(), party_size=1, privacy_consent=False)
    assert refused.value.code == E.PRIVACY_CONSENT_REQUIRED


def _fill(session, outbox, n=10, **kw):
    return [public_signup(session, outbox, **kw) for _ in range(n)]


def test_a_cancellation_offers_the_place_to_the_first_family_whose_whole_party_fits(city, message_outbox):
    programme = make_programme(city, party_counting=PartyCounting.PERSONS, capacity=4)
    session = open_session(programme)
    first, first_token = public_signup(session, message_outbox, party=2)
    public_signup(session, message_outbox, party=2)
    big, _ = public_signup(session, message_outbox, party=3)
    small, _ = public_signup(session, message_outbox, party=2)
    assert (big.status, small.status) == (SignupStatus.WAITING, SignupStatus.WAITING)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.signup_cancel(token=first_token)
    big.refresh_from_db()
    small.refresh_from_db()
    session.refresh_from_db()
    assert big.status == SignupStatus.WAITING, "three people do not fit in two places: they keep their turn"
    assert small.status == SignupStatus.OFFERED and small.offer_expires_at is not None
    assert session.taken == 4, "the offered places are held"
    assert "자리가 났습니다" in message_outbox[-1].text and message_outbox[-1].to == small.phone


def test_an_offer_accepted_confirms_the_family(session, message_outbox):
    rows = _fill(session, message_outbox)
    waiting, waiting_token = public_signup(session, message_outbox)
    services.signup_cancel(token=rows[0][1])
    confirmed = services.offer_accept(token=waiting_token)
    assert confirmed.status == SignupStatus.CONFIRMED and confirmed.was_waiting
    session.refresh_from_db()
    assert session.taken == 10


def test_an_expired_offer_is_passed_over_and_the_next_family_gets_it(session, message_outbox):
    rows = _fill(session, message_outbox)
    first_waiting, first_token = public_signup(session, message_outbox)
    second_waiting, _ = public_signup(session, message_outbox)
    services.signup_cancel(token=rows[0][1])
    first_waiting.refresh_from_db()
    assert first_waiting.status == SignupStatus.OFFERED
    later = first_waiting.offer_expires_at + dt.timedelta(minutes=1)
    assert services.offers_expire(now=later) == 1
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == SignupStatus.PASSED_OVER and first_waiting.month_slot is None
    assert second_waiting.status == SignupStatus.OFFERED
    with pytest.raises(DomainError) as refused:
        services.offer_accept(token=first_token)
    assert refused.value.code == E.NOT_OFFERED
    session.refresh_from_db()
    assert session.taken == 10


def test_accepting_after_the_deadline_passes_the_offer_over_even_before_the_job_runs(session, message_outbox):
    rows = _fill(session, message_outbox)
    waiting, token = public_signup(session, message_outbox)
    services.signup_cancel(token=rows[0][1])
    Signup.objects.filter(pk=waiting.pk).update(offer_expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        services.offer_accept(token=token)
    assert refused.value.code == E.OFFER_EXPIRED
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.PASSED_OVER, "the pass-over is committed despite the refusal"


def test_the_offer_is_shortened_close_to_the_session(city, message_outbox):
    programme = make_programme(city, capacity=1)
    session = open_session(programme, days=1)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + dt.timedelta(hours=10),
                                                 signup_closes_at=timezone.now() + dt.timedelta(hours=9))
    session.refresh_from_db()
    _, token = public_signup(session, message_outbox)
    waiting, _ = public_signup(session, message_outbox)
    services.signup_cancel(token=token)
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.OFFERED
    assert waiting.offer_expires_at <= session.starts_at - waitlist.OFFER_LAST_CALL


def test_no_offer_is_made_when_too_little_time_is_left(city, message_outbox):
    programme = make_programme(city, capacity=1)
    session = open_session(programme, days=2)
    _, token = public_signup(session, message_outbox)
    waiting, _ = public_signup(session, message_outbox)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + dt.timedelta(hours=3, minutes=10))
    services.signup_cancel(token=token)
    waiting.refresh_from_db()
    session.refresh_from_db()
    assert waiting.status == SignupStatus.WAITING and session.taken == 0


def test_moving_on_the_waiting_list_needs_a_reason_and_is_logged(session, librarian, message_outbox):
    _fill(session, message_outbox)
    a, _ = public_signup(session, message_outbox)
    b, _ = public_signup(session, message_outbox)
    with pytest.raises(DomainError) as refused:
        services.waitlist_move(actor=librarian, signup=b, position=1, reason=" ")
    assert refused.value.code == E.REASON_REQUIRED
    services.waitlist_move(actor=librarian, signup=b, position=1, reason="장애 아동 가족 우선 (운영 지침)")
    order = list(Signup.objects.filter(session=session, status=SignupStatus.WAITING).order_by("queue_rank")
                 .values_list("pk", flat=True))
    assert order == [b.pk, a.pk]
    moved = ProgrammeEvent.objects.get(kind=EventKind.MOVED)
    assert moved.actor == librarian and moved.reason.startswith("장애") and moved.data == {
        "position_before": 2, "position_after": 1}


def test_an_override_confirms_out_of_order_only_when_the_party_fits(city, librarian, message_outbox):
    programme = make_programme(city, capacity=2, managers=[librarian])
    session = open_session(programme)
    _fill(session, message_outbox, n=2)
    waiting, _ = public_signup(session, message_outbox)
    with pytest.raises(DomainError) as refused:
        services.signup_confirm_override(actor=librarian, signup=waiting, reason="기관 요청")
    assert refused.value.code == E.DOES_NOT_FIT
    services.session_capacity_set(actor=librarian, session=session, capacity=3, reason="더 큰 방으로 옮김")
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.OFFERED, "the new place went down the waiting list first"


def test_only_the_staff_in_charge_change_a_session(session, officer, message_outbox):
    waiting = _fill(session, message_outbox, n=11)[-1][0]
    with pytest.raises(Forbidden):
        services.waitlist_move(actor=officer, signup=waiting, position=1, reason="사유")


def test_capacity_cannot_go_below_the_places_taken(session, city, message_outbox):
    _fill(session, message_outbox, n=4)
    with pytest.raises(DomainError) as refused:
        services.session_capacity_set(actor=city, session=session, capacity=3, reason="방이 좁음")
    assert refused.value.code == E.CAPACITY_BELOW_TAKEN


def test_cancelling_a_session_frees_every_place_and_tells_every_family(session, city, message_outbox):
    rows = _fill(session, message_outbox, n=12)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.session_cancel(actor=city, session=session, reason="강사 사정")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.taken == 0
    assert set(_statuses(session)) == {SignupStatus.CANCELLED}
    told = {m.to for m in message_outbox if "회차가 취소되었습니다" in m.text}
    assert told == {r[0].phone for r in rows}


def test_reserved_places_go_to_referred_residents_and_are_released_before_the_session(
        city, manager, officer, resident, message_outbox):
    programme = make_programme(city, capacity=3, reserved=1)
    session = open_session(programme)
    _fill(session, message_outbox, n=2)
    public_full, _ = public_signup(session, message_outbox)
    assert public_full.status == SignupStatus.WAITING, "the reserved place is not for the public"
    referred, _ = services.signup_register(actor=manager, session=session, resident=resident, party_size=2,
                                           consent_method="verbal", referred=True)
    assert referred.status == SignupStatus.CONFIRMED and referred.pool == Pool.RESERVED
    session.refresh_from_db()
    assert session.taken == 3 and session.taken_general == 2
    # Nobody else referred, another session: the reserved place is released to the waiting list.
    other = open_session(programme, days=8)
    _fill(other, message_outbox, n=2)
    waiting, _ = public_signup(other, message_outbox)
    assert services.reserve_release(session_id=other.pk, now=other.reserve_release_at + dt.timedelta(minutes=1))
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.OFFERED


def test_staff_sign_a_resident_up_only_with_consent_to_share_with_the_organiser(session, officer, resident):
    with pytest.raises(DomainError) as refused:
        services.signup_register(actor=officer, session=session, resident=resident, party_size=1)
    assert refused.value.code == E.CONSENT_REQUIRED
    assert not Signup.objects.exists()
    signup, _ = services.signup_register(actor=officer, session=session, resident=resident, party_size=1,
                                         consent_method="written")
    consent = Consent.objects.get(resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING)
    assert signup.consent == consent and consent.recipient_code == session.programme.organiser_code
    assert signup.resident == resident and signup.created_by == officer and signup.name == resident.name


def test_staff_outside_the_residents_dong_cannot_sign_them_up(session, other_officer, resident):
    from dolbom.lib.errors import NotFound

    with pytest.raises(NotFound):
        services.signup_register(actor=other_officer, session=session, resident=resident, party_size=1,
                                 consent_method="written")


def test_check_in_by_code_and_closing_attendance_marks_no_shows(session, librarian, message_outbox):
    (came, _), (stayed_home, _) = _fill(session, message_outbox, n=2)
    with pytest.raises(DomainError) as refused:
        services.checkin_by_code(actor=librarian, session=session, code="ZZZZZZ")
    assert refused.value.code == E.CODE_UNKNOWN
    services.checkin_by_code(actor=librarian, session=session, code=came.checkin_code.lower())
    with pytest.raises(DomainError) as too_early:
        services.attendance_close(actor=librarian, session=session)
    assert too_early.value.code == E.SESSION_NOT_STARTED
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    assert services.attendance_close(actor=librarian, session=session) == 1
    assert Signup.objects.get(pk=came.pk).attendance == Attendance.ATTENDED
    assert Signup.objects.get(pk=stayed_home.pk).attendance == Attendance.NO_SHOW


def test_the_day_before_reminder_goes_once(city, message_outbox):
    programme = make_programme(city)
    session = open_session(programme, days=2)
    signup, _ = public_signup(session, message_outbox)
    local = timezone.localtime(session.starts_at)
    at = timezone.make_aware(dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(10, 5)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert signup_services.reminders_send(now=at) == 1
        assert signup_services.reminders_send(now=at) == 0
    assert "내일" in message_outbox[-1].text and signup.checkin_code in message_outbox[-1].text


def test_a_staff_sign_up_of_a_resident_without_a_mobile_phone_is_one_family_per_household(
        session, officer, resident):
    from dolbom.registry.models import Resident

    Resident.objects.filter(pk=resident.pk).update(phone="063-123-4567")
    resident.refresh_from_db()
    signup, _ = services.signup_register(actor=officer, session=session, resident=resident, party_size=1,
                                         consent_method="verbal")
    assert signup.phone == "" and signup.family_key
    spouse = personas.make_resident(officer, name="박철수", household=resident.household, sex="M")
    Resident.objects.filter(pk=spouse.pk).update(phone="")
    spouse.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.signup_register(actor=officer, session=session, resident=spouse, party_size=1, consent_method="verbal")
    assert refused.value.code == E.ALREADY_SIGNED_UP


def test_a_wrong_code_signs_nobody_up(session, message_outbox):
    from dolbom.verification.services import challenge_verify

    phone = new_phone()
    with TestCase.captureOnCommitCallbacks(execute=True):
        challenge = services.signup_start(session=session, name="가", phone=phone, party_size=1, privacy_consent=True)
    right = code_for(message_outbox, phone)
    with pytest.raises(DomainError):
        challenge_verify(token=challenge.token, purpose="programmes.signup", code=f"{(int(right) + 1) % 10**6:06d}")
    with pytest.raises(DomainError) as refused:
        services.signup_apply(session_id=session.pk, challenge_token=challenge.token, name="가", phone=phone,
                              party_size=1)
    assert refused.value.code == VerificationErrorCode.NOT_VERIFIED
    assert not Signup.objects.exists()
    session.refresh_from_db()
    assert session.taken == 0 and session.next_number == 1, "nothing half-written"
