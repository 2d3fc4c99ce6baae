"""Import times and peak memory: Vietnam's 2025 reform and INSEE's releases, per backend.

INSEE yearly: the 2019 list, then the 2020, 2021 and 2022 changes files, each a separate
process on the same database as a user's yearly command would be (start-up replay of the log,
the import, and the read models caught up), with the number of communes exact against the
release's list. The baseline is the same process reading the release's files and replaying the
log without importing anything (``insee-idle``).

Each measurement runs in its own process (peak memory is per process: ``ru_maxrss``) on a fresh
SQLite file or PostgreSQL schema. Data from $REGISTRY_SHARED_DATA (default ``../shared/data``).

    python -m benchmarks import
    python -m benchmarks.bench_import insee-yearly     # only the yearly releases
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("REGISTRY_SHARED_DATA", ROOT.parent / "shared" / "data"))
POSTGRES_URL = os.environ.get("REGISTRY_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
JOBS = ("vn-2025", "vn-2025-resume", "vn-queries", "insee-self-check", "insee-history",
        "insee-list-2019", "insee-release-2020", "insee-release-2021", "insee-release-2022",
        "insee-idle")
YEARLY = ("insee-list-2019", "insee-release-2020", "insee-release-2021", "insee-release-2022")


def main(only: str | None = None) -> None:
    for backend in ("sqlite", "postgresql"):
        if only == "insee-yearly":
            _yearly(backend)
            continue
        for job in JOBS:
            if job in ("vn-2025-resume", "vn-queries", "insee-idle") or job in YEARLY:
                continue
            url, cleanup = _fresh(backend)
            try:
                _report(backend, job, _run(job, url))
                if job == "vn-2025":
                    _report(backend, "vn-2025 again (resume: all acts already recorded)",
                            _run("vn-2025-resume", url))
                    _report(backend, "read models + queries", _run("vn-queries", url))
            finally:
                cleanup()
        _yearly(backend)


def _yearly(backend: str) -> None:
    url, cleanup = _fresh(backend)
    try:
        for job in YEARLY:
            figures = _run(job, url)
            if job != YEARLY[0]:
                idle = _run("insee-idle", url)
                figures["× idle"] = round(figures["seconds"] / idle["seconds"], 1)
                figures["idle s"] = idle["seconds"]
            _report(backend, job, figures)
    finally:
        cleanup()


def _report(backend: str, job: str, figures: dict) -> None:
    extra = "".join(f", {k} {v}" for k, v in figures.items() if k not in ("seconds", "peak_mb"))
    print(f"{backend:10} {job:28} {figures['seconds']:7.1f} s  peak {figures['peak_mb']:5.0f} MB"
          f"{extra}", flush=True)


def _run(job: str, url: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_import", job, url],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fresh(backend: str):
    if backend == "sqlite":
        folder = tempfile.TemporaryDirectory()
        return f"sqlite:///{folder.name}/bench.db", folder.cleanup
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return f"{POSTGRES_URL}?schema={schema}", drop


def _one(job: str, url: str) -> dict:
    from registry import bootstrap
    from registry.domain.errors import ActRefused
    from registry.importers import insee, vn2025

    started = time.perf_counter()
    registry = bootstrap.build(url)
    figures: dict = {}
    if job == "vn-queries":
        registry.log.close()
        figures.update(_queries(url))
        registry = bootstrap.build(url)
    elif job.startswith("vn-2025"):
        results = vn2025.run(registry, DATA / "vn", "bench")
        figures["acts recorded"] = sum(r.created for r in results)
    elif job in YEARLY or job == "insee-idle":
        figures.update(_yearly_step(registry, url, job))
    elif job == "insee-self-check":
        fr = DATA / "fr"
        insee.load_units(registry, fr / "comsimp2018.txt", date(2018, 1, 1), "bench")
        outcome = insee.apply_events(registry, fr / "mvtcommune2019.csv", "bench")
        with registry.reading() as tl:
            good, total, _ = insee.compare(tl, fr / "commune2019.csv", date(2019, 1, 1))
        figures["score"] = f"{good}/{total}"
        figures["events"] = outcome.recorded
    else:
        fr = DATA / "fr"
        try:
            outcome = insee.load_history(registry, fr / "commune2019.csv",
                                         fr / "mvtcommune2019.csv", "bench")
            with registry.reading() as tl:
                good, total, _ = insee.compare(tl, fr / "commune2019.csv", date(2019, 1, 1))
            figures["score"] = f"{good}/{total}"
            figures["events"] = outcome.recorded
            figures["refused"] = len(outcome.refused)
        except ActRefused as e:
            figures["refused at"] = str(e.violations[0])[:120]
    figures["seconds"] = round(time.perf_counter() - started, 2)
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    registry.log.close()
    return figures


def _yearly_step(registry, url: str, job: str) -> dict:
    """One yearly command: the import, then the read models caught up, as the CLI does."""
    from registry import bootstrap
    from registry.importers import insee
    from registry.importers.insee_check import check
    from registry.importers.insee_mapping import read_events, read_units

    fr = DATA / "fr"
    year = int(job[-4:]) if job != "insee-idle" else 2022
    units = fr / ("commune2019.csv" if year == 2019 else f"v_commune_{year}.csv")
    figures: dict = {}
    if job == "insee-idle":  # the baseline: start-up, reading the release's files, no import
        read_events(fr / f"v_mvt_commune_{year}.csv")
        read_units(units)
        with registry.reading():
            pass
        return figures
    with registry.batch():
        if year == 2019:
            insee.load_units(registry, units, date(2019, 1, 1), "bench")
        else:
            out = insee.apply_events(registry, fr / f"v_mvt_commune_{year}.csv", "bench")
            figures.update(recorded=out.recorded, withdrawn=out.withdrawn,
                           amended=out.amended, refused=len(out.refused))
    bootstrap.settle(url, registry.log)  # the read models, as `registry import` ends
    with registry.reading() as tl:
        result = check(tl, read_units(units), date(year, 1, 1))
    figures["communes exact"] = f"{result.exact}/{result.communes}"
    figures["differences"] = len(result.differences)
    return figures


def _queries(url: str) -> dict:
    """The historical queries re-run on the real data: one commune, and a province's tree, on
    each side of the reform, from the read models (as ``bench_queries`` does on synthetic data)."""
    from benchmarks.bench_queries import cycle, per_call
    from registry import bootstrap
    from registry.application.reading import Reader
    from registry.projections.source import ModelSource

    projection = bootstrap.build_projection(url)
    started = time.perf_counter()
    projection.catch_up()
    figures: dict = {"projected s": round(time.perf_counter() - started, 1)}
    source = ModelSource(projection.store, None)
    source.refresh()
    reader = Reader(source)
    for at in (date(2025, 6, 30), date(2025, 7, 1)):
        units = reader.snapshot(at)
        communes = [u.id for u in units if u.level == "commune"][:200]
        nxt = cycle(communes)
        one = per_call(lambda: reader.unit(nxt(), at), 5_000)  # noqa: B023 - called at once
        figures[f"unit µs {at}"] = round(one * 1e6, 1)
        for code in ("01", "79"):
            root = next(u for u in units if u.level == "province" and u.code == code)
            tree = per_call(lambda: reader.subtree(root.id, at), 20)  # noqa: B023
            figures[f"subtree {code} ms {at}"] = round(tree * 1e3, 2)
    projection.store.close()
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in JOBS:
        print(json.dumps(_one(sys.argv[1], sys.argv[2]), ensure_ascii=False))
    else:
        main(sys.argv[1] if len(sys.argv) == 2 else None)
