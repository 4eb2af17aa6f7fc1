"""The Markdown view: totals, output levels, the per-layer table and diagnostics, for PR comments."""
from __future__ import annotations

from ..analyzer.model import Analysis
from . import fmt
from .columns import COLUMNS

_SPECIAL = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "`": "\\`", "*": "\\*", "_": "\\_",
                          "[": "\\[", "]": "\\]", "\n": "<br>"})


def cell(text: str) -> str:
    """Escape text for a table cell: pipes, markup and emphasis characters stay literal."""
    return text.translate(_SPECIAL)


def code(text: str) -> str:
    """A code span in a table cell: nothing inside is markup; only the pipe needs escaping."""
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`"


def _table(header: list[str], rows: list[list[str]], right: set[int], literal: frozenset = frozenset()) -> list[str]:
    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(code(c) if k in literal else cell(c) for k, c in enumerate(row)) + " |"
              for row in rows]
    return lines


def render(a: Analysis) -> str:
    t, i = a.totals, a.input
    out = [f"### yanalyze: {cell(a.name)}", "",
           f"Input {i.ch}x{i.imgsz[0]}x{i.imgsz[1]}, batch {i.batch}, {i.dtype}. "
           f"{len(a.layers)} layers, {fmt.count(t.params)} parameters, {t.gflops:.1f} GFLOPs.", ""]
    out += _table(["metric", "value", "fused"], [
        ["params", fmt.count(t.params), fmt.count(t.params_fused)],
        ["GFLOPs (ultralytics)", f"{t.gflops:.1f}", f"{t.gflops_fused:.1f}"],
        ["FLOPs (complete)", fmt.si(t.flops), ""],
        ["memory access", fmt.nbytes(t.mem_bytes), fmt.nbytes(t.mem_bytes_fused)],
        ["peak activations", fmt.nbytes(t.peak_activation_bytes), ""],
    ], {1, 2}) + [""]
    out += _table(["output", "CxHxW", "stride", "RF textbook", "RF exact"], [
        [lv.name, fmt.shape(lv.output), fmt.axes(lv.output.stride, fmt.frac),
         fmt.axes(lv.output.rf, fmt.frac), fmt.rf_exact(lv.output)] for lv in a.levels], {2, 3, 4}) + [""]
    cols = [c for c in COLUMNS if c.terminal]
    out += ["<details><summary>Per-layer table</summary>", ""]
    out += _table([c.title for c in cols], [[c.cell(r) for c in cols] for r in a.layers],
                  {k for k, c in enumerate(cols) if c.justify == "right"},
                  frozenset(k for k, c in enumerate(cols) if c.title in ("from", "arguments")))
    out += ["", "</details>", ""]
    if a.rewrites:
        out += ["**Equivalence rewrites**", ""]
        out += _table(["layer", "rewrite", "verdict", "change when applied"], [
            [str(r.layer), f"{r.before.module} -> {'SPPF' if r.kind == 'spp' else 'Conv'}", r.exactness,
             fmt.changes(r.before, r.after) if r.after else (r.counterexample or r.reason)]
            for r in a.rewrites], {0}) + [""]
    if a.diagnostics:
        out += ["**Diagnostics**", ""]
        out += [f"- {d.severity} `{d.code}`" + (f" layer {d.layer}" if d.layer is not None else "")
                + f": {cell(d.message)}" for d in a.diagnostics]
        out.append("")
    return "\n".join(out)
