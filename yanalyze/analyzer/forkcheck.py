"""A config that sits inside a YOLOv5 fork: does the fork define, in its own models/*.py, a
module the config uses differently from the built-in definition? Then the built-in numbers
may not be the fork's, and the analysis says so (module/fork-redefines) instead of counting
silently.

The fork's files are only parsed with `ast`, never imported. A class is compared by a
fingerprint of its syntax tree without docstrings (formatting and comments never matter).
official_classes.json holds the fingerprints of every version of YOLOv5's own classes in its
history, and of each published built-in definition at the commit its provenance names
(regenerate: python -m yanalyze.analyzer.forkcheck YOLOV5_GIT_DIR MIRRORS_DIR, where
MIRRORS_DIR holds owner+name/repo git directories).
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

FINGERPRINTS = Path(__file__).with_name("official_classes.json")
MODEL_FILES = ("models/common.py", "models/experimental.py", "models/yolo.py")
_MAX_FILE = 2_000_000  # bytes; a larger models file is not read


def _strip_docstrings(node: ast.AST) -> None:
    for n in ast.walk(node):
        if not isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) or not n.body:
            continue
        first = n.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            n.body = n.body[1:] or [ast.Pass()]


def fingerprint(cls: ast.ClassDef) -> str:
    """The class's syntax tree without docstrings, hashed (16 hex digits)."""
    tree = ast.parse(ast.unparse(cls))  # a copy
    _strip_docstrings(tree)
    return hashlib.sha256(ast.dump(tree.body[0], annotate_fields=False).encode()).hexdigest()[:16]


def classes(text: str) -> dict[str, tuple[ast.ClassDef, int]]:
    """Top-level classes of a Python file: name -> (node, line)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not Python, or hostile
        return {}
    return {n.name: (n, n.lineno) for n in tree.body if isinstance(n, ast.ClassDef)}


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(FINGERPRINTS.read_text())


def official() -> dict[str, frozenset]:
    return {name: frozenset(prints) for name, prints in _data()["classes"].items()}


def published(name: str) -> dict[str, list[str]]:
    """fingerprint -> the definitions (variants) of a published built-in whose source defines
    the class so (two definitions may share a class and differ in their channel rule)."""
    out: dict[str, list[str]] = {}
    for variant, fp in _data()["published"].get(name, {}).items():
        out.setdefault(fp, []).append(variant)
    return out


@lru_cache(maxsize=64)  # asked once per row with several definitions, and again by the report
def fork_root(config_path: Optional[str]) -> Optional[Path]:
    """The nearest directory, from the config's own up to three levels above it, that holds
    models/common.py (the layout of a YOLOv5 fork)."""
    if not config_path:
        return None
    here = Path(config_path).resolve().parent
    for d in [here, *here.parents][:4]:
        if (d / "models" / "common.py").is_file():
            return d
    return None


def shown(root: Optional[Path]) -> Optional[str]:
    """A fork's root as a message shows it: relative to here when it is below here."""
    if root is None:
        return None
    rel = os.path.relpath(root)
    return str(root) if rel.startswith("..") else rel


@lru_cache(maxsize=16)
def _fork_classes(root: Path) -> dict[str, tuple[str, int, str]]:
    """name -> (file, line, fingerprint) of every top-level class in the fork's model files."""
    out: dict[str, tuple[str, int, str]] = {}
    for rel in MODEL_FILES:
        path = root / rel
        try:
            if not path.is_file() or path.stat().st_size > _MAX_FILE:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for name, (node, line) in classes(text).items():
            try:
                out.setdefault(name, (rel, line, fingerprint(node)))
            except (RecursionError, ValueError, SyntaxError):
                continue
    return out


def fork_variants(config_path: Optional[str], name: str) -> list[str]:
    """The built-in definitions of `name` whose class is the one the fork around the config
    defines (empty: no fork, no such class, or none matches)."""
    root = fork_root(config_path)
    if root is None:
        return []
    mine = _fork_classes(root).get(name)
    return published(name).get(mine[2], []) if mine else []


@dataclass(frozen=True)
class Redefined:
    """The fork's own class of a module name: where, and which built-in definition it is (None:
    none of them)."""

    where: str
    matches: tuple[str, ...]


def redefined(config_path: Optional[str], used: Mapping[str, Optional[str]]) -> tuple[Optional[Path],
                                                                                      dict[str, Redefined]]:
    """(fork root, {name: Redefined}) for the modules a config uses (name -> the definition
    assumed, None for YOLOv5's own) that the fork around the config defines otherwise: unlike
    every YOLOv5 release, or unlike the published definition assumed."""
    root = fork_root(config_path)
    if root is None:
        return None, {}
    known = official()
    mine = _fork_classes(root)
    out = {}
    for name, assumed in used.items():
        if name not in mine:
            continue
        rel, line, fp = mine[name]
        if assumed is None:
            if name in known and fp not in known[name]:
                out[name] = Redefined(where=f"{rel}:{line}", matches=())
            continue
        variants = published(name)
        if variants and assumed not in variants.get(fp, []):
            out[name] = Redefined(where=f"{rel}:{line}", matches=tuple(variants.get(fp, [])))
    return root, out


def generate(git_dir: str, mirrors: Optional[str] = None) -> dict:
    """Fingerprints of every version of every class in YOLOv5's model files, from its history,
    and of every published built-in definition at its provenance's commit (from `mirrors`)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", git_dir, *args], capture_output=True, text=True, check=True).stdout

    prints: dict[str, set] = {}
    for rel in MODEL_FILES:
        for commit in git("log", "--format=%H", "--", rel).split():
            try:
                text = git("show", f"{commit}:{rel}")
            except subprocess.CalledProcessError:
                continue
            for name, (node, _) in classes(text).items():
                prints.setdefault(name, set()).add(fingerprint(node))
    return {"source": "ultralytics/yolov5, every commit of " + ", ".join(MODEL_FILES),
            "classes": {k: sorted(v) for k, v in sorted(prints.items())},
            "published": _published(mirrors) if mirrors else {}}


def _published(mirrors: str) -> dict[str, dict[str, str]]:
    from . import modules, registry

    out: dict[str, dict[str, str]] = {}
    for name in modules.names():
        defs = {m.variant: m for m in [registry.REGISTRY[name], *registry.VARIANTS.get(name, {}).values()]}
        for variant, m in defs.items():
            p = m.provenance
            if variant is None or p is None or "@" not in p.source:
                continue
            repo, commit = p.source.split("@", 1)
            git_dir = Path(mirrors) / repo.replace("/", "+") / "repo"
            try:
                text = subprocess.run(["git", "-C", str(git_dir), "show", f"{commit}:{p.file}"], capture_output=True,
                                      text=True, check=True).stdout
            except (subprocess.CalledProcessError, OSError):
                continue
            found = classes(text).get(name)
            if found is not None:
                out.setdefault(name, {})[variant] = fingerprint(found[0])
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


if __name__ == "__main__":
    FINGERPRINTS.write_text(json.dumps(generate(*sys.argv[1:3]), indent=0, sort_keys=True) + "\n")
