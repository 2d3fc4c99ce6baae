"""The division rules, on small acts with every kind of edge, and means and categories on
Lai Châu's merged communes (Resolution 1670/NQ-UBTVQH15)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from registry import bootstrap
from registry.application.analysis.harmonize import Spec, harmonize
from registry.domain.errors import InvalidInput
from registry.projections.index import ReadIndex

D0, D1 = date(2026, 1, 1), date(2026, 7, 1)


def commune(code: str, name: str, **extra: object) -> dict[str, object]:
    return {"key": code, "code": code, "name": name, "type": "xã", "level": "commune",
            "parent": {"code": "90", "level": "province"}, **extra}


BASELINE = {
    "act": {"number": None, "kind": "baseline", "effective": D0.isoformat(), "verified": True},
    "changes": [{"register": {"units": [
        {"key": "p", "code": "90", "name": "Tỉnh Thử", "type": "tỉnh", "level": "province"},
        *[commune(c, f"Xã {n}", parent={"key": "p"})
          for c, n in (("00001", "An"), ("00002", "Bình"), ("00003", "Cường"), ("00004", "Đức"),
                       ("00005", "Em"), ("00006", "Giang"))]]}}],
}

CHANGES = {
    "act": {"number": "1/TEST", "kind": "decision", "effective": D1.isoformat(),
            "verified": False},
    "changes": [
        # recorded shares: 30 % of the population to one part, the remainder to the other
        {"split": {"source": "00001", "into": [
            {**commune("00011", "Xã An Một"), "edge": "population", "share": 0.3},
            {**commune("00012", "Xã An Hai"), "edge": "remainder"}]}},
        # no shares; the second part keeps the code
        {"split": {"source": "00002", "into": [
            {**commune("00021", "Xã Bình Một"), "edge": "area"},
            {**commune("00002", "Xã Bình Hai", key="b2"), "edge": "area"}]}},
        # no shares and nobody keeps the code: equal parts
        {"split": {"source": "00003", "into": [
            {**commune("00031", "Xã Cường Một"), "edge": "area"},
            {**commune("00032", "Xã Cường Hai"), "edge": "area"},
            {**commune("00033", "Xã Cường Ba"), "edge": "area"}]}},
        # a part leaves without a share: it stays with the commune, which keeps its code
        {"detach": {"source": "00004", "into": {**commune("00041", "Xã Đức Mới"),
                                                "edge": "area"}}},
        # two whole communes merge
        {"merge": {"sources": ["00005", "00006"], "into": commune("00005", "Xã Em Giang",
                                                                  key="eg")}},
    ],
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadIndex]:
    url = f"sqlite:///{tmp_path_factory.mktemp('small') / 'small.db'}"
    registry = bootstrap.build(url)
    registry.record(BASELINE, "test")
    registry.record(CHANGES, "test")
    registry.log.close()
    reader = bootstrap.build_reader(url)
    yield reader.source.index()
    reader.close()


TABLE = [["00001", "1000"], ["00002", "90"], ["00003", "30"], ["00004", "40"],
         ["00005", "5"], ["00006", "6"]]


def test_each_rule_divides_as_documented(small: ReadIndex) -> None:
    result = harmonize(small, ["code", "n"], TABLE, Spec("code", D0, D1, sums=("n",)))
    got = {row[0]: row[2] for row in result.rows}
    assert got == pytest.approx({
        "00011": 300, "00012": 700,          # recorded share and remainder
        "00002": 90, "00021": None,          # keeps the code; the other part gets nothing
        "00031": 10, "00032": 10, "00033": 10,  # equal parts
        "00004": 40, "00041": None,          # a part left without a share: it stays
        "00005": 11})                        # merged: added
    assert {r[0]: r[1] for r in result.rows}["00002"] == "Xã Bình Hai"
    report = result.report
    rules = {f["code"]: [x["rule"] for x in f["fallbacks"]] for f in report["fallbacks"]}
    assert rules == {"00002": ["keeps-code"], "00003": ["equal-parts"], "00004": ["stays"]}
    assert report["totals"]["n"] == {"before": 1171, "after": 1171, "equal": True}
    assert sorted(report["no_data"]) == ["00021", "00041"]


def test_backwards_a_split_is_added_up_and_a_merge_divided_in_equal_parts(
        small: ReadIndex) -> None:
    table = [[c, "12"] for c in ("00011", "00012", "00021", "00002", "00031", "00032", "00033",
                                 "00004", "00041", "00005")]
    result = harmonize(small, ["code", "n"], table, Spec("code", D1, D0, sums=("n",)))
    got = {row[0]: row[2] for row in result.rows}
    assert got == pytest.approx({"00001": 24, "00002": 24, "00003": 36, "00004": 24,
                                 "00005": 6, "00006": 6})
    fallbacks = {f["code"]: f["fallbacks"][0]["rule"] for f in result.report["fallbacks"]}
    assert fallbacks == {"00005": "equal-parts"}
    assert result.report["totals"]["n"]["equal"]


def test_rows_that_are_not_units_of_the_first_date_are_reported(small: ReadIndex) -> None:
    table = [["00001", "1"], ["00011", "2"], ["90", "3"], ["77777", "4"], ["", "5"]]
    result = harmonize(small, ["code", "n"], table,
                       Spec("code", D0, D1, level="commune", sums=("n",)))
    report = result.report
    assert [(u["row"], u["code"]) for u in report["unknown_codes"]] == [
        (2, "00011"), (4, "77777"), (5, "")]
    assert f"it was held from {D1}" in report["unknown_codes"][0]["reason"]
    assert report["other_level"] == [{"row": 3, "code": "90", "levels": ["province"],
                                      "reason": f"exists on {D0} at level province, not "
                                                "commune"}]
    assert report["totals"]["n"] == {"before": 15, "after": 1, "equal": False}


def test_bad_specifications_are_refused_naming_the_field(small: ReadIndex) -> None:
    with pytest.raises(InvalidInput) as e:
        harmonize(small, ["code", "n"], TABLE, Spec("code", D0, D1, sums=("missing",)))
    assert e.value.field == "sum"
    with pytest.raises(InvalidInput) as e:
        harmonize(small, ["code", "n"], [["00001", "many"]], Spec("code", D0, D1, sums=("n",)))
    assert "row 1" in str(e.value)
    with pytest.raises(InvalidInput) as e:
        harmonize(small, ["code", "k"], TABLE, Spec("code", D0, D1, categories=("k",),
                                                    rule="largest"))
    assert e.value.field == "weight"


# -- means and categories on Lai Châu ----------------------------------------------------

LC = ["code", "population", "rate", "kind"]
LC_ROWS = [["03386", "100", "10", "A"], ["03388", "300", "20", "B"], ["03389", "200", "40", "A"]]


@pytest.mark.parametrize("rule, kind", [("majority", "A"), ("largest", "B"), ("absorbing", "B")])
def test_means_are_weighted_and_categories_follow_the_rule(lai_chau_index: ReadIndex,
                                                           rule: str, kind: str) -> None:
    """Phường Đoàn Kết (03388) was made from Quyết Thắng (03386), Quyết Tiến (03388) and Đoàn
    Kết (03389), among others (not in the table): majority is the category of two of the three, largest that of the most
    populous, absorbing that of the one whose code it keeps."""
    result = harmonize(lai_chau_index, LC, LC_ROWS,
                       Spec("code", date(2025, 6, 30), date(2025, 7, 1), sums=("population",),
                            means=("rate",), weight="population", categories=("kind",),
                            rule=rule))
    assert result.columns == ["code", "name", "population", "rate", "kind"]
    assert len(result.rows) == 38
    row = next(r for r in result.rows if r[0] == "03388")
    assert row == ["03388", "Phường Đoàn Kết", 600.0, pytest.approx(25.0), kind]


def test_absorbing_is_the_unit_itself_where_it_continues(lai_chau_index: ReadIndex) -> None:
    """Mù Cả (03451) was not rearranged: the same unit goes on, so it is its own absorbing unit."""
    rows = [["03451", "x"]]
    result = harmonize(lai_chau_index, ["code", "kind"], rows,
                       Spec("code", date(2025, 6, 30), date(2025, 7, 1), categories=("kind",),
                            rule="absorbing"))
    got = {r[0]: r[2] for r in result.rows if r[2] is not None}
    assert got == {"03451": "x"} and result.report["no_absorbing_unit"] == []


def test_rows_of_one_code_add_up_and_are_named(small: ReadIndex) -> None:
    table = [["00005", "1"], ["00005", "2"], ["00006", "4"]]
    result = harmonize(small, ["code", "n"], table, Spec("code", D0, D1, sums=("n",)))
    assert {r[0]: r[2] for r in result.rows}["00005"] == 7
    assert result.report["duplicate_codes"] == ["00005"]
