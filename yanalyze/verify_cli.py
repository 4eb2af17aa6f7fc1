"""`yanalyze verify CFG [--bench]`: numerical proofs of the rewrites (needs the `verify` extra)."""
from __future__ import annotations

import argparse
import importlib.util
from typing import Sequence

from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .analyzer.analyze import analyze
from .analyzer.errors import ConfigError

EXIT_OK, EXIT_FAILED = 0, 1


def parser(base: type) -> argparse.ArgumentParser:
    p = base(prog="yanalyze verify", description="Build both forms of every equivalence rewrite in "
             "torch with random weights, map the weights and check that they agree (outputs in eval "
             "and train mode, gradients, one optimizer step), then the whole model end to end, and "
             "Conv+BN folding.")
    p.add_argument("cfg", help="model YAML")
    p.add_argument("--variant", default=None, help="pick backbone_<V>/head_<V>")
    p.add_argument("--size", type=int, default=256, help="image size for the end-to-end check (default 256)")
    p.add_argument("--bench", action="store_true", help="also time both forms (CPU, and GPU when present)")
    p.add_argument("--imgsz", type=int, default=640, help="image size the benchmark uses (default 640)")
    p.add_argument("--seed", type=int, default=0, help="random seed for weights and inputs")
    p.add_argument("--crosscheck", action="store_true",
                   help="instead: compare every built-in layer's params, shapes and conv/matmul MACs with its "
                        "torch block")
    return p


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=console, transient=True)


def run(argv: Sequence[str], base: type) -> int:
    args = parser(base).parse_args(argv)
    a = analyze(args.cfg, imgsz=args.imgsz, variant=args.variant)  # bad input fails here, before torch
    if importlib.util.find_spec("torch") is None:
        raise ConfigError("verify needs torch; install it with: pip install 'yanalyze[verify]'",
                          code="verify/torch")
    console = Console()
    if args.crosscheck:
        return crosscheck(console, args, a)
    from .verify.runner import steps

    todo = steps(args.cfg, args.variant, args.size, args.seed)
    verdicts = []
    with _progress(console) as progress:
        task = progress.add_task("verifying", total=len(todo))
        for label, step in todo:
            progress.update(task, description=f"verifying {label}")
            verdicts.append(step())
            progress.advance(task)
    console.print(verdict_table(verdicts))
    ok = all(v.passed for v in verdicts)
    if args.bench:
        bench_table(console, args, a)
    n_rw = sum(v.kind in ("focus", "spp") for v in verdicts)
    ran = [f"{n_rw} rewrite candidate{'s' * (n_rw != 1)}"] + \
        (["the whole model end to end"] if any(v.kind == "model" for v in verdicts) else []) + ["Conv+BN folding"]
    console.print(("all checks passed" if ok else "SOME CHECKS FAILED") + f" ({', '.join(ran)})")
    return EXIT_OK if ok else EXIT_FAILED


def verdict_table(verdicts) -> Table:
    """A bold claim row per verdict, then one row per check (fits an 80-column terminal)."""
    t = Table(title="Equivalence checks", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("check", "rel. error", "bound", "max |diff|", "result"):
        t.add_column(col, justify="left" if col == "check" else "right", overflow="fold")
    for v in verdicts:
        where = f"layer {v.layer}: " if v.layer >= 0 else ""
        t.add_row(f"[bold]{where}{v.claim}[/]", "", "", "", "")
        if v.expected:
            for c in v.checks:
                t.add_row("  " + c.name, f"{c.error:.2g}", f"{c.bound:.0g}", f"{c.abs_error:.2g}",
                          "[green]pass[/]" if c.passed else "[red]FAIL[/]")
        else:
            t.add_row("  not equivalent: " + (v.counterexample or "no counterexample found"), "", "", "",
                      "[green]shown[/]" if v.passed else "[red]not shown[/]")
    return t


def crosscheck(console: Console, args: argparse.Namespace, a) -> int:
    from .verify.crosscheck import crosscheck as run_crosscheck

    with _progress(console) as progress:
        progress.add_task("building every layer in torch", total=None)
        checks = run_crosscheck(args.cfg, a, args.variant)
    t = Table(title=f"Cross-check at {args.imgsz}x{args.imgsz}: analytic vs torch", title_justify="left",
              box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("#", "module", "params", "output shapes", "MACs", ""):
        t.add_column(col, justify="left" if col in ("module", "output shapes", "") else "right", overflow="fold")
    for c in checks:
        (p, s, m), (tp, ts, tm) = c.ours, c.torch
        t.add_row(str(c.index), c.module, f"{p:,}" if p == tp else f"{p:,} vs {tp:,}",
                  "=" if s == ts else f"{s} vs {ts}", f"{m:,}" if m == tm else f"{m:,} vs {tm:,}",
                  "[green]ok[/]" if c.passed else "[red]MISMATCH[/]")
    console.print(t)
    bad = [c for c in checks if not c.passed]
    console.print(f"{len(checks) - len(bad)} of {len(checks)} layers match their torch blocks")
    return EXIT_FAILED if bad else EXIT_OK


def bench_table(console: Console, args: argparse.Namespace, a) -> None:
    from .verify.bench import bench

    with _progress(console) as progress:
        task = progress.add_task("benchmark", total=None)
        timings = bench(args.cfg, a, args.variant,
                        progress=lambda label: progress.update(task, description=f"timing {label}"))
    t = Table(title=f"Speed at {args.imgsz}x{args.imgsz} (median ms, torch.utils.benchmark)", title_justify="left",
              box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("layer", "rewrite", "device", "batch", "pass", "before", "after", "speed-up"):
        t.add_column(col, justify="left" if col in ("rewrite", "device", "pass") else "right")
    for tm in timings:
        t.add_row(str(tm.layer), tm.pair, tm.device, str(tm.batch),
                  {"forward": "fwd", "forward+backward": "fwd+bwd"}[tm.mode], f"{tm.before_ms:.2f}",
                  f"{tm.after_ms:.2f}", f"{tm.speedup:.2f}x")
    console.print(t if timings else "no applicable rewrite to time")
