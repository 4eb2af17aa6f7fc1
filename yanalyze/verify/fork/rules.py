"""The fork's channel rules, row by row: parse_model's own statements (source.Program) run by
the evaluator on the row as the fork's loop sees it, so membership sets, extra elif branches
(`c2 = args[0]`, `c2 = ch[f] * 4`, `args = [ch[f], *args]`), v4-style channel indices and
hard-coded divisors all come out as the fork computes them. A row the evaluator cannot read
gets a stated assumption instead (diagnostic fork/rule).
"""
from __future__ import annotations

import ast
import copy
import json
from typing import Any, Callable, Mapping, Optional

from ...analyzer.channels import RuleContext
from .interp import Interp, Poison, PyError, Ref, Unsupported
from .source import Program


class Unreadable(Exception):
    """parse_model's rule for this row could not be followed; the message says why."""


def _names(t: ast.expr) -> set[str]:
    if isinstance(t, ast.Name):
        return {t.id}
    if isinstance(t, (ast.Tuple, ast.List)):
        return set().union(*(_names(e) for e in t.elts)) if t.elts else set()
    if isinstance(t, ast.Starred):
        return _names(t.value)
    return set()  # an attribute or item of something else: no variable of parse_model changes


def _assigned(s: ast.stmt) -> set[str]:
    """Variables a statement (or any statement inside it) may set."""
    out: set[str] = set()
    for n in ast.walk(s):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                out |= _names(t)
        elif isinstance(n, (ast.AugAssign, ast.AnnAssign, ast.For)):
            out |= _names(n.target)
    return out


def args_key(name: str, args: list) -> str:
    """How a note about a row's rule finds the layer again at build time."""
    return f"{name}:{json.dumps(args, default=str, sort_keys=True)}"


class Reader:
    """Runs parse_model's statements for one config's rows."""

    def __init__(self, prog: Program, refs: Mapping[str, Any], data: Mapping):
        self.prog, self.refs, self.data = prog, refs, data
        self._preludes: dict[Optional[int], dict] = {}

    def resolve(self, name: str) -> Optional[Any]:
        return self.refs.get(name)

    def prelude(self, ctx: RuleContext) -> dict:
        """The settings parse_model reads before its loop (anchors, nc, gd, gw, na, no, ch_mul...);
        what it cannot read comes from yanalyze's own reading of the config."""
        if ctx.nc in self._preludes:
            return self._preludes[ctx.nc]
        d = copy.deepcopy(dict(self.data))
        if ctx.nc is not None:
            d["nc"] = ctx.nc
        scope: dict = {"d": d, "ch": [ctx.ch[0] if ctx.ch else 3]}
        it = Interp(scope, self.resolve)
        for s in self.prog.prelude:
            try:
                it.stmt(s)
            except (Unsupported, PyError) as exc:
                for name in _assigned(s):
                    scope[name] = Poison(f"{name} ({self.prog.where(s)}: {exc})")
        anchors = self.data.get("anchors")
        na = len(anchors[0]) // 2 if isinstance(anchors, list) and anchors and isinstance(anchors[0], list) \
            else anchors if isinstance(anchors, int) else 0
        known = {"nc": ctx.nc, "gd": ctx.gd, "gw": ctx.gw, "no": ctx.no, "anchors": anchors, "na": na}
        for k, v in known.items():
            if k not in scope or isinstance(scope[k], Poison):
                scope[k] = v
        self._preludes[ctx.nc] = scope
        return scope

    def row(self, args: list, ctx: RuleContext) -> tuple[list, Any, int]:
        """(constructor args, output channels, times built) as the fork's loop computes them."""
        if self.prog.problem:
            raise Unreadable(self.prog.problem)
        row = ctx.row
        seen = list(ctx.ch)
        ch = seen if not self.prog.resets_ch else seen[:1] if row.index == 0 else seen[1:]
        scope = dict(self.prelude(ctx))
        scope.update(ch=ch, c2=ch[-1], c1=Poison("c1 as left by an earlier row"))
        it = Interp(scope, self.resolve)
        assert self.prog.target is not None
        try:
            it.assign(self.prog.target, (row.index, [copy.deepcopy(row.src_from), row.number, row.module,
                                                     copy.deepcopy(args)]))
            it.run(self.prog.body)
            out = [it.expr(ast.Name(k, ast.Load())) for k in ("args", "c2", "n")]
        except Unsupported as exc:
            raise Unreadable(f"{self.prog.file} {exc} is beyond what yanalyze reads") from None
        except PyError as exc:
            raise Unreadable(f"the fork's parse_model itself raises {exc} on this row") from None
        new_args, c2, n = out
        if not isinstance(new_args, list) or isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise Unreadable(f"parse_model leaves args={new_args!r}, n={n!r}")
        if isinstance(new_args, list) and any(isinstance(a, Ref) and a.kind != "class" for a in new_args):
            raise Unreadable("parse_model passes a non-class object of the fork as an argument")
        return new_args, c2, n


def fallback(conv_like: bool, head: bool, c1: int, args: list, ctx: RuleContext) -> tuple[list, int, int]:
    """The assumption for a row whose rule cannot be read: YOLOv5's head rule for a head, the
    conv rule for a class whose first parameters are (c1, c2), else channels kept."""
    if head:
        f = ctx.row.src_from
        chans = [ctx.ch[j + 1] if j >= 0 else ctx.ch[j] for j in (f if isinstance(f, list) else [f])]
        out = [*args, chans]
        if len(out) > 1 and isinstance(out[1], int) and not isinstance(out[1], bool):
            out[1] = [list(range(out[1] * 2))] * len(chans)
        return out, c1, ctx.n
    if conv_like and args and isinstance(args[0], (int, float)) and not isinstance(args[0], bool):
        c2 = int(args[0]) if args[0] == ctx.no else ctx.scale(args[0])
        return [c1, c2, *args[1:]], c2, ctx.n
    return list(args), c1, ctx.n


def describe_fallback(conv_like: bool, head: bool) -> str:
    if head:
        return "YOLOv5's Detect rule (input channels appended to the args)"
    if conv_like:
        return "YOLOv5's conv rule (c1 inserted, the first argument width-scaled)"
    return "channels kept (c2 = c1, args as written)"


def make_rule(reader: Reader, name: str, conv_like: bool, head: bool,
              notes: dict[str, str]) -> Callable[[int, list, RuleContext], tuple[list, int, int]]:
    """The callable channel rule of one module name in one config."""
    def rule(c1: int, args: list, ctx: RuleContext) -> tuple[list, int, int]:
        try:
            new_args, c2, n = reader.row(args, ctx)
            if isinstance(c2, bool) or not isinstance(c2, int):
                if not head:
                    raise Unreadable(f"parse_model gives {name} output channels {c2!r}")
                c2 = c1
            return new_args, c2, n
        except Unreadable as exc:
            new_args, c2, n = fallback(conv_like, head, c1, args, ctx)
            notes[args_key(name, new_args)] = (f"parse_model's rule for {name} could not be followed ({exc}); "
                                               f"assumed {describe_fallback(conv_like, head)}")
            return new_args, c2, n
    return rule
