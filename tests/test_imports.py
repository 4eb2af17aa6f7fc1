"""The package's layering, read from the source: no upward imports, no import circles, torch
behind one door (yanalyze.verify), and the analysis path leaves torch unloaded."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

from conftest import CONFIGS, ROOT

PACKAGE = ROOT / "yanalyze"
# what each layer may not import (analysis below reports and verify; the CLI on top)
FORBIDDEN = {
    "yanalyze.analyzer": ("yanalyze.verify", "yanalyze.reports", "yanalyze.cli"),
    "yanalyze.reports": ("yanalyze.verify", "yanalyze.cli"),
    "yanalyze.verify": ("yanalyze.reports", "yanalyze.cli"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports(path: Path) -> set[str]:
    """Every module imported anywhere in the file (functions included), TYPE_CHECKING blocks not."""
    tree = ast.parse(path.read_text())
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
            for n in ast.walk(node)}
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else (node.module if not node.level else base)
            for a in node.names:  # `from . import x` imports the submodule x when there is one
                sub = f"{target}.{a.name}"
                found.add(sub if _exists(sub) else target)
    return found


def _exists(name: str) -> bool:
    p = ROOT.joinpath(*name.split("."))
    return p.with_suffix(".py").is_file() or (p / "__init__.py").is_file()


def graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        g.add_node(name)
        for target in imports(path):
            if target.startswith("yanalyze") and target != name:
                g.add_edge(name, target)
    return g


def test_no_upward_imports():
    bad = [(a, b) for a, b in graph().edges for layer, banned in FORBIDDEN.items()
           if a.startswith(layer) and b.startswith(banned)]
    assert bad == []


def test_no_import_circles():
    g = graph()
    assert g.number_of_edges() > 200 and g.has_edge("yanalyze.analyzer.modules.conv", "yanalyze.analyzer.registry")
    assert list(nx.simple_cycles(g)) == []


def test_torch_only_behind_the_verify_door():
    users = sorted(module_name(p) for p in PACKAGE.rglob("*.py")
                   if any(i == "torch" or i.startswith("torch.") for i in imports(p)))
    assert users and all(u.startswith("yanalyze.verify") for u in users), users


def test_analysis_and_reports_leave_torch_unimported():
    code = ("import sys, yanalyze; a = yanalyze.analyze(sys.argv[1], imgsz=1280); "
            "from yanalyze.reports import json_report, terminal, markdown, html; json_report.render(a); "
            "markdown.render(a); yanalyze.diff(a, a); print('torch' in sys.modules, a.totals.params)")
    out = subprocess.run([sys.executable, "-c", code, str(CONFIGS / "yolov5x6.yaml")], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "140794780"]


def test_the_json_path_loads_no_networkx_rich_or_jinja2():
    code = ("import sys; from yanalyze.cli import main; main([sys.argv[1], '--json', '-q', '--json', '/dev/stdout']);"
            "print(sorted(m for m in ('torch', 'networkx', 'rich', 'jinja2') if m in sys.modules), file=sys.stderr)")
    err = subprocess.run([sys.executable, "-c", code, str(CONFIGS / "yolov5s.yaml")], cwd=ROOT,
                         capture_output=True, text=True, check=True).stderr
    assert err.strip().splitlines()[-1] == "[]"
