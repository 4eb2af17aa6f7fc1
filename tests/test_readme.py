"""The README's promises that code can check: its two opening commands, and that CI runs the
test command exactly as written."""
from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text()


def opening_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_the_install_run_and_the_test_commands():
    run, test = opening_commands()
    assert run.startswith("pip install") and "yanalyze examples/" in run
    assert test.startswith("apt-get update") and test.endswith("python -m pytest") and "'.[test]'" in test


def test_ci_runs_exactly_the_readme_test_command():
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd ", "export "))]
    assert ci == [opening_commands()[1]]
