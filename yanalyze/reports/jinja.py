"""The one jinja2 environment every HTML page renders with: autoescaping on and undefined names
errors, so text from a YAML can never become markup and a template typo never renders blank."""
from __future__ import annotations

import jinja2


def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("yanalyze", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
