"""The shipped checklist and ATP instruments (``data/``), validated and written as rows.

The same functions serve the data migration (with the historical models it passes in) and the
``dolbom inspections load-template FILE`` command for a new checklist version, so a file the command
refuses would have been refused by the migration too.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

SEVERITIES = ("critical", "major", "minor")
ANSWER_KINDS = ("yes_no", "measured")
SURFACES = ("", "cutting_board", "knife", "counter", "hands", "plates")


class CatalogueError(ValueError):
    pass


def shipped(name: str) -> dict[str, Any]:
    return json.loads(resources.files("dolbom.inspections").joinpath(f"data/{name}").read_text("utf-8"))


def validate_template(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The template's items, normalised; CatalogueError with the first problem found."""
    for key in ("code", "version", "title", "items"):
        if key not in data:
            raise CatalogueError(f"'{key}' is missing")
    if not isinstance(data["version"], int) or data["version"] < 1:
        raise CatalogueError("'version' must be a positive whole number")
    items = data["items"]
    if not isinstance(items, list) or not items:
        raise CatalogueError("'items' must be a non-empty list")
    seen: set[str] = set()
    out = []
    for n, raw in enumerate(items, 1):
        where = f"item {n}"
        code = str(raw.get("code", "")).strip()
        if not code or code in seen:
            raise CatalogueError(f"{where}: 'code' is missing or repeated")
        seen.add(code)
        for key in ("section", "text", "legal_basis"):
            if not str(raw.get(key, "")).strip():
                raise CatalogueError(f"{where} ({code}): '{key}' is missing")
        severity = raw.get("severity")
        if severity not in SEVERITIES:
            raise CatalogueError(f"{where} ({code}): 'severity' must be one of {', '.join(SEVERITIES)}")
        kind = raw.get("answer_kind", "yes_no")
        if kind not in ANSWER_KINDS:
            raise CatalogueError(f"{where} ({code}): 'answer_kind' must be yes_no or measured")
        limit = None
        if kind == "measured":
            if raw.get("limit_op") not in ("le", "ge"):
                raise CatalogueError(f"{where} ({code}): a measured item needs 'limit_op' le or ge")
            try:
                limit = Decimal(str(raw.get("limit_value")))
            except ArithmeticError as exc:
                raise CatalogueError(f"{where} ({code}): 'limit_value' must be a number") from exc
            if not raw.get("unit"):
                raise CatalogueError(f"{where} ({code}): a measured item needs a 'unit'")
        out.append({
            "number": n, "code": code, "section": raw["section"].strip(), "text": raw["text"].strip(),
            "severity": severity, "answer_kind": kind, "unit": raw.get("unit", "") if kind == "measured" else "",
            "limit_op": raw.get("limit_op", "") if kind == "measured" else "", "limit_value": limit,
            "na_allowed": bool(raw.get("na_allowed", False)), "legal_basis": raw["legal_basis"].strip(),
            "statutory": bool(raw.get("statutory", False)), "guidance": str(raw.get("guidance", "")).strip(),
        })
    return out


def write_template(Template: Any, Item: Any, data: dict[str, Any], *, published_at: Any) -> Any:  # noqa: N803
    """Create the version as the current one of its code (the previous current version stays, retired)."""
    items = validate_template(data)
    if Template.objects.filter(code=data["code"], version=data["version"]).exists():
        raise CatalogueError(f"version {data['version']} of '{data['code']}' exists already")
    latest = Template.objects.filter(code=data["code"]).order_by("-version").first()
    if latest is not None and data["version"] <= latest.version:
        raise CatalogueError(f"version must be above {latest.version}")
    Template.objects.filter(code=data["code"], current=True).update(current=False)
    template = Template.objects.create(code=data["code"], version=data["version"], title=data["title"],
                                       note=data.get("note", ""), published_at=published_at, current=True)
    Item.objects.bulk_create([Item(template=template, **item) for item in items])
    return template


def validate_limits(pass_max: Any, caution_max: Any) -> tuple[int, int]:
    try:
        p, c = int(pass_max), int(caution_max)
    except (TypeError, ValueError) as exc:
        raise CatalogueError("limits must be whole numbers of RLU") from exc
    if p < 0 or c < p:
        raise CatalogueError("0 ≤ pass_max ≤ caution_max")
    return p, c


def write_instruments(Instrument: Any, Threshold: Any, data: dict[str, Any]) -> None:  # noqa: N803
    for raw in data["instruments"]:
        instrument, _ = Instrument.objects.get_or_create(model=raw["model"], defaults={"maker": raw["maker"]})
        for t in raw["thresholds"]:
            if t.get("surface", "") not in SURFACES:
                raise CatalogueError(f"{raw['model']}: unknown surface {t.get('surface')!r}")
            p, c = validate_limits(t["pass_max"], t["caution_max"])
            Threshold.objects.update_or_create(instrument=instrument, surface=t.get("surface", ""),
                                               defaults={"pass_max": p, "caution_max": c,
                                                         "source": t.get("source", "")})
