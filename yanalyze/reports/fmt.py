"""The one place numbers become strings, so every view writes them the same way."""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Sequence

from ..analyzer.model import Form, LayerResult, Output


# C0/C1 controls, DEL, line/paragraph separators and the bidirectional overrides: text from a
# config holding these could move the cursor, recolour, hyperlink or reorder a terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_KEEP_NL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(m: re.Match) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def visible(text: str, keep_newlines: bool = False) -> str:
    """Text from a config as a terminal shows it: control characters written out as escapes, so a
    name can neither move the cursor nor open a link; keep_newlines for cells that are ours."""
    return (_CONTROL_KEEP_NL if keep_newlines else _CONTROL).sub(_escaped, text)


def count(n: int) -> str:
    """7235389 -> '7,235,389' (YOLOv5 users read params this way)."""
    return f"{n:,}"


def si(n: float, unit: str = "") -> str:
    """Scaled with k/M/G/T: 16622796800 -> '16.6 G'."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{n / factor:.3g} {prefix}{unit}".rstrip()
    return f"{n:.3g} {unit}".rstrip() if isinstance(n, float) else f"{n} {unit}".rstrip()


def nbytes(n: int) -> str:
    """Decimal units: 1_500_000 -> '1.5 MB'."""
    for factor, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if n >= factor:
            return f"{n / factor:.3g} {unit}"
    return f"{n} B"


def gflops(g: float, digits: int = 2) -> str:
    return f"{g:.{digits}f}"


def frac(v: Fraction) -> str:
    return str(int(v)) if v.denominator == 1 else f"{float(v):.3g}"


def axes(pair: Sequence, fn=str) -> str:
    """Show one value when both axes agree, 'h x w' otherwise."""
    a, b = fn(pair[0]), fn(pair[1])
    return a if a == b else f"{a}x{b}"


def shape(o: Output) -> str:
    s = o.shape
    return f"{s.c}x{s.h}x{s.w}"


def rf_exact(o: Output) -> str:
    """Exact receptive field: '682-714' when it varies over positions, else one number."""
    lo, hi = axes(o.rf_min), axes(o.rf_max)
    return lo if lo == hi else f"{lo}-{hi}"


def rf_cell(o: Output) -> str:
    """The receptive-field cell: exact value(s), G for global context, > when beyond the image."""
    text = rf_exact(o)
    if o.global_context:
        text += " G"
    if o.rf_exceeds_image:
        text += " >"
    return text


def per_output(r: LayerResult, fn) -> str:
    """Heads show one line per level."""
    return "\n".join(fn(o) for o in r.outputs)


def args(values: list) -> str:
    """Constructor args exactly as YOLOv5 prints them (Python list repr)."""
    return visible(str(values))


MARKERS = {"traced": " †", "unknown": " ?", "plugin": " +"}


def module(r: LayerResult) -> str:
    """The module name, marked when it was measured in torch (†), unknown (?) or from a plugin (+)."""
    return visible(r.module) + MARKERS.get(r.origin.split(":")[0], "")


def from_(src: Sequence[int]) -> str:
    return str(src[0]) if len(src) == 1 else str(list(src))


def delta(before: float, after: float, show=None) -> str:
    """'-9.83 MB (-12%)' style change; '=' when nothing changes."""
    if before == after:
        return "="
    show = show or (lambda v: f"{v:+,}")
    pct = f" ({(after - before) / before:+.0%})" if before else ""
    return f"{show(after - before)}{pct}"


def signed_bytes(n: int) -> str:
    return ("+" if n > 0 else "-") + nbytes(abs(n))


def signed_si(n: float) -> str:
    return ("+" if n > 0 else "-") + si(abs(n))


def rewrite_title(module_before: str, module_after: str) -> str:
    return f"{module_before}->{module_after}"


def changes(b: Form, f: Form) -> str:
    """What a rewrite changes, metric by metric, then what it leaves alone."""
    metrics = [("params", b.params, f.params, lambda v: f"{v:+,}"),
               ("GFLOPs", b.gflops, f.gflops, lambda v: f"{v:+.3f}"),
               ("FLOPs", b.flops, f.flops, signed_si),
               ("mem", b.mem_bytes, f.mem_bytes, signed_bytes),
               ("RF", b.rf_max[0], f.rf_max[0], lambda v: f"{v:+}")]
    changed = [f"{name} {delta(x, y, show)}" for name, x, y, show in metrics if x != y]
    same = [name for name, x, y, _ in metrics if x == y]
    return "; ".join(changed + ([", ".join(same) + " unchanged"] if same else []))


def ms(v: float) -> str:
    """Milliseconds with about three significant digits: 118, 14.3, 3.93, 0.019."""
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}" if v >= 1 else f"{v:.3f}"


BOUND_MARKS = {"compute": "C", "memory": "M", "overhead": "O"}  # a layer's bound in a narrow cell
KINDS = {"measured": "measured estimate", "roofline": "roofline lower bound"}


def kind(k: str) -> str:
    """What a latency figure is: an estimate from a measured profile, or a datasheet's lower bound."""
    return KINDS.get(k, visible(k))
