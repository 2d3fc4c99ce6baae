"""The contract as integrators use it: the OpenAPI document validates, and a client generated
from it by openapi-python-client, installed, calls every read operation of a live server and
gets typed answers (not a ``None`` or a crash on a 200)."""

from __future__ import annotations

import datetime
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from registry.api.app import OPENAPI
from tests.api.conftest import Live

BIN = Path(sys.executable).parent
CONFIG = {"project_name_override": "registry-client", "package_name_override": "registry_client",
          "post_hooks": []}
# The generator knows no YAML or CSV request bodies: it drops those alternatives (JSON stays).
EXPECTED_WARNINGS = ["WARNING parsing POST /v1/crosswalk within units.",
                     "Unsupported content type text/csv",
                     "WARNING parsing POST /v1/harmonize within analysis.",
                     "Unsupported content type text/csv",
                     "WARNING parsing POST /v1/acts within acts.",
                     "Unsupported content type application/yaml"]
PLAN = {"act": {"number": "9/KH-TEST", "kind": "plan", "effective": "2025-03-01"},
        "changes": [{"plan_item": {"id": "1", "title": "Sắp xếp xã", "deadline": "2025-06-30",
                                   "lead": {"code": "12"}, "status": "done",
                                   "acts": [{"number": "1670/NQ-UBTVQH15"}]}}]}
NOT_CALLED = {"feedStream": "an endless event stream; tests/api/test_feed_stream.py reads it"}


def test_the_openapi_document_is_valid_openapi_3_1() -> None:
    spec, _ = read_from_filename(str(OPENAPI))
    validate(spec)  # raises on the first error (an unquoted `on` read as true, …)


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    work = tmp_path_factory.mktemp("client")
    (work / "config.yaml").write_text(yaml.safe_dump(CONFIG))
    generated = subprocess.run(
        [BIN / "openapi-python-client", "generate", "--path", OPENAPI, "--meta", "setup",
         "--config", work / "config.yaml", "--output-path", work / "registry-client"],
        capture_output=True, text=True, check=True)
    said = generated.stdout + generated.stderr
    warnings = [line for line in said.splitlines()
                if line.startswith(("WARNING", "Unsupported", "Unable", "Cannot"))]
    assert sorted(warnings) == sorted(EXPECTED_WARNINGS), said
    subprocess.run([BIN / "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", work / "site", work / "registry-client"],
                   capture_output=True, text=True, check=True)
    sys.path.insert(0, str(work / "site"))
    try:
        yield importlib.import_module("registry_client")
    finally:
        sys.path.remove(str(work / "site"))
        for name in [m for m in sys.modules if m.split(".")[0] == "registry_client"]:
            del sys.modules[name]


def operation(package: ModuleType, tag: str, operation_id: str) -> Any:
    snake = "".join("_" + c.lower() if c.isupper() else c for c in operation_id)
    return importlib.import_module(f"{package.__name__}.api.{tag}.{snake}")


def test_a_generated_client_calls_every_read_operation_of_a_live_server(
        client_package: ModuleType, live: Live) -> None:
    models = importlib.import_module("registry_client.models")
    client = client_package.Client(base_url=live.base, raise_on_unexpected_status=True)
    d1, d0 = datetime.date(2025, 7, 1), datetime.date(2025, 6, 30)
    document = yaml.safe_load(OPENAPI.read_text())
    called: dict[str, Any] = {}

    def call(operation_id: str, *args: Any, **kwargs: Any) -> Any:
        tag = next(op["tags"][0] for ops in document["paths"].values() for op in ops.values()
                   if op["operationId"] == operation_id)
        answer = operation(client_package, tag, operation_id).sync(*args, client=client,
                                                                   **kwargs)
        assert answer is not None and not isinstance(answer, models.Problem), \
            (operation_id, answer)
        called[operation_id] = answer
        return answer

    assert call("healthz").status == "ok"
    assert call("readyz").position > 0
    assert call("ping").pong is True
    unit = call("getByCode", "03388", at=d1)
    assert isinstance(unit, models.UnitAtCode) and unit.name == "Phường Đoàn Kết"
    assert call("getUnit", unit.id, at=d1).code == "03388"
    lai_chau = unit.parent_id
    assert isinstance(lai_chau, type(unit.id))
    units = call("listUnits", at=d1, level="province")
    assert [u.code for u in units.items] == ["12"]
    children = call("listChildren", lai_chau, at=d1, limit=10)
    assert len(children.items) == 10 and children.next_
    chain = call("listAncestors", unit.id, at=d1, relation=models.ListAncestorsRelation.TERRITORY)
    assert chain.items == []  # a commune serves no other unit: it is a territory itself
    assert [u.code for u in call("listAncestors", unit.id, at=d1).items] == ["12"]
    history = call("getHistory", unit.id)
    assert history.versions[0].name == "Phường Đoàn Kết"
    lineage = call("getLineage", unit.id, direction=models.GetLineageDirection.PREDECESSORS)
    assert {s.unit.name for s in lineage.items} >= {"Phường Quyết Tiến"}
    walk = call("crosswalk", code="03388", from_=d0, to=d1)
    assert [i.target.name for i in walk.items] == ["Phường Đoàn Kết"]
    hits = call("search", q="doan ket")
    assert hits.items[0].name == "Phường Đoàn Kết"
    changes = call("listChanges", from_=d1, to=d1, within="12", limit=5)
    assert len(changes.items) == 5 and changes.next_
    snapshot = call("snapshot", at=d1, within="12")
    assert isinstance(snapshot, models.Snapshot) and len(snapshot.items) > 30
    csv_text = call("snapshotCsv", at=d1, within="12")
    assert csv_text.splitlines()[0].startswith("type,code,name,parent_code")
    assert len(csv_text.splitlines()) == len(snapshot.items) + 1
    acts = call("listActs")
    assert "1670/NQ-UBTVQH15" in {a.number for a in acts.items}
    act = call("getAct", acts.items[-1].id)
    assert isinstance(act, models.Act) and act.document is not None
    many = call("crosswalkMany", body=models.CrosswalkCodes(codes=["03391", "106"]),
                from_=d0, to=d1)
    assert many.items[0].target_code == "03388" and many.items[-1].via_code is not None
    head = call("logHead")
    assert len(head.hash_) == 64 and head.position > 0 and head.act == acts.items[-1].id
    trajectory = call("trajectory", "03388")
    assert {h.unit.name for h in trajectory.holders} >= {"Phường Quyết Tiến", "Phường Đoàn Kết"}
    geography = call("commonGeography", from_=d0, to=d1, within="12")
    assert len(geography.groups) == 38
    feed = call("feed", after=0, limit=3)
    assert [i.position for i in feed.items] == sorted(i.position for i in feed.items)
    # Lai Châu's acts record no staffing figures nor functions: empty answers, well formed
    staffing = call("getStaffing", lai_chau, from_=d0, to=d1)
    assert staffing.totals.complete is False and staffing.lines == []
    assert call("getFunctionHolders", name="Quản lý nhà nước về tôn giáo", at=d1).items == []
    assert call("getUnitFunctions", lai_chau, at=d1).items == []

    recorded = live.api.registry.record(PLAN, "test")  # Lai Châu has no plan act (yet)
    live.api.reader.refresh()
    plans = call("listPlans", at=d1)
    assert [p.act.number for p in plans.items] == ["9/KH-TEST"]
    plan = call("getPlan", str(recorded.act_id), at=d1)
    assert plan.items[0].status == "done" and plan.items[0].overdue is False
    assert plan.items[0].acts[0].number == "1670/NQ-UBTVQH15"
    assert plan.items[0].lead.name == "Tỉnh Lai Châu"

    reads = {op["operationId"] for ops in document["paths"].values()
             for method, op in ops.items() if method == "get"} | {"crosswalkMany"}
    assert set(called) == reads - set(NOT_CALLED)
