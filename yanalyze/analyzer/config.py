"""Safe loading of a YOLOv5 model YAML into typed rows that remember their YAML line."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import yaml

from .errors import ConfigError

SECTIONS = ("backbone", "head")
KNOWN_KEYS = {"nc", "depth_multiple", "width_multiple", "anchors", "backbone", "head", "ch", "definitions",
              "activation", "channel_multiple", "inplace"}
_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Span:
    """Character offsets in the file text of a row's module name and args (for in-place edits)."""

    module: tuple[int, int]
    args: tuple[int, int]


@dataclass(frozen=True)
class Row:
    """One `[from, number, module, args]` row as written, with its place in the file."""

    index: int
    section: str
    src_from: Any
    number: Any
    module: Any
    args: Any
    line: Optional[int]
    key: str = ""
    pos: int = 0
    span: Optional[Span] = None


@dataclass
class Config:
    """The model file: top-level settings plus the rows of backbone and head."""

    path: Optional[str]
    name: str
    data: dict
    rows: list[Row]
    notices: list[str] = field(default_factory=list)
    text: Optional[str] = None


def _read_text(path: Path) -> str:
    if not path.exists():
        raise ConfigError("no such file", path=str(path), code="parse/missing")
    if path.is_dir():
        raise ConfigError("is a directory, not a YAML file", path=str(path), code="parse/missing")
    raw = path.read_bytes()
    if len(raw) > _MAX_BYTES:
        raise ConfigError("file is larger than 8 MB; not a model config", path=str(path),
                          code="parse/binary")
    if b"\x00" in raw:
        raise ConfigError("binary file, not a YAML model config", path=str(path), code="parse/binary")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", path=str(path),
                          code="parse/binary") from None


def _compose(text: str, where: Optional[str]) -> tuple[Any, Optional[yaml.Node]]:
    """Parse with the safe loader, keeping the node tree for line numbers."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        raise ConfigError(f"malformed YAML{col}: {exc.problem or exc.context}", path=where,
                          line=line, code="parse/yaml") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"malformed YAML: {exc}", path=where, code="parse/yaml") from None
    finally:
        loader.dispose()
    return data, node


def _row_nodes(node: Optional[yaml.Node], key: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.SequenceNode):
            return list(v.value)
    return []


def _end(node: yaml.Node) -> int:
    """Where a node's own text ends: a block sequence's end mark is the next token, so its
    last item's end is used."""
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end(node.value[-1])
    return node.end_mark.index


def _span(item: yaml.Node) -> Optional[Span]:
    """Where the module name and the args of a row node are in the text (None when they are not
    the row's own text: an alias to an anchor elsewhere)."""
    if not isinstance(item, yaml.SequenceNode) or len(item.value) != 4:
        return None
    m, a = item.value[2], item.value[3]
    lo, hi = item.start_mark.index, _end(item)
    spans = ((m.start_mark.index, _end(m)), (a.start_mark.index, _end(a)))
    if any(not lo <= start <= end <= hi for start, end in spans):
        return None
    return Span(*spans)


def _pick_section(data: dict, key: str, variant: Optional[str], where: Optional[str]) -> tuple[str, Any]:
    """Find `backbone`/`head`, or a variant such as `backbone_small` the user picked."""
    variants = sorted(k for k in data if isinstance(k, str) and k.startswith(key + "_"))
    if variant:
        name = f"{key}_{variant}"
        if name in data:
            return name, data[name]
        if key in data and not variants:
            return key, data[key]
        if variants:
            raise ConfigError(f"no '{name}' section; variants present: {', '.join(variants)}",
                              path=where, code="parse/variant")
    if key in data:
        return key, data[key]
    if variants:
        picks = ", ".join(v[len(key) + 1:] for v in variants)
        raise ConfigError(f"no '{key}' section but variants {', '.join(variants)}; "
                          f"pick one with --variant ({picks})", path=where, code="parse/variant")
    raise ConfigError(f"missing '{key}' section (a list of [from, number, module, args] rows)",
                      path=where, code="parse/section")


def load(source: Union[str, os.PathLike, Mapping], variant: Optional[str] = None) -> Config:
    """Load a config from a path or an already-parsed mapping, never executing its content."""
    if isinstance(source, Mapping):
        return _build(dict(source), None, None, str(source.get("name", "model")), variant, None)
    path = Path(source)
    return from_text(_read_text(path), str(path), path.stem, variant)


def from_text(text: str, where: Optional[str], name: str, variant: Optional[str] = None) -> Config:
    """A config from YAML text (a file's, or one about to be written)."""
    if not text.strip():
        raise ConfigError("empty file", path=where, code="parse/empty")
    data, node = _compose(text, where)
    return _build(data, node, where, name, variant, text)


def _build(data: object, node: Optional[yaml.Node], where: Optional[str], name: str, variant: Optional[str],
           text: Optional[str]) -> Config:
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise ConfigError(f"a model config is a YAML mapping (nc, anchors, backbone, head); got {kind}",
                          path=where, code="parse/mapping")
    rows: list[Row] = []
    notices: list[str] = []
    for key in SECTIONS:
        real_key, section = _pick_section(data, key, variant, where)
        if not isinstance(section, list):
            raise ConfigError(f"'{real_key}' must be a list of rows, got {type(section).__name__}",
                              path=where, code="parse/section")
        nodes = _row_nodes(node, real_key)
        for j, item in enumerate(section):
            row_node = nodes[j] if j < len(nodes) else None
            line = row_node.start_mark.line + 1 if row_node is not None else None
            index = len(rows)
            if not isinstance(item, list) or len(item) != 4:
                raise ConfigError(f"row must be [from, number, module, args] (4 items), got {item!r}",
                                  path=where, layer=index, line=line, code="parse/row")
            rows.append(Row(index=index, section=key, src_from=item[0], number=item[1], module=item[2], args=item[3],
                            line=line, key=real_key, pos=j,
                            span=_span(row_node) if row_node is not None else None))
    ignored = sorted(str(k) for k in data if k not in KNOWN_KEYS
                     and not any(str(k).startswith(s + "_") for s in SECTIONS))
    if ignored:
        notices.append(", ".join(ignored))
    if not rows:
        raise ConfigError("backbone and head hold no rows", path=where, code="parse/section")
    return Config(path=where, name=name, data=data, rows=rows, notices=notices, text=text)
