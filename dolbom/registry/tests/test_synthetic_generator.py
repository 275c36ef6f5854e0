"""The synthetic city generator (arrays only, no database)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dolbom.lib import rrn
from dolbom.registry.synthetic import generate
from dolbom.registry.synthetic.tables import DONG_PROFILE

AS_OF = dt.date(2026, 3, 27)


@pytest.fixture(scope="module")
def mid_city():
    return generate(households=20_000, seed=7, as_of=AS_OF)


def test_the_same_seed_gives_the_same_people_and_addresses():
    a = generate(households=500, seed=42, as_of=AS_OF)
    b = generate(households=500, seed=42, as_of=AS_OF)
    for column in ("r_name", "r_rrn", "r_birth_date", "r_sex", "r_phone", "h_road_address", "h_address_detail",
                   "h_lon", "h_size", "r_is_older"):
        assert np.array_equal(getattr(a, column), getattr(b, column)), column


def test_a_different_seed_gives_different_people():
    a = generate(households=500, seed=42, as_of=AS_OF)
    b = generate(households=500, seed=43, as_of=AS_OF)
    assert not np.array_equal(a.r_rrn[:100], b.r_rrn[:100])
    assert not np.array_equal(a.r_name[:100], b.r_name[:100])


def test_every_rrn_is_valid_unique_and_matches_birth_date_and_sex(mid_city):
    values = mid_city.r_rrn
    assert len(np.unique(values)) == len(values)
    for i in range(0, len(values), 97):  # a sample: parse is a Python call per value
        parsed = rrn.parse(values[i].decode())
        assert parsed.birth_date == mid_city.r_birth_date[i].astype(dt.date)
        assert parsed.sex == mid_city.r_sex[i]


def test_the_city_has_about_the_target_share_of_people_aged_65_and_over(mid_city):
    assert mid_city.r_is_older.mean() == pytest.approx(0.178, abs=0.012)
    assert 2.0 <= mid_city.resident_count / mid_city.household_count <= 2.25


def test_single_person_households_are_about_a_third_and_many_older_people_live_alone(mid_city):
    single = (mid_city.h_size == 1).mean()
    assert 0.3 <= single <= 0.42
    assert set(np.unique(mid_city.h_size)) == {1, 2, 3, 4, 5}
    older_alone = (mid_city.r_is_older & mid_city.r_lives_alone).sum()
    assert older_alone / mid_city.r_is_older.sum() > 0.15
    assert np.array_equal(mid_city.r_lives_alone, (mid_city.h_size == 1)[mid_city.r_household])


def test_old_downtown_dongs_are_older_than_the_new_towns(mid_city):
    names = [a.name for a in mid_city.areas]
    area_of_resident = mid_city.h_area[mid_city.r_household]

    def share(name: str) -> float:
        return float(mid_city.r_is_older[area_of_resident == names.index(name)].mean())

    for old in ("중앙동", "풍남동", "노송동", "완산동"):
        for young in ("혁신동", "효자5동", "송천1동"):
            assert share(old) > 2 * share(young), (old, young)


def test_every_dong_is_populated_even_in_a_tiny_city():
    city = generate(households=60, seed=1, as_of=AS_OF)
    assert (np.bincount(city.h_area, minlength=len(DONG_PROFILE)) >= 1).all()


def test_target_group_shares_are_plausible(mid_city):
    assert mid_city.r_has_severe_disability.mean() == pytest.approx(0.025, abs=0.006)
    assert mid_city.r_has_mental_illness.mean() == pytest.approx(0.01, abs=0.004)
    assert mid_city.r_is_other_target.any()


def test_names_are_korean_with_initials_and_children_take_the_fathers_surname(mid_city):
    assert mid_city.r_name[0][0] in "김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄채원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국은편용독"
    assert all(2 <= len(n) <= 4 for n in mid_city.r_name[:1000])
    assert mid_city.r_name_initials[0] == "".join(
        "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"[(ord(c) - 0xAC00) // 588] for c in mid_city.r_name[0])
    kims = np.char.startswith(mid_city.r_name.astype(str), "김").mean()
    assert 0.17 < kims < 0.26


def test_points_fall_inside_their_boundary_area():
    from dolbom.areas.geo import locate

    city = generate(households=300, seed=3, as_of=AS_OF)
    codes = [a.code for a in city.areas]
    hits = sum(locate(float(x), float(y)) == codes[a] for x, y, a in zip(city.h_lon, city.h_lat, city.h_area, strict=True))
    assert hits == city.household_count


def test_addresses_are_road_names_in_jeonju(mid_city):
    assert all(a.startswith("전북특별자치도 전주시 ") for a in mid_city.h_road_address[:200])
    assert not any("길길" in a or "길3길" in a for a in mid_city.h_road_address[:2000])
