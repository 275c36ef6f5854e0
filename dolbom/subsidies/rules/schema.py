"""The shape of a rule set: what a city officer fills in for a programme, stored as JSON on RuleSet.

Every condition and amount is a CEL expression over the facts of ``facts.py`` and the programme's own
declared facts. The schema only checks the shape; ``compiled.compile_rules`` checks that each expression
parses, uses known facts and has the right type.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KEY = r"^[a-z][a-z0-9_]{0,39}$"
FactType = Literal["int", "double", "string", "bool", "list"]
SelectionMode = Literal["score", "lottery", "first_come", "delivery_order"]
# What a tie-break may order by besides a fact: the receipt time, the delivery / registration date of a
# vehicle, and the published draw (hash of the seed and the receipt number).
TIE_FIELDS = ("received_at", "delivered_on", "lottery")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FactDef(_Strict):
    """A fact the applicant declares for this programme (building type, vehicle price), proved by a document."""

    key: str = Field(pattern=KEY)
    type: FactType
    label: str = Field(min_length=1, max_length=80)
    choices: dict[str, str] = Field(default_factory=dict)  # stored value -> Korean label
    unit: str = ""
    document: str = ""  # the document kind that proves it (a key of ``documents``)
    min: float | None = None
    max: float | None = None
    # What the fact is when the applicant leaves it empty (no roof replacement wanted: its cost is 0);
    # without a default an empty fact is asked for in a supplement request.
    default: bool | int | float | str | None = None


class Rule(_Strict):
    """An eligibility requirement. ``when`` false: the requirement does not apply to this applicant."""

    key: str = Field(pattern=KEY)
    label: str = Field(min_length=1, max_length=120)
    rule: str = Field(min_length=1, max_length=2000)
    when: str = "true"
    pass_text: str = ""  # plain Korean, joined into the decision's explanation
    fail_text: str = ""
    legal_basis: str = ""
    # A means requirement (the applicant can bear their own share): failing it is a refusal for lack of
    # means, which is passed to the dong welfare team when the applicant agreed.
    means: bool = False


class AmountTier(_Strict):
    """The first tier whose ``when`` holds sets the base amount (won)."""

    key: str = Field(pattern=KEY)
    label: str = Field(min_length=1, max_length=120)
    when: str = "true"
    value: str = Field(min_length=1, max_length=2000)
    explain: str = ""


class TopUp(_Strict):
    """Added to the base amount when ``when`` holds (a top-up for vulnerable households)."""

    key: str = Field(pattern=KEY)
    label: str = Field(min_length=1, max_length=120)
    when: str
    value: str = Field(min_length=1, max_length=2000)
    explain: str = ""


class Amount(_Strict):
    tiers: list[AmountTier] = Field(min_length=1)
    top_ups: list[TopUp] = Field(default_factory=list)
    cap: str = ""  # an overall cap (CEL, won), e.g. the per-building limit
    round_down_to: int = Field(default=1, ge=1, le=1_000_000)  # 10 won, 1,000 won


class ScoreRule(_Strict):
    key: str = Field(pattern=KEY)
    label: str = Field(min_length=1, max_length=120)
    when: str
    points: int = Field(ge=-1000, le=1000)
    explain: str = ""


class TieBreak(_Strict):
    by: str  # a fact key, or one of TIE_FIELDS
    order: Literal["asc", "desc"] = "asc"


class PriorityGroup(_Strict):
    """Applicants for whom part of a category is reserved (the EV notice: at least 10%), until release_on."""

    key: str = Field(pattern=KEY)
    label: str = Field(min_length=1, max_length=120)
    when: str
    category: str = ""  # a category code; empty: every category
    reserved_share: float = Field(gt=0, le=1)
    release_on: dt.date | None = None  # from this day unused reserved places join the general pool


class DocumentDef(_Strict):
    key: str = Field(pattern=KEY)
    label: str = Field(min_length=1, max_length=120)
    required_when: str = "true"
    proves: list[str] = Field(default_factory=list)  # facts it proves (e.g. residence_since)


class Definition(_Strict):
    facts: list[FactDef] = Field(default_factory=list)
    eligibility: list[Rule] = Field(min_length=1)
    amount: Amount
    score: list[ScoreRule] = Field(default_factory=list)
    selection_mode: SelectionMode = "first_come"
    tie_breaks: list[TieBreak] = Field(default_factory=list)
    priority_groups: list[PriorityGroup] = Field(default_factory=list)
    documents: list[DocumentDef] = Field(default_factory=list)

    @field_validator("facts", "eligibility", "score", "priority_groups", "documents")
    @classmethod
    def _unique_keys(cls, items: list) -> list:
        keys = [i.key for i in items]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"duplicate keys: {', '.join(dupes)}")
        return items

    @model_validator(mode="after")
    def _documents_known(self) -> Definition:
        docs = {d.key for d in self.documents}
        unknown = sorted({f.document for f in self.facts if f.document and f.document not in docs})
        if unknown:
            raise ValueError(f"facts name unknown documents: {', '.join(unknown)}")
        return self
