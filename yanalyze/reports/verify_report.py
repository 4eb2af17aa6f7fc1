"""Views of verify's results: the equivalence checks, the cross-check and the timings."""
from __future__ import annotations

from typing import Sequence

from rich import box
from rich.markup import escape
from rich.table import Table

from . import fmt


def escape_visible(text: str) -> str:
    """Config text for a rich-markup cell: no markup, no control characters."""
    return escape(fmt.visible(text))


def verdict_table(verdicts: Sequence) -> Table:
    """A bold claim row per verdict, then one row per check (fits an 80-column terminal)."""
    t = Table(title="Equivalence checks", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("check", "rel. error", "bound", "max |diff|", "result"):
        t.add_column(col, justify="left" if col == "check" else "right", overflow="fold")
    for v in verdicts:
        where = f"layer {v.layer}: " if v.layer >= 0 else ""
        t.add_row(f"[bold]{escape_visible(where + v.claim)}[/]", "", "", "", "")
        if v.expected:
            for c in v.checks:
                t.add_row("  " + escape_visible(c.name), f"{c.error:.2g}", f"{c.bound:.0g}", f"{c.abs_error:.2g}",
                          "[green]pass[/]" if c.passed else "[red]FAIL[/]")
        else:
            t.add_row("  not equivalent: " + escape_visible(v.counterexample or "no counterexample found"), "", "", "",
                      "[green]shown[/]" if v.passed else "[red]not shown[/]")
    return t


def verify_summary(verdicts: Sequence, ok: bool) -> str:
    n_rw = sum(v.kind not in ("model", "fold") for v in verdicts)
    ran = [f"{n_rw} rewrite candidate{'s' * (n_rw != 1)}"] + \
        (["the whole model end to end"] if any(v.kind == "model" for v in verdicts) else []) + ["Conv+BN folding"]
    return ("all checks passed" if ok else "SOME CHECKS FAILED") + f" ({', '.join(ran)})"


def _pair(ours: object, theirs: object, show=str) -> str:
    return show(ours) if ours == theirs else f"{show(ours)} vs {show(theirs)}"


def crosscheck_table(checks: Sequence, hw: tuple[int, int]) -> Table:
    """One row per layer: ours, or 'ours vs torch' where they differ."""
    t = Table(title=f"Cross-check at {hw[0]}x{hw[1]}: cost model vs torch block", title_justify="left",
              box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("#", "module", "params", "shapes", "thop", "FLOPs", "memory (elements)", ""):
        t.add_column(col, justify="left" if col in ("module", "shapes", "") else "right", overflow="fold")
    for c in checks:
        o, th = c.ours, c.torch
        if th is None:
            t.add_row(str(c.index), escape_visible(c.module), fmt.count(o.params), "", "", "", "", "[yellow]no torch block[/]")
            continue
        t.add_row(str(c.index), escape_visible(c.module), _pair(o.params, th.params, fmt.count),
                  "=" if o.shapes == th.shapes else f"{o.shapes} vs {th.shapes}", _pair(o.thop, th.thop, fmt.si),
                  _pair(o.flops, th.flops, fmt.si), _pair(o.act + o.weights, th.act + th.weights, fmt.si),
                  "[green]ok[/]" if c.passed else "[red]MISMATCH " + ", ".join(c.differences) + "[/]")
    return t


def crosscheck_summary(checks: Sequence) -> str:
    checked = [c for c in checks if c.torch is not None]
    bad = [c for c in checked if not c.passed]
    text = f"{len(checked) - len(bad)} of {len(checked)} layers match their torch blocks"
    skipped = [c for c in checks if c.torch is None]
    if skipped:
        text += (f"; {len(skipped)} not checked ({', '.join(sorted({escape_visible(c.module) for c in skipped}))}: "
                 "no torch reference block)")
    return text


def bench_table(timings: Sequence, hw: tuple[int, int]) -> object:
    t = Table(title=f"Speed at {hw[0]}x{hw[1]} (median ms, torch.utils.benchmark)", title_justify="left",
              box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("layer", "rewrite", "device", "batch", "pass", "before", "after", "speed-up"):
        t.add_column(col, justify="left" if col in ("rewrite", "device", "pass") else "right")
    for tm in timings:
        t.add_row(str(tm.layer), tm.pair, tm.device, str(tm.batch),
                  {"forward": "fwd", "forward+backward": "fwd+bwd"}[tm.mode], f"{tm.before_ms:.2f}",
                  f"{tm.after_ms:.2f}", f"{tm.speedup:.2f}x")
    return t if timings else "no applicable rewrite to time"
