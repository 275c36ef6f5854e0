"""Discharge intake (퇴원환자 연계): a hospital's or facility's notice that a person goes home lands as a
discovered case in the right dong.

Kept apart from the referral loop: it writes the registry and opens cases on behalf of the dong office,
which a referral never does.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from dolbom.accounts.models import Role, StaffProfile
from dolbom.accounts.scope import profile
from dolbom.areas.models import BoundaryArea, Dong
from dolbom.areas.selectors import dong_for_area
from dolbom.audit.services import access_denied_write
from dolbom.cases.models import Case, CaseOrigin, CaseStatus
from dolbom.cases.services import case_discover
from dolbom.lib import rrn as rrn_lib
from dolbom.lib.errors import DomainError, Forbidden, TooManyRequests
from dolbom.lib.hangul import nfc
from dolbom.lib.ratelimit import Limit, hit
from dolbom.referrals import events
from dolbom.referrals.errors import ReferralErrorCode
from dolbom.referrals.models import DischargeNotice
from dolbom.referrals.selectors import institution_of
from dolbom.registry.models import CITY_RECIPIENT, ConsentPurpose, Resident
from dolbom.registry.services import consent_record, household_create, resident_create


def _dong_receiver(dong: Dong) -> User:
    """Who receives a discharge notice: the dong's case manager with the fewest open cases, else its officer."""
    for role in (Role.CASE_MANAGER, Role.DONG_OFFICER):
        staff = (StaffProfile.objects.filter(role=role, dong=dong, user__is_active=True)
                 .annotate(open_cases=Count("user__managed_cases",
                                            filter=~Q(user__managed_cases__status=CaseStatus.CLOSED)))
                 .order_by("open_cases", "pk").select_related("user").first())
        if staff is not None:
            return staff.user
    raise DomainError(ReferralErrorCode.NO_DONG_WORKER)


# A hospital's account sends a few notices a day; more in an hour is a script probing the registry.
NOTICES_PER_HOUR = Limit("referrals.discharge.sender", per=30, seconds=3600)


def _same_name(a: str, b: str) -> bool:
    return nfc("".join(a.split())) == nfc("".join(b.split()))


def _identify(*, actor: User, name: str, birth_date: dt.date, rrn: str) -> tuple[rrn_lib.RRN, Resident | None]:
    """The person of a notice, by registration number only, and only when name and birth date agree with it.

    Not by name and birth date (two people share them, and a guess would attach the notice to a stranger),
    and never an answer that tells a sender whether someone is registered or where: a mismatch is refused
    with one code whatever disagreed, a new and a known person are received alike. The mismatch on a
    registered number is an attempt on that person's record: logged DENIED for the auditor."""
    if not rrn:
        raise DomainError(ReferralErrorCode.RRN_REQUIRED)
    try:
        number = rrn_lib.parse(rrn)
    except rrn_lib.InvalidRRN as exc:
        raise DomainError(ReferralErrorCode.RRN_INVALID) from exc
    if number.birth_date != birth_date:
        raise DomainError(ReferralErrorCode.IDENTITY_MISMATCH)
    resident = Resident.objects.filter(
        rrn_index__in=rrn_lib.blind_indexes(number.digits, settings.RRN_INDEX_KEYS)).first()  # any key of the ring
    if resident is not None and not _same_name(resident.name, name):
        access_denied_write(actor=actor, record_type="discharge_notice", record_id=resident.pk,
                            resident_id=resident.pk)
        raise DomainError(ReferralErrorCode.IDENTITY_MISMATCH)
    return number, resident


@transaction.atomic
def discharge_notify(
    *, actor: User, name: str, birth_date: dt.date, area: BoundaryArea, road_address: str, phone: str = "",
    address_detail: str = "", rrn: str = "", discharge_on: dt.date | None = None, consent_given: bool = False,
    note: str = "",
) -> DischargeNotice:
    """A person goes home from a hospital, long-term-care facility or disability residence: the notice
    lands as a discovered case in the dong valid today for the address, assigned to that dong's worker.

    The partner worker cannot write the registry or open cases, and must not read them; the dong's
    receiving worker is the accountable actor of those writes (as if they had taken the call), while
    the notice itself keeps who sent it."""
    institution = institution_of(actor)
    if institution is None or not institution.sends_discharge_notices:
        raise Forbidden(ReferralErrorCode.NOT_A_DISCHARGE_INSTITUTION)
    if not hit(NOTICES_PER_HOUR, str(actor.pk)):
        raise TooManyRequests(ReferralErrorCode.TOO_MANY_NOTICES)
    name = nfc(name.strip())
    if not name:
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="name")
    if not road_address.strip():
        raise DomainError(ReferralErrorCode.FIELD_REQUIRED, field="road_address")
    today = timezone.localdate()
    number, resident = _identify(actor=actor, name=name, birth_date=birth_date, rrn=rrn.strip())
    matched = resident is not None
    if resident is None:
        dong = dong_for_area(area=area, day=today)
        receiver = _dong_receiver(dong)
        household = household_create(actor=receiver, number=f"D-{uuid.uuid4().hex[:16]}",
                                     road_address=road_address.strip(), address_detail=address_detail.strip(),
                                     area=area, on=today)
        resident = resident_create(actor=receiver, name=name, rrn=number.digits, household=household,
                                   phone=phone.strip())
    else:
        receiver = _dong_receiver(resident.dong)
    sender = profile(actor)
    origin_note = f"{institution.name} {sender.display_name if sender else ''} 퇴원 통보".strip()
    if note.strip():
        origin_note = f"{origin_note}: {note.strip()}"[:300]
    if consent_given:
        consent_record(actor=receiver, resident=resident, purpose=ConsentPurpose.CASE_MANAGEMENT,
                       recipient=CITY_RECIPIENT, method="institution",
                       note=f"{institution.name} 퇴원 연계 통보 시 본인 동의"[:200])
    case = (Case.objects.filter(resident=resident).exclude(status=CaseStatus.CLOSED).order_by("-opened_at").first())
    if case is None:
        case = case_discover(actor=receiver, resident=resident, origin=CaseOrigin.HOSPITAL_DISCHARGE,
                             note=origin_note, manager=receiver)
    else:
        events.discharge_notice_on_open_case(case=case, actor=receiver, institution=institution.name, note=origin_note)
    return DischargeNotice.objects.create(
        institution=institution, sent_by=actor, discharge_on=discharge_on or today, consent_given=consent_given,
        note=note.strip(), case=case, matched_existing=matched,
    )
