"""Geometry of the rewrite drawings in the HTML report (the template only draws it).

Focus -> Conv: the 2k x 2k kernel of the Conv, each tap coloured by the pixel phase of the
Focus input channels it comes from and labelled with its Focus tap (t, u).
SPP -> SPPF: the parallel pool windows of SPP next to the chained windows of SPPF.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..analyzer.model import Rewrite
from ..analyzer.rewrites.focus import FOCUS_PHASES

PHASE_NAMES = ["even row, even col", "odd row, even col", "even row, odd col", "odd row, odd col"]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    css: str
    label: str = ""
    title: str = ""


@dataclass
class Drawing:
    width: int
    height: int
    caption: str
    boxes: list[Box] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


MAX_FOCUS_SIDE = 16  # kernel taps drawn per side; a larger kernel shows its top-left corner
MAX_SPP_SIDE = 600   # drawing units per side of the SPP drawing


def focus_drawing(k: int, c1: int) -> Drawing:
    cell, top = 34, 2
    n = 2 * k
    shown = min(n, MAX_FOCUS_SIDE)
    corner = "" if shown == n else f" (its top-left {shown}x{shown} taps shown; the pattern repeats)"
    d = Drawing(shown * cell + 2, shown * cell + top + 2,
                f"The Conv's {n}x{n} kernel{corner}: tap [2t+r, 2u+q] is Focus tap (t, u) of phase (r, q)")
    for a in range(shown):
        for b in range(shown):
            phase = FOCUS_PHASES.index((a % 2, b % 2))
            d.boxes.append(Box(1 + b * cell, top + a * cell, cell - 2, cell - 2, f"phase{phase}", f"{a // 2},{b // 2}",
                               f"Conv weight[:, :, {a}, {b}] = Focus weight[:, {phase * c1}:{(phase + 1) * c1}, "
                               f"{a // 2}, {b // 2}] ({PHASE_NAMES[phase]})"))
    d.legend = [(f"phase{i}", f"phase {i}: {PHASE_NAMES[i]}, Focus channels {i * c1}-{(i + 1) * c1 - 1}")
                for i in range(4)]
    return d


def spp_drawing(ks: list[int]) -> Drawing:
    k = min(ks)
    chain = [1 + i * (k - 1) for i in range(1, len(ks) + 1)]
    unit = min(10.0, MAX_SPP_SIDE / max(max(ks), max(chain)))
    side = max(max(ks), max(chain)) * unit
    gap, top = 60, 2
    d = Drawing(round(2 * side + gap + 2), round(side + top + 2),
                f"Left: SPP's parallel pools {', '.join(map(str, ks))}. Right: SPPF's {len(ks)} chained "
                f"{k}x{k} pools, whose windows grow to {', '.join(map(str, chain))}.")
    for i, kk in enumerate(sorted(ks, reverse=True)):
        off = (side - kk * unit) / 2
        d.boxes.append(Box(off + 1, top + off, kk * unit, kk * unit, f"win{i % 3}", str(kk), f"SPP pool {kk}x{kk}"))
    for i, w in enumerate(reversed(chain)):
        off = (side - w * unit) / 2
        d.boxes.append(Box(side + gap + off + 1, top + off, w * unit, w * unit, f"win{i % 3}", str(w),
                           f"after {len(chain) - i} chained pools: window {w}x{w}"))
    return d


def _focus(r: Rewrite) -> Drawing:
    k = r.before.args[2] if len(r.before.args) > 2 else 1
    return focus_drawing(k if isinstance(k, int) else k[0], r.before.args[0])


def _spp(r: Rewrite) -> Drawing:
    ks = r.before.args[2] if len(r.before.args) > 2 else [5, 9, 13]
    return spp_drawing(list(ks) if isinstance(ks, (list, tuple)) else [ks])


DRAWINGS = {"focus": _focus, "spp": _spp}  # optional per rule; a rule without one shows no drawing


def drawing(r: Rewrite) -> Optional[Drawing]:
    make = DRAWINGS.get(r.kind)
    return make(r) if make else None
