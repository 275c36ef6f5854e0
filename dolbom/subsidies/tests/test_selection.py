"""Selection: reserved places first, released after their date, the published draw, the delivery order."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl

from dolbom.subsidies import programmes
from dolbom.subsidies.rules import selection as picking
from dolbom.subsidies.rules.schema import Definition

EV = Definition.model_validate(programmes.load(programmes.HERE / "ev-2026.json")["rules"]["definition"])
T0 = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


def frame(rows: list[tuple[str, list[str], int]], category: str = "passenger") -> pl.DataFrame:
    """(number, priority groups, delivery day) per application, in receipt order."""
    return pl.DataFrame({
        "id": list(range(1, len(rows) + 1)), "number": [r[0] for r in rows],
        "received_at": [T0 + dt.timedelta(hours=i) for i in range(len(rows))],
        "delivered_on": [dt.date(2026, 4, 1) + dt.timedelta(days=r[2]) for r in rows],
        "category": [category] * len(rows), "score": [0] * len(rows), "amount": [11_500_000] * len(rows),
        "priority_groups": [r[1] for r in rows]}, schema_overrides={"priority_groups": pl.List(pl.String)})


def test_reserved_places_go_to_the_priority_group_before_the_general_pool():
    # 20 places, 10% reserved = 2; the two priority applicants were delivered last.
    rows = [(f"EV-{i:03d}", [], i) for i in range(30)] + [("EV-P1", ["priority"], 50), ("EV-P2", ["priority"], 51)]
    result = picking.select(frame(rows), EV, places={"passenger": 20}, taken={}, money_left=10**12,
                            on=dt.date(2026, 7, 1), announced={"passenger": 20})
    chosen = {p.application_id: p.selected_as for p in result.selected}
    assert chosen[31] == chosen[32] == "priority"
    assert sum(1 for v in chosen.values() if v == "general") == 18  # the 18 delivered first
    assert result.summary["passenger"]["reserved"] == {"priority": 2}


def test_an_unfilled_reserve_is_held_until_its_release_date_then_joins_the_general_pool():
    rows = [(f"EV-{i:03d}", [], i) for i in range(30)]
    before = picking.select(frame(rows), EV, places={"passenger": 20}, taken={}, money_left=10**12,
                            on=dt.date(2026, 8, 31), announced={"passenger": 20})
    after = picking.select(frame(rows), EV, places={"passenger": 20}, taken={}, money_left=10**12,
                           on=dt.date(2026, 9, 1), announced={"passenger": 20})
    assert len(before.selected) == 18 and len(after.selected) == 20
    assert after.summary["passenger"]["released"] == ["priority"]


def test_the_money_left_stops_the_selection_before_the_places_do():
    rows = [(f"EV-{i:03d}", [], i) for i in range(10)]
    result = picking.select(frame(rows), EV, places={"passenger": 10}, taken={}, money_left=3 * 11_500_000,
                            on=dt.date(2026, 9, 1))
    assert [p.application_id for p in result.selected] == [1, 2, 3]


def test_the_delivery_order_decides_not_the_receipt_order():
    rows = [("EV-A", [], 9), ("EV-B", [], 1), ("EV-C", [], 5)]
    ordered = picking.order_frame(frame(rows), EV)
    assert ordered["number"].to_list() == ["EV-B", "EV-C", "EV-A"]


def test_a_lottery_is_reproducible_by_anyone_from_the_published_seed():
    lottery = EV.model_copy(update={"selection_mode": "lottery"})
    numbers = [f"JOB-{i:04d}" for i in range(40)]
    ordered = picking.order_frame(frame([(n, [], 0) for n in numbers]), lottery, seed="2026-1차-공개추첨")
    by_hand = sorted(numbers, key=lambda n: hashlib.sha256(f"2026-1차-공개추첨:{n}".encode()).hexdigest())
    assert ordered["number"].to_list() == by_hand
    other = picking.order_frame(frame([(n, [], 0) for n in numbers]), lottery, seed="another-seed")
    assert other["number"].to_list() != by_hand
