"""Loading Jeonju's dongs over time from the shipped data (see data/ATTRIBUTION.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from importlib import resources

# Before this date the boundary file's dongs were already in place (2021-04 boundaries).
BOUNDARY_BASELINE = dt.date(2019, 10, 1)
PROVINCE_RENAME = dt.date(2024, 1, 18)
GEUMAM_MERGE = dt.date(2025, 3, 10)


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("dolbom.areas").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def load_dongs(Dong, BoundaryArea) -> None:  # noqa: N803 - historical models passed by the migration
    """Idempotent: creates the 35 original dongs, their areas and 금암동 (from 2025-03-10)."""
    rows = _read("jeonju_dongs.csv")
    merges = [c for c in _read("jeonju_dong_changes.csv") if c["change"] == "merge"]
    merged_codes = {code for m in merges for code in m["from_adm_cd2"].split(";")}
    by_code = {}
    for r in rows:
        old_code = r["adm_cd2"]
        dong, _ = Dong.objects.update_or_create(
            key=f"k{r['adm_cd']}",
            defaults=dict(
                name=r["dong"], gu=r["gu"], kostat_code=r["adm_cd"],
                mois_code_before_2024=old_code, mois_code="52" + old_code[2:],
                valid_from=BOUNDARY_BASELINE,
                valid_to=(GEUMAM_MERGE - dt.timedelta(days=1)) if old_code in merged_codes else None,
                centroid_lon=float(r["centroid_lon"]), centroid_lat=float(r["centroid_lat"]),
                area_km2=float(r["area_km2"]),
            ),
        )
        by_code[old_code] = dong
        BoundaryArea.objects.update_or_create(
            kostat_code=r["adm_cd"], defaults=dict(name=r["dong"], original_dong=dong),
        )
    for m in merges:
        parts = [by_code[c] for c in m["from_adm_cd2"].split(";")]
        total = sum(p.area_km2 for p in parts)
        successor, _ = Dong.objects.update_or_create(
            key="merge-" + "-".join(p.kostat_code for p in parts),
            defaults=dict(
                name=m["to_name"], gu=parts[0].gu,
                # The merged dong's official code is not in our sources: left blank, not invented.
                mois_code=m["to_adm_cd2"], mois_code_before_2024="", kostat_code="",
                valid_from=dt.date.fromisoformat(m["effective_date"]), valid_to=None,
                centroid_lon=sum(p.centroid_lon * p.area_km2 for p in parts) / total,
                centroid_lat=sum(p.centroid_lat * p.area_km2 for p in parts) / total,
                area_km2=total,
            ),
        )
        for p in parts:
            p.successor = successor
            p.save(update_fields=["successor"])
