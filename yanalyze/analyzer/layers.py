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
from typing import Any, Callable, Optional

from . import diagnostics as D
from . import extensions
from .config import Config, Row
from .errors import ConfigError
from .registry import ModuleDef, canonical
from .symbolic import ACTS, Act
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
    return Settings(nc=nc, gd=gd, gw=gw, ch=ch, divisor=divisor, anchors=anchors, na=na, act=act, act_text=act_text)


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
    mdef = extensions.resolve(row.module, allow_unknown)
    if mdef is None:
        close = extensions.suggestions(row.module)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise D.PARSE_UNKNOWN_MODULE.error(name=repr(row.module), hint=hint).located(where, row.index, row.line)
    return mdef


def resolve_rows(cfg: Config, s: Settings, allow_unknown: bool = False) -> list[LayerSpec]:
    """Apply depth/width scaling and the channel rule of each module, row by row."""
    where = cfg.path
    names = {k: v for k, v in {"nc": s.nc, "anchors": s.anchors, "na": s.na}.items() if v is not None}
    no = s.na * (s.nc + 5) if s.nc is not None else None
    if no is not None:
        names["no"] = no
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


@dataclass(frozen=True)
class _Row:
    """What a channel rule sees of one row."""

    mdef: ModuleDef
    args: list
    chans: list[int]
    n: int
    s: Settings
    no: Optional[int]

    @property
    def c1(self) -> int:
        return self.chans[0]


Rule = Callable[[_Row], tuple[list, int, int]]  # -> (args, c2, repeats)


def _first_channels(r: _Row) -> int:
    if not r.args:
        raise ConfigError(f"{r.mdef.name} needs its output channels as the first argument", code="parse/args")
    c2 = r.args[0]
    if isinstance(c2, bool) or not isinstance(c2, (int, float)):
        raise ConfigError(f"{r.mdef.name} output channels must be a number, got {c2!r}", code="parse/args")
    return int(c2) if c2 == r.no else make_divisible(c2 * r.s.gw, r.s.divisor)


def _conv(r: _Row) -> tuple[list, int, int]:
    """c1 from the input, the first argument width-scaled (unless it is the head's output count)."""
    c2 = _first_channels(r)
    return [r.c1, c2, *r.args[1:]], c2, r.n


def _csp(r: _Row) -> tuple[list, int, int]:
    """Like conv, and the repeat count goes inside the block (args[2]), built once."""
    args, c2, n = _conv(r)
    return [*args[:2], n, *args[2:]], c2, 1


def _head(r: _Row) -> tuple[list, int, int]:
    """Detect/Segment: the input channels appended; an int anchor count becomes N per level;
    Segment's prototype channels width-scaled."""
    if r.s.nc is None:
        raise ConfigError("missing 'nc' (number of classes) for the detection head", code="parse/setting")
    args = [*r.args, r.chans]
    if len(args) > 1 and isinstance(args[1], int) and not isinstance(args[1], bool):
        args[1] = [list(range(args[1] * 2))] * len(r.chans)
    if r.mdef.name == "Segment" and len(args) > 4:
        args[3] = make_divisible(args[3] * r.s.gw, r.s.divisor)
    return args, r.c1, r.n


def _keep(r: _Row) -> tuple[list, int, int]:
    """Channels in = out; a channel count written first must scale to the input's."""
    args = r.args
    if args and isinstance(args[0], (int, float)) and not isinstance(args[0], bool):
        want = make_divisible(args[0] * r.s.gw, r.s.divisor)
        if want != r.c1:
            raise ConfigError(f"{r.mdef.name} keeps its channels: input has {r.c1}, args ask for {want}",
                              code="graph/channels")
        args = args[1:]
    return [r.c1, *args], r.c1, r.n


def _as_written(prepend: bool) -> Rule:
    def rule(r: _Row) -> tuple[list, int, int]:
        args = [r.c1, *r.args] if prepend else r.args
        return args, r.mdef.out_channels(r.c1, args) if r.mdef.out_channels else r.c1, r.n
    return rule


RULES: dict[str, Rule] = {
    "conv": _conv, "csp": _csp, "head": _head, "keep": _keep,
    "bn": lambda r: ([r.c1], r.c1, r.n),
    "concat": lambda r: (r.args, sum(r.chans), r.n),
    "contract": lambda r: (r.args, r.c1 * r.args[0] ** 2, r.n),
    "expand": lambda r: (r.args, r.c1 // r.args[0] ** 2, r.n),
    "same": lambda r: (r.args, r.c1, r.n),
    "prepend": _as_written(True), "torch": _as_written(False),
}


def _resolve_row(row: Row, s: Settings, names: dict, no: Optional[int], ch: list[int],
                 where: Optional[str], allow_unknown: bool) -> LayerSpec:
    src_from, inputs = _sources(row, where)
    mdef = _module(row, where, allow_unknown)
    n = row.number
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"number must be a positive integer, got {n!r}", code="parse/number")
    n = max(round(n * s.gd), 1) if n > 1 else n
    if not mdef.multi_input and len(src_from) != 1:
        raise ConfigError(f"{mdef.name} takes one input, 'from' lists {len(src_from)}", code="graph/from")
    args = [resolve(a, names) for a in (row.args if isinstance(row.args, list) else [row.args])]
    chans = [ch[i] for i in inputs] if inputs else [ch[-1]]
    rule = mdef.channels
    if callable(rule):
        args, c2 = rule(chans[0], args, RuleContext(gw=s.gw, gd=s.gd, divisor=s.divisor, n=n, no=no))
        repeats = n
    else:
        args, c2, repeats = RULES[rule](_Row(mdef=mdef, args=args, chans=chans, n=n, s=s, no=no))
    return LayerSpec(index=row.index, section=row.section, line=row.line, src_from=src_from, inputs=inputs,
                     n=n, repeats=repeats, module=canonical(row.module), mdef=mdef, args=args, c2=c2)
