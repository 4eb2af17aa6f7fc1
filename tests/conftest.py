"""Shared fixtures: paths to the bundled official configs and a CLI runner."""
from __future__ import annotations

from pathlib import Path

import pytest

from yanalyze.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "tests" / "configs"
EXAMPLES = ROOT / "examples"
MODEL_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.yaml") if "backbone" in p.read_text())
# examples that name a module from a plugin or from the user's torch file
EXAMPLE_EXTENSIONS = {"yolov5s-dilated": ("plugin", "plugins/my_blocks.py"),
                      "yolov5s-traced": ("modules", "modules/my_modules.py")}


def load_example(path: Path) -> Path:
    """Load what an example needs (its plugin or module file), as its header comment says."""
    from yanalyze.analyzer import extensions

    kind, file = EXAMPLE_EXTENSIONS.get(path.stem, (None, None))
    if kind == "plugin":
        extensions.load_plugin(str(EXAMPLES / file))
    elif kind == "modules":
        from yanalyze.verify.traced import load_modules

        load_modules(str(EXAMPLES / file))
    return path


CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright drives it with the flags that keep it offline
OFFLINE = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-default-apps", "--disable-extensions"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the page tests (Playwright is imported only by the tests that ask)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=OFFLINE)
        yield b
        b.close()


@pytest.fixture
def run_cli(capsys):
    """Run `yanalyze ARGS`; returns (exit code, stdout, stderr)."""
    def run(*args: str):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


@pytest.fixture(autouse=True)
def isolated_registry():
    """Plugins and --modules register globally; each test starts from the built-ins."""
    from yanalyze.analyzer import modules, registry

    modules.names()
    saved = dict(registry.REGISTRY), {k: dict(v) for k, v in registry.VARIANTS.items()}, dict(registry.TRACED)
    yield
    for table, before in zip((registry.REGISTRY, registry.VARIANTS, registry.TRACED), saved):
        table.clear()
        table.update(before)
