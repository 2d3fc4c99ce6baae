"""``registry token …`` and ``registry serve`` as an operator runs them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from registry.adapters.eventstore import Database
from registry.adapters.tokens import TokenStore
from registry.cli import main
from tests.api.conftest import start
from tests.conftest import wait_until_ready

CLI = "import sys; from registry.cli import main; sys.exit(main())"


def test_a_token_is_shown_once_stored_hashed_listed_and_revoked(
        fresh_copy: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "alice", "--database", fresh_copy]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("rgt_") and len(secret) > 40

    assert main(["token", "list", "--database", fresh_copy]) == 0
    listed = capsys.readouterr().out
    assert "alice#1\trecorder" in listed and "active" in listed and secret not in listed
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


def test_a_name_is_plain_held_by_one_token_in_force_and_never_given_again_once_revoked(
        fresh_copy: str, capsys: pytest.CaptureFixture[str]) -> None:
    def create(*args: str) -> int:
        return main(["token", "create", *args, "--database", fresh_copy])

    assert create("bob") == 0
    assert create("bob") == 2 and "'bob#1' is still in force" in capsys.readouterr().err
    assert create("b o b") == 2 and "name" in capsys.readouterr().err
    assert main(["token", "revoke", "bob", "--database", fresh_copy]) == 0
    assert create("bob") == 2 and "not given again" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the reader role is gone: reads need no token
        create("--role", "reader", "carol")

    # an expired token leaves its name free for its holder's next token, with a new id
    store = TokenStore(Database.parse(fresh_copy))
    long_ago = datetime.now(UTC) - timedelta(days=200)
    store.create("erin", long_ago, long_ago + timedelta(days=90))
    store.close()
    assert create("erin", "--expires", "2099-01-01") == 0
    assert "'erin#3'" in capsys.readouterr().err
    assert main(["token", "list", "--database", fresh_copy]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["bob#1", "erin#2", "erin#3"]
    assert "\trevoked 20" in listed[0]
    assert listed[1].endswith("expired") and "expires 2099-01-01 00:00\tactive" in listed[2]


@pytest.mark.parametrize("given, days", [(None, 90), ("30", 30), ("7d", 7)])
def test_a_token_expires_after_90_days_unless_told_otherwise(
        fresh_copy: str, given: str | None, days: int,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = datetime.now(UTC)
    assert main(["token", "create", "alice", "--database", fresh_copy,
                 *(["--expires", given] if given else [])]) == 0
    secret = capsys.readouterr().out.strip()
    store = TokenStore(Database.parse(fresh_copy))
    token = store.find(secret)
    store.close()
    assert token is not None and token.actor == "token:alice#1"
    assert before + timedelta(days=days) <= token.expires_at <= datetime.now(UTC) + timedelta(
        days=days)
    assert main(["token", "create", "bob", "--expires", "2001-01-01",
                 "--database", fresh_copy]) == 2
    assert "expires: must be in the future" in capsys.readouterr().err


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
        wait_until_ready(server, base, 30)
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
