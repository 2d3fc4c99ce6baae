"""`registry rebuild` switches over whole: while it runs, readers answer from the previous state
(never from a partly rebuilt one); once it commits they load the new state."""

from __future__ import annotations

from datetime import date

from registry import bootstrap
from registry.cli import main
from tests.conftest import LAI_CHAU_UNITS

DATES = (date(2025, 6, 30), date(2025, 7, 1))


def answers(reader) -> list[object]:
    return [[u.as_dict() for u in reader.snapshot(on)] for on in DATES] + [
        reader.state()["position"]]


def test_readers_see_the_previous_state_until_a_rebuild_commits(database_url, capsys):
    assert main(["load", *map(str, LAI_CHAU_UNITS), "--database", database_url]) == 0
    capsys.readouterr()
    server = bootstrap.build_reader(database_url, project=False)  # another process, following
    before = answers(server)
    old_index = server.source.index()
    seen: list[object] = []

    def midway(batch: int) -> None:
        if batch == 1:  # the rebuilt rows are written, not committed
            server.refresh()
            seen.append(answers(server))
            with bootstrap.question_reader(database_url) as command:
                seen.append(answers(command))

    projection = bootstrap.build_projection(database_url)
    projection.page = 40  # the log read in many pages
    projection.before_commit = midway
    try:
        folded = projection.rebuild()
    finally:
        projection.close()
    assert folded > 100 and projection.position == before[-1]
    assert seen == [before, before]
    server.refresh()
    assert server.source.index() is not old_index  # reloaded: the generation moved on
    assert server.source.index().generation == old_index.generation + 1
    assert answers(server) == before
    server.close()
