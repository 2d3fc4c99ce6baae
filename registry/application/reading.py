"""The read side: every historical question, answered from the read models (DESIGN §6).

``Reader`` is what the REST and GraphQL layers and the CLI call. It reads the in-process index
built from the read-model tables, and the change list for events and the feed; it never replays
the event log per request. Every query takes ``known_at`` (transaction time, None = now): the
answer the registry would have given at that moment, before later corrections or backfills.
The views it returns live in ``registry.application.views`` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol, Self
from uuid import UUID

from registry.application.lookups import code_not_held
from registry.application.plans import PlanReading, PlanSummary, PlanView
from registry.application.search import NameSearch, score
from registry.application.search import spans as _spans
from registry.application.views import (
    DIFF_KINDS,
    ActView,
    ChangeView,
    CodeMatch,
    CrosswalkItem,
    DiffItem,
    DiffView,
    EventView,
    FeedItem,
    FeedPage,
    HistoryView,
    HoldingView,
    LineageStep,
    Page,
    SearchHit,
    StaffingReport,
    SuperiorView,
    UnitView,
    check_limit,
    decode_cursor,
    encode_cursor,
    page_of,
)
from registry.domain.errors import InvalidInput, NotFound, TooCostly
from registry.domain.events import CHAIN_GENESIS
from registry.domain.model import (
    BEGAN,
    ENDED,
    RELATIONS,
    SUPERSEDED,
    Edge,
    Holding,
    Version,
    superior,
)
from registry.domain.plans import ItemPlanned, StatusChanged
from registry.domain.text import fold, name_key, nfc, unstorable
from registry.projections.index import ReadIndex
from registry.projections.rows import ChangeRow, FigureRow, TargetRow

LEVELS = {"province": 0, "district": 1, "commune": 2}
# A search ranks every name it matches; past this many it is refused rather than slow ("a" matches
# 8,211 of Vietnam's 8,856 names and took 0.3-0.6 s; 2,000 take ~50 ms).
MAX_SEARCH_NAMES = 2_000
FACTS_READ = 200  # change-list rows read at a time for a page of changes (at least)


# -- the source of rows ------------------------------------------------------------------

class ReadSource(Protocol):
    """Where the reader gets its rows: the index, and the change list for events and the feed."""

    def index(self) -> ReadIndex: ...

    def facts_of(self, org: UUID) -> list[ChangeRow]: ...

    def facts_between(self, first: date, last: date, after: tuple[date, int] | None = None,
                      limit: int | None = None, streams: set[UUID] | None = None
                      ) -> list[ChangeRow]: ...

    def log_after(self, after: int, limit: int) -> list[ChangeRow]: ...

    def staffing(self, orgs: set[UUID]) -> tuple[list[FigureRow], list[TargetRow]]: ...

    def holdings(self, orgs: set[UUID] | None = None, key: str | None = None
                 ) -> list[Holding]: ...

    def plan_rows(self, plan: UUID | None = None
                  ) -> tuple[list[ItemPlanned], list[StatusChanged]]: ...


# -- the reader --------------------------------------------------------------------------

class Reader:
    def __init__(self, source: ReadSource) -> None:
        self.source = source
        self._names: tuple[ReadIndex, NameSearch] | None = None

    def _name_search(self, idx: ReadIndex) -> NameSearch:
        """The search structure of this index version (built on its first search)."""
        found = self._names
        if found is None or found[0] is not idx:
            found = self._names = (idx, NameSearch(idx))
        return found[1]

    def refresh(self) -> None:
        """Catch up with the log now (rather than within the source's lag)."""
        refresh = getattr(self.source, "refresh", None)
        if refresh is not None:
            refresh()

    def state(self) -> dict[str, Any]:
        """Where the answers stand: the index's log position, and why the read models are stuck
        (None while they follow the log)."""
        return {"position": self._idx().position,
                "failure": getattr(self.source, "failure", None)}

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _idx(self) -> ReadIndex:
        return self.source.index()

    def _version(self, idx: ReadIndex, id: UUID, at: date, known_at: datetime | None) -> Version:
        v = idx.version(id, at, known_at)
        if v is None:
            raise NotFound(f"organisation {id} does not exist on {at.isoformat()}")
        return v

    def _act(self, idx: ReadIndex, act_id: UUID | None, known_at: datetime | None) -> ActView | None:
        row = idx.act(act_id, known_at) if act_id is not None else None
        return ActView.of(row, known_at) if row is not None else None

    # units on a date

    def unit(self, id: UUID, at: date, known_at: datetime | None = None,
             superiors: bool = True) -> UnitView:
        """A unit on a date; with ``superiors``, its superiors by relation on that date too
        (callers that want only its own fields say False: a partial index reads no more)."""
        idx = self._idx()
        v = self._version(idx, id, at, known_at)
        return _with_superiors(idx, v, at, known_at) if superiors else UnitView.of(v)

    def by_code(self, code: str, at: date, level: str | None = None,
                known_at: datetime | None = None) -> CodeMatch:
        idx = self._idx()
        found = idx.by_code(code, at, level, known_at)
        if not found:
            raise code_not_held(idx, code, at, level, known_at)
        if len(found) > 1:
            levels = ", ".join(sorted(v.level or "?" for v in found))
            raise InvalidInput(f"code {code} is held at several levels on {at.isoformat()} "
                               f"({levels}); give the level", "level")
        v = found[0]
        meanings = []
        for holder in idx.holders_ever(code):
            spans = _spans(idx.versions(holder, known_at),
                           lambda o: o.code == code and (o.level == v.level))
            meanings += [{"id": str(holder), "name": last.name, "valid_from": start.isoformat(),
                          "valid_to": end.isoformat() if end else None}
                         for last, start, end in spans]
        meanings.sort(key=lambda m: (m["valid_from"], m["id"]))
        warnings = []
        for m in meanings:
            if m["id"] == str(v.id):
                continue
            end = m["valid_to"]
            until = (f"to {date.fromisoformat(end) - timedelta(days=1)}" if end
                     else "onwards")
            warnings.append(f"code {code} meant {m['name']} ({m['id']}) from {m['valid_from']} "
                            f"{until}")
        return CodeMatch(_with_superiors(idx, v, at, known_at), warnings, meanings)

    def holders(self, code: str, level: str | None = None,
                known_at: datetime | None = None) -> list[UUID]:
        """Every organisation that ever held ``code`` (at ``level``), oldest first."""
        idx = self._idx()
        found = []
        for org in idx.holders_ever(code):
            held = [v for v in idx.versions(org, known_at)
                    if v.code == code and (level is None or v.level == level)]
            if held:
                found.append((idx.versions(org, known_at)[0].valid_from, str(org), org))
        if not found:
            where = f" at level {level}" if level else ""
            raise NotFound(f"no organisation ever held code {code}{where}")
        return [org for _, _, org in sorted(found)]

    def units(self, at: date, known_at: datetime | None = None, parent: UUID | None = None,
              level: str | None = None, kind: str | None = None, type: str | None = None,
              q: str | None = None, limit: int = 100, cursor: str | None = None,
              relation: str | None = None) -> Page[UnitView]:
        """Units on a date; with ``parent``, those directly under it along ``relation`` (None:
        their own line; without ``parent`` the relation plays no part)."""
        idx = self._idx()
        relation = _relation(relation)
        versions: Iterable[Version] = (idx.children(parent, at, known_at, relation)
                                       if parent is not None
                                       else idx.existing(at, known_at, level))
        needle = fold(q) if q else None
        out = [UnitView.of(v) for v in versions
               if (level is None or v.level == level) and (kind is None or v.kind == kind)
               and (type is None or v.type == type)
               and (needle is None or needle in fold(v.name))]
        out.sort(key=_unit_key)
        return page_of(out, _unit_key, limit, cursor)

    def named(self, name: str, at: date | None, level: str | None = None,
              known_at: datetime | None = None) -> list[UnitView]:
        """The units bearing exactly ``name`` (compared folded) on ``at`` (or ever, as they last
        bore it, without a date)."""
        key = fold(name)
        if not key:
            return []
        idx = self._idx()
        out = []
        for k, orgs in idx.names(key):
            if k != key:
                continue
            for org in orgs:
                spans = _spans(idx.versions(org, known_at), lambda v: fold(v.name) == key)
                for last, start, end in spans:
                    if at is not None and not (start <= at and (end is None or at < end)):
                        continue
                    v = idx.version(org, at, known_at) if at is not None else last
                    if v is not None and (level is None or v.level == level):
                        out.append(UnitView.of(v))
        seen: set[UUID] = set()
        unique = [u for u in sorted(out, key=_unit_key)
                  if not (u.id in seen or seen.add(u.id))]  # type: ignore[func-returns-value]
        return unique

    def children(self, id: UUID, at: date, known_at: datetime | None = None, limit: int = 100,
                 cursor: str | None = None, relation: str | None = None) -> Page[UnitView]:
        """The units directly under a unit along ``relation`` (administrative, party,
        territory; None: its own line, the ``parent``)."""
        idx = self._idx()
        self._version(idx, id, at, known_at)
        out = [UnitView.of(v) for v in idx.children(id, at, known_at, _relation(relation))]
        out.sort(key=_unit_key)
        return page_of(out, _unit_key, limit, cursor)

    def ancestors(self, id: UUID, at: date, known_at: datetime | None = None,
                  relation: str | None = None) -> list[UnitView]:
        idx = self._idx()
        self._version(idx, id, at, known_at)
        return [UnitView.of(v) for v in idx.ancestors(id, at, known_at, _relation(relation))]

    def subtree(self, id: UUID, at: date, known_at: datetime | None = None,
                depth: int | None = None, relation: str | None = None) -> dict[str, Any]:
        idx = self._idx()
        root = self._version(idx, id, at, known_at)
        return _tree(idx, root, at, known_at, depth, _relation(relation), {root.id})

    def superiors(self, id: UUID, at: date, known_at: datetime | None = None
                  ) -> list[SuperiorView]:
        """A unit's superiors on a date, one per relation that holds then."""
        idx = self._idx()
        return _superiors(idx, self._version(idx, id, at, known_at), at, known_at)

    def snapshot(self, at: date, within: UUID | None = None,
                 known_at: datetime | None = None) -> list[UnitView]:
        idx = self._idx()
        if within is not None:
            self._version(idx, within, at, known_at)
            versions = [idx.version(o, at, known_at) for o in idx.subtree_ids(within, at, known_at)]
        else:
            versions = list(idx.existing(at, known_at))
        views = [UnitView.of(v) for v in versions if v is not None]
        return sorted(views, key=lambda u: (LEVELS.get(u.level or "", 9), u.code or "", u.name,
                                            str(u.id)))

    # history and lineage

    def history(self, id: UUID, known_at: datetime | None = None) -> HistoryView:
        idx = self._idx()
        versions = idx.versions(id, known_at)
        if not versions:
            raise NotFound(f"organisation {id} is not recorded")
        facts = [f for f in self.source.facts_of(id)
                 if known_at is None or f.recorded_at <= known_at]
        events = [_event(f, self._act(idx, f.act_id, known_at), known_at) for f in facts]
        events.sort(key=lambda e: (e.on or date.min, e.position))
        began = [e for e in events if e.kind == BEGAN and not e.superseded]
        return HistoryView(
            id, versions[0].valid_from, versions[-1].valid_to,
            bool(began) and began[0].values.get("how") == "registration",
            [UnitView.of(v) for v in versions], events,
            self.lineage(id, "predecessors", 1, known_at),
            self.lineage(id, "successors", 1, known_at))

    def lineage(self, id: UUID, direction: str, depth: int | None = 1,
                known_at: datetime | None = None) -> list[LineageStep]:
        if direction not in ("predecessors", "successors"):
            raise InvalidInput("must be 'predecessors' or 'successors'", "direction")
        if depth is not None and depth < 1:
            raise InvalidInput("must be at least 1", "depth")
        idx = self._idx()
        if not idx.exists_ever(id, known_at):
            raise NotFound(f"organisation {id} is not recorded")
        back = direction == "predecessors"
        steps: list[LineageStep] = []
        seen_units = {id}
        frontier: list[tuple[UUID, date | None]] = [(id, None)]
        level = 0
        while frontier and (depth is None or level < depth):
            level += 1
            nxt: list[tuple[UUID, date | None]] = []
            for org, bound in frontier:
                edges = idx.edges_in(org, known_at) if back else idx.edges_out(org, known_at)
                for e in edges:
                    if bound is not None and (e.on > bound if back else e.on < bound):
                        continue
                    other = e.source if back else e.target
                    steps.append(self._step(idx, e, other, org, level, back, known_at))
                    if other not in seen_units:
                        seen_units.add(other)
                        nxt.append((other, e.on))
            frontier = nxt
        return steps

    def _step(self, idx: ReadIndex, e: Edge, other: UUID, near: UUID, depth: int, back: bool,
              known_at: datetime | None) -> LineageStep:
        return LineageStep(UnitView.of(_as_at_change(idx, other, e.on, back, known_at)), near,
                           e.type, e.share, e.change, e.on, self._act(idx, e.act, known_at),
                           e.act, e.clause, depth)

    def crosswalk(self, code: str, level: str | None, from_date: date, to_date: date,
                  known_at: datetime | None = None) -> list[CrosswalkItem]:
        start = self.by_code(code, from_date, level, known_at).unit
        idx = self._idx()
        items = self._walk(idx, start, from_date, to_date, known_at)
        if not items:  # ended without a successor (a level abolished): what covers its area
            items = [CrosswalkItem(start, i.target, i.path, i.source)
                     for child in idx.children(start.id, from_date, known_at)
                     for i in self._walk(idx, UnitView.of(child), from_date, to_date, known_at)]
            items = list({i.target.id: i for i in reversed(items)}.values())
        return sorted(items, key=lambda i: (bool(i.path), i.target.code or "", i.target.name))

    def _walk(self, idx: ReadIndex, start: UnitView, from_date: date, to_date: date,
              known_at: datetime | None) -> list[CrosswalkItem]:
        back = to_date < from_date
        lo, hi = (to_date, from_date) if back else (from_date, to_date)
        items: dict[UUID, CrosswalkItem] = {}
        seen = {start.id}
        frontier: list[tuple[UUID, date | None, list[LineageStep]]] = [(start.id, None, [])]
        while frontier:
            nxt = []
            for org, bound, path in frontier:
                here = idx.version(org, to_date, known_at)
                if here is not None and org not in items:
                    items[org] = CrosswalkItem(start, UnitView.of(here), path)
                edges = idx.edges_in(org, known_at) if back else idx.edges_out(org, known_at)
                for e in edges:
                    if not lo < e.on <= hi:
                        continue
                    if bound is not None and (e.on > bound if back else e.on < bound):
                        continue
                    other = e.source if back else e.target
                    if other in seen:
                        continue
                    seen.add(other)
                    step = self._step(idx, e, other, org, len(path) + 1, back, known_at)
                    nxt.append((other, e.on, [*path, step]))
            frontier = nxt
        return list(items.values())

    # differences and changes

    def diff(self, from_date: date, to_date: date, within: UUID | None = None,
             known_at: datetime | None = None) -> DiffView:
        idx = self._idx()
        lo, hi = min(from_date, to_date), max(from_date, to_date)
        inside = (self._scope(idx, from_date, to_date, within, known_at)
                  if within is not None else None)
        facts = self.source.facts_between(lo + timedelta(days=1), hi, streams=inside)
        # A unit differs between two dates only through a fact that took effect between them.
        scope = {f.stream_id for f in facts}
        idx.prefetch(scope)
        acts_of: dict[UUID, list[UUID]] = {}
        for f in facts:
            if _visible(f, known_at) and f.kind != SUPERSEDED:
                acts = acts_of.setdefault(f.stream_id, [])
                if f.act_id is not None and f.act_id not in acts:
                    acts.append(f.act_id)
        idx.prefetch_acts({a for acts in acts_of.values() for a in acts})
        found: dict[str, list[DiffItem]] = {k: [] for k in DIFF_KINDS}
        for org in scope:
            a, b = idx.version(org, from_date, known_at), idx.version(org, to_date, known_at)
            if a is None and b is None:
                continue
            acts = [x for x in (self._act(idx, i, known_at) for i in acts_of.get(org, ()))
                    if x is not None]
            item = DiffItem(org, UnitView.of(a) if a else None, UnitView.of(b) if b else None,
                            acts)
            if a is None:
                found["begun"].append(item)
            elif b is None:
                found["ended"].append(item)
            else:
                if a.name != b.name:
                    found["renamed"].append(item)
                if a.code != b.code:
                    found["recoded"].append(item)
                if a.parent != b.parent:
                    found["moved"].append(item)
                if (a.kind, a.type, a.level) != (b.kind, b.type, b.level):
                    found["reclassified"].append(item)
        for items in found.values():
            items.sort(key=lambda i: (LEVELS.get(i.unit.level or "", 9), i.unit.code or "",
                                      i.unit.name, str(i.id)))
        return DiffView(from_date, to_date, within, **found)

    def _scope(self, idx: ReadIndex, d1: date, d2: date, within: UUID | None,
               known_at: datetime | None) -> set[UUID]:
        assert within is not None
        if idx.version(within, d1, known_at) is None and idx.version(within, d2, known_at) is None:
            raise NotFound(f"organisation {within} exists on neither {d1} nor {d2}")
        return set(idx.subtree_ids(within, d1, known_at)) | set(
            idx.subtree_ids(within, d2, known_at))

    def changes(self, from_date: date, to_date: date, within: UUID | None = None,
                known_at: datetime | None = None, limit: int = 100,
                cursor: str | None = None) -> Page[ChangeView]:
        """A page of changes in (date, position) order. It reads the change list a chunk at a
        time from the cursor on, so a page costs about its own size, whatever the range: a whole
        reform's 35,000 facts used to be read and built for every page (1.2 s)."""
        check_limit(limit)
        idx = self._idx()
        scope = (self._scope(idx, from_date, to_date, within, known_at)
                 if within is not None else None)
        check_limit(limit)
        after = _change_cursor(cursor)
        out: list[ChangeView] = []
        chunk = max(limit + 1, FACTS_READ)
        while len(out) <= limit:  # pages of facts in (date, position) order, until one spare
            facts = self.source.facts_between(from_date, to_date, after, chunk, scope)
            idx.prefetch({f.stream_id for f in facts})
            idx.prefetch_acts({f.act_id for f in facts if f.act_id is not None})
            for f in facts:
                if f.kind == SUPERSEDED or not _visible(f, known_at) or f.on is None:
                    continue
                if _superseded(f, known_at) or (scope is not None and f.stream_id not in scope):
                    continue
                v = _as_at_change(idx, f.stream_id, f.on, f.kind == ENDED, known_at, strict=False)
                if v is None:
                    continue
                out.append(ChangeView(f.seq, f.on, f.kind, UnitView.of(v), f.values,
                                      self._act(idx, f.act_id, known_at), f.act_id, f.clause,
                                      f.actor, f.recorded_at))
            if len(facts) < chunk:
                break
            after = (facts[-1].on, facts[-1].seq)  # type: ignore[assignment]
        key: Callable[[ChangeView], list[Any]] = lambda c: [c.on.isoformat(), c.position]
        return Page(out[:limit], encode_cursor(key(out[limit - 1])) if len(out) > limit else None)

    # search, acts, the feed

    def search(self, text: str, at: date | None = None, known_at: datetime | None = None,
               limit: int = 20, level: str | None = None, within: UUID | None = None,
               field: str = "text") -> list[SearchHit]:
        """Names (current and former) containing ``text``, and the units that held it as a
        code; each hit with its chain of superiors on the hit's date. ``within``: only units
        under that one (on the hit's date). ``field`` names the text in errors (``q`` over
        REST)."""
        check_limit(limit)
        needle = fold(text)
        if not needle:
            raise InvalidInput("give some text to search for", field)
        idx = self._idx()
        if within is not None and not idx.exists_ever(within, known_at):
            raise NotFound(f"organisation {within} is not recorded")
        hits = []
        code = text.strip()
        for org in idx.holders_ever(code):
            for last, start, end in _spans(idx.versions(org, known_at),
                                           lambda v: v.code == code):
                if at is None or (start <= at and (end is None or at < end)):
                    hits.append(SearchHit(UnitView.of(last), last.name, start, end, 0))
        if known_at is None and idx.everything:
            # The ranked structure built for it (registry/application/search.py): bounded by
            # ``limit`` however many names hold the text.
            hits += self._name_search(idx).search(
                needle, at, limit, _search_filter(idx, level, within), (level, within))
            matching: list[tuple[str, set[UUID]]] = []
        else:
            enough = limit if at is None and known_at is None and level is None \
                and within is None else None
            # Counted before anything is loaded: a partial index would load every unit bearing
            # one of the names only to refuse the question.
            count = idx.count_names(needle) if enough is None else None
            matching = [] if count is not None and count > MAX_SEARCH_NAMES else \
                list(idx.names(needle, enough))
            count = len(matching) if count is None else count
            if count > MAX_SEARCH_NAMES:
                raise TooCostly(f"'{text}' is part of {count:,} names (at most "
                                f"{MAX_SEARCH_NAMES:,} are ranked): give more of the name",
                                field, cost=count, limit=MAX_SEARCH_NAMES)
        for key, orgs in matching:
            for org in orgs:
                versions = idx.versions(org, known_at)
                for last, start, end in _spans(versions, lambda v, key=key: fold(v.name) == key):
                    if at is not None and not (start <= at and (end is None or at < end)):
                        continue
                    unit = UnitView.of(last)
                    hits.append(SearchHit(unit, last.name, start, end, _score(needle, key, unit)))
        hits.sort(key=lambda h: (h.score, h.unit.kind != "administrative_unit",
                                 LEVELS.get(h.unit.level or "", 9), h.valid_to is not None,
                                 h.name, -h.valid_from.toordinal(), str(h.unit.id)))
        out: list[SearchHit] = []
        seen = set()
        for h in hits:
            if (level is not None and h.unit.level != level) or (h.unit.id, h.valid_from) in seen:
                continue
            seen.add((h.unit.id, h.valid_from))
            on = at or max(h.valid_from, (h.valid_to or date.max) - timedelta(days=1))
            chain = [UnitView.of(v) for v in idx.ancestors(h.unit.id, on, known_at)]
            if within is not None and within != h.unit.id and within not in {
                    u.id for u in chain}:
                continue
            out.append(replace(h, superiors=chain))
            if len(out) == limit:
                break
        return out

    def acts(self, limit: int = 100, cursor: str | None = None) -> Page[ActView]:
        rows = sorted(self._idx().acts.values(), key=lambda a: a.seq)
        views = [ActView.of(r, None) for r in rows]
        seqs = {r.id: r.seq for r in rows}
        return page_of(views, lambda a: [seqs[a.id]], limit, cursor)

    def act(self, id: UUID) -> ActView:
        row = self._idx().act(id)
        if row is None:
            raise NotFound(f"act {id} is not recorded")
        return ActView.of(row, None, document=True)

    # plans (ADR 0008): never part of the structure

    def plan(self, ref: str, at: date, known_at: datetime | None = None) -> PlanView:
        """A plan (by id, number or title) on a date: each item's status then, its deadline,
        lead and coordinating bodies, the acts that carried it out, and whether it is overdue."""
        return PlanReading(self._idx(), self.source.plan_rows, known_at).plan(ref, at)

    def plans(self, at: date, known_at: datetime | None = None, limit: int = 100,
              cursor: str | None = None) -> Page[PlanSummary]:
        check_limit(limit)
        found = PlanReading(self._idx(), self.source.plan_rows, known_at).plans(at)
        return page_of(found, lambda p: [p.act.effective.isoformat(), p.act.number or "",
                                         str(p.act.id)], limit, cursor)

    def feed(self, after: int = 0, limit: int = 100) -> FeedPage:
        check_limit(limit)
        if not isinstance(after, int) or after < 0:
            raise InvalidInput("must be a log position (0 or more)", "after")
        rows = self.source.log_after(after, limit)
        items = [FeedItem(r.seq, r.recorded_at, r.kind, r.stream_id, r.stream_version, r.on,
                          r.act_id, r.clause, r.actor, r.values) for r in rows]
        return FeedPage(items, items[-1].position if items else after)

    # staffing and functions (current knowledge: their read models keep no transaction time)

    def staffing(self, id: UUID, from_date: date, to_date: date, measure: str = "quota",
                 category: str | None = None) -> StaffingReport:
        """The staffing report of ``id``'s subtree between two dates (``registry.application.
        staffing``): lineage-aware totals, their change, and the targets on it or above it."""
        from registry.application.staffing import staffing_report

        idx = self._idx()

        def act_of(act_id: UUID) -> dict[str, Any] | None:
            row = idx.act(act_id)
            return ActView.of(row, None).summary() if row is not None else {"id": str(act_id)}

        return staffing_report(idx, self.source.staffing, act_of, id, from_date, to_date,
                               measure, category)

    def function_holders(self, function: str, at: date) -> list[HoldingView]:
        """Who held ``function`` on ``at`` (names compared as sibling names are: case and
        tone-mark placement ignored)."""
        text = nfc(function or "")
        if not text or unstorable(text) is not None:  # no act could have named it
            return []
        idx = self._idx()
        held = [h for h in self.source.holdings(key=name_key(text)) if _holds(h, at)]
        return self._holdings(idx, held, at)

    def functions(self, id: UUID, at: date) -> list[HoldingView]:
        """The functions ``id`` held on ``at``."""
        idx = self._idx()
        self._version(idx, id, at, None)
        held = [h for h in self.source.holdings(orgs={id}) if _holds(h, at)]
        return self._holdings(idx, held, at)

    def _holdings(self, idx: ReadIndex, held: list[Holding], at: date) -> list[HoldingView]:
        idx.prefetch({h.org for h in held})
        idx.prefetch_acts({h.act for h in held})
        out = []
        for h in held:
            v = idx.version(h.org, at)
            if v is None:
                continue
            out.append(HoldingView(UnitView.of(v), h.function, h.start, h.end, h.source,
                                   h.target, self._act(idx, h.act, None), h.act, h.clause,
                                   h.end_act))
        out.sort(key=lambda x: (x.unit.name, str(x.unit.id), x.function))
        return out

    def head(self) -> dict[str, Any]:
        """The log position these answers reflect and the hash of the last act up to it."""
        idx = self._idx()
        last = max(idx.acts.values(), key=lambda a: a.seq, default=None)
        return {"position": idx.position, "hash": last.hash if last else CHAIN_GENESIS,
                "act": str(last.id) if last else None}

    def last_change(self) -> datetime | None:
        return self._idx().last_recorded


# -- helpers -----------------------------------------------------------------------------

def _search_filter(idx: ReadIndex, level: str | None, within: UUID | None
                   ) -> Callable[[UnitView, date, date | None], bool] | None:
    """Which name hits a search with ``level`` or ``within`` keeps (None: every one)."""
    if level is None and within is None:
        return None

    def accept(unit: UnitView, start: date, end: date | None) -> bool:
        if level is not None and unit.level != level:
            return False
        if within is None or within == unit.id:
            return True
        on = max(start, (end or date.max) - timedelta(days=1))
        return within in {v.id for v in idx.ancestors(unit.id, on)}

    return accept


def _unit_key(u: UnitView) -> list[Any]:
    return [u.code or "", u.name, str(u.id)]


def _relation(relation: str | None) -> str | None:
    if relation is not None and relation not in RELATIONS:
        raise InvalidInput(f"must be one of {', '.join(RELATIONS)}", "relation")
    return relation


def _superiors(idx: ReadIndex, v: Version, at: date, known_at: datetime | None
               ) -> list[SuperiorView]:
    out = []
    for relation in RELATIONS:
        up = superior(v, relation)
        above = idx.version(up, at, known_at) if up is not None else None
        if above is not None:
            out.append(SuperiorView(relation, above.id, above.code, above.name))
    return out


def _with_superiors(idx: ReadIndex, v: Version, at: date, known_at: datetime | None) -> UnitView:
    return replace(UnitView.of(v), superiors=tuple(_superiors(idx, v, at, known_at)))


def _tree(idx: ReadIndex, v: Version, at: date, known_at: datetime | None,
          depth: int | None, relation: str | None = None,
          seen: set[UUID] | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"id": str(v.id), "code": v.code, "name": v.name, "kind": v.kind,
                            "type": v.type, "level": v.level, "valid_from": v.valid_from.isoformat(),
                            "valid_to": v.valid_to.isoformat() if v.valid_to else None,
                            "illustrative": v.illustrative,
                            "valid_from_stand_in": v.from_stand_in,
                            "valid_to_stand_in": v.to_stand_in}
    node["children"] = []
    if depth is None or depth > 0:
        seen = seen if seen is not None else {v.id}
        for c in idx.children(v.id, at, known_at, relation):
            if c.id in seen:  # the relations are acyclic one by one; never loop regardless
                continue
            seen.add(c.id)
            node["children"].append(_tree(idx, c, at, known_at,
                                          None if depth is None else depth - 1, relation, seen))
    return node


def _as_at_change(idx: ReadIndex, org: UUID, on: date, before: bool, known_at: datetime | None,
                  strict: bool = True) -> Version:
    """A unit as it stood at a change: the day before for what ended, the day itself otherwise."""
    first, second = (on - timedelta(days=1), on) if before else (on, on - timedelta(days=1))
    v = idx.version(org, first, known_at) or idx.version(org, second, known_at)
    if v is None:
        versions = idx.versions(org, known_at)
        v = versions[-1] if versions else None
    if v is None and strict:
        raise NotFound(f"organisation {org} is not recorded")
    return v  # type: ignore[return-value]


def _score(needle: str, key: str, unit: UnitView) -> int:
    """How ``needle`` matches the name ``key`` (ranked as the search structure ranks it)."""
    return score(needle, key, key.removeprefix(fold(unit.type) + " "), " " + key)


def _holds(h: Holding, at: date) -> bool:
    return h.start <= at and (h.end is None or at < h.end)


def _visible(f: ChangeRow, known_at: datetime | None) -> bool:
    return known_at is None or f.recorded_at <= known_at


def _superseded(f: ChangeRow, known_at: datetime | None) -> bool:
    return f.superseded_at is not None and (known_at is None or f.superseded_at <= known_at)


def _event(f: ChangeRow, act: ActView | None, known_at: datetime | None) -> EventView:
    return EventView(f.seq, f.stream_version, f.kind, f.on, f.values, act, f.act_id, f.clause,
                     f.actor, f.recorded_at, _superseded(f, known_at))


__all__ = [
    "ActView",
    "ChangeView",
    "CodeMatch",
    "CrosswalkItem",
    "DiffItem",
    "DiffView",
    "EventView",
    "FeedItem",
    "FeedPage",
    "HistoryView",
    "HoldingView",
    "LineageStep",
    "Page",
    "PlanSummary",
    "PlanView",
    "ReadSource",
    "Reader",
    "SearchHit",
    "StaffingReport",
    "SuperiorView",
    "UnitView",
]


def _change_cursor(cursor: str | None) -> tuple[date, int] | None:
    """A page of changes resumes after ``[date, position]``."""
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    try:
        return date.fromisoformat(key[0]), int(key[1])
    except (TypeError, ValueError):
        raise InvalidInput("malformed cursor", "cursor") from None
