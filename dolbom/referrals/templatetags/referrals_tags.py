"""The referrals box on the case page (the case was already opened through case_get, which logged it)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from dolbom.accounts.scope import can_write_cases
from dolbom.referrals.selectors import case_referrals as _case_referrals

register = template.Library()


@register.inclusion_tag("referrals/_case_referrals.html", takes_context=True)
def case_referrals(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"case": case, "referrals": list(_case_referrals(case=case)), "today": timezone.localdate(),
            "can_refer": can_write_cases(user) and not case.is_closed, "request": context["request"]}
