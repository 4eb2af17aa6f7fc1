"""YOLOv5's parse_model, as data: rows -> resolved layer specs (inputs, repeats, constructor args).

The channel rules are those of spec section 2, selected by each module's registered
`channels` rule instead of set-membership chains, and every YAML string goes through
the symbol resolver instead of eval.
"""
from __future__ import annotations

import math
import re
import ast
from dataclasses import dataclass
from typing import Any, Optional

from .config import Config, Row
from .costs.primitives import ACTS, Act
from . import extensions
from .costs.registry import ModuleDef, canonical, suggestions
from .errors import ConfigError
from .symbols import resolve


@dataclass(frozen=True)
class Settings:
    """Top-level settings that every row resolves against."""

    nc: Optional[int]
    gd: float
    gw: float
    ch: int
    divisor: int
    anchors: Any
    na: int
    act: Act
    act_text: Optional[str]


@dataclass(frozen=True)
class LayerSpec:
    """One resolved row: what it reads, how often it repeats, and its constructor args."""

    index: int
    section: str
    line: Optional[int]
    src_from: tuple[int, ...]
    inputs: tuple[int, ...]
    n: int
    repeats: int
    module: str
    mdef: ModuleDef
    args: list
    c2: int


@dataclass(frozen=True)
class RuleContext:
    """What a custom channel rule may need: the multiples, the divisor and the row's repeats."""

    gw: float
    gd: float
    divisor: int
    n: int
    no: Optional[int]

    def scale(self, c: float) -> int:
        """Width-scale a channel count as YOLOv5 does."""
        return make_divisible(c * self.gw, self.divisor)


def make_divisible(x: float, divisor: int) -> int:
    """Round channels up to a multiple of the divisor, as YOLOv5 does (ceil)."""
    return math.ceil(x / divisor) * divisor


def _number(value: Any, key: str, where: Optional[str], positive: bool = True) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"'{key}' must be a number, got {value!r}", path=where, code="parse/setting")
    if positive and value <= 0:
        raise ConfigError(f"'{key}' must be > 0, got {value!r}", path=where, code="parse/setting")
    return value


_ACT_RE = re.compile(r"^\s*(?:torch\.)?(?:nn\.)?([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$", re.S)


def parse_activation(text: Any, where: Optional[str]) -> Act:
    """`nn.LeakyReLU(0.1)` -> the activation, accepting only literal constructor arguments."""
    m = _ACT_RE.match(text) if isinstance(text, str) else None
    if not m or m.group(1) not in ACTS:
        raise ConfigError(f"unsupported activation {text!r}; known: "
                          f"{', '.join('nn.' + a for a in sorted(ACTS))}", path=where,
                          code="parse/activation")
    try:
        call = ast.parse(f"f({m.group(2) or ''})", mode="eval").body
    except SyntaxError:
        call = None
    literal = isinstance(call, ast.Call) and all(
        isinstance(a, ast.Constant) or (isinstance(a, ast.UnaryOp) and isinstance(a.operand, ast.Constant))
        for a in [*call.args, *(k.value for k in call.keywords)])
    if not literal:
        raise ConfigError(f"activation {text!r}: arguments must be plain numbers or booleans",
                          path=where, code="parse/code")
    return ACTS[m.group(1)]


def settings(cfg: Config, nc: Optional[int] = None) -> Settings:
    d, where = cfg.data, cfg.path
    nc = nc if nc is not None else d.get("nc")
    if nc is not None and (isinstance(nc, bool) or not isinstance(nc, int) or nc < 1):
        raise ConfigError(f"'nc' must be a positive integer, got {nc!r}", path=where, code="parse/setting")
    gd = _number(d.get("depth_multiple", 1.0), "depth_multiple", where)
    gw = _number(d.get("width_multiple", 1.0), "width_multiple", where)
    ch = d.get("ch", 3)
    if isinstance(ch, bool) or not isinstance(ch, int) or ch < 1:
        raise ConfigError(f"'ch' must be a positive integer, got {ch!r}", path=where, code="parse/setting")
    divisor = d.get("channel_multiple", 8)
    if isinstance(divisor, bool) or not isinstance(divisor, int) or divisor < 1:
        raise ConfigError(f"'channel_multiple' must be a positive integer, got {divisor!r}",
                          path=where, code="parse/setting")
    anchors = d.get("anchors")
    if isinstance(anchors, bool):
        anchors = None
    if isinstance(anchors, list) and anchors and isinstance(anchors[0], list):
        na = len(anchors[0]) // 2
    elif isinstance(anchors, int):
        na = anchors
    elif anchors is None:
        na = 0
    else:
        raise ConfigError(f"'anchors' must be a list of per-level lists or an int, got {anchors!r}",
                          path=where, code="parse/setting")
    act_text = d.get("activation")
    act = parse_activation(act_text, where) if act_text else ACTS["SiLU"]
    return Settings(nc, gd, gw, ch, divisor, anchors, na, act, act_text)


def _sources(row: Row, where: Optional[str]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """`from` as written, and the absolute layer indices it reads (() means the image)."""
    raw = row.src_from if isinstance(row.src_from, list) else [row.src_from]
    if not raw or any(isinstance(f, bool) or not isinstance(f, int) for f in raw):
        raise ConfigError(f"'from' must be an int or a list of ints, got {row.src_from!r}",
                          path=where, layer=row.index, line=row.line, code="graph/from")
    inputs = []
    for f in raw:
        j = row.index + f if f < 0 else f
        if row.index == 0 and f == -1:
            continue
        if j < 0 or f >= row.index:
            allowed = f"layers 0..{row.index - 1}" if row.index else "only the image (-1)"
            problem = "points forward" if f >= row.index else "is out of range"
            raise ConfigError(f"'from' {f} {problem}; layer {row.index} may read {allowed}",
                              path=where, layer=row.index, line=row.line, code="graph/from")
        inputs.append(j)
    return tuple(raw), tuple(inputs)


def _module(row: Row, where: Optional[str], allow_unknown: bool) -> ModuleDef:
    if not isinstance(row.module, str):
        raise ConfigError(f"module must be a name, got {row.module!r}", path=where,
                          layer=row.index, line=row.line, code="parse/module")
    mdef = extensions.lookup(row.module, allow_unknown)
    if mdef is None:
        close = suggestions(canonical(row.module).removeprefix("nn."))
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise ConfigError(f"unknown module {row.module!r}; {hint}add it with a plugin (--plugin FILE using "
                          "@yanalyze.register), an installed package's 'yanalyze.modules' entry point, or "
                          "measure your torch class (--modules FILE); --allow-unknown passes it through uncounted",
                          path=where, layer=row.index, line=row.line, code="parse/unknown-module")
    return mdef


def resolve_rows(cfg: Config, s: Settings, allow_unknown: bool = False) -> list[LayerSpec]:
    """Apply depth/width scaling and the channel rule of each module, row by row."""
    where = cfg.path
    names = {"nc": s.nc, "anchors": s.anchors, "na": s.na}
    if s.nc is not None:
        names["no"] = s.na * (s.nc + 5)
    names = {k: v for k, v in names.items() if v is not None}
    no = s.na * (s.nc + 5) if s.nc is not None else None
    ch: list[int] = [s.ch]
    specs: list[LayerSpec] = []
    for row in cfg.rows:
        try:
            spec = _resolve_row(row, s, names, no, ch, where, allow_unknown)
        except ConfigError as exc:
            raise exc.located(where, row.index, row.line) from None
        except (TypeError, ValueError, IndexError, ZeroDivisionError, OverflowError) as exc:
            raise ConfigError(f"{row.module}: invalid arguments {row.args!r} ({exc})", path=where,
                              layer=row.index, line=row.line, code="parse/args") from None
        if row.index == 0:
            ch = []
        ch.append(spec.c2)
        specs.append(spec)
    return specs


def _resolve_row(row: Row, s: Settings, names: dict, no: Optional[int], ch: list[int],
                 where: Optional[str], allow_unknown: bool) -> LayerSpec:
    src_from, inputs = _sources(row, where)
    mdef = _module(row, where, allow_unknown)
    n = row.number
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"number must be a positive integer, got {n!r}", code="parse/number")
    args = row.args if isinstance(row.args, list) else [row.args]
    args = [resolve(a, names) for a in args]
    n = n_ = max(round(n * s.gd), 1) if n > 1 else n
    chans = [ch[i] for i in inputs] if inputs else [ch[-1]]
    if not mdef.multi_input and len(src_from) != 1:
        raise ConfigError(f"{mdef.name} takes one input, 'from' lists {len(src_from)}", code="graph/from")
    c1 = chans[0]
    rule, c2 = mdef.channels, c1
    if rule in ("conv", "csp"):
        if not args:
            raise ConfigError(f"{mdef.name} needs its output channels as the first argument",
                              code="parse/args")
        c2 = args[0]
        if isinstance(c2, bool) or not isinstance(c2, (int, float)):
            raise ConfigError(f"{mdef.name} output channels must be a number, got {c2!r}", code="parse/args")
        if c2 != no:
            c2 = make_divisible(c2 * s.gw, s.divisor)
        args = [c1, c2, *args[1:]]
        if rule == "csp":
            args.insert(2, n)
            n = 1
    elif rule == "bn":
        args = [c1]
    elif rule == "concat":
        c2 = sum(chans)
    elif rule == "head":
        if s.nc is None:
            raise ConfigError("missing 'nc' (number of classes) for the detection head", code="parse/setting")
        args.append(chans)
        if len(args) > 1 and isinstance(args[1], int) and not isinstance(args[1], bool):
            args[1] = [list(range(args[1] * 2))] * len(src_from)
        if mdef.name == "Segment" and len(args) > 4:
            args[3] = make_divisible(args[3] * s.gw, s.divisor)
    elif rule == "contract":
        c2 = c1 * args[0] ** 2
    elif rule == "expand":
        c2 = c1 // args[0] ** 2
    elif rule == "keep":
        if args and isinstance(args[0], (int, float)) and not isinstance(args[0], bool):
            want = make_divisible(args[0] * s.gw, s.divisor)
            if want != c1:
                raise ConfigError(f"{mdef.name} keeps its channels: input has {c1}, args ask for {want}",
                                  code="graph/channels")
            args = args[1:]
        args = [c1, *args]
    elif rule in ("prepend", "torch"):
        if rule == "prepend":
            args = [c1, *args]
        c2 = mdef.out_channels(args) if mdef.out_channels else c1
    elif callable(rule):
        args, c2 = rule(c1, args, RuleContext(s.gw, s.gd, s.divisor, n, no))
    return LayerSpec(row.index, row.section, row.line, src_from, inputs, n_, n,
                     canonical(row.module), mdef, args, c2)
