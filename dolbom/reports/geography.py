"""Which dongs a month shows, and where an ended dong's figures go.

A month, quarter or year shows the dongs valid on its last day: February 2025 has 35 (금암1동, 금암2동),
March 2025 already 34 (금암동, from the 10th), because a report on March is read after the merger. A row
counted in a dong that had ended by then is carried to its successor; a successor's months before it
existed are the sum of the dongs it was made from (its comparable series), so that a line across the
merger compares like with like.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class DongInfo:
    id: int
    key: str
    name: str
    gu: str
    valid_from: dt.date
    valid_to: dt.date | None
    successor_id: int | None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Geography:
    def __init__(self, dongs: list[DongInfo]) -> None:
        self.dongs = {d.id: d for d in dongs}

    @classmethod
    def load(cls) -> Geography:
        from dolbom.areas.models import Dong

        return cls([DongInfo(d.pk, d.key, d.name, d.gu, d.valid_from, d.valid_to, d.successor_id)
                    for d in Dong.objects.all()])

    def resolve(self, dong_id: int | None, day: dt.date) -> int | None:
        """The dong that holds ``dong_id``'s figures on ``day``; None when there is none (not in a dong, or a
        dong that did not exist yet and cannot be split back into the ones it was made from)."""
        seen = 0
        while dong_id is not None and seen < 20:
            dong = self.dongs.get(dong_id)
            if dong is None or dong.valid_from > day:
                return None
            if dong.valid_on(day):
                return dong_id
            dong_id = dong.successor_id
            seen += 1
        return None

    def base(self, day: dt.date) -> list[int]:
        return sorted((d.id for d in self.dongs.values() if d.valid_on(day)),
                      key=lambda i: (self.dongs[i].gu, self.dongs[i].name))

    def series(self, day: dt.date) -> dict[int, list[int]]:
        """Dongs not yet existing on ``day`` -> the dongs of that day they were later made from."""
        out: dict[int, list[int]] = {}
        for dong_id in self.base(day):
            nxt = self.dongs[dong_id].successor_id
            while nxt is not None and nxt in self.dongs:
                later = self.dongs[nxt]
                if later.valid_from > day:
                    out.setdefault(nxt, []).append(dong_id)
                nxt = later.successor_id
        return out

    def name(self, dong_id: int | None) -> str:
        return self.dongs[dong_id].name if dong_id in self.dongs else ""

    @cached_property
    def ever_merged(self) -> dict[int, list[int]]:
        """Successor -> predecessors, for the notes under a series."""
        out: dict[int, list[int]] = {}
        for d in self.dongs.values():
            if d.successor_id:
                out.setdefault(d.successor_id, []).append(d.id)
        return out
