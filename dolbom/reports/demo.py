"""The reports demo: two years of activity history behind the demo's own cases, the figures computed, and
an annual plan signed off for this year with next year's in draft.

``dolbom demo`` runs this last among the domains (INSTALLED_APPS order): the other apps have made their
cases, visits and calls of today; this adds the past months (reports/synthetic.py) so that the dashboards
have a trend and the plan has last year's results, then runs the full refresh once. The team lead's login
signs off the plan (the ``reports.sign_annual_plan`` permission).
"""

from __future__ import annotations

from typing import TextIO

from django.contrib.auth.models import Permission, User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.lib.metrics import indicator_get
from dolbom.reports import services
from dolbom.reports.models import AnnualPlan
from dolbom.reports.refresh import refresh
from dolbom.reports.synthetic import generate_activity

DEMO_USERS = [
    ("teamlead", "윤서준", Role.CITY_TEAM, None, "전주시 통합돌봄과", "통합돌봄과 팀장 · 연간계획 결재, 통계"),
]
TEAM_LEAD = "teamlead"
HISTORY_MONTHS = 24

NARRATIVE = {
    "overview": ("돌봄통합지원법 시행(2026. 3. 27.)에 따라 전주시는 노쇠·장애·질병으로 일상생활에 어려움이 있는 시민이 살던 곳에서 "
                 "건강하게 지낼 수 있도록 보건의료·장기요양·일상생활돌봄·주거를 통합 지원한다.\n\n"
                 "35개 동(2025. 3. 10. 금암1·2동 통합 후 34개 동) 행정복지센터를 중심으로 신청·조사·종합판정·개인별 "
                 "지원계획·모니터링을 표준화하고, 통합지원회의에서 복합 사례를 결정한다."),
    "population": "65세 이상 1인 가구가 많은 동부터 방문과 안부 확인을 늘린다. 표의 수치는 공표 기준에 따라 5 미만은 가렸다.",
    "services": "방문간호·방문진료·식사 지원 기관이 부족한 동은 권역 협약으로 보완한다.",
    "targets": "전년도 실적을 기준으로 모니터링 적기율과 안부전화 응답률을 높이고, 기한이 지난 의뢰를 줄인다.",
    "results": "전년도 목표 대비 실적을 점검하고, 미달 지표는 원인과 개선 계획을 함께 보고한다.",
    "dongs": "동별 편차가 큰 지표는 동 통합돌봄회의체에서 원인을 논의한다.",
    "next": "의료-돌봄 연계(퇴원환자 연계)와 주거 개선 자원을 확충한다.",
}


def _rate(households: int) -> float:
    """How busy the demo city is: a small city gets more activity per household, so that a dong's month
    has figures above the small-cell limit to show (a real city's dong has thousands of households)."""
    return max(2.0, min(8.0, 30_000 / max(households, 1)))


def _targets(baseline: dict) -> list[dict]:
    out = []
    for key, base in baseline.items():
        value = base.get("value")
        if value is None:
            continue
        better = indicator_get(key).higher_is_better
        factor = 1.05 if better else 0.9 if better is False else 1.0
        out.append({"indicator": key, "target": round(value * factor, 1), "note": ""})
    return out


def seed_demo(*, seed: int, out: TextIO, households: int = 5000) -> None:
    lead = User.objects.get(username=TEAM_LEAD)
    lead.user_permissions.add(Permission.objects.get(codename="sign_annual_plan", content_type__app_label="reports"))
    lead = User.objects.get(pk=lead.pk)  # a fresh instance: the permission cache of the old one is stale
    generate_activity(months=HISTORY_MONTHS, seed=seed, rate=_rate(households), out=out)
    run = refresh(full=True)
    out.write(f"통계 갱신: 지표 {run.indicators}개, 공표 값 {run.cells:,}개 ({run.seconds:.1f}초)\n")
    year = timezone.localdate().year
    if not AnnualPlan.objects.filter(year=year).exists():
        plan = services.plan_create(actor=lead, year=year)
        first = plan.versions.get(number=1)
        services.plan_version_save(actor=lead, plan=plan, base_number=1, narrative=NARRATIVE,
                                   targets=_targets(first.figures.get("baseline", {})), note="초안 작성")
        services.plan_sign(actor=lead, plan=plan, number=2)
    if not AnnualPlan.objects.filter(year=year + 1).exists():
        plan = services.plan_create(actor=lead, year=year + 1)
        services.plan_version_save(actor=lead, plan=plan, base_number=1,
                                   narrative={"overview": NARRATIVE["overview"]},
                                   targets=_targets(plan.versions.get(number=1).figures.get("baseline", {})),
                                   note="다음 해 계획 초안")
    out.write(f"연간계획: {year}년 결재 완료, {year + 1}년 초안\n")
