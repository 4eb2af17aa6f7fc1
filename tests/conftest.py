"""Shared fixtures: paths to the bundled official configs and a CLI runner."""
from __future__ import annotations

from pathlib import Path

import pytest

from yanalyze.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "tests" / "configs"
EXAMPLES = ROOT / "examples"
MODEL_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.yaml") if "backbone" in p.read_text())


@pytest.fixture
def run_cli(capsys):
    """Run `yanalyze ARGS`; returns (exit code, stdout, stderr)."""
    def run(*args: str):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run
