"""Why B costs what it does against A: each top-level setting that differs, then the row changes,
each with its part of the change in params, GFLOPs and memory access.

The settings are applied to A one at a time in a fixed order (image size, classes, anchors,
depth, width, activation, input channels); each step's change is that setting's part, so an
interaction between two settings goes to the later one. What is left between A-with-B's-settings
and B comes from the rows, and is split over the aligned layers: equivalent rewrites, modules
replaced, rows changed, added, removed or moved, and the knock-on changes of rows that are the
same but see other inputs. The parts add up to the whole change exactly.

With a device, every re-analysis gets its latency estimate on it (latency.estimate, the one
definition), so each cause also carries its part of the latency change (key 'latency_ms').
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from .errors import ConfigError
from .model import Analysis

if TYPE_CHECKING:
    from .devices import Device
    from .diff import ArchDiff, LayerDiff

METRICS = ("params", "gflops", "mem_bytes")
SETTINGS = (("imgsz", "image size"), ("nc", "nc (classes)"), ("anchors", "anchors"),
            ("depth_multiple", "depth_multiple"), ("width_multiple", "width_multiple"),
            ("activation", "activation"), ("ch", "input channels"))
ROW_KINDS = ("rewrite", "replaced", "changed", "added", "removed", "moved", "affected")


@dataclass(frozen=True)
class Cause:
    """One reason for the difference, with its part of each total's change (B - A) and that part's
    share of the whole change (None when the total did not change)."""

    kind: str  # "setting", or a row kind: rewrite, replaced, changed, added, removed, moved, affected
    label: str
    a: str  # A's value ("" for row causes)
    b: str
    layers: tuple[int, ...]  # B's layer indices (A's for removed layers)
    delta: dict[str, float]
    share: dict[str, Optional[float]]
    note: str = ""


def _setting(an: Analysis, key: str) -> Any:
    if key == "imgsz":
        return an.input.imgsz
    s = an.parsed.settings if an.parsed else None
    if s is None:
        return None
    return {"nc": s.nc, "anchors": s.anchors, "depth_multiple": s.gd, "width_multiple": s.gw,
            "activation": s.act_text or "SiLU", "ch": s.ch}[key]


def _shown(key: str, v: Any) -> str:
    if key == "imgsz":
        return f"{v[0]}x{v[1]}" if v[0] != v[1] else str(v[0])
    if key == "anchors" and isinstance(v, list):
        big = max((max(row[i], row[i + 1]), row[i], row[i + 1]) for row in v for i in range(0, len(row) - 1, 2))
        return f"{len(v)} levels x {len(v[0]) // 2}, largest {big[1]:g}x{big[2]:g}"
    return f"{v:g}" if isinstance(v, float) else str(v)


LATENCY = "latency_ms"


def _totals(an: Analysis, keys: Sequence[str] = METRICS) -> dict[str, float]:
    return {m: (an.latency.total_ms if an.latency is not None else 0.0) if m == LATENCY
            else float(getattr(an.totals, m)) for m in keys}


def _reanalyse(base: Analysis, data: dict, nc: Any, imgsz: tuple[int, int], rewrites: bool,
               device: Optional["Device"] = None) -> Analysis:
    from .analyze import analyze_model
    from .latency import estimate
    from .load import parse

    pm = base.parsed
    assert pm is not None
    model = parse(replace(pm.config, data=data), nc, pm.variant, pm.allow_unknown, pm.definitions)
    out = analyze_model(model, replace(base.input, imgsz=imgsz), rewrites, base.gflops_as)
    if device is not None:
        out.latency = estimate(out, device)
    return out


def _share(delta: dict[str, float], whole: dict[str, float]) -> dict[str, Optional[float]]:
    return {m: delta[m] / whole[m] if whole[m] else None for m in whole}


def settings_steps(a: Analysis, b: Analysis, whole: dict[str, float],
                   device: Optional["Device"] = None) -> tuple[list[Cause], Analysis]:
    """The settings that differ, applied to A one by one; returns the causes and A with every
    applicable setting of B (each step estimated on device when one is given)."""
    if a.parsed is None or b.parsed is None:
        return [], a
    data, nc, imgsz = dict(a.parsed.config.data), _setting(a, "nc"), a.input.imgsz
    current, causes, keys = a, [], tuple(whole)
    for key, label in SETTINGS:
        va, vb = _setting(a, key), _setting(b, key)
        if va == vb:
            continue
        trial = dict(data)
        if key == "imgsz":
            new_nc, new_size = nc, vb
        else:
            new_nc, new_size = (vb if key == "nc" else nc), imgsz
            if key != "nc":
                raw = b.parsed.config.data
                if key in raw:
                    trial[key] = raw[key]
                else:
                    trial.pop(key, None)
        try:
            nxt = _reanalyse(a, trial, new_nc, new_size, rewrites=False, device=device)
        except ConfigError as exc:
            causes.append(Cause(kind="setting", label=label, a=_shown(key, va), b=_shown(key, vb), layers=(),
                                delta={m: 0.0 for m in whole}, share={m: None for m in whole},
                                note=f"does not fit A's rows on its own ({exc.message}); its effect is counted "
                                     "with the row changes below"))
            continue
        delta = {m: _totals(nxt, keys)[m] - _totals(current, keys)[m] for m in keys}
        causes.append(Cause(kind="setting", label=label, a=_shown(key, va), b=_shown(key, vb), layers=(),
                            delta=delta, share=_share(delta, whole)))
        data, nc, imgsz, current = trial, new_nc, new_size, nxt
    if current is not a:  # the row step needs A's rewrites to name them
        current = _reanalyse(a, data, nc, imgsz, rewrites=True, device=device)
    return causes, current


def row_kind(ld: "LayerDiff") -> tuple[str, str]:
    """The cause a layer pair belongs to (its kind), and what the group is called."""
    if ld.status in ("added", "removed"):
        return ld.status, (ld.b or ld.a).module  # type: ignore[union-attr]
    assert ld.a is not None and ld.b is not None
    if ld.explained_by:
        return "rewrite", ld.explained_by.split(":")[0]
    if ld.status == "affected":
        return "affected", "rows as in A, other inputs"
    if ld.a.module != ld.b.module:
        return "replaced", f"{ld.a.module} -> {ld.b.module}"
    return ("moved" if ld.status == "moved" else "changed"), ld.b.module


def row_causes(d: "ArchDiff", whole: dict[str, float]) -> list[Cause]:
    groups: dict[tuple[str, str], list] = {}
    for ld in d.layers:
        if ld.status != "same":
            groups.setdefault(row_kind(ld), []).append(ld)
    out = []
    for (kind, label), lds in groups.items():
        delta = {m: float(sum(ld.delta(m) for ld in lds)) for m in whole}
        layers = tuple((ld.b or ld.a).index for ld in lds)
        out.append(Cause(kind=kind, label=label + (f" ({len(lds)} layers)" if len(lds) > 1 else ""), a="", b="",
                         layers=layers, delta=delta, share=_share(delta, whole)))
    return sorted(out, key=lambda c: (ROW_KINDS.index(c.kind), -abs(c.delta["gflops"]), c.label))


def causes(a: Analysis, b: Analysis, diff: Callable[[Analysis, Analysis], "ArchDiff"],
           device: Optional["Device"] = None) -> list[Cause]:
    """Every cause of the change from A to B; their deltas sum to B's totals minus A's. device:
    the profile A and B were estimated on; each cause then also gets its part of the latency."""
    keys = METRICS + ((LATENCY,) if device is not None else ())
    whole = {m: _totals(b, keys)[m] - _totals(a, keys)[m] for m in keys}
    steps, a_as_b = settings_steps(a, b, whole, device)
    return steps + row_causes(diff(a_as_b, b), whole)
