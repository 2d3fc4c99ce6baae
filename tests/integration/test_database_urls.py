"""Every database URL form the README documents, end to end: load, token create, a real
``registry serve`` recording an act over HTTP and answering it, backup and restore, with the
password never shown.

Each PostgreSQL form gets a database of its own (the plain form uses its ``public`` schema), made
and dropped here; the password form a role of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg
import pytest
from psycopg import sql

from registry.adapters.eventstore import Database
from registry.cli import main
from registry.domain.errors import InvalidInput
from tests.api.test_cli import free_port
from tests.conftest import LAI_CHAU_UNITS, POSTGRES_URL, wait_until_ready

CLI = "import sys; from registry.cli import main; sys.exit(main())"
PASSWORD = "p@ss:w/rd%"  # every character that must be quoted in a URL
BASELINE, RESOLUTION = LAI_CHAU_UNITS


@contextmanager
def fresh_database(owner: str | None = None) -> Iterator[str]:
    """A new database (and ``<name>_restored`` beside it, for a restore), dropped afterwards."""
    name = "registry_url_" + uuid.uuid4().hex[:10]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        if owner:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(owner), sql.Literal(PASSWORD)))
        for db in (name, f"{name}_restored"):
            conn.execute(f"CREATE DATABASE {db}" + (f" OWNER {owner}" if owner else ""))
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            for db in (name, f"{name}_restored"):
                conn.execute(f"DROP DATABASE {db} WITH (FORCE)")
            if owner:
                conn.execute(f"DROP ROLE {owner}")


def restored(url: str) -> str:
    """The same form of URL, naming the empty database (or file) beside the first."""
    if url.startswith("sqlite"):
        return url.removesuffix(".db") + "-restored.db"
    base, _, query = url.partition("?")
    return base + "_restored" + (f"?{query}" if query else "")


@pytest.fixture(params=["postgresql", "postgresql-password", "postgresql-schema",
                        "sqlite-relative", "sqlite-absolute"])
def url_form(request: pytest.FixtureRequest, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.chdir(tmp_path)  # the relative form lands here, for this process and the server
    form = request.param
    if form == "sqlite-relative":
        yield "sqlite:///relative.db"
    elif form == "sqlite-absolute":
        yield f"sqlite:///{tmp_path / 'absolute.db'}"  # sqlite:////tmp/…
    elif form == "postgresql":
        with fresh_database() as name:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    elif form == "postgresql-password":
        role = "registry_pw_" + uuid.uuid4().hex[:8]
        with fresh_database(owner=role) as name:
            yield f"postgresql://{role}:{quote(PASSWORD, safe='')}@127.0.0.1:5432/{name}"
    else:
        with fresh_database() as name:
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}",
                                 autocommit=True) as conn:
                conn.execute("CREATE SCHEMA s1")
            yield f"postgresql://postgres@127.0.0.1:5432/{name}?schema=s1"


@contextmanager
def serving(url: str, cwd: Path) -> Iterator[tuple[str, list[str]]]:
    """A real ``registry serve`` on a free port; yields its base URL and, once it stopped, the
    lines it printed."""
    port = free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": url}
    server = subprocess.Popen([sys.executable, "-c", CLI, "serve", "--port", str(port)],
                              env=env, cwd=cwd, stderr=subprocess.PIPE, text=True)
    printed: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(server, base, 60)
        yield base, printed
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
        printed.extend(err.splitlines())


def test_every_documented_url_form_loads_creates_a_token_records_and_serves(
        url_form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(BASELINE), "--database", url_form]) == 0
    assert main(["token", "create", "alice", "--database", url_form]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]

    with serving(url_form, tmp_path) as (base, printed):
        answer = httpx.post(f"{base}/v1/acts", content=RESOLUTION.read_bytes(), timeout=60,
                            headers={"Authorization": f"Bearer {secret}",
                                     "Content-Type": "application/yaml"})
        assert answer.status_code == 201, answer.text
        unit = httpx.get(f"{base}/v1/codes/03388", params={"at": "2025-07-01"}).json()
        assert unit["name"] == "Phường Đoàn Kết"
    shown = "\n".join(printed)
    assert "registry: serving " in shown
    assert PASSWORD not in shown and quote(PASSWORD, safe="") not in shown
    if "registry_pw_" in url_form:
        assert ":***@" in shown
    if url_form.startswith("sqlite:///relative"):
        assert (tmp_path / "relative.db").is_file()

    export = ["export", "--at", "2025-07-01", "--format", "csv", "--database"]
    assert main([*export, url_form]) == 0
    exported = capsys.readouterr().out
    assert main(["backup", "registry.backup", "--database", url_form]) == 0
    assert main(["restore", "registry.backup", "--database", restored(url_form)]) == 0
    assert PASSWORD not in capsys.readouterr().err
    assert main([*export, restored(url_form)]) == 0
    assert capsys.readouterr().out == exported and exported.count("\n") > 38


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:5432/test?schema=s1 -cdefault_transaction_read_only=on",
    "postgresql://postgres@127.0.0.1:5432/test?schema=s1%20-cdefault_transaction_read_only%3Don",
    "postgresql://postgres@127.0.0.1:5432/test?schema=1s",
    "postgresql://postgres@127.0.0.1:5432/test?schema=a&schema=b",
    "postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dx",
])
def test_a_schema_must_be_a_plain_identifier_and_nothing_else_reaches_libpq(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InvalidInput):
        Database.parse(url)
    assert main(["token", "list", "--database", url]) == 2
    assert "database" in capsys.readouterr().err


def test_the_password_is_masked_wherever_the_database_is_shown() -> None:
    database = Database.parse(f"postgresql://bob:{quote(PASSWORD, safe='')}@db.example:6543/"
                              "reg?schema=s_1")
    assert (database.password, database.schema, database.port) == (PASSWORD, "s_1", 6543)
    assert database.shown == "postgresql://bob:***@db.example:6543/reg?schema=s_1"
    assert PASSWORD not in repr(database) and "p%40ss" not in repr(database)
    assert quote(PASSWORD, safe="") in database.sqlalchemy_url()  # quoted, so it parses back
