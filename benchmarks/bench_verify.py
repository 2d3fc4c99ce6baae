"""`registry verify` on real logs, against reading and decoding the same log in the same run.

The national reform (VN, 98 acts, ~35,000 events) on SQLite and PostgreSQL, and INSEE's full
1943–2019 history (4,745 acts) on SQLite, each imported into a fresh database; then, timed in
turn: the whole log read and decoded page by page (the baseline), and the verification (decode,
canonical encoding, SHA-256 chain, structural checks). Data from $REGISTRY_SHARED_DATA.

    python -m benchmarks verify
"""

from __future__ import annotations

import time

from benchmarks.bench_import import DATA, _fresh
from benchmarks.bench_rebuild import read_all
from registry import bootstrap
from registry.adapters.eventstore import Database, EventLog


def _load(job: str, url: str) -> None:
    from registry.importers import insee, vn2025

    registry = bootstrap.build(url)
    try:
        if job == "vn-2025":
            vn2025.run(registry, DATA / "vn", "bench")
        else:
            fr = DATA / "fr"
            insee.load_history(registry, fr / "commune2019.csv", fr / "mvtcommune2019.csv",
                               "bench")
    finally:
        registry.log.close()


def main() -> None:
    for backend, job in (("sqlite", "vn-2025"), ("postgresql", "vn-2025"),
                         ("sqlite", "insee-history")):
        url, cleanup = _fresh(backend)
        try:
            _load(job, url)
            log = EventLog(Database.parse(url))
            try:
                started = time.perf_counter()
                events = read_all(log, 5_000)
                read_s = time.perf_counter() - started
                started = time.perf_counter()
                result = log.verify()
                verify_s = time.perf_counter() - started
            finally:
                log.close()
            assert result.ok, result.problem
            print(f"{backend:10} {job:14} {events:7,} events {result.acts:5,} acts: "
                  f"read+decode {read_s:5.2f} s, verify {verify_s:5.2f} s "
                  f"(×{verify_s / read_s:.2f} the read)", flush=True)
        finally:
            cleanup()
