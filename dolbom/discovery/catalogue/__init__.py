"""The crisis-indicator catalogue: versioned data files, not code.

A version is one file ``indicators_<version>.csv`` next to this module (the latest version wins when none
is named); ``agencies.csv`` names the source agencies and the stem of the file each one sends;
``context.csv`` gives the Korean reason texts of the household features that are not indicators.
Adding a kind of indicator is adding a row: the synthetic sources, the validation, the features, the
model and the reason texts all follow the rows.

Columns of an indicator row:

- ``code``: stable code (``E02``), ``agency``: the agency code of ``agencies.csv``, ``category``: the
  statutory category it belongs to (사회보장급여법 §12 and its decree, the 47 kinds of 2025),
  ``meaning``: Korean description;
- ``measure``: ``months`` (months in arrears), ``amount`` (won) or ``event`` (something happened);
- the threshold that makes a record count as the indicator being present: ``threshold_months``
  (at least), ``amount_min``/``amount_max`` (won, inclusive), ``within_days`` (only records whose
  reference date is at most this many days before the cycle's date are used at all);
- ``features``: which features the indicator yields, ``;``-separated among ``present``, ``months``,
  ``amount``, ``recency``;
- ``reason``: the Korean reason shown to officers, with ``{months}``, ``{amount_manwon}`` or
  ``{recency_days}`` filled from the household's own values;
- ``valid_from``/``valid_to``: the dates the national system used the kind (``valid_to`` empty while it
  is in use).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEASURES = ("months", "amount", "event")
FEATURE_KINDS = ("present", "months", "amount", "recency")
_VERSION_RE = re.compile(r"^indicators_(?P<version>[0-9][0-9A-Za-z.\-]*)\.csv$")


class CatalogueError(ValueError):
    """A catalogue file that cannot be used (bad column, unknown agency, …)."""


@dataclass(frozen=True)
class Indicator:
    code: str
    agency: str
    category: str
    meaning: str
    measure: str
    threshold_months: int | None
    amount_min: int | None
    amount_max: int | None
    within_days: int
    features: tuple[str, ...]
    reason: str
    valid_from: dt.date
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def feature_names(self) -> list[str]:
        return [f"{self.code}_{kind}" for kind in self.features]


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    file_stem: str


@dataclass(frozen=True)
class ContextReason:
    feature: str
    value: str  # empty: any value
    reason: str


@dataclass(frozen=True)
class Catalogue:
    version: str
    indicators: tuple[Indicator, ...]
    agencies: dict[str, Agency]
    context: tuple[ContextReason, ...] = field(default=())

    def active(self, day: dt.date) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.valid_on(day))

    def by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    def for_agency(self, agency: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.agency == agency)

    def agency_for_stem(self, stem: str) -> Agency | None:
        return next((a for a in self.agencies.values() if a.file_stem == stem), None)


def versions(directory: Path = HERE) -> list[str]:
    """Catalogue versions shipped in ``directory``, oldest first."""
    found = [m["version"] for p in directory.iterdir() if (m := _VERSION_RE.match(p.name))]
    return sorted(found, key=_version_key)


def _version_key(v: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-]", v))


def load_catalogue(version: str | None = None, *, directory: Path | str | None = None) -> Catalogue:
    """Load catalogue ``version`` (the latest when None) from the package or from ``directory``."""
    where = Path(directory) if directory is not None else HERE
    available = versions(where)
    if not available:
        raise CatalogueError(f"no indicators_<version>.csv in {where}")
    version = version or available[-1]
    if version not in available:
        raise CatalogueError(f"unknown catalogue version {version!r} (have {', '.join(available)})")
    agencies_path = where / "agencies.csv" if (where / "agencies.csv").exists() else HERE / "agencies.csv"
    context_path = where / "context.csv" if (where / "context.csv").exists() else HERE / "context.csv"
    agencies = {row["agency"]: Agency(row["agency"], row["name"], row["file_stem"]) for row in _rows(agencies_path)}
    context = tuple(ContextReason(r["feature"], r["value"], r["reason"]) for r in _rows(context_path))
    indicators = tuple(_indicator(row, agencies, n) for n, row in enumerate(_rows(where / f"indicators_{version}.csv"), 2))
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes):
        raise CatalogueError("duplicate indicator code")
    return Catalogue(version=version, indicators=indicators, agencies=agencies, context=context)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _int(value: str) -> int | None:
    return int(value) if value else None


def _indicator(row: dict[str, str], agencies: dict[str, Agency], line: int) -> Indicator:
    try:
        features = tuple(f for f in row["features"].split(";") if f)
        ind = Indicator(
            code=row["code"], agency=row["agency"], category=row["category"], meaning=row["meaning"],
            measure=row["measure"], threshold_months=_int(row["threshold_months"]),
            amount_min=_int(row["amount_min"]), amount_max=_int(row["amount_max"]),
            within_days=int(row["within_days"]), features=features, reason=row["reason"],
            valid_from=dt.date.fromisoformat(row["valid_from"]),
            valid_to=dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
        )
    except (KeyError, ValueError) as exc:
        raise CatalogueError(f"line {line}: {exc}") from exc
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,7}", ind.code):
        raise CatalogueError(f"line {line}: bad code {ind.code!r}")
    if ind.agency not in agencies:
        raise CatalogueError(f"line {line}: unknown agency {ind.agency!r}")
    if ind.measure not in MEASURES:
        raise CatalogueError(f"line {line}: measure must be one of {MEASURES}")
    bad = [f for f in features if f not in FEATURE_KINDS]
    if bad or "present" not in features:
        raise CatalogueError(f"line {line}: features must include 'present' and be among {FEATURE_KINDS}")
    if ("months" in features and ind.measure != "months") or ("amount" in features and ind.measure != "amount"):
        raise CatalogueError(f"line {line}: a {ind.measure} indicator cannot yield {features}")
    return ind
