"""The one exception type for bad input, carrying where it came from."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

MAX_LINE = 400  # characters of one error line


def short(value: Any, limit: int = 60) -> str:
    """A value for an error line: its repr, cut to a readable length."""
    text = str(value) if isinstance(value, BaseException) else repr(value)
    return short_text(text, limit)


def short_text(text: str, limit: int = 120) -> str:
    """Text for an error line, cut to a readable length."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


@dataclass
class ConfigError(Exception):
    """Bad input: a one-line message naming the file, layer and YAML line where known."""

    message: str
    path: Optional[str] = None
    layer: Optional[int] = None
    line: Optional[int] = None
    code: str = "config"

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(f"{self.path}:{self.line}" if self.line else str(self.path))
        elif self.line:
            where.append(f"line {self.line}")
        if self.layer is not None:
            where.append(f"layer {self.layer}")
        prefix = ": ".join(where)
        line = f"{prefix}: {self.message}" if prefix else self.message
        line = " ".join(line.splitlines())  # one line, whatever a value held
        return line if len(line) <= MAX_LINE else f"{line[:MAX_LINE]}... (cut; {len(line):,} characters)"

    def located(self, path: Optional[str] = None, layer: Optional[int] = None,
                line: Optional[int] = None) -> "ConfigError":
        """Fill in location fields that are still unknown (inner code knows less than outer)."""
        if self.path is None:
            self.path = path
        if self.layer is None:
            self.layer = layer
        if self.line is None:
            self.line = line
        return self
