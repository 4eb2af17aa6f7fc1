"""What a fork's models/yolo.py says, read with `ast` and never run: parse_model's statements
(the settings it reads before its loop, and the loop body up to where it builds each module,
with the membership chains that are its channel rules), whether its channel list restarts
after the first layer, which classes its Model treats as the detection head, and which class
takes the config's `activation`.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ...analyzer import pyast


@dataclass(frozen=True)
class Program:
    """parse_model as data: prelude, loop target, the loop body up to the module's construction."""

    file: str
    line: int
    prelude: list = field(default_factory=list)
    target: Optional[ast.expr] = None
    body: list = field(default_factory=list)
    resets_ch: bool = True
    heads: tuple[str, ...] = ()
    act_classes: tuple[str, ...] = ()
    names: frozenset = frozenset()
    problem: Optional[str] = None  # why the loop could not be found; every rule is then an assumption

    def where(self, node: Optional[ast.AST] = None) -> str:
        return f"{self.file}:{getattr(node, 'lineno', self.line)}"


def _dotted(node: ast.AST) -> Optional[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def referenced_names(tree: ast.AST) -> set[str]:
    """Every bare name and dotted name chain (nn.BatchNorm2d, torch.nn.Upsample) in the code."""
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute):
            d = _dotted(n)
            if d:
                out.add(d)
    return out


def _find_function(tree: ast.Module, name: str) -> Optional[ast.FunctionDef]:
    for n in ast.walk(tree):
        if isinstance(n, ast.FunctionDef) and n.name == name:
            return n
    return None


def _calls(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name for n in ast.walk(node))


def _main_loop(fn: ast.FunctionDef) -> Optional[int]:
    """The `for i, (f, n, m, args) in enumerate(...)` statement among parse_model's own statements."""
    for k, s in enumerate(fn.body):
        if isinstance(s, ast.For) and isinstance(s.target, ast.Tuple) and len(s.target.elts) == 2 \
                and isinstance(s.target.elts[1], (ast.Tuple, ast.List)) and len(s.target.elts[1].elts) == 4:
            return k
    return None


def _construction(loop: ast.For) -> Optional[int]:
    """The last statement of the loop body that calls the module class (m(*args))."""
    m = loop.target.elts[1].elts[2]  # type: ignore[attr-defined]
    if not isinstance(m, ast.Name):
        return None
    found = [k for k, s in enumerate(loop.body) if _calls(s, m.id)]
    return found[-1] if found else None


def _resets(loop: ast.For) -> bool:
    """v5.0 and later start the channel list afresh after layer 0 (`if i == 0: ch = []`)."""
    return any(isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ch" for t in n.targets)
               and isinstance(n.value, ast.List) and not n.value.elts for n in ast.walk(loop))


def _heads(tree: ast.Module) -> tuple[str, ...]:
    """Classes named in `isinstance(m, ...)` in the __init__ of the class that calls parse_model
    (YOLOv5 sets the strides and anchors of those)."""
    names: list[str] = []
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
        if init is None or not _calls(init, "parse_model"):
            continue
        for n in ast.walk(init):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "isinstance" \
                    and len(n.args) == 2 and isinstance(n.args[0], ast.Name) and n.args[0].id == "m":
                kinds = n.args[1].elts if isinstance(n.args[1], ast.Tuple) else [n.args[1]]
                for kind in kinds:
                    d = _dotted(kind)
                    if d and d not in names:
                        names.append(d)
    return tuple(names)


def _act_classes(prelude: list) -> tuple[str, ...]:
    """`Conv.default_act = eval(act)`: the classes whose default activation the config sets."""
    out: list[str] = []
    for n in (x for s in prelude for x in ast.walk(s)):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                d = _dotted(t.value) if isinstance(t, ast.Attribute) and t.attr == "default_act" else None
                if d:
                    out.append(d)
    return tuple(out)


def read(root: Path) -> Program:
    """Read DIR/models/yolo.py (raises OSError, SyntaxError)."""
    path = root / "models" / "yolo.py"
    text = path.read_text(encoding="utf-8", errors="replace")
    tree = pyast.parse(text, filename=str(path))
    rel = "models/yolo.py"
    fn = _find_function(tree, "parse_model")
    heads = _heads(tree)
    if fn is None:
        return Program(rel, 1, heads=heads, problem="models/yolo.py defines no parse_model")
    k = _main_loop(fn)
    if k is None:
        return Program(rel, fn.lineno, heads=heads, problem="parse_model has no `for i, (f, n, m, args) in ...` loop")
    loop = fn.body[k]
    stop = _construction(loop)  # type: ignore[arg-type]
    if stop is None:
        return Program(rel, fn.lineno, heads=heads, problem="parse_model's loop never builds `m(*args)`")
    prelude = fn.body[:k]
    return Program(rel, fn.lineno, prelude=prelude, target=loop.target, body=loop.body[:stop],  # type: ignore
                   resets_ch=_resets(loop), heads=heads, act_classes=_act_classes(prelude),  # type: ignore
                   names=frozenset(referenced_names(fn) | set(heads)))


def gflops_convention(root: Path) -> Optional[str]:
    """How the fork's utils/torch_utils.py model_info prints GFLOPs, read with `ast`: 'v7.0' when
    it profiles a 1 x ch x stride x stride probe and scales it (YOLOv5 v5.0 to v7.0 and most
    forks), 'current' when it lets thop extrapolate (`profile(..., stride=...)`), None when the
    file or function is missing or does something else (the caller says what it assumed)."""
    path = root / "utils" / "torch_utils.py"
    try:
        tree = pyast.parse(path.read_text(encoding="utf-8", errors="replace"), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    fn = _find_function(tree, "model_info")
    if fn is None:
        return None
    calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
    if any((_dotted(n.func) or "").split(".")[-1] == "profile" and any(k.arg == "stride" for k in n.keywords)
           for n in calls):
        return "current"
    for n in calls:
        if _dotted(n.func) in ("torch.zeros", "torch.empty") and n.args:
            dims = n.args[0].elts if len(n.args) == 1 and isinstance(n.args[0], (ast.Tuple, ast.List)) else n.args
            if len(dims) == 4 and all(isinstance(d, ast.Name) and d.id == "stride" for d in dims[2:]):
                return "v7.0"
    return None
