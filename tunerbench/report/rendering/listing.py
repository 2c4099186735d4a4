"""Tables that list every run or trial, bounded. A study of a thousand seeds would otherwise list
tens of thousands of rows: megabytes of HTML that no reader scrolls and a browser renders
slowly. Such a table shows its first rows, every tuner's alike, and says how many it leaves out;
every row stays in the results files, and every statistic is computed from all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# The most rows a table of runs or trials lists: a few screens, every tuner's first rows.
LISTED_ROWS = 100


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The rows a table lists, and how many rows it has in all."""

    rows: list[T]
    total: int

    @property
    def unlisted(self) -> int:
        return self.total - len(self.rows)


def listing(rows: Sequence[T], by: str | None = None, limit: int = LISTED_ROWS) -> Listing[T]:
    """At most ``limit`` of ``rows``, in their order. With ``by`` (the attribute naming a row's
    tuner) each tuner lists an equal share of its first rows, so a table in tuner order does not
    spend the limit on its first tuner."""
    if len(rows) <= limit:
        return Listing(list(rows), len(rows))
    if by is None:
        return Listing(list(rows[:limit]), len(rows))
    share = max(1, limit // len({getattr(row, by) for row in rows}))
    listed: Counter[object] = Counter()
    kept = []
    for row in rows:
        key = getattr(row, by)
        if listed[key] < share:
            listed[key] += 1
            kept.append(row)
    return Listing(kept, len(rows))
