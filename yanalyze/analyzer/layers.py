"""YOLOv5's parse_model, as data: rows -> resolved layer specs (inputs, repeats, constructor args).

The channel rules are those of spec section 2, selected by each module's registered
`channels` rule instead of set-membership chains, and every YAML string goes through
the symbol resolver instead of eval.
"""
from __future__ import annotations

import math
import re
import ast
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence

from . import channels, definitions
from . import diagnostics as D
from . import extensions, forkcheck
from . import limits, pyast
from .channels import RuleContext
from .config import Config, Row
from .errors import ConfigError, short
from .guess import Guess
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
    definitions: Mapping[str, str] = field(default_factory=dict)  # module name -> chosen definition
    guesses: Mapping[int, Guess] = field(default_factory=dict)  # unknown layer -> its assumed output


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
    chosen: str = "assumed"  # how the definition was arrived at, where a name has several


def _number(value: Any, key: str, where: Optional[str], positive: bool = True) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value > limits.MAX_MULTIPLE:
        raise limits.too_large(f"'{key}'", value, limits.MAX_MULTIPLE).located(where)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"'{key}' must be a number, got {short(value)}", path=where, code="parse/setting")
    if positive and value <= 0:
        raise ConfigError(f"'{key}' must be > 0, got {short(value)}", path=where, code="parse/setting")
    if value > limits.MAX_MULTIPLE:
        raise limits.too_large(f"'{key}'", value, limits.MAX_MULTIPLE).located(where)
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
        call = pyast.parse(f"f({m.group(2) or ''})", mode="eval").body
    except SyntaxError:
        call = None
    literal = isinstance(call, ast.Call) and all(
        isinstance(a, ast.Constant) or (isinstance(a, ast.UnaryOp) and isinstance(a.operand, ast.Constant))
        for a in [*call.args, *(k.value for k in call.keywords)])
    if not literal:
        raise ConfigError(f"activation {text!r}: arguments must be plain numbers or booleans",
                          path=where, code="parse/code")
    return ACTS[m.group(1)]


V1_LAYOUT = {"nn.Conv2d": "yolov5-v1.0", "Detect": "yolov5-v1.0", "BottleneckCSP": "yolov5-v1.0"}
V1_ACTIVATION = "nn.LeakyReLU(0.1)"


def v1_layout(cfg: Config) -> bool:
    """YOLOv5 v1.0's layout: `[[], 1, Detect, [nc, anchors]]`, the detection convs as nn.Conv2d rows."""
    return any(r.module == "Detect" and r.src_from == [] for r in cfg.rows)


def _choices(raw: Any, where: Optional[str], extra: Mapping[str, str], layout: Mapping[str, str]) -> dict[str, str]:
    """The config's `definitions: {Module: name}` with the command line's choices on top (and,
    under them, the definitions a legacy layout implies)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ConfigError(f"'definitions' must map module names to definition names, got {raw!r}", path=where,
                          code="parse/setting")
    return {canonical(k): v for k, v in {**layout, **raw, **extra}.items()}


def _check_anchors(anchors: Any, na: int, where: Optional[str]) -> None:
    """Anchors within what a head can have: a few levels of a few finite (w, h) pairs."""
    if isinstance(anchors, int) and anchors < 0:
        raise ConfigError(f"'anchors' must be a positive count, got {anchors}", path=where, code="parse/setting")
    limits.check("anchors per level", na, limits.MAX_ANCHORS)
    if isinstance(anchors, list):
        limits.check("anchor levels", len(anchors), limits.MAX_LEVELS)
        for level in anchors:
            if not isinstance(level, list) or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= limits.MAX_SIDE
                    for v in level):  # NaN compares False, so it fails too
                raise ConfigError(f"each anchor level must be a list of finite pixel sizes, got {short(level)}",
                                  path=where, code="parse/setting")


def settings(cfg: Config, nc: Optional[int] = None, definitions: Mapping[str, str] = {},
             guesses: Mapping[int, Guess] = {}) -> Settings:
    d, where = cfg.data, cfg.path
    nc = nc if nc is not None else d.get("nc")
    if nc is not None and (isinstance(nc, bool) or not isinstance(nc, int) or nc < 1):
        raise ConfigError(f"'nc' must be a positive integer, got {short(nc)}", path=where, code="parse/setting")
    if nc is not None and nc > limits.MAX_CLASSES:
        raise limits.too_large("'nc'", nc, limits.MAX_CLASSES).located(where)
    gd = _number(d.get("depth_multiple", 1.0), "depth_multiple", where)
    gw = _number(d.get("width_multiple", 1.0), "width_multiple", where)
    ch = d.get("ch", 3)
    if isinstance(ch, bool) or not isinstance(ch, int) or ch < 1:
        raise ConfigError(f"'ch' must be a positive integer, got {short(ch)}", path=where, code="parse/setting")
    if ch > limits.MAX_CHANNELS:
        raise limits.too_large("'ch'", ch, limits.MAX_CHANNELS).located(where)
    divisor = d.get("channel_multiple", 8)
    if isinstance(divisor, bool) or not isinstance(divisor, int) or divisor < 1:
        raise ConfigError(f"'channel_multiple' must be a positive integer, got {divisor!r}",
                          path=where, code="parse/setting")
    if divisor > limits.MAX_CHANNELS:
        raise limits.too_large("'channel_multiple'", divisor, limits.MAX_CHANNELS).located(where)
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
        raise ConfigError(f"'anchors' must be a list of per-level lists or an int, got {short(anchors)}",
                          path=where, code="parse/setting")
    try:
        _check_anchors(anchors, na, where)
    except ConfigError as exc:
        raise exc.located(where) from None
    legacy = v1_layout(cfg)
    act_text = d.get("activation") or (V1_ACTIVATION if legacy else None)
    act = parse_activation(act_text, where) if act_text else ACTS["SiLU"]
    return Settings(nc=nc, gd=gd, gw=gw, ch=ch, divisor=divisor, anchors=anchors, na=na, act=act, act_text=act_text,
                    definitions=_choices(d.get("definitions"), where, definitions, V1_LAYOUT if legacy else {}),
                    guesses=dict(guesses))


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


def _check_module(row: Row, where: Optional[str]) -> None:
    if not isinstance(row.module, str):
        raise ConfigError(f"module must be a name, got {row.module!r}", path=where,
                          layer=row.index, line=row.line, code="parse/module")


def _unknown(row: Row, where: Optional[str]) -> ConfigError:
    close = extensions.suggestions(row.module)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    root = None if extensions.PREPARERS else forkcheck.shown(forkcheck.fork_root(where))
    if root is not None:
        hint += f"the config sits in a YOLOv5 fork: --repo {root} uses the fork's own definitions; or "
    return D.PARSE_UNKNOWN_MODULE.error(name=repr(row.module), hint=hint).located(where, row.index, row.line)


@dataclass(frozen=True)
class RowPlan:
    """The part of a row's parse that no multiple changes (sources, candidate definitions,
    symbol-resolved args): done once when a sweep resolves the rows at many multiples."""

    row: Row
    legacy: bool  # v1.0's Detect: its inputs follow from the channels, found per resolution
    src_from: tuple[int, ...]
    inputs: tuple[int, ...]
    cands: list[ModuleDef]
    how: str
    args: list


Finish = Callable[[RowPlan, Settings, int, list[int], tuple[int, ...]], LayerSpec]


def _names(s: Settings) -> tuple[dict, Optional[int]]:
    """The symbols a row's args may name, and the head's output count (na * (nc + 5))."""
    names = {k: v for k, v in {"nc": s.nc, "anchors": s.anchors, "na": s.na}.items() if v is not None}
    no = s.na * (s.nc + 5) if s.nc is not None else None
    if no is not None:
        names["no"] = no
    return names, no


def resolve_rows(cfg: Config, s: Settings, allow_unknown: bool = False) -> list[LayerSpec]:
    """Apply depth/width scaling and the channel rule of each module, row by row."""
    return resolve_plans(_plans(cfg, s, allow_unknown), s, cfg.path, allow_unknown)


def plan_rows(cfg: Config, s: Settings, allow_unknown: bool = False) -> list[RowPlan]:
    """Every row's multiple-independent parse (see RowPlan)."""
    return list(_plans(cfg, s, allow_unknown))


def _plans(cfg: Config, s: Settings, allow_unknown: bool) -> Iterator[RowPlan]:
    """Row by row, lazily: resolve_rows plans each row just before finishing it, so a config
    with several faults reports the first row's, as the one-pass parse did."""
    names, _ = _names(s)
    for row in cfg.rows:
        yield _located(row, cfg.path, _plan_row, row, s, names, cfg.path, allow_unknown)


def resolve_plans(plans: Iterable[RowPlan], s: Settings, where: Optional[str], allow_unknown: bool = False,
                  finish: Optional[Finish] = None) -> list[LayerSpec]:
    """The rows at the settings' multiples; finish: a memoised finish_row (a sweep's)."""
    finish = finish or (lambda p, s, n, ch, seen: finish_row(p, s, n, ch, seen, where, allow_unknown))
    ch: list[int] = [s.ch]
    seen: list[int] = [s.ch]  # the input's channels, then every layer's output, for rules read from a fork
    specs: list[LayerSpec] = []
    total = 0
    for p in plans:
        row = p.row
        n = _located(row, where, depth_scaled, row.number, s.gd)
        spec = _located(row, where, finish, p, s, n, ch, seen)  # read, not kept
        total += spec.n
        if total > limits.MAX_TOTAL_REPEATS:
            raise limits.too_large("the repeat count (number) summed over the rows so far", total,
                                   limits.MAX_TOTAL_REPEATS).located(where, row.index, row.line)
        if row.index == 0:
            ch = []
        ch.append(spec.c2)
        seen.append(spec.c2)
        specs.append(spec)
    return specs


def _located(row: Row, where: Optional[str], fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) with any failure reported as one located error of the row."""
    try:
        return fn(*args)
    except ConfigError as exc:
        raise exc.located(where, row.index, row.line) from None
    except (TypeError, ValueError, IndexError, ZeroDivisionError, OverflowError) as exc:
        raise ConfigError(f"{short(row.module)}: invalid arguments {short(row.args)} ({short(exc)})",
                          path=where, layer=row.index, line=row.line, code="parse/args") from None


def depth_scaled(n: int, gd: float) -> int:
    """YOLOv5's repeats at a depth multiple: max(round(n * gd), 1) for n > 1."""
    n = max(round(n * gd), 1) if n > 1 else n
    limits.check("number (repeats) after depth_multiple", n, limits.MAX_REPEATS)
    return n


def _v1_detect_inputs(row: Row, ch: list[int], no: Optional[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """v1.0's Detect finds its inputs itself: the layers with na * (nc + 5) channels, last first."""
    found = [j for j, c in enumerate(ch) if c == no][::-1]
    if not found:
        raise ConfigError(f"Detect with an empty 'from' reads the layers with {no} channels; there are none",
                          code="graph/from")
    return tuple(j - row.index if j == row.index - 1 else j for j in found), tuple(found)


def _plan_row(row: Row, s: Settings, names: dict, where: Optional[str], allow_unknown: bool) -> RowPlan:
    legacy = row.src_from == [] and row.module == "Detect" and row.index > 0
    src_from, inputs = ((), ()) if legacy else _sources(row, where)
    _check_module(row, where)
    cands, how = definitions.candidates(row.module, s.definitions, allow_unknown, where)
    if row.index in s.guesses and s.guesses[row.index].demoted:  # carried on as unknown (--allow-unknown)
        cands = [extensions.unknown(canonical(row.module))]
    if not cands:
        raise _unknown(row, where)
    n = row.number
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"number must be a positive integer, got {short(n)}", code="parse/number")
    limits.check("number (repeats)", n, limits.MAX_REPEATS)
    if not legacy and not cands[0].multi_input and len(src_from) != 1 and cands[0].origin != "unknown":
        raise ConfigError(f"{cands[0].name} takes one input, 'from' lists {len(src_from)}", code="graph/from")
    args = [resolve(a, names) for a in (row.args if isinstance(row.args, list) else [row.args])]
    return RowPlan(row=row, legacy=legacy, src_from=src_from, inputs=inputs, cands=cands, how=how, args=args)


def finish_row(p: RowPlan, s: Settings, n: int, ch: list[int], seen: Sequence[int], where: Optional[str],
               allow_unknown: bool) -> LayerSpec:
    """A planned row at the settings' multiples: n repeats (depth-scaled), channels so far ch."""
    row, cands, how, args = p.row, p.cands, p.how, p.args
    _, no = _names(s)
    src_from, inputs = _v1_detect_inputs(row, ch, no) if p.legacy else (p.src_from, p.inputs)
    chans = [ch[i] for i in inputs] if inputs else [ch[-1]]
    ctx = RuleContext(gw=s.gw, gd=s.gd, divisor=s.divisor, n=n, no=no, nc=s.nc, row=row, ch=seen)
    if cands[0].origin != "unknown":
        try:
            mdef, (resolved, c2, repeats), how = _definition(cands, how, args, chans, ctx)
            if allow_unknown and not definitions.fits(mdef, resolved):
                raise ConfigError("its arguments fit no built-in definition", code="parse/args")
            args = resolved
            if isinstance(c2, (int, float)) and not isinstance(c2, bool):
                limits.check("output channels", c2, limits.MAX_CHANNELS)
        except ConfigError as exc:
            if not allow_unknown or exc.code != "parse/args":
                raise
            cands = [extensions.unknown(canonical(row.module))]  # another definition: carried on as unknown
    if cands[0].origin == "unknown":
        guess = s.guesses.get(row.index, Guess())
        mdef = extensions.unknown(cands[0].name, guess)
        return LayerSpec(index=row.index, section=row.section, line=row.line, src_from=src_from, inputs=inputs, n=n,
                         repeats=1, module=canonical(row.module), mdef=mdef, args=args,
                         c2=guess.c2 if guess.c2 is not None else chans[0], chosen=how)
    return LayerSpec(index=row.index, section=row.section, line=row.line, src_from=src_from, inputs=inputs,
                     n=n, repeats=repeats, module=canonical(row.module), mdef=mdef, args=args, c2=c2, chosen=how)


def _definition(cands: list[ModuleDef], how: str, args: list, chans: list[int],
                ctx: RuleContext) -> tuple[ModuleDef, tuple[list, int, int], str]:
    """The first candidate definition whose channel rule and constructor take the row's args."""
    if len(cands) == 1:
        return cands[0], channels.apply(cands[0], args, chans, ctx), how
    for k, mdef in enumerate(cands):
        try:
            resolved = channels.apply(mdef, args, chans, ctx)
        except (ConfigError, TypeError, ValueError, IndexError):
            continue
        if definitions.fits(mdef, resolved[0]):
            return mdef, resolved, how if k == 0 else definitions.BY_ARGUMENTS
    tried = ", ".join(str(m.variant) for m in cands)
    raise ConfigError(f"{cands[0].name}{args}: the arguments fit none of its definitions ({tried})",
                      code="parse/args")
