"""Scale out on PostgreSQL's own replication: a reader served from a hot standby.

The test makes a streaming standby of the test cluster (``pg_basebackup``, a second cluster on a
free port; LIBRARIES.md), serves from it with ``registry serve --no-project``, records an act on
the primary (where the recorder and the projector run) and polls the standby's server until it
answers with the new act. How long that took is printed (``make bench`` measures it too); the
assertion is only that it arrives.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from registry.adapters.database import Database
from registry.adapters.eventstore import EventLog
from registry.cli import main
from tests.conftest import LAI_CHAU_UNITS, fresh_postgres_schema

ROOT = Path(__file__).resolve().parents[2]
BASELINE, RESOLUTION = LAI_CHAU_UNITS
REPLICATION = "host replication all 127.0.0.1/32 trust"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(command: str) -> None:
    subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True,
                   timeout=300)


def main_cluster() -> tuple[str, Path]:
    (version,) = os.listdir("/etc/postgresql")
    return version, Path("/etc/postgresql") / version / "main"


@pytest.fixture(scope="module")
def standby_port() -> Iterator[int]:
    """A hot standby of the test cluster, streaming from it, on a free port; removed afterwards."""
    version, config = main_cluster()
    hba = config / "pg_hba.conf"
    if REPLICATION not in hba.read_text():  # the primary must accept replication connections
        with hba.open("a") as f:
            f.write(f"\n{REPLICATION}\n")
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "reload"],
                       check=True, capture_output=True)
    folder = Path(tempfile.mkdtemp(prefix="registry-standby-"))
    folder.chmod(0o755)
    data = folder / "data"
    shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    pg_ctl = f"/usr/lib/postgresql/{version}/bin/pg_ctl"
    try:
        as_postgres(f"pg_basebackup -h 127.0.0.1 -U postgres -D {data} -R -X stream -c fast")
        (data / "postgresql.conf").write_text(
            f"port = {port}\nhot_standby = on\nlisten_addresses = '127.0.0.1'\n"
            "unix_socket_directories = '/var/run/postgresql'\n")
        shutil.copy(hba, data / "pg_hba.conf")
        (data / "pg_ident.conf").touch()
        subprocess.run(["chown", "-R", "postgres:postgres", str(folder)], check=True)
        as_postgres(f"{pg_ctl} -D {data} -l {folder / 'log'} -w start")
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/test") as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        yield port
    finally:
        if (data / "postmaster.pid").exists():
            as_postgres(f"{pg_ctl} -D {data} -m fast -w stop")
        shutil.rmtree(folder, ignore_errors=True)


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def until(check, timeout: float = 60.0) -> float:
    """Seconds until ``check()`` holds (polling); fails after ``timeout``."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "never happened"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_server_on_a_hot_standby_answers_what_the_primary_records(standby_port, capsys):
    with fresh_postgres_schema() as primary:
        schema = urllib.parse.parse_qs(urllib.parse.urlparse(primary).query)["schema"][0]
        standby = f"postgresql://postgres@127.0.0.1:{standby_port}/test?schema={schema}"
        assert main(["load", str(BASELINE), "--database", primary]) == 0  # recorder + projector
        capsys.readouterr()

        port = free_port()
        env = {**os.environ, "REGISTRY_DATABASE_URL": standby}
        server = subprocess.Popen(
            [sys.executable, "-m", "registry.cli", "serve", "--no-project", "--no-access-log",
             "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            def ready() -> bool:
                try:
                    return get(f"{base}/readyz")[0] == 200
                except OSError:
                    assert server.poll() is None, "the standby's server stopped"
                    return False

            until(ready)
            after = f"{base}/v1/codes/03388?at=2025-07-01"
            assert get(after)[1]["name"] == "Phường Quyết Tiến"

            assert main(["load", str(RESOLUTION), "--database", primary]) == 0
            recorded = time.monotonic()
            capsys.readouterr()
            seen = until(lambda: get(after)[1].get("name") == "Phường Đoàn Kết")
            log = EventLog(Database.parse(primary))
            head = log.last_id()
            log.close()
            status, ready_body = get(f"{base}/readyz")
            assert status == 200 and ready_body["position"] == ready_body["head"] == head
            with capsys.disabled():
                print(f"\n  standby: the act answered through the standby's server "
                      f"{seen * 1000:.0f} ms after `registry load` returned "
                      f"({(time.monotonic() - recorded) * 1000:.0f} ms to the last check)")
        finally:
            server.terminate()
            server.wait(timeout=30)
