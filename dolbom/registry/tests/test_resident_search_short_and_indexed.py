"""The name search on a large registry: what one or two letters find, and that PostgreSQL can answer it from
an index (registry/selectors.py SHORT_QUERY; migration 0008). Measured by bench/load.py."""

from __future__ import annotations

import pytest
from django.db import connection

from dolbom.lib.access import AccessContext
from dolbom.lib.hangul import syllables_starting_with
from dolbom.registry.models import Resident
from dolbom.registry.selectors import name_matches, name_order, resident_search
from dolbom.testing import personas

CTX = AccessContext(ip="127.0.0.1", path="/test")
NAMES = ["김민수", "김민서", "이민수", "박영희", "남궁민수", "민지호", "바다", "빛나"]


@pytest.fixture
def people(officer):
    return {name: personas.make_resident(officer, name=name) for name in NAMES}


def _found(officer, query: str) -> list[str]:
    return [r.name for r in resident_search(viewer=officer, query=query, context=CTX)]


def test_one_letter_finds_the_names_that_start_with_it(officer, people):
    assert sorted(_found(officer, "민")) == ["민지호"]  # not 김민수, 이민수: a middle letter is everyone
    assert sorted(_found(officer, "김")) == ["김민서", "김민수"]


def test_two_letters_find_the_start_or_the_end_of_a_name(officer, people):
    assert sorted(_found(officer, "김민")) == ["김민서", "김민수"]
    assert sorted(_found(officer, "민수")) == ["김민수", "남궁민수", "이민수"]
    assert _found(officer, "궁민") == []  # the middle of a four-letter name wants three letters


def test_three_letters_find_any_part_of_a_name(officer, people):
    assert _found(officer, "궁민수") == ["남궁민수"]


def test_one_initial_finds_names_whose_first_syllable_has_it(officer, people):
    # ㅂ's syllables run from 바 to just before 빠: 바다, 박영희 and 빛나 start with one of them.
    assert sorted(_found(officer, "ㅂ")) == ["바다", "박영희", "빛나"]
    assert sorted(_found(officer, "ㅁㅅ")) == ["김민서", "김민수", "남궁민수", "이민수"]


def test_the_syllables_of_an_initial_are_one_range():
    start, end = syllables_starting_with("ㅂ")
    assert (start, end) == ("바", "빠")
    assert all(start <= s < end for s in "바박밤빛") and not any(start <= s < end for s in "빠사마")
    assert syllables_starting_with("김") is None and syllables_starting_with("ㅂㅂ") is None


def test_two_letters_merge_the_first_pages_of_the_start_and_the_end(officer, people):
    # Each half is asked on its own; the answer is still the first names of both in order, at most the limit.
    found = resident_search(viewer=officer, query="민수", context=CTX, limit=2)
    assert [r.name for r in found] == ["김민수", "남궁민수"]


def test_answers_are_in_name_order_whatever_the_query_length(officer, people):
    for query in ("민수", "ㅁㅅ", "궁민수", "김"):
        names = _found(officer, query)
        assert names == sorted(names)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("query, index", [
    ("김민수", "registry_resident_name_trgm"),
    ("ㄱㅁㅅ", "registry_resident_initials_trgm"),
])
def test_a_search_of_three_letters_can_be_answered_from_the_trigram_index(officer, people, query, index):
    # A few test rows are cheaper to scan than any index: sequential scans are priced out so that the plan
    # shows whether the search's condition can use the index at all (a cast or a function would hide it).
    # The whole registry, as the city team searches it (a dong's scope has its own index to start from).
    [condition] = name_matches(text=query)
    qs = Resident.objects.filter(condition).order_by(*name_order(query))[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_the_end_of_a_name_is_answered_from_the_trigram_index_not_a_walk_of_every_name(officer, people):
    # A given name common in the city and rare in a dong (서준) had the walk of the name index read every name.
    end = name_matches(text="민수")[1]
    qs = Resident.objects.filter(end).order_by(*name_order("민수", start=False))[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "registry_resident_name_trgm" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice is PostgreSQL's")
def test_a_one_letter_search_walks_the_name_index_from_the_letter(officer, people):
    [condition] = name_matches(text="김")
    qs = Resident.objects.filter(condition).order_by(*name_order("김"))[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Cond" in plan and "name" in plan


def test_a_name_the_start_range_lets_through_but_that_neither_starts_nor_ends_so_is_no_answer():
    # Under a collation other than codepoint order the range of 김민 may hold other names (name_matches).
    from dolbom.registry.selectors import name_fits

    assert name_fits(text="김민", name="김민수") and name_fits(text="김민", name="이김민")
    assert not name_fits(text="김민", name="김밥") and not name_fits(text="김", name="이김")
