"""INSEE's Code officiel géographique: unit lists, changes files, later releases."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from registry import bootstrap
from registry.cli import main
from registry.importers import insee
from registry.importers.insee_check import check
from registry.importers.insee_mapping import read_events, read_units

LIST_2019 = date(2019, 1, 1)


def test_the_2018_list_plus_the_2019_changes_reproduce_the_2019_list(insee_2018, shared_data,
                                                                      self_check_scores):
    registry, outcome = insee_2018
    with registry.reading() as tl:
        good, total, wrong = insee.compare(tl, shared_data / "fr" / "commune2019.csv", LIST_2019)
    backend = registry.log.database.backend
    line = (f"{backend}: comsimp2018 + mvtcommune2019 → {good:,} of {total:,} communes match "
            f"commune2019.csv ({outcome.recorded} events recorded, {len(outcome.refused)} "
            f"refused); differing: {'; '.join(wrong)}")
    self_check_scores.append(line)
    print(line)
    assert outcome.refused == []
    assert total == 34_970
    assert good >= 34_969


def test_importing_the_same_files_again_changes_nothing(insee_2018, shared_data):
    registry, _ = insee_2018
    fr = shared_data / "fr"
    last = registry.log.last_id()
    again = insee.apply_events(registry, fr / "mvtcommune2019.csv", "test-import")
    units = insee.load_units(registry, fr / "comsimp2018.txt", date(2018, 1, 1), "test-import")
    assert (again.recorded, again.withdrawn, again.refused) == (0, 0, [])
    assert again.already == 250
    assert not any(r.created for r in units)
    assert registry.log.last_id() == last


def test_a_commune_nouvelle_is_a_merge_and_its_communes_deleguees_sit_under_it(insee_2018):
    registry, _ = insee_2018
    with registry.reading() as tl:
        (valserhone,) = tl.by_code("01033", LIST_2019, "commune")
        (delegated,) = tl.by_code("01033", LIST_2019, "commune_deleguee")
        (lancrans,) = tl.by_code("01205", LIST_2019, "commune_deleguee")
        (before,) = tl.by_code("01205", date(2018, 12, 31), "commune")
        into = {e.source: (e.type, e.change) for e in tl.edges_in(valserhone.id)}
        parent = tl.version(valserhone.parent, LIST_2019)
    assert (valserhone.name, valserhone.type, parent.code) == ("Valserhône", "COM", "01")
    assert (delegated.name, delegated.parent) == ("Bellegarde-sur-Valserine", valserhone.id)
    assert lancrans.parent == valserhone.id
    assert into[before.id] == ("area", "absorb")  # Lancrans also lives on as a COMD


def test_reads_the_older_comsimp_format_and_the_current_one(shared_data):
    old = {u.code: u for u in read_units(shared_data / "fr" / "comsimp2018.txt")}
    new = read_units(shared_data / "fr" / "commune2019.csv")
    assert len(old) == 35_357
    assert old["01001"].name == "L'Abergement-Clémenciat"  # cp1252, article from ARTMIN
    assert old["97101"].name == "Les Abymes"  # overseas: DEP 971 + COM 01
    assert old["2A004"].parent == "2A"
    kinds = {t: sum(1 for u in new if u.typecom == t) for t in ("COM", "COMD", "COMA", "ARM")}
    assert kinds == {"COM": 34_970, "COMD": 2_365, "COMA": 552, "ARM": 45}


def test_a_list_with_communes_deleguees_gives_them_their_own_level(shared_data, tmp_path):
    rows = [r for r in _csv(shared_data / "fr" / "commune2019.csv") if r["dep"] in ("01", "75")]
    path = _write(tmp_path / "commune-01-75.csv", rows, upper=True)
    url = f"sqlite:///{tmp_path / 'units.db'}"
    assert main(["import", "insee-cog", "--units", str(path), "--as-of", "2019-01-01",
                 "--database", url]) == 0
    registry = bootstrap.build(url)
    with registry.reading() as tl:
        (com,) = tl.by_code("01033", LIST_2019, "commune")
        (comd,) = tl.by_code("01033", LIST_2019, "commune_deleguee")
        (arm,) = tl.by_code("75101", LIST_2019, "arrondissement_municipal")
        paris = tl.version(arm.parent, LIST_2019)
    assert (com.type, comd.type, comd.parent) == ("COM", "COMD", com.id)
    assert (arm.type, paris.code, paris.name) == ("ARM", "75056", "Paris")
    registry.log.close()


def test_a_later_release_records_what_it_adds_and_withdraws_what_it_dropped(
        shared_data: Path, tmp_path: Path, new_clock):
    fr = shared_data / "fr"
    clock = new_clock()
    registry = bootstrap.build(f"sqlite:///{tmp_path / 'releases.db'}", clock)
    insee.load_units(registry, fr / "comsimp2018.txt", date(2018, 1, 1), "test-import")
    first = insee.apply_events(registry, fr / "mvtcommune2019.csv", "test-import")
    after_first = clock.now

    rows = _csv(fr / "mvtcommune2019.csv")
    touched = {r[k] for r in rows for k in ("com_av", "com_ap")}
    dropped = next(e for e in read_events(fr / "mvtcommune2019.csv")
                   if e.mods == ["10"] and e.on > date(2018, 1, 1) and len(e.rows) == 1)
    code = dropped.rows[0].before[1]
    quiet = next(u for u in read_units(fr / "comsimp2018.txt") if u.code not in touched)
    backdated = {**rows[0], "mod": "10", "date_eff": "2018-06-01",
                 **{f"{k}_{s}": v for s in ("av", "ap") for k, v in
                    (("typecom", "COM"), ("com", quiet.code))},
                 "libelle_av": quiet.name, "libelle_ap": quiet.name + "-sur-Test"}
    later = [r for r in rows if not (r["mod"] == "10" and r["com_av"] == code
                                     and r["date_eff"] == dropped.on.isoformat())]
    later.append(backdated)
    path = _write(tmp_path / "mvtcommune-later.csv", later, upper=True, extra="CTCD")

    second = insee.apply_events(registry, path, "test-import")

    assert (first.recorded, first.refused) == (250, [])
    assert (second.recorded, second.withdrawn, second.already, second.refused) == (1, 1, 249, [])
    spot = date(2019, 1, 2)
    with registry.reading(known_at=after_first) as then:
        assert _name(then, code, spot) == dropped.rows[0].after_name
        assert _name(then, quiet.code, spot) == quiet.name
    with registry.reading() as now:
        assert _name(now, code, spot) == dropped.rows[0].before_name
        assert _name(now, quiet.code, spot) == quiet.name + "-sur-Test"
        assert _name(now, quiet.code, date(2018, 5, 31)) == quiet.name
    assert insee.apply_events(registry, path, "test-import").recorded == 0
    registry.log.close()


def _name(tl, code: str, on: date) -> str:
    (v,) = tl.by_code(code, on, "commune")
    return v.name


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]], upper: bool = False,
           extra: str | None = None) -> Path:
    """A release in a later INSEE style: upper-case headers, possibly an added column."""
    fields = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow([h.upper() if upper else h for h in fields] + ([extra] if extra else []))
        for r in rows:
            out.writerow([r[h] for h in fields] + ([""] if extra else []))
    return path


def test_the_command_refuses_to_guess_what_a_file_is(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["import", "insee-cog", "--database", url]) == 2
    assert main(["import", "insee-cog", "--units", "x.csv", "--database", url]) == 2
    assert "--as-of" in capsys.readouterr().err



def test_the_history_of_some_departements_rebuilds_their_2019_list_from_1943(
        shared_data: Path, tmp_path: Path):
    """Corsica (split into 2A/2B in 1976), Isère and Rhône (communes moved between them,
    Lyon's arrondissements), Meuse (Lamarche-en-Woëvre re-established and merged again on the
    same day): the 2019 list rewound to 1943, then every change applied forwards."""
    from registry.importers.insee_mapping import departement_of

    keep = {"20", "2A", "2B", "38", "69", "55"}
    fr = shared_data / "fr"
    units = [r for r in _csv(fr / "commune2019.csv") if r["dep"] in keep]
    changes = [r for r in _csv(fr / "mvtcommune2019.csv")
               if departement_of(r["com_av"]) in keep and departement_of(r["com_ap"]) in keep]
    units_path = _write(tmp_path / "commune.csv", units)
    changes_path = _write(tmp_path / "mvtcommune.csv", changes)
    url = f"sqlite:///{tmp_path / 'history.db'}"
    assert main(["import", "insee-cog", "--history", "--units", str(units_path), "--events",
                 str(changes_path), "--database", url]) == 0

    registry = bootstrap.build(url)
    with registry.reading() as tl:
        good, total, wrong = insee.compare(tl, units_path, LIST_2019)
        deps = {on: sorted(v.code for v in tl.existing(on) if v.level == "departement")
                for on in (date(1975, 12, 31), date(1976, 1, 1))}
        (ajaccio,) = tl.by_code("2A004", LIST_2019, "commune")
        ajaccio_1970 = tl.version(ajaccio.id, date(1970, 1, 1))
        lamarche = tl.by_code("55273", date(1983, 1, 1), "commune")
        (lyon_9,) = tl.by_code("69389", LIST_2019, "arrondissement_municipal")
    assert (good, wrong) == (total, [])
    assert deps[date(1975, 12, 31)] == ["20", "38", "55", "69"]
    assert {"2A", "2B"} <= set(deps[date(1976, 1, 1)])
    assert ajaccio_1970.code == "20004"  # the same commune, recoded in 1976
    assert lamarche == []  # never existed for a whole day
    assert tl.version(lyon_9.parent, LIST_2019).code == "69123"
    registry.log.close()


def test_the_whole_french_history_from_1943_rebuilds_the_2019_list_exactly(
        shared_data: Path, tmp_path: Path):
    """All 4,745 events, 1943–2019, on SQLite (the départements above run on both backends).
    Same-named communes in one département existed (two Braye in Aisne until 1956): coded
    siblings may share a name. A code made and ended on one day (49144 recoded 44225, then
    merged into Vallons-de-l'Erdre on 2018-01-01) must not survive the rewind."""
    fr = shared_data / "fr"
    url = f"sqlite:///{tmp_path / 'history.db'}"
    assert main(["import", "insee-cog", "--history", "--units", str(fr / "commune2019.csv"),
                 "--events", str(fr / "mvtcommune2019.csv"), "--database", url]) == 0
    registry = bootstrap.build(url)
    try:
        with registry.reading() as tl:
            good, total, wrong = insee.compare(tl, fr / "commune2019.csv", LIST_2019)
            every = check(tl, read_units(fr / "commune2019.csv"), LIST_2019).differences
            held = {v.code for v in tl.existing(LIST_2019) if v.type == "COM"}
            aisne = next(v for v in tl.by_code("02", date(1950, 1, 1), "departement"))
            braye = [v for v in tl.children(aisne.id, date(1950, 1, 1)) if v.name == "Braye"]
        expected = {r["com"] for r in _csv(fr / "commune2019.csv") if r["typecom"] == "COM"}
        assert (good, total, wrong) == (34_970, 34_970, [])
        assert every == []  # communes déléguées, associées, arrondissements and their communes
        assert held == expected
        assert len(braye) == 2 and len({v.code for v in braye}) == 2
    finally:
        registry.log.close()
