"""``registry token …`` and ``registry serve`` as an operator runs them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from registry.cli import main
from tests.api.conftest import start

CLI = "import sys; from registry.cli import main; sys.exit(main())"


def test_a_token_is_shown_once_stored_hashed_listed_and_revoked(
        fresh_copy: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--role", "recorder", "alice", "--database", fresh_copy]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("rgt_") and len(secret) > 40

    assert main(["token", "list", "--database", fresh_copy]) == 0
    listed = capsys.readouterr().out
    assert "alice\trecorder" in listed and "active" in listed and secret not in listed
    db = Path(fresh_copy.removeprefix("sqlite:///")).read_bytes()
    assert secret.encode() not in db

    for api in start(fresh_copy):
        auth = {"Authorization": f"Bearer {secret}"}
        assert api.client.post("/v1/acts", json={}, headers=auth).status_code == 422
        assert main(["token", "revoke", "alice", "--database", fresh_copy]) == 0
        assert api.client.post("/v1/acts", json={}, headers=auth).status_code == 403
    assert main(["token", "revoke", "alice", "--database", fresh_copy]) == 1
    assert main(["token", "list", "--database", fresh_copy]) == 0
    assert "revoked" in capsys.readouterr().out


def test_a_token_name_must_be_plain_and_unique_among_active_tokens(
        fresh_copy: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--role", "reader", "bob", "--database", fresh_copy]) == 0
    assert main(["token", "create", "--role", "reader", "bob", "--database", fresh_copy]) == 2
    assert main(["token", "create", "--role", "reader", "b o b", "--database", fresh_copy]) == 2
    assert "name" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_registry_serve_migrates_serves_and_says_where_graphiql_is(fresh_copy: str) -> None:
    port = free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": fresh_copy}
    server = subprocess.Popen([sys.executable, "-c", CLI, "serve", "--port", str(port),
                               "--no-access-log"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "not ready within 30 s"
                time.sleep(0.2)
        unit = httpx.get(f"{base}/v1/codes/03388", params={"at": "2025-07-01"}).json()
        assert unit["name"] == "Phường Đoàn Kết"
        graphiql = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
        assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
        explorer = httpx.get(f"{base}/")
        assert explorer.status_code == 200 and "<html" in explorer.text.lower()
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert f"GraphiQL at http://127.0.0.1:{port}/graphql" in err
