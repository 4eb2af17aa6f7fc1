"""Progress of a long torch job on stderr: a bar on a terminal, one line per step otherwise."""
from __future__ import annotations

import sys
from typing import Any, Callable, Iterator, Sequence


LOG_LINES = 25


class Steps:
    """Progress on stderr: a bar on a terminal, one line per step otherwise (logs, pipes)."""

    def __init__(self, total: int, command: str = "verify", title: str = "verifying"):
        from rich.console import Console

        self.console = Console(stderr=True)
        self.total, self.done, self.bar = total, 0, None
        self.command, self.title = command, title
        if self.console.is_terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                TimeElapsedColumn(), console=self.console, transient=True)

    def run(self, labelled: Sequence[tuple[str, Callable[[], Any]]]) -> Iterator[Any]:
        if self.bar is None:
            every = max(1, self.total // LOG_LINES)  # a long job logs about LOG_LINES lines, not one per step
            for label, step in labelled:
                self.done += 1
                if self.done % every == 0 or self.done in (1, self.total):
                    print(f"yanalyze {self.command}: [{self.done}/{self.total}] {label}", file=sys.stderr, flush=True)
                yield step()
            return
        with self.bar:
            task = self.bar.add_task(self.title, total=self.total)
            for label, step in labelled:
                self.bar.update(task, description=label)
                yield step()
                self.bar.advance(task)
