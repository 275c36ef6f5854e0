from __future__ import annotations

import pytest

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.lib.hangul import initials, is_initials_query
from dolbom.registry.selectors import resident_search
from dolbom.testing import personas

CTX = AccessContext(ip="127.0.0.1", path="/test")


def test_initials_of_korean_names():
    assert initials("김민수") == "ㄱㅁㅅ"
    assert initials("남궁 옥분") == "ㄴㄱㅇㅂ"
    assert is_initials_query("ㄱㅁ ㅅ")
    assert not is_initials_query("김ㅁㅅ")


@pytest.fixture
def people(officer):
    return {
        name: personas.make_resident(officer, name=name)
        for name in ["김민수", "김민서", "이민수", "박영희"]
    }


@pytest.mark.parametrize("query, expected", [
    ("김민수", {"김민수"}),
    ("민수", {"김민수", "이민수"}),
    ("ㄱㅁㅅ", {"김민수", "김민서"}),
    ("ㅁㅅ", {"김민수", "김민서", "이민수"}),
])
def test_it_finds_residents_by_full_name_part_or_initials(officer, people, query, expected):
    assert {r.name for r in resident_search(viewer=officer, query=query, context=CTX)} == expected


def test_it_finds_a_resident_by_exact_rrn_without_decrypting_rows(officer):
    from dolbom.registry.services import resident_create

    household = personas.make_household(officer)
    rrn = personas.make_rrn(__import__("datetime").date(1944, 5, 6), "M")
    person = resident_create(actor=officer, name="최덕배", rrn=rrn, household=household)
    assert [r.pk for r in resident_search(viewer=officer, query=rrn, context=CTX)] == [person.pk]
    assert rrn.replace("-", "") not in person.rrn_encrypted


def test_a_search_that_returns_people_is_logged_with_their_ids(officer, people):
    found = resident_search(viewer=officer, query="ㄱㅁㅅ", context=CTX)
    row = AccessLog.objects.get(action=AccessAction.SEARCH)
    assert sorted(row.subject_ids) == sorted(r.pk for r in found)
    assert row.actor == officer and row.query == "ㄱㅁㅅ"


def test_an_rrn_search_does_not_write_the_number_into_the_log(officer, resident):
    resident_search(viewer=officer, query=resident.rrn_plain(), context=CTX)
    assert AccessLog.objects.get(action=AccessAction.SEARCH).query == "(RRN)"


def test_it_refuses_an_empty_query(officer):
    with pytest.raises(DomainError):
        resident_search(viewer=officer, query="  ", context=CTX)


def test_an_officer_does_not_find_people_of_another_dong(officer, other_officer, people):
    assert resident_search(viewer=other_officer, query="김", context=CTX) == []
