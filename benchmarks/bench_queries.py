"""As-of queries against the cheapest lookups of the same rows, and how they grow with history.

For each size of synthetic history (``benchmarks/synthetic.py``: 10^3 … BENCH_QUERY_MAX events,
default 10^5 so that the whole run takes a few minutes; BENCH_QUERY_MAX=1000000 adds 3·10^5 and
10^6, several minutes more) on
SQLite, the read models are projected from the log and a ``Reader`` loads its index; then, in
the same run, for 200 communes and one province on the last day of the history:
- ``Reader.unit(id, at)`` against a dict of the same rows, and against one indexed SQL query;
- ``Reader.unit(id, at, known_at)`` (transaction time: one organisation's rows filtered);
- ``Reader.subtree(province, at)`` (~160 units) against the same walk over a plain dict of that
  day's children lists, and against one recursive SQL query.
Goals: one unit under 50 µs, a province subtree under 2 ms, neither growing with history.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from benchmarks import synthetic
from registry import bootstrap
from registry.adapters.eventstore import Database, EventLog
from registry.application.reading import Reader, UnitView
from registry.projections.source import ModelSource

UNIT_GOAL_US, SUBTREE_GOAL_MS = 50.0, 2.0
ONE_SQL = ("SELECT org_id, code, name, kind, type, level, parent_id, territory_id, valid_from, "
           "valid_to FROM unit_versions WHERE org_id = ? AND recorded_to IS NULL AND "
           "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)")
TREE_SQL = """
WITH RECURSIVE tree(org_id, code, name, kind, type, level, parent_id, valid_from, valid_to) AS (
  SELECT org_id, code, name, kind, type, level, parent_id, valid_from, valid_to
    FROM unit_versions WHERE org_id = :root AND recorded_to IS NULL
     AND valid_from <= :at AND (valid_to IS NULL OR valid_to > :at)
  UNION ALL
  SELECT v.org_id, v.code, v.name, v.kind, v.type, v.level, v.parent_id, v.valid_from, v.valid_to
    FROM unit_versions v JOIN tree t ON v.parent_id = t.org_id
   WHERE v.recorded_to IS NULL AND v.valid_from <= :at AND (v.valid_to IS NULL OR v.valid_to > :at)
) SELECT * FROM tree"""


def per_call(fn: Callable[[], Any], calls: int) -> float:
    """Seconds per call, the best of three rounds."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - started) / calls)
    return best


def cycle(items: list[Any]) -> Callable[[], Any]:
    state = {"i": 0}

    def nxt() -> Any:
        state["i"] = (state["i"] + 1) % len(items)
        return items[state["i"]]
    return nxt


def plain_tree(children: dict[Any, list[UnitView]], unit: UnitView) -> dict[str, Any]:
    return {"id": str(unit.id), "code": unit.code, "name": unit.name, "kind": unit.kind,
            "type": unit.type, "level": unit.level, "valid_from": unit.valid_from.isoformat(),
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
            "children": [plain_tree(children, c) for c in children.get(unit.id, ())]}


def measure(size: int, folder: str) -> dict[str, Any]:
    path = f"{folder}/registry-{size}.db"
    url = f"sqlite:///{path}"
    log = EventLog(Database.parse(url))
    syn = synthetic.write(log, size)
    projection = bootstrap.build_projection(url, log)
    started = time.perf_counter()
    projection.catch_up()
    projected = time.perf_counter() - started
    source = ModelSource(projection.store, None)
    reader = Reader(source)
    source.refresh()
    at = synthetic.START + timedelta(days=syn.days)  # type: ignore[attr-defined]
    province = syn.units[syn.provinces[-1]]
    everything = reader.snapshot(at)
    communes = [u for u in everything if u.level == "commune"][:200]
    ids = [u.id for u in communes]
    plain = {u.id: u for u in everything}
    children: dict[Any, list[UnitView]] = {}
    for u in everything:
        children.setdefault(u.parent_id, []).append(u)
    for kids in children.values():
        kids.sort(key=lambda u: (u.code or "", u.name, str(u.id)))
    root = reader.unit(province.id, at)
    assert reader.subtree(province.id, at) == plain_tree(children, root)
    moment = synthetic.RECORDED + timedelta(days=3650)

    nxt = cycle(ids)
    unit = per_call(lambda: reader.unit(nxt(), at), 20_000)
    known = per_call(lambda: reader.unit(nxt(), at, moment), 20_000)
    dict_ = per_call(lambda: plain[nxt()], 20_000)
    db = sqlite3.connect(path)
    iso = at.isoformat()
    one_sql = per_call(lambda: db.execute(ONE_SQL, (str(nxt()), iso, iso)).fetchone(), 5_000)
    tree = per_call(lambda: reader.subtree(province.id, at), 200)
    tree_dict = per_call(lambda: plain_tree(children, root), 200)
    tree_sql = per_call(lambda: db.execute(TREE_SQL, {"root": str(province.id), "at": iso})
                        .fetchall(), 200)
    size_tree = len(db.execute(TREE_SQL, {"root": str(province.id), "at": iso}).fetchall())
    db.close()
    projection.store.close()
    log.close()
    return {"events": syn.written, "units": len(syn.units), "at": at, "projected": projected,
            "unit": unit, "known": known, "dict": dict_, "sql": one_sql, "tree": tree,
            "tree_dict": tree_dict, "tree_sql": tree_sql, "tree_units": size_tree}


def main() -> list[dict[str, Any]]:
    top = int(os.environ.get("BENCH_QUERY_MAX", "100000"))
    sizes = [s for s in (1_000, 10_000, 100_000, 300_000, 1_000_000) if s <= top]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as folder:
        for size in sizes:
            rows.append(measure(size, folder))
            f = rows[-1]
            print(f"  {f['events']:>9,} events, {f['units']:>7,} units: projected in "
                  f"{f['projected']:.1f} s", flush=True)
    us = 1e6
    print(f"\n{'events':>9} {'unit µs':>8} {'dict µs':>8} {'×dict':>6} {'1 SQL µs':>9} "
          f"{'SQL/unit':>8} {'known-at µs':>11} | {'subtree ms':>10} {'units':>5} "
          f"{'dict walk ms':>12} {'×walk':>6} {'SQL ms':>7} {'SQL/subtree':>11}")
    for f in rows:
        print(f"{f['events']:>9,} {f['unit'] * us:>8.2f} {f['dict'] * us:>8.3f} "
              f"{f['unit'] / f['dict']:>6.1f} {f['sql'] * us:>9.1f} {f['sql'] / f['unit']:>8.1f} "
              f"{f['known'] * us:>11.2f} | {f['tree'] * 1e3:>10.3f} {f['tree_units']:>5} "
              f"{f['tree_dict'] * 1e3:>12.3f} {f['tree'] / f['tree_dict']:>6.1f} "
              f"{f['tree_sql'] * 1e3:>7.3f} {f['tree_sql'] / f['tree']:>11.1f}")
    first, last = rows[0], rows[-1]
    print(f"\ngrowth from {first['events']:,} to {last['events']:,} events: one unit "
          f"×{last['unit'] / first['unit']:.2f}, subtree ×{last['tree'] / first['tree']:.2f}")
    worst_unit = max(f["unit"] for f in rows) * us
    worst_tree = max(f["tree"] for f in rows) * 1e3
    print(f"goals: one unit < {UNIT_GOAL_US:.0f} µs: {worst_unit:.1f} µs "
          f"({'met' if worst_unit < UNIT_GOAL_US else 'NOT met'}); subtree < "
          f"{SUBTREE_GOAL_MS:.0f} ms: {worst_tree:.2f} ms "
          f"({'met' if worst_tree < SUBTREE_GOAL_MS else 'NOT met'})")
    if top < 1_000_000:
        print(f"(history capped at {top:,} events to keep the run to a few minutes; "
              "BENCH_QUERY_MAX=1000000 runs the full 10^6)")
    return rows


if __name__ == "__main__":
    main()
