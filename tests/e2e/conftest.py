"""The explorer end to end: the real ``registry serve`` on a SQLite file holding the Lai Châu acts,
driven by Debian's chromium through Playwright (never a downloaded browser).

Chromium is required, not optional: ``scripts/ensure-chromium.sh`` installs it, and without it
these tests fail rather than skip.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
START_DEADLINE_S = 60
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


# Not a real act: a split into two parts by area, so that the lineage diagram has an ambiguous
# successor (one unit, two edges) and a second hop. Only ever loaded into the tests' own database.
TEST_SPLIT = """\
act:
  number: null
  kind: other
  issuer: end-to-end tests
  effective: 2026-01-01
  title: A split made up for the explorer's tests (not a real act)
  verified: false
changes:
  - clause: test clause 1
    split:
      source: {code: "03390", level: commune}
      into:
        - {name: Xã Bình Lư Bắc, type: xã, level: commune, code: "99901",
           parent: {code: "12", level: province}, edge: area, share: 0.6}
        - {name: Xã Bình Lư Nam, type: xã, level: commune, code: "99902",
           parent: {code: "12", level: province}, edge: area, share: 0.4}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "registry.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)


@dataclass
class Server:
    base: str

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return json.loads(r.read())


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``registry serve`` on a free port, with ``registry load fixtures`` in a fresh SQLite file."""
    yield from serve(tmp_path_factory, "explorer", {"test-split.yaml": TEST_SPLIT})


def serve(tmp_path_factory: pytest.TempPathFactory, name: str,
          test_acts: dict[str, str]) -> Iterator[Server]:
    """``registry serve`` on a free port over a fresh SQLite file holding ``registry load
    fixtures`` and then ``test_acts`` (file name: act document), loaded one by one in order."""
    db = tmp_path_factory.mktemp(name) / "registry.db"
    url = f"sqlite:///{db}"
    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    _cli("load", "fixtures", "--database", url, env=env)
    for file_name, document in test_acts.items():
        path = db.parent / file_name
        path.write_text(document, encoding="utf-8")
        _cli("load", str(path), "--database", url, env=env)
    port = _free_port()
    log = (db.parent / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--database", url, "--no-access-log"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(proc, base, db.parent / "serve.log")
        yield Server(base)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_until_ready(proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"registry serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"registry serve did not answer within {START_DEADLINE_S}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Visit:
    """A browser tab on the explorer that remembers every request and script error it saw."""
    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, fragment: str) -> None:
        self.page.goto(f"{self.base}/{fragment}")
        # Done when the view drawn is the one the (canonical) address names.
        self.page.wait_for_function(
            "() => { const m = document.querySelector('main');"
            " return m.getAttribute('aria-busy') === 'false' && m.dataset.shown === location.hash; }",
            timeout=15000)

    def settled(self, shown: str | None = None) -> None:
        """Wait until the view finished drawing (and shows ``shown`` in its URL, if given)."""
        selector = "main[aria-busy=false][data-shown]"
        if shown:
            selector = f'main[aria-busy=false][data-shown*="{shown}"]'
        self.page.wait_for_selector(selector, timeout=15000)


def _visit(browser: Any, server: Server, viewport: dict[str, int]) -> Iterator[Visit]:
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    visit = Visit(page, server.base)
    page.on("request", lambda r: visit.requests.append(r.url))
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    yield visit
    context.close()
    outside = [u for u in visit.requests
               if not u.startswith((server.base + "/", "data:"))]
    assert not outside, f"the explorer asked another host: {outside}"
    assert not visit.errors, f"script errors: {visit.errors}"


@pytest.fixture
def desktop(browser: Any, server: Server) -> Iterator[Visit]:
    yield from _visit(browser, server, DESKTOP)


@pytest.fixture
def phone(browser: Any, server: Server) -> Iterator[Visit]:
    yield from _visit(browser, server, PHONE)
