"""A progress bar for long commands (imports): n/N, rate, elapsed and time left, on stderr.

Drawn by ``rich`` on a terminal only; in a pipe or a log it stays silent and the command's own
summary says what happened. Per-item lines (``--verbose``) go to stdout, above the bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f}/s" if task.speed else "–/s")


class Bar:
    def __init__(self, progress: Progress, verbose: bool) -> None:
        self._progress = progress
        self._verbose = verbose
        self._task: TaskID | None = None

    def start(self, what: str, total: int | None) -> None:
        """A new phase, on a line of its own under the last: ``what`` with ``total`` items
        (None: not known beforehand)."""
        if self._task is not None and not self._progress.tasks[-1].completed:
            self._progress.update(self._task, visible=False)  # nothing happened in it
        self._task = self._progress.add_task(what, total=total)

    def advance(self, line: str | None = None) -> None:
        if self._task is not None:
            self._progress.advance(self._task)
        self.say(line)

    def say(self, line: str | None) -> None:
        if self._verbose and line:
            print(line, flush=True)  # above the bar: rich redirects stdout while it draws

    def finish(self) -> None:
        """The phase is done (items it did not count, like events before the list, included)."""
        if self._task is not None:
            task = self._progress.tasks[-1]
            if task.total is not None:
                self._progress.update(self._task, completed=task.total)


@contextmanager
def bar(verbose: bool) -> Iterator[Bar]:
    err = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
        console=err, disable=not err.is_terminal)
    with progress:
        yield Bar(progress, verbose)
