"""Demo: the city-hall book-pillar library's weekend book-play for the current season, a small-library winter
programme open for sign-up now (one session full with a waiting list), a lottery programme taking
applications, and a month of village tax and legal consultation slots with a few bookings.

"The current season" is May to November of this year, or of next year once this year's has ended.
Sign-ups are made through the services (residents at the counter by staff, with consent; public ones as
the public page would make them after the one-time code), so the counters, waiting lists and events are
what the product produces.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.areas.models import Dong
from dolbom.programmes import services
from dolbom.programmes.models import (
    AdviserKind,
    Allocation,
    ConsultationSlot,
    PartyCounting,
    Programme,
    SignupStatus,
    Source,
)
from dolbom.programmes.services.common import session_lock
from dolbom.programmes.services.signups import enter
from dolbom.verification.services import phone_hash

DEMO_DONG = "서신동"
DEMO_USERS = [
    ("librarian", "윤서영", Role.PARTNER, None, "전주시립도서관 책기둥도서관", "책놀이 프로그램 운영 · 입장 확인"),
    ("taxadviser", "김세무", Role.PARTNER, None, "마을세무사 (전주 세무회계)", "마을세무사 · 상담 일정과 결과"),
    ("lawyer", "이변호", Role.PARTNER, None, "마을변호사 (전주 법률사무소)", "마을변호사 · 상담 일정과 결과"),
]
_FAMILY = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권")
_GIVEN = ("민준", "서연", "지호", "하은", "도윤", "수아", "예준", "지우", "시우", "하린", "주원", "서윤")


def season_of(today: dt.date) -> tuple[dt.date, dt.date]:
    year = today.year if today.month <= 11 else today.year + 1
    return dt.date(year, 5, 1), dt.date(year, 11, 30)


def _public(session_id: int, rng: random.Random, n: int) -> None:
    """A family signing up on the public page (their code already typed)."""
    name = rng.choice(_FAMILY) + rng.choice(_GIVEN)
    phone = f"0109{n:03d}{rng.randrange(10000):04d}"[:11]
    with transaction.atomic():
        session = session_lock(session_id)
        assert session is not None
        enter(session, name=name, phone=phone, family_key=phone_hash(phone),
              party_size=rng.randint(1, session.programme.max_party_size), source=Source.PUBLIC, now=timezone.now())


def seed_demo(*, seed: int, out: TextIO) -> None:
    city = User.objects.filter(username="city").first()
    officer = User.objects.filter(username="officer").first()
    dong = Dong.objects.filter(name=DEMO_DONG, valid_to__isnull=True).first()
    if city is None or officer is None or dong is None or Programme.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    librarian = User.objects.filter(username="librarian").first()
    managers = [librarian] if librarian else []

    start, end = season_of(today)
    book_play = services.programme_create(actor=city, data=services.ProgrammeData(
        name="주말 책놀이 (책기둥도서관)", organiser="전주시립도서관", organiser_code="JJ-LIB-CITYHALL",
        venue="전주시청 1층 책기둥도서관", audience="만 13세 미만 자녀를 둔 가족",
        contact="063-281-2000 (책기둥도서관)", rrule="FREQ=MONTHLY;BYDAY=2SA,4SA;BYMONTH=5,6,7,8,9,10,11",
        season_starts_on=start, season_ends_on=end, start_time=dt.time(13, 30), duration_minutes=90, capacity=10,
        reserved=2, party_counting=PartyCounting.FAMILIES, max_party_size=5, limit_per_month=1,
        description="그림책을 함께 읽고 만들기 놀이를 합니다. 가족 단위 참여 (보호자 동반).\n무료 · 회차별 온라인 신청.",
        managers=managers))

    winter = services.programme_create(actor=officer, data=services.ProgrammeData(
        name="서신동 작은도서관 겨울방학 그림책 놀이", organiser="서신동 작은도서관", organiser_code="JJ-LIB-SEOSIN",
        venue="서신동 행정복지센터 3층 작은도서관", audience="초등학생과 보호자", contact="063-239-5000",
        dong=dong, rrule="FREQ=WEEKLY;BYDAY=SA", season_starts_on=today + dt.timedelta(days=1),
        season_ends_on=today + dt.timedelta(days=70), start_time=dt.time(10, 30), duration_minutes=60, capacity=8,
        party_counting=PartyCounting.PERSONS, max_party_size=3, signup_opens_days=28, signup_closes_hours=12,
        description="겨울방학 동안 매주 토요일 오전, 그림책 읽기와 독후 활동.", managers=managers))
    cooking = services.programme_create(actor=city, data=services.ProgrammeData(
        name="어린이 요리교실 (추첨)", organiser="전주시 건강가정지원센터", venue="전주시 건강가정지원센터 요리실",
        audience="초등학생 (보호자 1명 동반)", contact="063-231-1000", rrule="FREQ=MONTHLY;BYDAY=3SU",
        season_starts_on=today + dt.timedelta(days=1), season_ends_on=today + dt.timedelta(days=90),
        start_time=dt.time(14, 0), duration_minutes=120, capacity=6, party_counting=PartyCounting.PERSONS,
        max_party_size=2, allocation=Allocation.LOTTERY, signup_opens_days=30, signup_closes_hours=72,
        managers=managers))

    open_now = [s for s in winter.sessions.order_by("starts_at") if s.signup_opens_at <= timezone.now()
                < s.signup_closes_at]
    counter = 0
    for index, session in enumerate(open_now[:2]):
        # The first open session fills and gets a waiting list; the next one is half full.
        for _ in range(9 if index == 0 else 3):
            counter += 1
            _public(session.pk, rng, counter)
    lottery_sessions = [s for s in cooking.sessions.order_by("starts_at") if s.signup_opens_at <= timezone.now()]
    for session in lottery_sessions[:1]:
        for _ in range(11):
            counter += 1
            _public(session.pk, rng, counter)

    tax = User.objects.filter(username="taxadviser").first()
    lawyer_user = User.objects.filter(username="lawyer").first()
    month_end = (today.replace(day=1) + dt.timedelta(days=62)).replace(day=1) - dt.timedelta(days=1)
    advisers = []
    for name, kind, user, minutes, office in (
            ("김세무", AdviserKind.TAX, tax, 20, "전주 세무회계"), ("이변호", AdviserKind.LEGAL, lawyer_user, 30,
                                                            "전주 법률사무소")):
        adviser = services.adviser_create(actor=city, name=name, kind=kind, venue="서신동 행정복지센터 2층 상담실",
                                          contact="063-239-5000 (서신동 행정복지센터)", organisation=office, dong=dong,
                                          user=user)
        services.schedule_create(actor=city, adviser=adviser, rrule="FREQ=MONTHLY;BYDAY=4MO", starts_on=today,
                                 ends_on=month_end, start_time=dt.time(15), end_time=dt.time(17), slot_minutes=minutes)
        advisers.append(adviser)
    # On-demand hours of the village lawyer (수시 상담), so the month is not one afternoon only.
    tz = timezone.get_current_timezone()
    for offset in (3, 10, 17):
        day = today + dt.timedelta(days=offset)
        for hour in (10, 11):
            services.slot_add(actor=city, adviser=advisers[1], starts_at=dt.datetime.combine(day, dt.time(hour), tz),
                              minutes=30)
    topics = ["종합소득세 신고 방법", "상속받은 집의 세금", "전세 보증금 반환 문제", "임대차 계약 해지", "근로장려금 신청"]
    booked = 0
    for adviser in advisers:
        for slot in ConsultationSlot.objects.filter(adviser=adviser, starts_at__gt=timezone.now()).order_by(
                "starts_at")[:2]:
            services.booking_register(actor=officer, slot=slot, name=rng.choice(_FAMILY) + rng.choice(_GIVEN),
                                      phone=f"0108{rng.randrange(10**7):07d}", topic=rng.choice(topics))
            booked += 1
    waiting = sum(s.signups.filter(status=SignupStatus.WAITING).count() for s in open_now[:1])
    out.write(f"프로그램: 책놀이 {book_play.sessions.count()}회차 ({start:%Y-%m}~{end:%Y-%m}), 겨울 그림책 놀이 "
              f"{winter.sessions.count()}회차 (대기 {waiting}가족), 요리교실 추첨 {cooking.sessions.count()}회차; "
              f"상담 슬롯 {ConsultationSlot.objects.count()}개, 예약 {booked}건\n")
