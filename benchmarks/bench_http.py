"""HTTP throughput: the REST as-of lookup and its GraphQL equivalent, against a constant endpoint.

Starts ``registry serve`` (uvicorn) on 127.0.0.1 on a free port over a fresh SQLite registry with
the Lai Châu acts loaded, then measures requests/s with ``wrk`` (``make bench`` installs it with
scripts/ensure-wrk.sh; there is no weaker fallback) for, in this order: the constant ``GET /v1/ping``, ``GET /v1/units/{id}?at=``, the
GraphQL query for the same unit, and the constant endpoint again. The ratios compare each against
the constant runs just before and after it, made by the same server in the same run.
Goals: REST ≥ 60 % of the constant endpoint, GraphQL ≥ 15 %.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "lai-chau"
AT = "2025-07-01"
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "3"))
CONNECTIONS = 16
GOALS = {"rest": 0.60, "graphql": 0.15}
CLI = "import sys; from registry.cli import main; sys.exit(main())"
QUERY = ('query { unit(id: "%s", at: "' + AT + '") '
         '{ id code name kind type level parentId validFrom validTo } }')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", CLI, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--no-access-log", "--database", url], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"registry serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("registry serve did not become ready within 60 s")


def wrk(url: str, seconds: float, script: Path | None = None) -> float:
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run(args + [url], capture_output=True, text=True, timeout=seconds + 30,
                         check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw error responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def measure(base: str, unit_id: str, work: Path) -> dict[str, float]:
    """Interleaved rounds (constant, REST, constant, GraphQL, constant): each ratio compares a
    run with the constant runs just before and after it, so that load from other processes on
    the machine moves both; the median round is reported."""
    ping, rest = f"{base}/v1/ping", f"{base}/v1/units/{unit_id}?at={AT}"
    body = {"query": QUERY % unit_id}
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: scripts/ensure-wrk.sh (make bench runs it)")
    script = work / "graphql.lua"
    script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                      f"wrk.body = {json.dumps(json.dumps(body))}\n")
    runs = {"constant": lambda: wrk(ping, SECONDS), "rest": lambda: wrk(rest, SECONDS),
            "graphql": lambda: wrk(f"{base}/graphql", SECONDS, script)}
    wrk(ping, 1)  # warm up
    rounds: list[dict[str, float]] = []
    for _ in range(ROUNDS):
        before = runs["constant"]()
        rest_rate = runs["rest"]()
        middle = runs["constant"]()
        graphql_rate = runs["graphql"]()
        after = runs["constant"]()
        rounds.append({"constant": (before + middle + after) / 3, "rest": rest_rate,
                       "graphql": graphql_rate,
                       "rest_ratio": rest_rate / ((before + middle) / 2),
                       "graphql_ratio": graphql_rate / ((middle + after) / 2)})
    return {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}


def check_answers(base: str) -> str:
    unit = httpx.get(f"{base}/v1/codes/03388", params={"at": AT}).json()
    assert unit["name"] == "Phường Đoàn Kết", unit
    same = httpx.get(f"{base}/v1/units/{unit['id']}", params={"at": AT}).json()
    assert same["id"] == unit["id"]
    answer = httpx.post(f"{base}/graphql", json={"query": QUERY % unit["id"]}).json()
    assert answer["data"]["unit"]["name"] == unit["name"], answer
    return str(unit["id"])


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'registry.db'}"
        subprocess.run([sys.executable, "-c", CLI, "load", str(FIXTURES), "--database", url],
                       check=True, capture_output=True, timeout=300)
        port = free_port()
        server = start_server(url, port, work / "server.log")
        try:
            base = f"http://127.0.0.1:{port}"
            unit_id = check_answers(base)
            figures = measure(base, unit_id, work)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"bench_http (wrk, {ROUNDS} interleaved rounds of {SECONDS:g} s runs, "
          f"{CONNECTIONS} connections, one uvicorn process; medians)")
    print(f"  constant GET /v1/ping           {figures['constant']:9.0f} req/s")
    labels = {"rest": f"GET /v1/units/{{id}}?at={AT}", "graphql": "GraphQL unit(id, at)"}
    for name, label in labels.items():
        ratio = figures[f"{name}_ratio"]
        verdict = "meets" if ratio >= GOALS[name] else "MISSES"
        print(f"  {label:31s} {figures[name]:9.0f} req/s  {ratio:6.1%} of constant "
              f"({verdict} the {GOALS[name]:.0%} goal)")
    return figures


if __name__ == "__main__":
    main()
