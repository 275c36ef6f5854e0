from __future__ import annotations

import datetime as dt

import pytest

from dolbom.areas.models import BoundaryArea, Dong
from dolbom.areas.selectors import area_for_point, dong_for_area, dong_list_valid_on
from dolbom.lib.errors import DomainError

pytestmark = pytest.mark.django_db


def test_jeonju_has_35_dongs_until_the_merge_and_34_after():
    assert dong_list_valid_on(dt.date(2025, 3, 9)).count() == 35
    assert dong_list_valid_on(dt.date(2025, 3, 10)).count() == 34
    assert not dong_list_valid_on(dt.date(2025, 3, 10)).filter(name__in=["금암1동", "금암2동"]).exists()


def test_an_address_in_former_geumam2_resolves_by_date():
    area = BoundaryArea.objects.get(name="금암2동")
    assert dong_for_area(area=area, day=dt.date(2025, 3, 1)).name == "금암2동"
    assert dong_for_area(area=area, day=dt.date(2025, 4, 1)).name == "금암동"


def test_codes_start_with_45_before_the_province_rename_and_52_after():
    seosin = Dong.objects.get(name="서신동")
    assert seosin.code_on(dt.date(2023, 12, 31)) == "4511168000"
    assert seosin.code_on(dt.date(2024, 1, 18)) == "5211168000"


def test_the_merged_dong_has_no_invented_code_and_covers_both_areas():
    geumam = Dong.objects.get(name="금암동")
    assert geumam.mois_code == ""
    assert set(geumam.predecessors.values_list("name", flat=True)) == {"금암1동", "금암2동"}
    parts = Dong.objects.filter(name__in=["금암1동", "금암2동"])
    assert geumam.area_km2 == pytest.approx(sum(p.area_km2 for p in parts))


def test_a_date_before_the_boundary_baseline_has_no_dong():
    with pytest.raises(DomainError):
        dong_for_area(area=BoundaryArea.objects.get(name="혁신동"), day=dt.date(2010, 1, 1))


def test_a_point_is_located_in_its_boundary_area():
    seosin = Dong.objects.get(name="서신동")
    assert area_for_point(lon=seosin.centroid_lon, lat=seosin.centroid_lat).name == "서신동"
    assert area_for_point(lon=126.9780, lat=37.5665) is None  # Seoul city hall


def test_the_shipped_data_carries_its_attribution():
    from importlib import resources

    text = resources.files("dolbom.areas").joinpath("data/ATTRIBUTION.md").read_text("utf-8")
    assert "vuski/admdongkor" in text
