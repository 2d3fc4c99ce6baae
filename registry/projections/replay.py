"""A read source built by replaying the in-memory timeline: the stop-gap before the SQL read models.

Current knowledge only (every row counts as recorded since the beginning of time).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from registry.application.service import Registry
from registry.domain.model import SUPERSEDED
from registry.projections.index import ReadIndex
from registry.projections.rows import BEGINNING, ActRow, ChangeRow, EdgeRow, VersionRow


class TimelineSource:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._index: ReadIndex | None = None
        self._facts: list[ChangeRow] = []

    def index(self) -> ReadIndex:
        with self.registry.reading() as tl:
            if self._index is not None and self._index.position == tl.position:
                return self._index
            idx = ReadIndex()
            for org, record in tl.records.items():
                idx.put_org(org, [VersionRow(v, BEGINNING) for v in record.versions])
                idx.put_edges(EdgeRow(f"{e.source}>{e.target}@{e.on}#{i}", e, BEGINNING)
                              for i, e in enumerate(record.edges_in))
            for a in tl.acts.values():
                idx.put_act(ActRow(a.id, a.seq, a.key, a.digest, a.number, a.kind, a.issuer,
                                   a.signed, a.effective, a.title, a.url, a.verified, a.note,
                                   a.actor, a.recorded_at, a.document, a.withdrawn_by,
                                   BEGINNING if a.withdrawn_by else None))
            facts = []
            for f in tl.facts():
                facts.append(ChangeRow(f.seq, f.org, f.version, f.kind, f.on, f.act, f.clause,
                                       f.actor, f.recorded_at, dict(f.values)))
            void = {(f.stream_id, f.values["target"]) for f in facts if f.kind == SUPERSEDED}
            self._facts = sorted(
                (ChangeRow(**{**{k: getattr(f, k) for k in f.__slots__},  # type: ignore[attr-defined]
                              "superseded_at": BEGINNING})
                 if (f.stream_id, f.stream_version) in void else f for f in facts),
                key=lambda f: f.seq)
            idx.position = tl.position
            idx.last_recorded = max((f.recorded_at for f in facts), default=None)
            self._index = idx
            return idx

    def facts_of(self, org: UUID) -> list[ChangeRow]:
        self.index()
        return [f for f in self._facts if f.stream_id == org]

    def facts_between(self, first: date, last: date) -> list[ChangeRow]:
        self.index()
        return [f for f in self._facts if f.on is not None and first <= f.on <= last]

    def log_after(self, after: int, limit: int) -> list[ChangeRow]:
        self.index()
        return [f for f in self._facts if f.seq > after][:limit]
