"""Name search over one index version, built for it: every (name, unit, span) a search can return,
ranked once, and a bounded cache of answers.

A search ranks hits by how the text matches (``score``: the name itself, its first words, a whole
word, a word's start, anywhere) and then by an order that does not depend on the text (kind,
level, current before former, name, newest first). So the entries are sorted once by the second
order when the index version is first searched; a query walks them in that order, keeps the first
``limit`` of each score and stops as soon as the best score is full. The answers to the last
queries are kept until the index changes (a one-letter query on national data is a walk over
every name; asked again it is a dictionary lookup).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NamedTuple

from registry.application.views import SearchHit, UnitView
from registry.domain.model import Version
from registry.domain.text import fold
from registry.projections.index import ReadIndex

LEVELS = {"province": 0, "district": 1, "commune": 2}
CACHED = 4096  # answers kept per index version


class Entry(NamedTuple):
    rank: tuple[Any, ...]
    key: str         # the name folded
    spaced: str      # " " + key, to find word starts
    bare: str        # the key without the unit's type word in front
    unit: UnitView   # the unit as it was at the end of the span
    name: str
    start: date
    end: date | None


def score(needle: str, key: str, bare: str, spaced: str) -> int:
    """0: the name itself (without its type word), 1: its first words, 2: whole words anywhere,
    3: the start of a word, 4: anywhere."""
    if f" {needle}" not in spaced:
        return 4
    if bare == needle or key == needle:
        return 0
    if f"{bare} ".startswith(f"{needle} ") or f"{key} ".startswith(f"{needle} "):
        return 1
    if f" {needle} " in f"{spaced} ":
        return 2
    return 3


def spans(versions: Sequence[Version], match: Callable[[Version], bool]
          ) -> list[tuple[Version, date, date | None]]:
    """Maximal runs of consecutive matching versions: (the run's last version, start, end)."""
    out: list[tuple[Version, date, date | None]] = []
    for v in versions:
        if not match(v):
            continue
        if out and out[-1][2] == v.valid_from:
            out[-1] = (v, out[-1][1], v.valid_to)
        else:
            out.append((v, v.valid_from, v.valid_to))
    return out


class NameSearch:
    """The current knowledge of one index version, ready to be searched."""

    def __init__(self, idx: ReadIndex) -> None:
        types: dict[str, str] = {}
        entries: list[Entry] = []
        for key, orgs in idx.names():
            for org in orgs:
                rows = [r for r in idx.rows.get(org, ()) if r.recorded_to is None]
                keys = {id(r.version): r.search_key or fold(r.version.name) for r in rows}
                for last, start, end in spans([r.version for r in rows],
                                              lambda v, key=key, keys=keys: keys[id(v)] == key):
                    unit = UnitView.of(last)
                    prefix = types.get(unit.type)
                    if prefix is None:
                        prefix = types[unit.type] = fold(unit.type) + " "
                    rank = (unit.kind != "administrative_unit", LEVELS.get(unit.level or "", 9),
                            end is not None, last.name, -start.toordinal(), str(unit.id))
                    entries.append(Entry(rank, key, " " + key, key.removeprefix(prefix), unit,
                                         last.name, start, end))
        entries.sort(key=lambda e: e.rank)
        self.entries = entries
        self._answers: OrderedDict[tuple[Any, ...], list[SearchHit]] = OrderedDict()
        self._lock = threading.Lock()

    def search(self, needle: str, at: date | None, limit: int,
               accept: Callable[[UnitView, date, date | None], bool] | None = None,
               accepting: tuple[Any, ...] = ()) -> list[SearchHit]:
        """The ``limit`` best hits; ``accept`` keeps only some units (a level, a subtree), and
        ``accepting`` says which, for the cache of answers."""
        asked = (needle, at, limit, accepting)
        with self._lock:
            found = self._answers.get(asked)
            if found is not None:
                self._answers.move_to_end(asked)
                return found
        best: list[list[tuple[int, Entry]]] = [[] for _ in range(5)]
        for e in self.entries:
            if needle not in e.key:
                continue
            if at is not None and not (e.start <= at and (e.end is None or at < e.end)):
                continue
            if accept is not None and not accept(e.unit, e.start, e.end):
                continue
            s = score(needle, e.key, e.bare, e.spaced)
            tier = best[s]
            if len(tier) < limit:
                tier.append((s, e))
                if s == 0 and len(tier) == limit:
                    break
        hits = [SearchHit(e.unit, e.name, e.start, e.end, s)
                for tier in best for s, e in tier][:limit]
        with self._lock:
            self._answers[asked] = hits
            if len(self._answers) > CACHED:
                self._answers.popitem(last=False)
        return hits
