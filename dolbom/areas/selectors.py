"""Reads of dongs over time. Dongs and boundaries are public administrative data: no scope applies."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from dolbom.areas.errors import AreaErrorCode
from dolbom.areas.models import BoundaryArea, Dong
from dolbom.lib.errors import DomainError


def dong_list_valid_on(day: dt.date) -> QuerySet[Dong]:
    return Dong.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


def dong_for_area(*, area: BoundaryArea, day: dt.date) -> Dong:
    """The dong that administers a boundary area on a given day (follows merges forward)."""
    dong = area.original_dong
    while not dong.is_valid_on(day):
        if dong.valid_from > day or dong.successor_id is None:
            raise DomainError(AreaErrorCode.DONG_UNKNOWN)
        dong = dong.successor
    return dong


def area_for_point(*, lon: float, lat: float) -> BoundaryArea | None:
    from dolbom.areas.geo import locate

    code = locate(lon, lat)
    return BoundaryArea.objects.filter(kostat_code=code).first() if code else None
