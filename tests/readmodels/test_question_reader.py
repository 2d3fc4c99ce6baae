"""A command's reader loads only what its question touches, and answers exactly as the serving
reader, which holds every row, does: same units, trees, histories, lineage, crosswalks, diffs,
changes, searches and snapshots, now and as known at past moments."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from registry import bootstrap
from registry.application import reading

DATES = [date(2025, 1, 4), date(2025, 6, 30), date(2025, 7, 1), date(2026, 1, 1)]
CODES = ["12", "105", "03388", "03389", "03391", "03640"]
TEXTS = ["doan ket", "a", "lai chau", "phong", "xa"]


def attempt(question) -> object:
    try:
        return question()
    except Exception as e:  # noqa: BLE001 (a refusal is an answer too)
        return repr(e)


def answers(reader, known_at=None) -> list[object]:
    out: list[object] = []
    for on in DATES:
        out.append([u.as_dict() for u in reader.snapshot(on, known_at=known_at)])
        for code in CODES:
            try:
                unit = reader.by_code(code, on, known_at=known_at).unit
            except Exception as e:  # noqa: BLE001 (a refusal is an answer too)
                out.append(repr(e))
                continue
            out.append(reader.subtree(unit.id, on, known_at))
            for direction in ("predecessors", "successors"):
                out.append([s.as_dict() for s in reader.lineage(unit.id, direction, None, known_at)])
            for other in DATES:
                out.append([i.as_dict() for i in reader.crosswalk(code, None, on, other,
                                                                    known_at)])
    for code in CODES:
        out.append(attempt(lambda code=code: [reader.history(org, known_at).as_dict()
                                              for org in reader.holders(code, None, known_at)]))
    for first, second in itertools.pairwise(DATES):
        out.append(reader.diff(first, second, None, known_at).as_dict())
        out.append(reader.changes(first, second, None, known_at, limit=1000).as_dict())
        out.append(attempt(lambda first=first, second=second: reader.diff(
            first, second, reader.by_code("12", first, known_at=known_at).unit.id,
            known_at).as_dict()))
    for text in TEXTS:
        out.append([h.as_dict() for h in reader.search(text, None, known_at, 100)])
        out.append([h.as_dict() for h in reader.search(text, DATES[1], known_at, 100)])
    return out


def test_a_command_reader_answers_as_the_serving_reader_does(lai_chau):
    first_act = min(a.recorded_at for a in lai_chau.reader.source.index().acts.values())
    for known_at in (None, first_act, first_act - timedelta(seconds=1)):
        with bootstrap.question_reader(lai_chau.url) as question:
            assert answers(question, known_at) == answers(lai_chau.reader, known_at)
            loaded = len(question.source.index().rows)
        with bootstrap.question_reader(lai_chau.url) as question:
            question.by_code("03388", DATES[2])
            assert len(question.source.index().rows) < loaded / 10  # one question, few rows


def test_pages_of_changes_follow_one_another_without_gaps_or_repeats(lai_chau):
    whole = lai_chau.reader.changes(DATES[0], DATES[-1], limit=1000)
    assert whole.next is None and len(whole.items) > 100
    pages, cursor = [], None
    while True:
        page = lai_chau.reader.changes(DATES[0], DATES[-1], limit=7, cursor=cursor)
        pages += page.items
        if page.next is None:
            break
        cursor = page.next
    assert pages == whole.items


def test_a_command_refuses_a_search_over_too_many_names_before_loading_them(lai_chau,
                                                                           monkeypatch):
    monkeypatch.setattr(reading, "MAX_SEARCH_NAMES", 10)
    later = datetime(2100, 1, 1, tzinfo=UTC)  # as known at a moment: every name is ranked
    served = attempt(lambda: lai_chau.reader.search("a", DATES[1], later))
    assert "TooCostly" in str(served)
    with bootstrap.question_reader(lai_chau.url) as question:
        assert attempt(lambda: question.search("a", DATES[1], later)) == served
        assert not question.source.index().rows  # counted by the database, nothing loaded
