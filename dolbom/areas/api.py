"""Dongs over time: public administrative data, readable by every logged-in user.

No ``from __future__ import annotations`` here: ninja reads the annotations at import time.
"""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from dolbom.areas import selectors
from dolbom.areas.errors import AreaErrorCode
from dolbom.areas.models import BoundaryArea, Dong
from dolbom.lib.api import ERRORS
from dolbom.lib.errors import NotFound

router = Router(tags=["areas"])


class DongOut(Schema):
    id: int
    key: str
    name: str
    gu: str
    code: str = Field(description="Administrative (MOIS) code valid on the requested day; blank where unpublished")
    kostat_code: str
    valid_from: dt.date
    valid_to: dt.date | None


class DongResolveOut(Schema):
    area_code: str
    area_name: str
    on: dt.date
    dong: DongOut


def _dong_out(dong: Dong, day: dt.date) -> DongOut:
    return DongOut(id=dong.pk, key=dong.key, name=dong.name, gu=dong.gu, code=dong.code_on(day),
                   kostat_code=dong.kostat_code, valid_from=dong.valid_from, valid_to=dong.valid_to)


# Dongs ---------------------------------------------------------------------------------------

@router.get("/dongs", response=list[DongOut], summary="Dongs valid on a day")
def dong_list(request: HttpRequest, on: dt.date | None = None) -> list[DongOut]:
    day = on or timezone.localdate()
    return [_dong_out(d, day) for d in selectors.dong_list_valid_on(day).order_by("gu", "name")]


@router.get("/dongs/resolve", response={200: DongResolveOut, **ERRORS},
            summary="The dong administering a 2021 boundary area on a day")
def dong_resolve(request: HttpRequest, area: str, on: dt.date | None = None) -> DongResolveOut:
    day = on or timezone.localdate()
    boundary = BoundaryArea.objects.select_related("original_dong").filter(kostat_code=area).first()
    if boundary is None:
        raise NotFound(AreaErrorCode.DONG_UNKNOWN)
    dong = selectors.dong_for_area(area=boundary, day=day)
    return DongResolveOut(area_code=boundary.kostat_code, area_name=boundary.name, on=day, dong=_dong_out(dong, day))
