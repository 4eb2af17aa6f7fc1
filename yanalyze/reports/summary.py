"""What the head of every report says, written once: the headline, the totals, the output
levels and the rewrite findings, as text cells the terminal, Markdown and HTML lay out."""
from __future__ import annotations

from dataclasses import dataclass

from ..analyzer.model import Analysis, Rewrite
from . import fmt


@dataclass(frozen=True)
class Item:
    """One total: its label, its value, and what qualifies it (fused figure, convention)."""

    label: str
    value: str
    detail: str


LEVEL_HEADER = ("output", "CxHxW", "stride", "RF textbook", "RF exact", "note")
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
    ]


def levels(a: Analysis) -> list[list[str]]:
    rows = []
    for lv in a.levels:
        o = lv.output
        notes = [n for n, on in (("global context", o.global_context), ("larger than the image", o.rf_exceeds_image))
                 if on]
        rows.append([lv.name, fmt.shape(o), fmt.axes(o.stride, fmt.frac), fmt.axes(o.rf, fmt.frac),
                     fmt.rf_exact(o), ", ".join(notes)])
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
