"""Serving on the national data: query commands' wall time, and whether heavy reads stall others.

Imports Vietnam's 2025 reform (``../shared/data/vn``, or ``$REGISTRY_SHARED_DATA/vn``) into a fresh
SQLite file and a fresh PostgreSQL schema, then:

- runs every query command as a user would (a new interpreter each time, wall time including
  start-up) on both backends; the in-run baseline is a bare interpreter start. Goal: < 0.5 s each.
- serves the PostgreSQL copy with one ``registry serve`` and measures ``/v1/ping`` latency with one
  ``wrk`` connection, alone and then while 8 connections run the heaviest reads (search for one
  letter, the changes over all dates, a GraphQL page of 1,000 units with their parents, the
  national snapshot) in a loop. Goal: ping p99 under load < 20 ms.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg

from benchmarks.bench_http import CLI, free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("REGISTRY_SHARED_DATA", ROOT.parent / "shared" / "data"))
POSTGRES_URL = os.environ.get("REGISTRY_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
SECONDS = float(os.environ.get("BENCH_SERVING_SECONDS", "10"))
REPEATS = int(os.environ.get("BENCH_CLI_REPEATS", "3"))
COMMANDS = [
    ["show", "00001", "--at", "2025-06-30"],
    ["tree", "01", "--at", "2025-07-01"],
    ["history", "00004"],
    ["lineage", "00004", "--at", "2025-07-01"],
    ["crosswalk", "00001", "--from", "2025-06-30", "--to", "2025-07-01"],
    ["diff", "--from", "2025-06-30", "--to", "2025-07-01", "--within", "01"],
    ["search", "hoan kiem"],
    ["export", "--at", "2025-07-01", "--within", "01"],
]
HEAVY = [
    ("GET", "/v1/search?q=a", None),
    ("GET", "/v1/changes?from=1900-01-01&to=2100-01-01&limit=1000", None),
    ("POST", "/graphql", json.dumps({"query": '{ units(first: 1000, at: "2025-07-01") '
                                              "{ items { id code name parent { id name } } } }"})),
    ("GET", "/v1/snapshot?at=2025-07-01", None),
]


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, timeout=300)
    return time.perf_counter() - started


def import_vn(url: str) -> None:
    subprocess.run([sys.executable, "-c", CLI, "import", "vn-2025", str(DATA / "vn"),
                    "--database", url], check=True, capture_output=True, timeout=1800)


def command_times(url: str) -> dict[str, float]:
    out = {}
    for command in COMMANDS:
        args = [sys.executable, "-c", CLI, *command, "--database", url]
        out[command[0]] = statistics.median(timed(args) for _ in range(REPEATS))
    return out


def wrk_latency(url: str, seconds: float, connections: int = 1) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    figures = {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for label in ("50", "99"):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        figures[f"p{label}"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return figures


def heavy_script(work: Path) -> Path:
    """A wrk script cycling through the heavy reads, one after another per connection."""
    lines = ["local requests = {}", "local i = 0"]
    for method, path, body in HEAVY:
        headers = '{["Content-Type"] = "application/json"}' if body else "{}"
        body_lua = json.dumps(body) if body else "nil"
        lines.append(f'table.insert(requests, wrk.format("{method}", "{path}", {headers}, '
                     f"{body_lua}))")
    lines += ["request = function()", "  i = i % #requests + 1", "  return requests[i]", "end",
              "response = function(status)",
              '  if status ~= 200 then error("heavy read answered " .. status) end', "end"]
    script = work / "heavy.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def ping_under_load(base: str, work: Path) -> dict[str, dict[str, float]]:
    ping = f"{base}/v1/ping"
    wrk_latency(ping, 2)  # warm up
    alone = wrk_latency(ping, SECONDS)
    heavy_out: dict[str, str] = {}

    def heavy() -> None:
        heavy_out["text"] = subprocess.run(
            ["wrk", "-t1", "-c8", f"-d{SECONDS + 4:g}s", "-s", str(heavy_script(work)), base],
            capture_output=True, text=True, timeout=SECONDS + 120, check=True).stdout

    loader = threading.Thread(target=heavy)
    loader.start()
    time.sleep(2)  # the heavy reads are running
    loaded = wrk_latency(ping, SECONDS)
    loader.join()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", heavy_out["text"]).group(1))  # type: ignore[union-attr]
    return {"alone": alone, "loaded": loaded, "heavy": {"rate": rate}}


def letters(base: str, work: Path) -> dict[str, float]:
    """``/v1/search`` for every one-letter query, a to z in turn, 8 connections."""
    script = work / "letters.lua"
    script.write_text('local i = 0\nrequest = function()\n  i = i % 26 + 1\n'
                      '  return wrk.format("GET", "/v1/search?q=" .. string.char(96 + i))\nend\n')
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{SECONDS:g}s", "--latency", "-s", str(script),
                          base], capture_output=True, text=True, timeout=SECONDS + 60,
                         check=True).stdout
    figures = {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for label in ("50", "99"):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        figures[f"p{label}"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return figures


def main() -> None:
    if not (DATA / "vn").is_dir():
        print(f"bench_serving: skipped, no national data at {DATA / 'vn'}")
        return
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: scripts/ensure-wrk.sh (make bench runs it)")
    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        with tempfile.TemporaryDirectory(prefix="bench-serving-") as tmp:
            work = Path(tmp)
            urls = {"sqlite": f"sqlite:///{work / 'vn.db'}",
                    "postgresql": f"{POSTGRES_URL}?schema={schema}"}
            for backend, url in urls.items():
                if backend == "postgresql" or os.environ.get("BENCH_SERVING_CLI", "1") == "1":
                    import_vn(url)
            start = statistics.median(timed([sys.executable, "-c", "pass"]) for _ in range(5))
            print(f"bench_serving: vn-2025 imported; interpreter start-up {start * 1000:.0f} ms "
                  f"(the baseline); each command the median of {REPEATS} runs, wall time")
            for backend, url in urls.items() if os.environ.get("BENCH_SERVING_CLI", "1") == "1" else ():
                times = command_times(url)
                worst = max(times.values())
                print(f"  {backend:10s} " + "  ".join(f"{k} {v:.2f}s" for k, v in times.items())
                      + f"  ({'meets' if worst < 0.5 else 'MISSES'} the 0.5 s goal)")
            port = free_port()
            server = start_server(urls["postgresql"], port, work / "server.log")
            try:
                figures = ping_under_load(f"http://127.0.0.1:{port}", work)
                figures["letters"] = letters(f"http://127.0.0.1:{port}", work)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    alone, loaded = figures["alone"], figures["loaded"]
    verdict = "meets" if loaded["p99"] < 20 else "MISSES"
    print(f"  /v1/ping alone           p50 {alone['p50']:7.2f} ms  p99 {alone['p99']:7.2f} ms  "
          f"{alone['rate']:8.0f} req/s (1 connection)")
    print(f"  /v1/ping beside 8 heavy  p50 {loaded['p50']:7.2f} ms  p99 {loaded['p99']:7.2f} ms  "
          f"{loaded['rate']:8.0f} req/s ({verdict} the 20 ms p99 goal); heavy reads "
          f"{figures['heavy']['rate']:.1f} req/s")
    found = figures["letters"]
    verdict = "meets" if found["p50"] < 5 and found["rate"] >= 2000 else "MISSES"
    print(f"  /v1/search?q=a…z         p50 {found['p50']:7.2f} ms  p99 {found['p99']:7.2f} ms  "
          f"{found['rate']:8.0f} req/s (8 connections; {verdict} p50 < 5 ms, ≥ 2,000 req/s)")


if __name__ == "__main__":
    main()
