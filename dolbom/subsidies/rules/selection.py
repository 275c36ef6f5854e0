"""Selection for a round, on a frame of evaluated applications (no Django here: the bench runs it too).

Per category: the places reserved for each priority group are filled first, from that group's members in
the round's order; a group's reserve that is released (``release_on`` reached) joins the general pool;
then the general pool takes everyone not yet selected, in the same order, until the places or the money
run out. The rest form the waiting list in that order. Orders:

- ``score``: score high to low, then the tie-breaks, then receipt time, then receipt number;
- ``lottery``: sha256("<published seed>:<receipt number>"), ascending, so that anyone holding the seed and
  the published receipt numbers can reproduce the draw;
- ``first_come``: receipt time; ``delivery_order``: delivery / registration date, then receipt time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field

import polars as pl

from dolbom.subsidies.rules.schema import Definition

GENERAL = "general"
WAITLIST = "waitlist"


@dataclass
class Pick:
    application_id: int
    rank: int
    selected_as: str  # a priority group key, "general", or "waitlist"


@dataclass
class Result:
    picks: list[Pick]
    summary: dict[str, dict] = field(default_factory=dict)

    @property
    def selected(self) -> list[Pick]:
        return [p for p in self.picks if p.selected_as != WAITLIST]


def lottery_key(seed: str, number: str) -> str:
    return hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()


def order_frame(frame: pl.DataFrame, definition: Definition, seed: str = "") -> pl.DataFrame:
    """``frame`` has id, number, received_at, category, score (and delivered_on, tie-break facts as needed)."""
    mode = definition.selection_mode
    if mode == "lottery":
        return frame.with_columns(pl.Series("_draw", [lottery_key(seed, n) for n in frame["number"]])).sort(
            ["_draw", "number"])
    if mode == "first_come":
        return frame.sort(["received_at", "number"])
    if mode == "delivery_order":
        return frame.sort(["delivered_on", "received_at", "number"], nulls_last=True)
    keys, desc = ["score"], [True]
    for tie in definition.tie_breaks:
        if tie.by == "lottery":
            frame = frame.with_columns(pl.Series("_draw", [lottery_key(seed, n) for n in frame["number"]]))
            keys.append("_draw")
        else:
            keys.append(tie.by)
        desc.append(tie.order == "desc")
    keys += ["received_at", "number"]
    desc += [False, False]
    return frame.sort(keys, descending=desc, nulls_last=True)


def select(frame: pl.DataFrame, definition: Definition, *, places: dict[str, int], taken: dict[str, dict[str, int]],
           money_left: int, on: dt.date, seed: str = "", announced: dict[str, int] | None = None) -> Result:
    """``frame``: eligible applications with id, number, received_at, category, score, amount,
    priority_groups. ``places``: places still free per category; ``taken``: approvals already counted
    per category and group; ``announced``: places announced per category (reserves are a share of it)."""
    announced = announced or places
    ordered = order_frame(frame, definition, seed)
    picks: list[Pick] = []
    summary: dict[str, dict] = {}
    money = money_left
    for category in sorted(places):
        rows = ordered.filter(pl.col("category") == category).select("id", "amount", "priority_groups").rows()
        free = places[category]
        chosen: dict[int, str] = {}
        reserved: dict[str, int] = {}
        released: list[str] = []
        for group in definition.priority_groups:
            if group.category and group.category != category:
                continue
            if group.release_on is not None and on >= group.release_on:
                released.append(group.key)
                continue
            want = math.ceil(announced[category] * group.reserved_share) - taken.get(category, {}).get(group.key, 0)
            reserved[group.key] = max(0, min(want, free - sum(reserved.values())))
        # Reserved places first, group by group in the notice's order.
        for key, seats in reserved.items():
            filled = 0
            for app_id, amount, groups in rows:
                if filled >= seats:
                    break
                if app_id in chosen or key not in (groups or []) or amount > money:
                    continue
                chosen[app_id] = key
                money -= amount
                filled += 1
        # An unreleased reserve stays held even when unfilled: late applicants of the group may still come,
        # and the notice promised them those places until the release date.
        general_seats = free - sum(reserved.values())
        general = 0
        for app_id, amount, _groups in rows:
            if general >= general_seats:
                break
            if app_id in chosen or amount > money:
                continue
            chosen[app_id] = GENERAL
            money -= amount
            general += 1
        rank = 0
        for app_id, _amount, _groups in rows:
            rank += 1
            picks.append(Pick(app_id, rank, chosen.get(app_id, WAITLIST)))
        summary[category] = {"places": free, "reserved": reserved, "released": released,
                             "selected": len(chosen), "waitlisted": len(rows) - len(chosen),
                             "by_group": {k: sum(1 for v in chosen.values() if v == k) for k in reserved}}
    return Result(picks=picks, summary=summary)
