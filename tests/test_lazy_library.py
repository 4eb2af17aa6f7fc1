"""The module library loads lazily: a run imports only the families its config names, and gets
exactly the definitions a full import gives (index.json is what a full import finds)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT
from yanalyze.analyzer import modules

INDEX = ROOT / "yanalyze" / "analyzer" / "modules" / "index.json"


def test_index_is_what_a_full_import_registers():
    built = json.dumps(modules.build_index(), indent=1, sort_keys=True) + "\n"
    if os.environ.get("YANALYZE_REGEN") == "1":
        INDEX.write_text(built)
    assert INDEX.read_text() == built, "index.json is stale; rerun with YANALYZE_REGEN=1"


def _in_fresh_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout


DESCRIBE = """
import json, sys
from yanalyze.analyzer import modules, registry
def describe(name):
    found = modules.lookup(name)
    return [found.variant, found.family, found.build.__qualname__, sorted(modules.variants(name))]
"""


def test_each_name_alone_resolves_as_after_a_full_import():
    names = modules.names()
    full = {n: [modules.lookup(n).variant, modules.lookup(n).family, modules.lookup(n).build.__qualname__,
                sorted(modules.variants(n))] for n in names}
    # every name looked up in a fresh interpreter, in reverse order, so families load in another order
    lazy = json.loads(_in_fresh_python(DESCRIBE + f"print(json.dumps({{n: describe(n) for n in {names[::-1]!r}}}))"))
    assert lazy == full


def test_yolov5s_loads_only_its_families():
    loaded = _in_fresh_python(
        "import json, sys, yanalyze\n"
        "yanalyze.analyze('examples/yolov5s.yaml')\n"
        "print(json.dumps([m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('yanalyze.analyzer.modules.')]))")
    families = set(json.loads(loaded))
    assert {"conv", "csp", "pool", "heads", "routing", "torch_nn"} <= families
    assert len(families) < len(modules.families()) / 3
