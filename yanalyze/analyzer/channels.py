"""YOLOv5's channel rules, as data: how a row's args and output channels follow from its
module's rule (spec section 2), instead of parse_model's set-membership chains."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from .errors import ConfigError
from .registry import ModuleDef


def make_divisible(x: float, divisor: int) -> int:
    """Round channels up to a multiple of the divisor, as YOLOv5 does (ceil)."""
    return math.ceil(x / divisor) * divisor


@dataclass(frozen=True)
class RuleContext:
    """What a channel rule may need: the multiples, the divisor, the row's repeats, the head's
    output count (nc + 5 per anchor) and nc; for a rule read from a fork's source (--repo),
    also the row as written and the channels so far (the input's, then every earlier layer's)."""

    gw: float
    gd: float
    divisor: int
    n: int
    no: Optional[int]
    nc: Optional[int] = None
    row: Any = None
    ch: Sequence[int] = ()  # the channels so far, as they are when the rule runs

    def scale(self, c: float) -> int:
        """Width-scale a channel count as YOLOv5 does."""
        return make_divisible(c * self.gw, self.divisor)


@dataclass(frozen=True)
class RowInput:
    """What a channel rule sees of one row."""

    mdef: ModuleDef
    args: list
    chans: list[int]
    ctx: RuleContext

    @property
    def c1(self) -> int:
        return self.chans[0]


Rule = Callable[[RowInput], tuple[list, int, int]]  # -> (args, c2, repeats)


def _first_channels(r: RowInput) -> int:
    if not r.args:
        raise ConfigError(f"{r.mdef.name} needs its output channels as the first argument", code="parse/args")
    c2 = r.args[0]
    if isinstance(c2, bool) or not isinstance(c2, (int, float)):
        raise ConfigError(f"{r.mdef.name} output channels must be a number, got {c2!r}", code="parse/args")
    return int(c2) if c2 == r.ctx.no else r.ctx.scale(c2)


def _conv(r: RowInput) -> tuple[list, int, int]:
    """c1 from the input, the first argument width-scaled (unless it is the head's output count)."""
    c2 = _first_channels(r)
    return [r.c1, c2, *r.args[1:]], c2, r.ctx.n


def _csp(r: RowInput) -> tuple[list, int, int]:
    """Like conv, and the repeat count goes inside the block (args[2]), built once."""
    args, c2, n = _conv(r)
    return [*args[:2], n, *args[2:]], c2, 1


def _head(r: RowInput) -> tuple[list, int, int]:
    """Detect/Segment: the input channels appended; an int anchor count becomes N per level;
    Segment's prototype channels width-scaled."""
    if r.ctx.nc is None:
        raise ConfigError("missing 'nc' (number of classes) for the detection head", code="parse/setting")
    args = [*r.args, r.chans]
    if len(args) > 1 and isinstance(args[1], int) and not isinstance(args[1], bool):
        args[1] = [list(range(args[1] * 2))] * len(r.chans)
    if r.mdef.name == "Segment" and len(args) > 4:
        args[3] = r.ctx.scale(args[3])
    return args, r.c1, r.ctx.n


def _keep(r: RowInput) -> tuple[list, int, int]:
    """Channels in = out; a channel count written first must scale to the input's."""
    args = r.args
    if args and isinstance(args[0], (int, float)) and not isinstance(args[0], bool):
        want = r.ctx.scale(args[0])
        if want != r.c1:
            raise ConfigError(f"{r.mdef.name} keeps its channels: input has {r.c1}, args ask for {want}",
                              code="graph/channels")
        args = args[1:]
    return [r.c1, *args], r.c1, r.ctx.n


def _as_written(prepend: bool) -> Rule:
    def rule(r: RowInput) -> tuple[list, int, int]:
        args = [r.c1, *r.args] if prepend else r.args
        return args, r.mdef.out_channels(r.c1, args) if r.mdef.out_channels else r.c1, r.ctx.n
    return rule


RULES: dict[str, Rule] = {
    "conv": _conv, "csp": _csp, "head": _head, "keep": _keep,
    "bn": lambda r: ([r.c1], r.c1, r.ctx.n),
    "concat": lambda r: (r.args, sum(r.chans), r.ctx.n),
    "contract": lambda r: (r.args, r.c1 * r.args[0] ** 2, r.ctx.n),
    "expand": lambda r: (r.args, r.c1 // r.args[0] ** 2, r.ctx.n),
    "same": lambda r: (r.args, r.c1, r.ctx.n),
    "prepend": _as_written(True), "torch": _as_written(False),
}


def apply(mdef: ModuleDef, args: list, chans: list[int], ctx: RuleContext) -> tuple[list, int, int]:
    """(constructor args, output channels, times the block is built) of one row."""
    rule = mdef.channels
    if callable(rule):  # (args, c2), or (args, c2, times built) when the rule moves the repeats itself
        new_args, c2, *repeats = rule(chans[0], args, ctx)
        return new_args, c2, repeats[0] if repeats else ctx.n
    return RULES[rule](RowInput(mdef=mdef, args=list(args), chans=chans, ctx=ctx))
