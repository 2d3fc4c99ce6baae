"""INSEE's yearly releases imported one after another, as a user keeping the registry current.

The whole of France runs on SQLite (the 2019 list, then the 2020, 2021 and 2022 changes files);
six départements whose history holds every new kind of change run on both backends, in turn, at
once and as a whole history.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from registry import bootstrap
from registry.application.service import Registry
from registry.cli import main
from registry.importers import insee
from registry.importers.insee_check import check
from registry.importers.insee_mapping import (
    amendments,
    departement_of,
    read_events,
    read_units,
)
from tests.importers.conftest import Clock

YEARS = (2020, 2021, 2022)
# INSEE's own inconsistencies, the only differences left (see the README's INSEE section):
# the 2021 and 2022 lists write Saint-Michel where the change that made it (2020-05-01, mod 70)
# writes Saint-michel; the 2022 changes file dropped the rows that make Tessens and Villette
# communes déléguées of Aime-la-Plagne on 2020-07-22, which its list still has.
SAINT_MICHEL = "COMD 52454 Saint-Michel (in 52529): name 'Saint-michel' in the registry"
ONLY = {
    2020: [],
    2021: [SAINT_MICHEL],
    2022: [SAINT_MICHEL, "COMD 73291 Tessens (in 73006): not in the registry",
           "COMD 73325 Villette (in 73006): not in the registry"],
}
# Calvados (Bures-sur-Dives given to Troarn, mods 35 and 70) with Manche (Pont-Farcy moved
# there), Charente (a commune associée the 2020 release ends in 2018), Eure (Les Trois Lacs takes
# 27058 by mod 50 as its communes déléguées go by mod 35), Savoie (Aime's former communes made
# communes déléguées again, mod 70), Seine-Maritime (Bois-Guillaume given back in 2014): no
# change or sub-unit links them to any other département.
SOME = {"14", "16", "27", "50", "73", "76"}


def _list(fr: Path, year: int) -> Path:
    return fr / ("commune2019.csv" if year == 2019 else f"v_commune_{year}.csv")


def _changes(fr: Path, year: int) -> Path:
    return fr / ("mvtcommune2019.csv" if year == 2019 else f"v_mvt_commune_{year}.csv")


def _differences(registry: Registry, path: Path, on: date,
                 known_at: datetime | None = None) -> tuple[int, int, list[str]]:
    with registry.reading(known_at) as tl:
        result = check(tl, read_units(path), on)
    return result.exact, result.communes, result.differences


@pytest.fixture(scope="module")
def yearly(shared_data: Path, tmp_path_factory: pytest.TempPathFactory,
           self_check_scores: list[str]):
    """The whole of France on SQLite: the 2019 list, then each release's changes in turn."""
    fr = shared_data / "fr"
    clock = Clock()
    url = f"sqlite:///{tmp_path_factory.mktemp('yearly') / 'registry.db'}"
    registry = bootstrap.build(url, clock)
    with registry.batch():
        insee.load_units(registry, _list(fr, 2019), date(2019, 1, 1), "test-import")
        moments, outcomes, seen = {2019: clock.now}, {}, {}
        for year in YEARS:
            outcomes[year] = insee.apply_events(registry, _changes(fr, year), "test-import")
            moments[year] = clock.now
            seen[year] = good, total, wrong = _differences(registry, _list(fr, year),
                                                           date(year, 1, 1))
            self_check_scores.append(
                f"sqlite: commune2019 + {year} changes → {good:,} of {total:,} communes exact; "
                f"{outcomes[year].recorded} events recorded, {outcomes[year].withdrawn} "
                f"withdrawn, {outcomes[year].amended} amendments; differing: {'; '.join(wrong)}")
    yield registry, moments, outcomes, seen
    registry.log.close()


@pytest.mark.parametrize("year", YEARS)
def test_each_release_in_turn_reproduces_its_list(yearly, year):
    _, _, outcomes, seen = yearly
    good, total, wrong = seen[year]
    assert outcomes[year].refused == []
    assert (good, wrong) == (total, ONLY[year])


def test_each_release_is_still_seen_as_known_right_after_its_import(yearly, shared_data):
    registry, moments, _, seen = yearly
    fr = shared_data / "fr"
    for year in (2020, 2021):
        assert _differences(registry, _list(fr, year), date(year, 1, 1), moments[year]) == \
            seen[year]
    # What the registry now believes of 2021 is the 2022 release's word: it ends
    # Saint-Martin-l'Inférieur in 2004, where the 2021 list still has it.
    now = _differences(registry, _list(fr, 2021), date(2021, 1, 1))[2]
    assert "COMA 07271 Saint-Martin-l'Inférieur (in 07270): not in the registry" in now


def test_later_releases_withdraw_what_they_reword_and_amend_the_2019_list(yearly):
    registry, moments, outcomes, _ = yearly
    assert outcomes[2020].withdrawn == 0
    assert outcomes[2021].withdrawn > 0 and outcomes[2022].withdrawn > 0
    assert outcomes[2020].amended > 0  # Saint-André ended in 2018 by the 2020 release
    spot = date(2019, 1, 1)
    with registry.reading(moments[2019]) as then, registry.reading() as now:
        assert [v.name for v in then.by_code("16299", spot, "commune_associee")] == [
            "Saint-André"]
        assert now.by_code("16299", spot, "commune_associee") == []
        (trois,) = now.by_code("39378", spot, "commune")
        (gonaincourt,) = now.by_code("52224", date(2020, 1, 1), "commune_deleguee")
        bourmont = now.version(gonaincourt.parent, date(2020, 1, 1))
    assert trois.name == "Les Trois-Châteaux"  # reworded in 2020, dated 2019-01-01
    assert (bourmont.code, bourmont.name) == ("52064", "Bourmont-entre-Meuse-et-Mouzon")


def test_importing_a_release_again_records_nothing(yearly, shared_data):
    registry, _, _, _ = yearly
    last = registry.log.last_id()
    again = insee.apply_events(registry, _changes(shared_data / "fr", 2022), "test-import")
    assert (again.recorded, again.withdrawn, again.amended, again.refused) == (0, 0, 0, [])
    assert registry.log.last_id() == last


# -- six départements on both backends ---------------------------------------------------

def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fields)
        out.writeheader()
        out.writerows(rows)
    return path


def _some(fr: Path, folder: Path, year: int, some: set[str] = SOME) -> tuple[Path, Path]:
    """A release cut down to some départements (codes as read: the 2020 file lost zeros)."""
    fields, units = _rows(_list(fr, year))
    low = {f.lower(): f for f in fields}
    kept = [r for r in units if departement_of(
        (r[low["com"]] if r[low["typecom"]].upper() == "COM" else r[low["comparent"]]).zfill(5))
        in some]
    units_path = _write(folder / f"units-{year}.csv", fields, kept)
    fields, changes = _rows(_changes(fr, year))
    low = {f.lower(): f for f in fields}
    kept = [r for r in changes if all(departement_of(r[low[c]].zfill(5)) in some
                                      for c in ("com_av", "com_ap"))]
    return units_path, _write(folder / f"changes-{year}.csv", fields, kept)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def some(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple]:
    folder = tmp_path_factory.mktemp("some")
    return {year: _some(shared_data / "fr", folder, year) for year in (2019, *YEARS)}


def test_some_departements_release_after_release_on_both_backends(
        backend, some, fresh_database, new_clock):
    url = fresh_database(backend)
    registry = bootstrap.build(url, new_clock())
    try:
        insee.load_units(registry, some[2019][0], date(2019, 1, 1), "test-import")
        for year in YEARS:
            out = insee.apply_events(registry, some[year][1], "test-import")
            good, total, wrong = _differences(registry, some[year][0], date(year, 1, 1))
            assert out.refused == []
            assert (good, wrong) == (total, [w for w in ONLY[year] if w != SAINT_MICHEL])
    finally:
        registry.log.close()


def test_some_departements_from_one_release_at_once_and_as_a_whole_history(
        backend, some, fresh_database):
    at_once = fresh_database(backend)
    assert main(["import", "insee-cog", "--units", str(some[2019][0]), "--as-of", "2019-01-01",
                 "--database", at_once]) == 0
    assert main(["import", "insee-cog", "--events", str(some[2022][1]),
                 "--database", at_once]) == 0
    history = fresh_database(backend)
    assert main(["import", "insee-cog", "--history", "--units", str(some[2022][0]),
                 "--events", str(some[2022][1]), "--database", history]) == 0
    for url, expected in ((at_once, 2), (history, 0)):  # the history keeps Tessens, Villette
        registry = bootstrap.build(url)
        try:
            good, total, wrong = _differences(registry, some[2022][0], date(2022, 1, 1))
        finally:
            registry.log.close()
        assert (good, total, len(wrong)) == (2_904, 2_904, expected)


# -- the parts ---------------------------------------------------------------------------

def test_codes_keep_their_leading_zeros_where_a_release_lost_them(shared_data):
    rows = [r for e in read_events(shared_data / "fr" / "v_mvt_commune_2020.csv")
            for r in e.rows if r.before_name == "Puiseux"]
    assert [r.before for r in rows] == [("COM", "02628")]


def test_the_2020_release_amends_the_2019_list_where_its_earlier_changes_differ(shared_data):
    fr = shared_data / "fr"
    units = read_units(fr / "commune2019.csv")
    own = amendments(units, date(2019, 1, 1), read_events(fr / "mvtcommune2019.csv"))
    later = {a.key: a for a in amendments(units, date(2019, 1, 1),
                                          read_events(fr / "v_mvt_commune_2020.csv"),
                                          insee.steps_of)}
    assert own == []
    assert later[("COM", "39378")].said.name == "Les Trois-Châteaux"
    assert later[("COMA", "16299")].said is None
    assert later[("COMA", "16299")].event.on == date(2018, 9, 1)
    assert later[("COMD", "28069")].event is None  # its 2015 row was dropped
    assert len(later) == 24


def test_a_refused_event_names_its_rows_and_rule_and_a_rerun_resumes_after_a_fix(
        some, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'refused.db'}"
    assert main(["import", "insee-cog", "--units", str(some[2019][0]), "--as-of", "2019-01-01",
                 "--database", url]) == 0
    fields, rows = _rows(some[2020][1])
    bad = {**rows[0], "MOD": "41", "DATE_EFF": "2020-01-01", "TYPECOM_AV": "COM",
           "COM_AV": "14001", "LIBELLE_AV": "Ablon", "TYPECOM_AP": "COM", "COM_AP": "14003",
           "LIBELLE_AP": "Ablon"}
    broken = _write(tmp_path / "broken.csv", fields, [*rows, bad])
    assert main(["import", "insee-cog", "--events", str(broken), "--database", url]) == 1
    err = capsys.readouterr().err
    assert "2020-01-01 event of 1 rows (41 COM 14001 Ablon → COM 14003 Ablon)" in err
    assert "CodeTaken" in err and "run the same import again to resume" in err
    registry = bootstrap.build(url)
    with registry.reading() as tl:
        before = {tl.acts[a].effective for k, a in tl.acts_by_key.items()
                  if k.startswith(insee.EVENT_KEY)}
    registry.log.close()
    assert before == {date(2019, 12, 31)}  # everything before it is recorded
    assert main(["import", "insee-cog", "--events", str(some[2020][1]), "--database", url]) == 0
    out = capsys.readouterr().out
    assert f"{len(before)} skipped as already known" in out
    assert main(["import", "insee-cog", "--check", str(some[2020][0]), "--at", "2020-01-01",
                 "--database", url]) == 0
    assert main(["import", "insee-cog", "--check", str(some[2021][0]), "--at", "2021-01-01",
                 "--database", url]) == 1
    assert "not in the registry" in capsys.readouterr().out


@pytest.mark.parametrize("giver", ["COM", "COMD"])
def test_mod_71_gives_a_former_commune_back_as_a_commune_deleguee(shared_data, tmp_path, giver):
    """Gonaincourt, absorbed in 2016, a commune déléguée of Bourmont-entre-Meuse-et-Mouzon again
    on 2020-01-01 (mod 70 in these releases, 71 in others), given back by the commune nouvelle
    or by its commune déléguée of the same code."""
    fr = shared_data / "fr"
    units, _ = _some(fr, tmp_path, 2019, {"52"})
    _, changes = _some(fr, tmp_path, 2020, {"52"})
    fields, rows = _rows(changes)
    for r in rows:
        if r["COM_AP"] == "52224" and r["DATE_EFF"] == "2020-01-01":
            r.update(MOD="71", TYPECOM_AV=giver)
    url = f"sqlite:///{tmp_path / 'mod71.db'}"
    registry = bootstrap.build(url)
    try:
        insee.load_units(registry, units, date(2019, 1, 1), "test-import")
        out = insee.apply_events(registry, _write(tmp_path / "mod71.csv", fields, rows),
                                 "test-import")
        with registry.reading() as tl:
            (gonaincourt,) = tl.by_code("52224", date(2020, 1, 1), "commune_deleguee")
            bourmont = tl.version(gonaincourt.parent, date(2020, 1, 1))
            held = {v.type for v in tl.by_code("52064", date(2020, 1, 1))}
    finally:
        registry.log.close()
    assert out.refused == []
    assert (gonaincourt.name, bourmont.code, bourmont.type) == ("Gonaincourt", "52064", "COM")
    assert held == {"COM", "COMD"}  # the giver continues
