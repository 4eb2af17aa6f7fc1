"""Markdown text escaping, shared by every Markdown view (report, budget, diff)."""
from __future__ import annotations

_SPECIAL = str.maketrans({"\\": "\\\\", "|": "\\|", "&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "\\`",
                          "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "\n": "<br>", "\r": " "})


def cell(text: str) -> str:
    """Escape text for a table cell: pipes, markup and emphasis characters stay literal."""
    return text.translate(_SPECIAL)


def code(text: str) -> str:
    """A code span in a table cell: nothing inside is markup; only the pipe needs escaping."""
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ").replace("\r", " ") + "`"
