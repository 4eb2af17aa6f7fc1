"""A config that sits inside a YOLOv5 fork: does the fork define, in its own models/*.py, a
module the config uses differently from the built-in definition? Then the built-in numbers
may not be the fork's, and the analysis says so (module/fork-redefines) instead of counting
silently.

The fork's files are only parsed with `ast`, never imported. A class is compared by a
fingerprint of its syntax tree without docstrings (formatting and comments never matter).
official_classes.json holds the fingerprints of every version of YOLOv5's own classes in its
history, and of each published built-in definition at the commit its provenance names, taken
together with the classes it builds on (a C3TR is also its TransformerLayer)
(regenerate: python -m yanalyze.analyzer.forkcheck YOLOV5_GIT_DIR MIRRORS_DIR, where
MIRRORS_DIR holds owner+name/repo git directories).
"""
from __future__ import annotations

import ast
import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

from . import pyast

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


def _sha(text: str) -> str:
    import hashlib  # only when a fork is found around the config

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(cls: ast.ClassDef) -> str:
    """The class's syntax tree without docstrings, hashed (16 hex digits)."""
    tree = pyast.parse(ast.unparse(cls))  # a copy
    _strip_docstrings(tree)
    return _sha(ast.dump(tree.body[0], annotate_fields=False))


def classes(text: str) -> dict[str, tuple[ast.ClassDef, int]]:
    """Top-level classes of a Python file: name -> (node, line)."""
    try:
        tree = pyast.parse(text)
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
    """The nearest directory, from the config's own up to six levels above it, that holds
    models/common.py (the layout of a YOLOv5 fork; configs sit as deep as models/detect/v7/x/)."""
    if not config_path:
        return None
    here = Path(config_path).resolve().parent
    for d in [here, *here.parents][:7]:
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
def _fork_classes(root: Path) -> dict[str, tuple[str, int, str, frozenset]]:
    """The class table of the fork's model files."""
    texts = {}
    for rel in MODEL_FILES:
        path = root / rel
        try:
            if path.is_file() and path.stat().st_size <= _MAX_FILE:
                texts[rel] = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return _class_table(texts)


def composite(mine: Mapping[str, tuple[str, int, str, frozenset]], name: str) -> str:
    """A class's fingerprint together with those of the classes it builds on, directly or through
    others (C3TR with its TransformerLayer): two definitions that differ only in a part differ here."""
    seen, todo = {name}, [name]
    while todo:
        for ref in mine[todo.pop()][3]:
            if ref in mine and ref not in seen:
                seen.add(ref)
                todo.append(ref)
    parts = ",".join(f"{n}={mine[n][2]}" for n in sorted(seen - {name}))
    return _sha(f"{mine[name][2]}|{parts}")


def _class_table(texts: Mapping[str, str]) -> dict[str, tuple[str, int, str, frozenset]]:
    """name -> (file, line, fingerprint, names it refers to) of the top-level classes of some files
    (the first file that defines a name wins; within a file, its last definition, as Python keeps)."""
    out: dict[str, tuple[str, int, str, frozenset]] = {}
    for rel, text in texts.items():
        for name, (node, line) in classes(text).items():
            try:
                refs = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name)) - {name}
                out.setdefault(name, (rel, line, fingerprint(node), refs))
            except (RecursionError, ValueError, SyntaxError):
                continue
    return out


def _changed_parts(mine: Mapping[str, tuple[str, int, str, frozenset]], name: str,
                   known: Mapping[str, frozenset]) -> list[str]:
    """YOLOv5 classes that the fork's `name` builds on (directly or through other fork classes)
    and that the fork changed: Segment is YOLOv5's own, but its Proto may not be."""
    seen, todo, changed = {name}, [name], []
    while todo:
        for ref in sorted(mine[todo.pop()][3]):
            if ref in seen or ref not in mine:
                continue
            seen.add(ref)
            todo.append(ref)
            if ref in known and mine[ref][2] not in known[ref]:
                changed.append(ref)
    return changed


def fork_variants(config_path: Optional[str], name: str) -> list[str]:
    """The built-in definitions of `name` whose class is the one the fork around the config
    defines (empty: no fork, no such class, or none matches)."""
    root = fork_root(config_path)
    if root is None:
        return []
    mine = _fork_classes(root)
    return published(name).get(composite(mine, name), []) if name in mine else []


@dataclass(frozen=True)
class Redefined:
    """The fork's own class of a module name: where, and which built-in definition it is (None:
    none of them)."""

    where: str
    matches: tuple[str, ...]
    part: Optional[str] = None  # a changed YOLOv5 class it builds on, when the class itself is not changed


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
        rel, line, fp, _ = mine[name]
        if assumed is None:
            if name in known and fp not in known[name]:
                out[name] = Redefined(where=f"{rel}:{line}", matches=())
                continue
        else:
            variants = published(name)
            theirs = variants.get(composite(mine, name), [])
            if variants and assumed not in theirs:
                out[name] = Redefined(where=f"{rel}:{line}", matches=tuple(theirs))
                continue
        parts = _changed_parts(mine, name, known)
        if parts:
            prel, pline = mine[parts[0]][:2]
            out[name] = Redefined(where=f"{prel}:{pline}", matches=(), part=parts[0])
    return root, out


def generate(git_dir: str, mirrors: Optional[str] = None) -> dict:
    """Fingerprints of every version of every class in YOLOv5's model files, from its history,
    and of every published built-in definition at its provenance's commit (from `mirrors`)."""
    import subprocess  # a maintainer's tool, never on the analysis path

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
    import subprocess

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
            files = [f.strip() for f in p.file.split(",")] + [f for f in MODEL_FILES]
            texts = {}
            for rel in dict.fromkeys(files):  # the provenance's own files first
                try:
                    texts[rel] = subprocess.run(["git", "-C", str(git_dir), "show", f"{commit}:{rel}"],
                                                capture_output=True, text=True, check=True).stdout
                except (subprocess.CalledProcessError, OSError):
                    continue
            table = _class_table(texts)
            if name in table:
                out.setdefault(name, {})[variant] = composite(table, name)
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


if __name__ == "__main__":
    FINGERPRINTS.write_text(json.dumps(generate(*sys.argv[1:3]), indent=0, sort_keys=True) + "\n")
