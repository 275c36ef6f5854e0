"""Demo: the synthetic city's service catalogue and referrals in every state for the demo dong's cases.

Referrals are made through the real services (consent first, then referral, then the provider's answers),
so the timelines show exactly what the product writes.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import Role, StaffProfile
from dolbom.cases.models import Case, CaseStatus, SupportPlanLine
from dolbom.referrals import services
from dolbom.referrals.catalogue import catalogue_load
from dolbom.referrals.models import Institution, Referral, Service
from dolbom.registry.models import ConsentPurpose
from dolbom.registry.services import consent_record

DEMO_INSTITUTION = "JJ-HN-001"  # 전주 방문간호센터: the demo partner login works there
DEMO_HOSPITAL = "JJ-HP-001"     # 전주 새봄병원: its worker sends discharge notices

DEMO_USERS = [
    ("hospital", "오지현", Role.PARTNER, None, "전주 새봄병원", "병원 퇴원 연계 담당 (퇴원 통보)"),
]

# What happens to each demo referral to the demo institution, in order.
OTHER_SERVICES = ["SV-MD-001", "SV-HC-201", "SV-HR-002", "SV-SF-001"]
STATES = ["requested_overdue", "requested", "accepted", "started", "completed", "declined"]


def _share(actor: User, case: Case, inst: Institution) -> None:
    consent_record(actor=actor, resident=case.resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                   recipient=inst.name, recipient_code=inst.code, note="서비스 연계 동의 (데모)")


def _advance(referral: Referral, partner: User, state: str, today: dt.date) -> None:
    if state == "requested_overdue":
        Referral.objects.filter(pk=referral.pk).update(
            created_at=timezone.now() - dt.timedelta(days=6), respond_by=today - dt.timedelta(days=3))
        return
    if state == "requested":
        return
    if state == "declined":
        services.referral_decline(actor=partner, referral=referral, reason="해당 지역 방문 인력 부족으로 2주 후 재의뢰 요청")
        return
    services.referral_accept(actor=partner, referral=referral)
    if state == "accepted":
        return
    services.referral_start(actor=partner, referral=referral, started_on=today - dt.timedelta(days=14))
    for days in (10, 3):
        services.delivery_record(actor=partner, referral=referral, on=today - dt.timedelta(days=days),
                                 note="혈압·혈당 측정, 복약 확인")
    if state == "completed":
        services.referral_complete(actor=partner, referral=referral, outcome="혈압 안정, 자가 관리 가능해 종료")


def _line_for(case: Case, service: Service) -> SupportPlanLine | None:
    """The line of the case's current plan that plans this service, if one does (by its name)."""
    plan = max(case.plans.all(), key=lambda p: p.version, default=None)
    for line in plan.lines.all() if plan else ():
        if service.name in line.content or line.content in service.name:
            return line
    return None


@transaction.atomic
def seed_demo(*, seed: int, out: TextIO) -> None:
    rng = random.Random(seed)
    insts, svcs = catalogue_load()
    StaffProfile.objects.filter(user__username="partner").update(institution_code=DEMO_INSTITUTION)
    StaffProfile.objects.filter(user__username="hospital").update(institution_code=DEMO_HOSPITAL)
    partner = User.objects.filter(username="partner").first()
    manager = User.objects.filter(username="manager").first()
    if partner is None or manager is None:
        out.write(f"서비스 연계: 기관 {insts}곳, 서비스 {svcs}개 (데모 의뢰 없음)\n")
        return
    today = timezone.localdate()
    nursing = Service.objects.get(code="SV-HN-001")
    others = list(Service.objects.filter(code__in=OTHER_SERVICES).select_related("institution"))
    # The demo case manager's own cases first, then cases in service elsewhere (referred by their managers).
    cases = list(Case.objects.filter(status=CaseStatus.IN_SERVICE).select_related("resident", "manager")
                 .prefetch_related("plans__lines").order_by("pk"))
    # The demo manager's own cases first, and among them those whose plan has a home-nursing line: a
    # nursing referral is made from that line, never from another (a meal-delivery line, say).
    cases = sorted(cases, key=lambda c: (c.manager_id != manager.pk, _line_for(c, nursing) is None, c.pk))[:12]
    made = 0
    for i, case in enumerate(cases):
        if i < len(STATES):
            line = _line_for(case, nursing)
            _share(case.manager, case, nursing.institution)
            referral = services.referral_create(actor=case.manager, case=case, service=nursing, plan_line=line,
                                                note="주 1회 방문간호 요청 (혈압 관리)")
            _advance(referral, partner, STATES[i], today)
            made += 1
        elif others:
            svc = rng.choice(others)
            _share(case.manager, case, svc.institution)
            services.referral_create(actor=case.manager, case=case, service=svc, plan_line=_line_for(case, svc))
            made += 1
    out.write(f"서비스 연계: 기관 {insts}곳, 서비스 {svcs}개, 데모 의뢰 {made}건\n")
