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
