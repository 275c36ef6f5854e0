from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dolbom.referrals.categories import categories
from dolbom.referrals.models import Institution, Service
from dolbom.referrals.resource_import import COLUMNS, resource_file_import

HEADER = ",".join(COLUMNS)


def _row(i: int, minor: str = "A02", major: str = "A", area: str = "서신동;효자1동", capacity: str = "10",
         kind: str = "방문간호기관") -> str:
    return f"R{i:06d},INST{i % 7},기관{i % 7},{kind},{major},{minor},서비스{i},자격{i},{area},{capacity},1,063-000,주소"


def _file(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_the_shipped_categories_are_six_major_and_thirty_four_minor(db):
    c = categories()
    assert len(c.majors) == 6 and len(c.minors) == 34
    assert all(m.code.startswith(m.major_code) for m in c.minors.values())


def test_a_clean_file_is_imported_and_a_second_import_changes_nothing(db):
    text = _file([_row(i) for i in range(1, 51)] + [_row(51, area="전체")])
    first = resource_file_import(text)
    assert (first.errors, first.services_created, first.institutions_created) == ([], 51, 7)
    snapshot = list(Service.objects.order_by("code").values_list("code", "institution__code", "capacity", "citywide"))
    dongs = sorted(Service.dongs.through.objects.values_list("service__code", "dong__name"))
    second = resource_file_import(text)
    assert (second.services_created, second.services_updated) == (0, 51)
    assert list(Service.objects.order_by("code").values_list("code", "institution__code", "capacity",
                                                              "citywide")) == snapshot
    assert sorted(Service.dongs.through.objects.values_list("service__code", "dong__name")) == dongs
    assert len(dongs) == 100 and Service.objects.get(code="R000051").citywide


def test_a_changed_row_updates_the_service(db):
    resource_file_import(_file([_row(1)]))
    resource_file_import(_file([_row(1, capacity="99", area="혁신동")]))
    svc = Service.objects.get(code="R000001")
    assert svc.capacity == 99 and [d.name for d in svc.dongs.all()] == ["혁신동"]


def test_a_file_with_errors_writes_nothing_and_names_each_line_in_korean(db):
    rows = [_row(1), _row(2, minor="Z99"), _row(3, minor="B01", major="A"), _row(4, area="없는동"),
            _row(5, capacity="열"), _row(6, kind="우주정거장"), _row(1)]
    result = resource_file_import(_file(rows))
    assert not Service.objects.exists() and not Institution.objects.exists()
    assert result.errors == [
        "3행: 소분류 코드 'Z99'를 알 수 없습니다 (분류 2026.1).",
        "4행: 소분류 'B01'는 대분류 'B'에 속합니다 ('A'로 적혀 있습니다).",
        "5행: 제공지역의 동 '없는동'은(는) 현재 전주시의 행정동이 아닙니다.",
        "6행: '정원' 값 '열'은(는) 숫자가 아닙니다.",
        "7행: 기관유형 '우주정거장'을(를) 알 수 없습니다.",
        "8행: 자원ID 'R000001'가 2행과 중복됩니다.",
    ]


def test_missing_columns_are_reported(db):
    assert resource_file_import("자원ID,기관명\nR1,x\n").errors[0].startswith("1행: 필수 열이 없습니다: 기관코드")


def test_the_command_imports_and_refuses_a_bad_file(db, tmp_path: Path):
    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + _file([_row(1), _row(2)]), encoding="utf-8")
    out = io.StringIO()
    call_command("referrals", "import", str(good), stdout=out)
    assert "가져오기 완료: 2행, 새 기관 2, 새 서비스 2" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(_file([_row(3, minor="Z1")]), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="아무것도 가져오지 않았습니다"):
        call_command("referrals", "import", str(bad), stderr=err)
    assert "2행: 소분류 코드 'Z1'" in err.getvalue()
    assert Service.objects.count() == 2


def test_the_shipped_catalogue_loads_idempotently_and_covers_every_category(db):
    out = io.StringIO()
    call_command("referrals", "load-catalogue", stdout=out)
    call_command("referrals", "load-catalogue", stdout=out)
    assert Institution.objects.count() >= 20 and Service.objects.count() >= 38
    assert set(Service.objects.values_list("category_code", flat=True)) == set(categories().minors)
    assert Institution.objects.get(code="JJ-HN-001").name == "전주 방문간호센터"
