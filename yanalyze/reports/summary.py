"""What the head of every report says, written once: the headline, the totals, the output
levels and the rewrite findings, as text cells the terminal, Markdown and HTML lay out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..analyzer.breakdown import METRICS, of
from ..analyzer.model import Group
from ..analyzer.model import Analysis, Rewrite
from . import fmt


@dataclass(frozen=True)
class Item:
    """One total: its label, its value, and what qualifies it (fused figure, convention)."""

    label: str
    value: str
    detail: str


LEVEL_HEADER = ("output", "CxHxW", "stride", "RF textbook", "RF exact", "RF / image", "largest anchor", "note")
REWRITE_HEADER = ("#", "rewrite", "verdict", "change when applied")


def headline(a: Analysis) -> str:
    t = a.totals
    return (f"{len(a.layers)} layers, {fmt.count(t.params)} parameters, {t.gflops:.1f} GFLOPs"
            + (" (PARTIAL: unknown layers not counted)" if t.partial else ""))


def input_text(a: Analysis) -> str:
    i = a.input
    return f"{i.ch}x{i.imgsz[0]}x{i.imgsz[1]}, batch {i.batch}, {i.dtype}"


def totals(a: Analysis) -> list[Item]:
    t = a.totals
    return [
        Item("params", fmt.count(t.params), f"{fmt.count(t.params_fused)} fused"),
        Item("GFLOPs", f"{t.gflops:.1f}", f"{t.gflops_fused:.1f} fused; ultralytics convention, as YOLOv5 prints"),
        Item("FLOPs", fmt.si(t.flops), f"complete count; {fmt.si(t.macs)} MACs"),
        Item("memory access", fmt.nbytes(t.mem_bytes),
             f"{fmt.nbytes(t.mem_bytes_fused)} fused; {t.intensity:.1f} FLOPs/byte"),
        Item("peak activations", fmt.nbytes(t.peak_activation_bytes),
             f"at layer {t.peak_layer}; batch {a.input.batch}"),
    ] + latency_items(a)


def latency_items(a: Analysis) -> list[Item]:
    """With a device: 'N ms on DEVICE (measured estimate; fused N ms)'; nothing without one."""
    lt = a.latency
    if lt is None:
        return []
    return [Item("latency", f"{fmt.ms(lt.total_ms)} ms on {lt.device.get('name', '?')}",
                 f"{fmt.kind(lt.kind)}; fused {fmt.ms(lt.total_ms_fused)} ms"
                 + ("; PARTIAL: unknown layers not counted" if lt.partial else ""))]


def levels(a: Analysis) -> list[list[str]]:
    """Each output level's receptive field beside the image and the level's anchors: the RF as a
    multiple of the image side, the largest anchor (w x h, px), and what that means."""
    rows = []
    side = max(a.input.imgsz)
    for lv in a.levels:
        o = lv.output
        rf = min(o.rf_max)
        big = max(lv.anchors, key=max, default=None)
        notes = [n for n, on in (("global context", o.global_context),
                                 ("smaller than its largest anchor", big is not None and rf < max(big)),
                                 ("larger than the image", o.rf_exceeds_image)) if on]
        rows.append([lv.name, fmt.shape(o), fmt.axes(o.stride, fmt.frac), fmt.axes(o.rf, fmt.frac),
                     fmt.rf_exact(o), f"{max(o.rf_max) / side:.1f}x",
                     f"{big[0]:g}x{big[1]:g}" if big else "-", ", ".join(notes)])
    return rows


def verdict(r: Rewrite) -> str:
    return r.exactness if r.applicable or not r.equivalent else "equivalent, not rewritable"


def change(r: Rewrite) -> str:
    return fmt.changes(r.before, r.after) if r.after else (r.counterexample or r.reason)


def rewrites(a: Analysis) -> list[list[str]]:
    return [[str(r.layer), fmt.rewrite_title(r.before.module, r.target), verdict(r), change(r)] for r in a.rewrites]


@dataclass(frozen=True)
class Finding:
    """One diagnostic line of a report: the same finding on several layers (the definition of
    a module used six times) is one line naming them all; JSON keeps one per layer."""

    severity: str
    code: str
    where: str  # "layer 7", or "" when the message names its layers itself
    message: str

    def line(self, code: str) -> str:
        """'{code} layer 7: message', with the code as the view marks it up."""
        return f"{code}{' ' + self.where if self.where else ''}: {self.message}"


def _spans(layers: list[int]) -> str:
    runs: list[list[int]] = []
    for k in layers:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def findings(a: Analysis) -> list[Finding]:
    """The diagnostics as report lines, in order of first appearance."""
    groups: dict[tuple, list] = {}
    for d in a.diagnostics:
        prefix = f"layer {d.layer} "
        if d.layer is not None and d.message.startswith(prefix):  # "layer 3 (CBAM): ..." groups by the rest
            groups.setdefault((d.severity, d.code, d.message[len(prefix):]), []).append(d)
        else:
            groups.setdefault((d.severity, d.code, id(d)), []).append(d)
    out = []
    for (severity, code, rest), ds in groups.items():
        layers = sorted({d.layer for d in ds})
        if len(ds) > 1 and isinstance(rest, str):
            out.append(Finding(severity=severity, code=code, where="", message=f"layers {_spans(layers)} {rest}"))
        else:
            d = ds[0]
            out.append(Finding(severity=severity, code=code, where="" if d.layer is None else f"layer {d.layer}",
                               message=d.message))
    return out


SHARE_HEADER = ("params", "GFLOPs", "memory access", "activations")
TOP_MODULES = 6  # module types shown before the rest are summed as "other"


def _pct(v: float) -> str:
    return f"{v:.1%}" if v else "0"


def share_rows(groups: Sequence[Group], limit: int = 0) -> list[list[str]]:
    """[key, share of params, GFLOPs, memory access, activation memory] per group; past `limit`
    groups the rest are one "other" row, so the shares still sum to 100%."""
    shown = list(groups[:limit]) if limit and len(groups) > limit + 1 else list(groups)
    rows = [[g.key, *(_pct(g.shares[m]) for m in METRICS)] for g in shown]
    rest = groups[len(shown):]
    if rest:
        rows.append([f"other ({len(rest)} types)", *(_pct(sum(g.shares[m] for g in rest)) for m in METRICS)])
    return rows


def cost_tables(a: Analysis) -> list[tuple[str, str, list[list[str]]]]:
    """(title, first column, rows): the groupings every view shows, in the order they are shown."""
    b = of(a)
    return [("by section", "section", share_rows(b.by_section)),
            ("by module type", "module", share_rows(b.by_module, TOP_MODULES)),
            ("by the output levels a layer feeds", "feeds", share_rows(b.by_level)),
            ("each output level's whole path (these overlap: a shared layer counts in every path)", "path to",
             share_rows(b.level_paths))]


def top_layers(a: Analysis, metric: str = "gflops", n: int = 5) -> str:
    """'6 C3 12.1%, 4 C3 9.0%, ...': the layers with the largest share of one metric."""
    return ", ".join(f"{g.key} {_pct(g.shares[metric])}" for g in of(a).top[metric][:n]
                     if g.values[metric])
