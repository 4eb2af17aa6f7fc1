"""Safe loading of a YOLOv5 model YAML into typed rows that remember their YAML line."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

import yaml

from .errors import ConfigError, short
from .limits import MAX_ARG_VALUES, MAX_ROWS, count_values
from .reading import read_text

SECTIONS = ("backbone", "head")
KNOWN_KEYS = {"nc", "depth_multiple", "width_multiple", "anchors", "backbone", "head", "ch", "definitions",
              "activation", "channel_multiple", "inplace"}


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


C_LOADER_LIMITS = (1_000_000, 2000, 1000)  # characters, longest line, flow nesting


def _loader(text: str) -> Callable[[str], Any]:
    """libyaml's safe loader (eight times faster; it keeps the marks for line numbers) for text that
    cannot nest deeply, else PyYAML's own: libyaml composes recursively in C and a config nested a
    hundred thousand levels would crash the process instead of failing in one line. Block nesting
    needs a column per level, flow nesting a bracket."""
    c_loader = getattr(yaml, "CSafeLoader", None)
    size, longest, flow = C_LOADER_LIMITS
    if c_loader is None or len(text) > size or max(map(len, text.splitlines()), default=0) > longest:
        return yaml.SafeLoader
    depth = deepest = 0
    for ch in _BRACKETS.sub("", text):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return c_loader if deepest <= flow else yaml.SafeLoader


_BRACKETS = re.compile(r"[^\[\]{}]")


def parse_yaml(text: str, where: Optional[str]) -> tuple[Any, Optional[yaml.Node]]:
    """Parse with a safe loader, keeping the node tree for line numbers."""
    loader = None
    try:
        loader = _loader(text)(text)
        node = loader.get_single_node()
        data = _construct(loader, node, where) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        problem = LONE_SURROGATE if exc.problem == "found invalid Unicode character escape code" else \
            exc.problem or exc.context  # libyaml refuses the escape itself; PyYAML is caught below
        raise ConfigError(f"malformed YAML{col}: {problem}", path=where, line=line, code="parse/yaml") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        what = f"control character U+{exc.character:04X}" if isinstance(exc.character, int) else "byte"
        raise ConfigError(f"malformed YAML: {what} not allowed in YAML text (a pasted terminal log?)",
                          path=where, line=line, code="parse/yaml") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"malformed YAML: {short(exc)}", path=where, code="parse/yaml") from None
    except (RecursionError, MemoryError):
        raise ConfigError("malformed YAML: nests too deeply", path=where, code="parse/yaml") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


_SEQ, _MAP, _MERGE = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", "tag:yaml.org,2002:merge"


class _Unusual(Exception):
    """A node the direct construction leaves to PyYAML's own (merge keys, other tags, odd keys)."""


_INT, _DECIMAL = "tag:yaml.org,2002:int", re.compile(r"[-+]?[1-9][0-9]*|0")


def _construct(loader: Any, root: yaml.Node, where: Optional[str]) -> Any:
    """The safe loader's data, built directly for the shapes configs have (lists, string-keyed
    maps, plain scalars through the loader's own scalar constructors, aliases kept shared), with
    the checks of _check_nodes made on the way: under half the time of checking, then PyYAML's
    generic construction, on a large config. Anything else (a merge key, a collection tag, an
    unhashable key) is left to PyYAML after the checks, so the data and the errors are the safe
    loader's."""
    made: dict[int, Any] = {}
    scalars = loader.yaml_constructors
    scalar, sequence, mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode

    def build(node: Any) -> Any:  # a yaml.Node; its kinds are told apart by type below
        known = made.get(id(node))
        if known is not None:
            return known
        kind = type(node)
        if kind is scalar:
            if node.style == '"' and _SURROGATE.search(node.value):
                raise _surrogate(node, where)
            if node.tag == _INT and _DECIMAL.fullmatch(node.value):
                return int(node.value)  # what the int constructor gives a plain decimal, without its parsing
            make = scalars.get(node.tag)
            if make is None:
                raise _Unusual
            value = make(loader, node)
        elif kind is sequence:
            if node.tag != _SEQ:
                raise _Unusual
            value = made[id(node)] = []
            value.extend(build(item) for item in node.value)
        elif kind is mapping:
            if node.tag != _MAP:
                raise _Unusual
            value = made[id(node)] = {}
            lines: dict[str, int] = {}
            for k, v in node.value:
                if k.tag == _MERGE or type(k) is not scalar:
                    raise _Unusual
                if k.value in lines:
                    raise _duplicate(k, lines[k.value], where)
                lines[k.value] = k.start_mark.line + 1
                value[build(k)] = build(v)
        else:
            raise _Unusual
        made[id(node)] = value
        return value

    try:
        return build(root)
    except _Unusual:
        _check_nodes(root, where)
        return loader.construct_document(root)


def _duplicate(k: yaml.ScalarNode, first: int, where: Optional[str]) -> ConfigError:
    return ConfigError(f"duplicate key {short(k.value)} (also on line {first}); YAML keeps only the last, so "
                       "remove one", path=where, line=k.start_mark.line + 1, code="parse/yaml")


def _surrogate(node: yaml.Node, where: Optional[str]) -> ConfigError:
    return ConfigError(f"malformed YAML: {LONE_SURROGATE}", path=where, line=node.start_mark.line + 1,
                       code="parse/yaml")


_SURROGATE = re.compile("[\ud800-\udfff]")
LONE_SURROGATE = "a \\ud800-\\udfff escape is half of a character (a lone surrogate), not text"


def _check_nodes(root: yaml.Node, where: Optional[str]) -> None:
    """Refuse a mapping that repeats a key (YAML loaders keep the last silently, so which value the
    author meant is a guess) and text that no file can hold (a lone surrogate from a \\ud800 escape);
    for documents _construct leaves to PyYAML, which checks the others as it builds them."""
    stack, seen_nodes = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in keys:
                        raise _duplicate(k, keys[k.value], where)
                    keys[k.value] = k.start_mark.line + 1
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and node.style == '"' and _SURROGATE.search(node.value):
            raise _surrogate(node, where)  # only a double-quoted scalar's \\u escape can make one


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


def _shared_row_nodes(node: Optional[yaml.Node], variant: Optional[str], data: dict) -> set[int]:
    """Row nodes that stand for more than one row (an anchored row and its aliases): their text is
    not one row's own, so an edit there would change several."""
    counts: dict[int, int] = {}
    for key in SECTIONS:
        try:
            real_key, _ = _pick_section(data, key, variant, None)
        except ConfigError:
            continue
        for n in _row_nodes(node, real_key):
            counts[id(n)] = counts.get(id(n), 0) + 1
    return {k for k, v in counts.items() if v > 1}


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
    return from_text(read_text(str(path), what="YAML model config"), str(path), path.stem, variant)


def from_text(text: str, where: Optional[str], name: str, variant: Optional[str] = None) -> Config:
    """A config from YAML text (a file's, or one about to be written)."""
    if not text.strip():
        raise ConfigError("empty file", path=where, code="parse/empty")
    data, node = parse_yaml(text, where)
    return _build(data, node, where, name, variant, text)


def _build(data: object, node: Optional[yaml.Node], where: Optional[str], name: str, variant: Optional[str],
           text: Optional[str]) -> Config:
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise ConfigError(f"a model config is a YAML mapping (nc, anchors, backbone, head); got {kind}",
                          path=where, code="parse/mapping")
    for k, v in data.items():
        if not isinstance(k, str):
            raise ConfigError(f"top-level keys are names, got {type(k).__name__} key {short(k)}", path=where,
                              code="parse/mapping")
        if k not in SECTIONS and not k.startswith(tuple(s + "_" for s in SECTIONS)) \
                and count_values(v) is None:
            raise ConfigError(f"'{k}' expands to more than {MAX_ARG_VALUES:,} values (nested YAML aliases?)",
                              path=where, code="parse/limit")
    rows: list[Row] = []
    notices: list[str] = []
    shared = _shared_row_nodes(node, variant, data)
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
            if index >= MAX_ROWS:
                raise ConfigError(f"more than {MAX_ROWS:,} rows; not a model config", path=where, line=line,
                                  code="parse/limit")
            if count_values(item) is None:
                raise ConfigError(f"row expands to more than {MAX_ARG_VALUES:,} values (nested YAML aliases?)",
                                  path=where, layer=index, line=line, code="parse/limit")
            if not isinstance(item, list) or len(item) != 4:
                raise ConfigError(f"row must be [from, number, module, args] (4 items), got {short(item)}",
                                  path=where, layer=index, line=line, code="parse/row")
            rows.append(Row(index=index, section=key, src_from=item[0], number=item[1], module=item[2], args=item[3],
                            line=line, key=real_key, pos=j,
                            span=_span(row_node) if row_node is not None and id(row_node) not in shared else None))
    ignored = sorted(str(k) for k in data if k not in KNOWN_KEYS
                     and not any(str(k).startswith(s + "_") for s in SECTIONS))
    if ignored:
        notices.append(", ".join(ignored))
    if not rows:
        raise ConfigError("backbone and head hold no rows", path=where, code="parse/section")
    return Config(path=where, name=name, data=data, rows=rows, notices=notices, text=text)
