"""Parsing text as Python syntax without running it, and without the compiler's warnings: a
config arg such as `3.inf` or a fork's regex string with an invalid escape makes the parser
print a SyntaxWarning, which would be a second stderr line."""
from __future__ import annotations

import ast
import warnings
from typing import Any


def parse(source: str, **kwargs: Any) -> Any:
    """ast.parse with SyntaxWarning and DeprecationWarning silenced (errors still raise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(source, **kwargs)
