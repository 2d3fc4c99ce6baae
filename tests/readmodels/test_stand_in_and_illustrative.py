"""A day that comes only from an act whose effective date is a stand-in is never answered as an
effective date without saying so, and an illustrative unit says it is one wherever it is answered:
on both backends, from the served reader and a command's, after an incremental projection that
restarts in a new process, and after a rebuild."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from registry import bootstrap
from registry.application.reading import Reader
from registry.domain.errors import InvalidInput
from tests.conftest import TickingClock
from tests.readmodels.conftest import fresh_database

D = date.fromisoformat


def act(effective: str, changes: list[dict[str, Any]], stand_in: bool = False,
        title: str = "test") -> dict[str, Any]:
    head: dict[str, Any] = {"kind": "decision", "effective": effective, "title": title,
                            "verified": not stand_in}
    if stand_in:
        head["effective_stand_in"] = True
    return {"act": head, "changes": changes}


BASELINE = act("2020-01-01", [{"register": {"units": [
    {"key": "p", "code": "P1", "name": "Province One", "type": "tỉnh", "level": "province"},
    {"code": "C1", "name": "Commune One", "type": "xã", "level": "commune",
     "parent": {"key": "p"}},
    {"code": "C2", "name": "Commune Two", "type": "xã", "level": "commune",
     "parent": {"key": "p"}}]}}], title="baseline")
# The true days of these are unknown: 2021-03-01 only places them in time.
STAND_IN = act("2021-03-01", [
    {"rename": {"unit": "C1", "name": "Commune One Renamed"}},
    {"establish": {"unit": {"code": "C9", "name": "Example Cell", "type": "chi bộ",
                            "kind": "party_organisation", "level": "grassroots",
                            "illustrative": True}}}], stand_in=True, title="stand-in")
# Known days: C2 ends on 2022-01-01; C1 is renamed again the same day the example cell ends.
KNOWN = act("2022-01-01", [{"dissolve": {"unit": "C2"}},
                           {"rename": {"unit": "C1", "name": "Commune One Again"}}],
            title="known")
ENDS_EXAMPLE = act("2022-01-01", [{"dissolve": {"unit": "C9"}}], stand_in=True,
                   title="stand-in end")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("stand-in")) as found:
        registry = bootstrap.build(found, TickingClock())
        registry.record(BASELINE, "test")
        registry.record(STAND_IN, "test")
        bootstrap.build_reader(found, registry).close()  # projects the first two acts
        registry.log.close()
        # A new process projects the rest: it must learn the earlier stand-in acts.
        registry = bootstrap.build(found, TickingClock())
        registry.record(KNOWN, "test")
        registry.record(ENDS_EXAMPLE, "test")
        bootstrap.build_reader(found, registry).close()
        registry.log.close()
        yield found


@pytest.fixture(params=["served", "question"])
def reader(request: pytest.FixtureRequest, url: str) -> Iterator[Reader]:
    found = (bootstrap.build_reader(url, project=False) if request.param == "served"
             else bootstrap.question_reader(url))
    yield found
    found.close()


def flags(reader: Reader, code: str, on: str) -> tuple[str, str | None, bool, bool, bool]:
    u = reader.by_code(code, D(on)).unit.as_dict()
    return (u["valid_from"], u["valid_to"], u["valid_from_stand_in"], u["valid_to_stand_in"],
            u["illustrative"])


def test_days_from_stand_in_acts_say_so_and_known_days_do_not(reader):
    assert flags(reader, "C1", "2020-06-01") == ("2020-01-01", "2021-03-01", False, True, False)
    assert flags(reader, "C1", "2021-06-01") == ("2021-03-01", "2022-01-01", True, False, False)
    assert flags(reader, "C1", "2022-06-01") == ("2022-01-01", None, False, False, False)
    assert flags(reader, "C2", "2021-06-01") == ("2020-01-01", "2022-01-01", False, False, False)


def test_an_illustrative_unit_says_so_in_its_own_record(reader):
    assert flags(reader, "C9", "2021-06-01") == ("2021-03-01", "2022-01-01", True, True, True)
    (hit,) = [h for h in reader.search("Example Cell") if h.unit.code == "C9"]
    assert hit.unit.illustrative
    history = reader.history(reader.by_code("C9", D("2021-06-01")).unit.id).as_dict()
    assert [v["illustrative"] for v in history["versions"]] == [True]
    assert [e["kind"] for e in history["events"]][:2] == ["began", "described"]
    assert all(e["act"]["effective_stand_in"] for e in history["events"])


def test_a_rebuild_gives_the_same_rows(url):
    from registry.adapters import readmodels
    from registry.adapters.database import Database
    from registry.cli import main

    def rows() -> list[tuple[Any, ...]]:
        store = readmodels.ReadModelStore(Database.parse(url))
        try:
            names = [c.name for c in readmodels.unit_versions.columns]
            keep = [names.index(c) for c in ("org_id", "valid_from", "valid_to", "name",
                                             "illustrative", "from_stand_in", "to_stand_in")]
            current = names.index("recorded_to")  # rows still believed (not closed)
            return sorted((tuple(r[i] for i in keep) for r in store.dump()["unit_versions"]
                           if r[current] is None), key=repr)
        finally:
            store.close()

    before = rows()
    assert sum(r[-2] for r in before) == 2 and sum(r[-1] for r in before) == 2
    assert main(["rebuild", "--database", url]) == 0
    assert rows() == before


@pytest.mark.parametrize("head, field", [
    ({"effective_stand_in": True, "verified": True}, "act.effective_stand_in"),
    ({"effective_stand_in": 1, "verified": False}, "act.effective_stand_in"),
])
def test_a_stand_in_date_is_never_verified(head, field):
    from registry.application.acts import parse_act

    document = act("2021-03-01", [{"rename": {"unit": "C1", "name": "x"}}])
    document["act"].update(head)
    with pytest.raises(InvalidInput) as refused:
        parse_act(document)
    assert refused.value.field == field


def test_illustrative_is_true_or_false():
    from registry.application.acts import parse_act

    document = act("2021-03-01", [{"establish": {"unit": {
        "name": "x", "type": "chi bộ", "illustrative": "yes"}}}])
    with pytest.raises(InvalidInput) as refused:
        parse_act(document)
    assert refused.value.field == "changes[0].establish.unit.illustrative"
