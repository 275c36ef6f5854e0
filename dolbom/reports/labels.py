"""Korean names of what the reports pages group and cut by (the apps, the dimensions and their values)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dolbom.registry.models import Sex, TargetGroup

# The order the dashboards show the apps in: the population first, then the case workflow and its domains.
APP_LABELS = {
    "registry": _("Population"),
    "cases": _("Cases"),
    "referrals": _("Referrals"),
    "meetings": _("Integrated support meetings"),
    "visits": _("Home visits"),
    "checkins": _("Check-in calls"),
    "discovery": _("Crisis discovery"),
    "safety": _("Emergency safety service"),
    "programmes": _("Community programmes"),
    "subsidies": _("Subsidy programmes"),
    "inspections": _("Hygiene inspections"),
}
DIMENSION_LABELS = {"dong": _("Dong"), "month": _("Month"), "age_band": _("Age band"), "sex": _("Sex"),
                    "target_group": _("Target group")}
_VALUES = {
    "sex": {s.value: s.label for s in Sex},
    "target_group": {**{t.value: t.label for t in TargetGroup}, "none": _("Not a target group")},
    "age_band": {"0-64": _("Under 65"), "65-74": _("65–74"), "75-84": _("75–84"), "85+": _("85 and over")},
}


def value_label(dim: str, value: str) -> str:
    return str(_VALUES.get(dim, {}).get(value, value))
