"""The one SVG projection of Jeonju (areas/map.py): the 2021 areas, and the dongs valid on a day."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.areas.map import dissolve, dong_shapes, jeonju_map, projection

pytestmark = pytest.mark.django_db


def test_the_2021_map_has_the_35_boundary_areas_inside_the_drawing():
    proj, shapes = jeonju_map()
    assert len(shapes) == 35
    assert proj.height > 0
    for s in shapes:
        assert 0 <= s.label_x <= 900 and 0 <= s.label_y <= proj.height, s.name
        assert s.path.startswith("M") and s.path.endswith("Z")


def test_a_day_before_the_merger_draws_35_dongs_and_a_day_after_it_34():
    before = dong_shapes(dt.date(2025, 3, 9))
    after = dong_shapes(dt.date(2025, 3, 10))
    assert len(before) == 35 and len(after) == 34
    names_before = {s.name for s in before}
    names_after = {s.name for s in after}
    assert {"금암1동", "금암2동"} <= names_before and "금암동" not in names_before
    assert "금암동" in names_after and not {"금암1동", "금암2동"} & names_after
    merged = next(s for s in after if s.name == "금암동")
    assert len(merged.area_codes) == 2 and merged.dong_id is not None
    # One outline: the border the two old dongs shared is not drawn inside the new one.
    assert merged.path.count("M") == 1


def test_dissolving_two_squares_that_share_a_side_leaves_their_outline():
    left = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    right = [(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
    (ring,) = dissolve([left, right])
    assert ring[0] == ring[-1]
    assert set(ring) == {(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (0.0, 1.0)}
    assert len(ring) == 7
    # Apart, nothing is dissolved.
    far = [(5.0, 5.0), (6.0, 5.0), (6.0, 6.0), (5.0, 5.0)]
    assert len(dissolve([left, far])) == 2


def test_a_point_is_projected_north_up():
    proj = projection()
    x1, y1 = proj.xy(127.10, 35.80)
    x2, y2 = proj.xy(127.11, 35.81)
    assert x2 > x1 and y2 < y1
