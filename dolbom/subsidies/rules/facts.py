"""The facts a rule may read, and where each comes from.

The registry has no benefit status and no "resident since" date (registry/models.py), and its owner keeps
it that way; so the facts an application needs are kept on the application, each with its source:

- ``registry``: checked against the resident's registry record (birth date, dong, household, disability);
- ``survey``: the benefits recorded in the resident's latest needs survey (cases.NeedsSurvey);
- ``history``: this app's own records (support already received from a programme of the same kind);
- ``declared``: stated by the applicant and proved by a document the officer accepts.

A programme adds its own declared facts (building type, vehicle price) in its rule set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext_lazy as _

Source = Literal["application", "registry", "survey", "history", "declared"]


@dataclass(frozen=True)
class StandardFact:
    key: str
    type: str
    label: object  # Korean, lazily translated
    sources: tuple[Source, ...]  # where it may come from, best first
    document: str = ""  # the document that proves it when declared
    choices: dict[str, object] = field(default_factory=dict)
    unit: str = ""


INCOME_TIERS = {
    "basic": _("Basic livelihood recipient"),
    "near_poor": _("Near-poverty household"),
    "general": _("General household"),
}
# How the tiers read in a decision's explanation (the national thresholds, as a share of median income).
INCOME_TIER_EXPLAINED = {
    "basic": "기초생활수급자(중위소득 32% 이하)",
    "near_poor": "차상위계층(중위소득 50% 이하)",
    "general": "일반 가구",
}

STANDARD_FACTS: dict[str, StandardFact] = {f.key: f for f in (
    StandardFact("category", "string", _("Category applied for"), ("application",)),
    StandardFact("age", "int", _("Age (full years)"), ("registry", "declared"), unit="세"),
    StandardFact("in_city", "bool", _("Registered resident of the city"), ("registry", "declared"),
                 document="resident_register"),
    StandardFact("dong", "string", _("Dong"), ("registry", "declared")),
    StandardFact("residence_months", "int", _("Months of residence in the city"), ("declared",),
                 document="resident_register", unit="개월"),
    StandardFact("household_size", "int", _("Household members"), ("registry", "declared"), unit="명"),
    StandardFact("income_tier", "string", _("Income tier"), ("survey", "declared"), document="income_proof",
                 choices=INCOME_TIERS),
    StandardFact("has_disability", "bool", _("Person with a severe disability"), ("registry", "declared"),
                 document="disability_proof"),
    StandardFact("lives_alone", "bool", _("Lives alone"), ("registry", "declared")),
    StandardFact("prior_support_count", "int", _("Support already received from this kind of programme"),
                 ("history",), unit="회"),
)}

# Facts computed from others before the rules run (the reference date is the round's announcement day).
DERIVED_FROM = {"age": "birth_date", "residence_months": "resident_since"}
# Dates an applicant states, kept as ISO text: they feed derived facts or the order of a selection
# (delivered_on: the delivery / registration date of a vehicle), never a rule directly.
DATE_INPUTS = ("birth_date", "resident_since", "delivered_on")
