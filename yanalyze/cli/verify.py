"""`yanalyze verify CFG`: numerical proofs of the rewrites in torch (needs the `verify` extra),
or `--crosscheck`: every layer's cost model against its torch block."""
from __future__ import annotations

import argparse
import importlib.util
import sys
from typing import Sequence

from ..analyzer import diagnostics as D
from ..analyzer.analyze import analyze_with, fit_size
from ..analyzer.load import load_options
from .progress import Steps
from .options import Parser, add_model_options, load_extensions, model_options, positive_int

EXIT_OK, EXIT_FAILED = 0, 1


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="yanalyze verify", description="Build both forms of every equivalence rewrite in "
               "torch with random weights, map the weights and check that they agree (outputs in eval "
               "and train mode, gradients, one optimizer step), then the whole model end to end, and "
               "Conv+BN folding.")
    p.add_argument("cfg", help="model YAML")
    p.add_argument("--size", type=positive_int, default=256,
                   help="image size of the whole-model check (default 256; rounded up to the largest stride)")
    p.add_argument("--bench", action="store_true", help="also time both forms at --imgsz (CPU, and GPU when present)")
    p.add_argument("--seed", type=int, default=0, help="random seed for weights and inputs")
    p.add_argument("--crosscheck", action="store_true",
                   help="instead: compare every layer's params, shapes, thop count, MACs, FLOPs and memory "
                        "with its torch block, at --imgsz (with --repo: params and shapes with the fork's own "
                        "Model)")
    add_model_options(p, memory=False)
    return p


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    opts = model_options(args)
    load_extensions(args)
    model = load_options(args.cfg, opts)
    a = analyze_with(model, args.imgsz, opts)  # bad input fails here, before torch
    if importlib.util.find_spec("torch") is None:
        raise D.VERIFY_TORCH.error()
    from rich.console import Console

    from ..reports import verify_report as R

    console = Console()
    if args.crosscheck:
        if args.repo:  # against the fork's own Model, built by its own code
            from ..verify.fork.check import crosscheck
        else:
            from ..verify.crosscheck import crosscheck

        [checks] = Steps(1).run([(f"building {len(model.specs)} layers in torch",
                                  lambda: crosscheck(model, a.input.imgsz))])
        console.print(R.crosscheck_table(checks, a.input.imgsz))
        console.print(R.crosscheck_summary(checks))
        return EXIT_OK if all(c.passed or c.torch is None for c in checks) else EXIT_FAILED
    from ..verify.runner import steps

    (size, _), moved = fit_size(model, (args.size, args.size))
    if moved:
        print(f"yanalyze: warning: --size {args.size} is not a multiple of the model's largest stride; "
              f"the whole-model check runs at {size}", file=sys.stderr)
    todo = steps(model, size, args.seed)
    verdicts = list(Steps(len(todo)).run(todo))
    console.print(R.verdict_table(verdicts))
    if args.bench:
        from ..verify.bench import bench

        [timings] = Steps(1).run([("timing both forms of each rewrite", lambda: bench(model, a))])
        console.print(R.bench_table(timings, a.input.imgsz))
    ok = all(v.passed for v in verdicts)
    console.print(R.verify_summary(verdicts, ok))
    return EXIT_OK if ok else EXIT_FAILED
