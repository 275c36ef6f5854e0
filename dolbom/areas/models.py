"""Administrative areas over time: Jeonju's dongs (행정동) and the 2021 boundary polygons they cover.

The lowest domain layer: staff profiles, households, cases and every other domain point at a dong, and
nothing here points at them (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dong(models.Model):
    """An administrative dong (행정동) over a period of validity.

    Dongs split, merge and get renumbered; a row is never deleted. ``area_key`` names the 2021
    boundary polygon(s) a dong covers: an address is located once in its boundary area and then
    resolved, for any date, to the dong valid on that date (see areas/selectors.py dong_for_area).
    """

    key = models.SlugField(max_length=40, unique=True)  # stable internal key, e.g. "geumam2"
    name = models.CharField(_("name"), max_length=30)
    gu = models.CharField(_("district"), max_length=20)
    mois_code = models.CharField(max_length=10, blank=True)  # 52… code; blank where not published
    mois_code_before_2024 = models.CharField(max_length=10, blank=True)  # 45… code (전라북도)
    kostat_code = models.CharField(max_length=7, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)  # inclusive; null while current
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors")
    centroid_lon = models.FloatField()
    centroid_lat = models.FloatField()
    area_km2 = models.FloatField()

    class Meta:
        # The table keeps the name it had when dongs lived in the registry app (moved without copying rows).
        db_table = "registry_dong"
        ordering = ["gu", "name", "valid_from"]
        verbose_name = _("dong")

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def code_on(self, day: dt.date) -> str:
        # 2024-01-18: 전라북도 became 전북특별자치도 and every code's leading 45 became 52.
        if day < dt.date(2024, 1, 18) and self.mois_code_before_2024:
            return self.mois_code_before_2024
        return self.mois_code


class BoundaryArea(models.Model):
    """One 2021-04 boundary polygon (35 of them); addresses are located in exactly one."""

    kostat_code = models.CharField(max_length=7, unique=True)
    name = models.CharField(max_length=30)
    original_dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="areas")

    class Meta:
        db_table = "registry_boundaryarea"
