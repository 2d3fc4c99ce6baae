"""Projection rebuild rate against reading and decoding the same log without writing anything.

A synthetic history (``benchmarks/synthetic.py``) is appended to a fresh log on SQLite (and a
smaller one on PostgreSQL); then, in the same run: the whole log read and decoded page by page
(the baseline), and ``Projection.rebuild()`` (empty the read models, fold everything again).
Goal: rebuild at no less than a third of the raw read rate.
Sizes: BENCH_REBUILD_EVENTS (default 100000) on SQLite, a third of it on PostgreSQL.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from typing import Any

import psycopg

from benchmarks import synthetic
from registry import bootstrap
from registry.adapters.eventstore import Database, EventLog

POSTGRES_URL = os.environ.get("REGISTRY_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
GOAL = 1 / 3


def read_all(log: EventLog, page: int = 1_000) -> int:
    n, position = 0, 0
    while True:
        events = log.read(position, page)
        if not events:
            return n
        n += len(events)
        position = events[-1][0]


def measure(url: str, size: int) -> dict[str, Any]:
    log = EventLog(Database.parse(url))
    try:
        syn = synthetic.write(log, size)
        raw = []
        for _ in range(2):
            started = time.perf_counter()
            n = read_all(log)
            raw.append(n / (time.perf_counter() - started))
        projection = bootstrap.build_projection(url, log)
        started = time.perf_counter()
        folded = projection.rebuild()
        rebuild = folded / (time.perf_counter() - started)
        projection.store.close()
        return {"events": syn.written, "raw": max(raw), "rebuild": rebuild,
                "ratio": rebuild / max(raw)}
    finally:
        log.close()


def main() -> dict[str, Any]:
    size = int(os.environ.get("BENCH_REBUILD_EVENTS", "100000"))
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as folder:
        out["sqlite"] = measure(f"sqlite:///{folder}/registry.db", size)
    schema = "bench_" + uuid.uuid4().hex[:10]
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    except psycopg.OperationalError as e:
        print(f"postgresql: skipped ({e})")
    else:
        try:
            out["postgresql"] = measure(f"{POSTGRES_URL}?schema={schema}", size // 3)
        finally:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    print(f"{'backend':<11} {'events':>8} {'read+decode/s':>14} {'rebuild/s':>10} "
          f"{'ratio':>6}  goal ≥ {GOAL:.2f}")
    for backend, f in out.items():
        verdict = "met" if f["ratio"] >= GOAL else "NOT met"
        print(f"{backend:<11} {f['events']:>8} {f['raw']:>14,.0f} {f['rebuild']:>10,.0f} "
              f"{f['ratio']:>6.2f}  {verdict}")
    return out


if __name__ == "__main__":
    main()
