"""The registry works where it is installed: built as a wheel, installed into a fresh virtual
environment outside the checkout, run from another folder.

Only the registry comes from the wheel. Its dependencies (the pinned versions of pyproject.toml)
are borrowed from the development environment through a ``.pth`` line, so the test needs no
network; the editable install there is not activated (``.pth`` files of a folder added that way
are not read), and the test checks that ``registry`` is imported from the new environment.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_built_wheel_migrates_loads_shows_and_serves_from_a_fresh_environment(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("registry-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.run([str(python), "-c", purelib], check=True, capture_output=True,
                               text=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "-q", str(wheel)], check=True, capture_output=True)
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "elsewhere"  # nowhere near the checkout
    shutil.copytree(ROOT / "fixtures" / "lai-chau", work / "acts")
    env = {"PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}", "HOME": str(tmp_path),
           "REGISTRY_DATABASE_URL": f"sqlite:///{work / 'registry.db'}"}

    def registry(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(env_dir / "bin" / "registry"), *args], cwd=work, env=env,
                              check=False,
                              capture_output=True, text=True, timeout=120)

    where = subprocess.run([str(python), "-c", "import registry; print(registry.__file__)"],
                           cwd=work, env=env, check=True, capture_output=True, text=True)
    assert where.stdout.startswith(str(env_dir))

    assert registry("migrate").returncode == 0
    loaded = registry("load", "acts/00-baseline-2025-01-04.yaml",
                      "acts/10-resolution-1670-NQ-UBTVQH15.yaml")
    assert loaded.returncode == 0, loaded.stderr
    assert "2 acts: 2 recorded" in loaded.stdout
    shown = registry("show", "03388", "--at", "2025-07-01", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["name"] == "Phường Đoàn Kết"

    port = _free_port()
    server = subprocess.Popen([str(env_dir / "bin" / "registry"), "serve", "--port", str(port),
                               "--no-access-log"], cwd=work, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz") as r:
                    ready = json.load(r)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "never ready"
                time.sleep(0.2)
        assert ready["status"] == "ready" and ready["lag"] == 0
        with urllib.request.urlopen(f"{base}/v1/codes/03388?at=2025-07-01") as r:
            assert json.load(r)["name"] == "Phường Đoàn Kết"
        with urllib.request.urlopen(f"{base}/openapi.yaml") as r:
            assert r.read().startswith(b"openapi: 3.1")
        with urllib.request.urlopen(f"{base}/") as r:
            assert b"<html" in r.read()
    finally:
        server.terminate()
        server.wait(timeout=30)
