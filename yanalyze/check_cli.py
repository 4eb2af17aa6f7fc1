"""`yanalyze check`: the CI budget gate (exit 0 all limits hold, 1 one is exceeded, 2 bad input)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Optional, Sequence

from rich.console import Console

from .analyzer import budget as B
from .analyzer.errors import ConfigError

EXIT_OK, EXIT_OVER = 0, 1


def parser(base: type, imgsz: Callable) -> argparse.ArgumentParser:
    p = base(prog="yanalyze check", description="Fail when a config exceeds a FLOP, parameter, memory "
             "or receptive-field budget, or grows past a baseline.")
    p.add_argument("cfgs", nargs="*", metavar="CFG", help="model YAMLs (also: the budget file's configs)")
    p.add_argument("--budget", metavar="BUDGET.yaml", help="budget file: limits, configs, image sizes, baseline")
    p.add_argument("--imgsz", type=imgsz, action="append", metavar="N|H,W",
                   help="image size for the CFGs given here (repeatable; default 640)")
    p.add_argument("--max-gflops", metavar="G", help="e.g. 16.5 or 16.5G")
    p.add_argument("--max-params", metavar="N", help="e.g. 7.5M")
    p.add_argument("--max-mem", metavar="BYTES", help="memory access, e.g. 900MB")
    p.add_argument("--max-peak-act", metavar="BYTES", help="peak activation memory, e.g. 40MB")
    p.add_argument("--max-layer-gflops", metavar="G", help="no single layer above this")
    p.add_argument("--min-rf", action="append", default=[], metavar="LEVEL=PX",
                   help="minimum receptive field of an output level, e.g. P5=600 (repeatable)")
    p.add_argument("--baseline", metavar="BASE.yaml", help="config the CFGs are compared against")
    p.add_argument("--max-increase", default="0%", metavar="PCT", help="allowed growth over the baseline (5%%)")
    p.add_argument("--junit", metavar="PATH", help="write JUnit XML")
    p.add_argument("--json", nargs="?", const="-", metavar="PATH", help="JSON to stdout or PATH")
    p.add_argument("--md", metavar="PATH", help="write the Markdown summary")
    return p


def inline_limits(args: argparse.Namespace) -> B.Limits:
    raw: dict = {k: v for k, v in (("gflops", args.max_gflops), ("params", args.max_params),
                                    ("mem", args.max_mem), ("peak_act", args.max_peak_act),
                                    ("layer_gflops", args.max_layer_gflops)) if v is not None}
    rf = {}
    for item in args.min_rf:
        level, sep, px = item.partition("=")
        if not sep or not level:
            raise ConfigError(f"--min-rf expects LEVEL=PX such as P5=600, got {item!r}", code="usage")
        rf[level] = px
    if rf:
        raw["rf"] = rf
    return B.parse_limits(raw, "command line")


def targets(args: argparse.Namespace) -> list[B.Target]:
    extra = inline_limits(args)
    found, defaults = B.load_budget(args.budget) if args.budget else ([], B.Limits())
    found = B.with_limits(found, extra)
    baseline = B.Baseline(args.baseline, B.parse_increase(args.max_increase, "--max-increase")) \
        if args.baseline else None
    for cfg in args.cfgs:
        for hw in args.imgsz or [(640, 640)]:
            found.append(B.Target(cfg, hw, defaults.merged(extra), baseline))
    if baseline:
        found = [t if t.baseline else B.Target(t.path, t.imgsz, t.limits, baseline) for t in found]
    if not found:
        raise ConfigError("nothing to check: give CFG paths or a --budget file with configs", code="usage")
    empty = [t.path for t in found if not (t.limits.maxima or t.limits.min_rf or t.baseline)]
    if empty:
        raise ConfigError(f"no limit for {empty[0]}: give --max-* / --min-rf, a --budget file or a --baseline",
                          code="usage")
    return found


def run(argv: Sequence[str], base: type, imgsz: Callable, write: Callable[[str, str], None]) -> int:
    args = parser(base, imgsz).parse_args(argv)
    outcomes = [o for t in targets(args) for o in B.evaluate(t)]
    from .reports import budget_report as R

    files = {path: text for path, text in ((args.junit, R.junit(outcomes)), (args.md, R.markdown(outcomes)),
                                           (None if args.json == "-" else args.json, R.to_json(outcomes))) if path}
    for path, text in files.items():
        write(path, text)
    if args.json == "-":
        print(R.to_json(outcomes), end="")
    else:
        Console().print(R.table(outcomes))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        github(outcomes, R, sys.stderr if args.json == "-" else sys.stdout)
    failed = sum(not o.ok for o in outcomes)
    if args.json != "-":
        print(f"{failed} of {len(outcomes)} limits exceeded" if failed else f"all {len(outcomes)} limits hold")
    return EXIT_OVER if failed else EXIT_OK


def github(outcomes, R, stream) -> None:
    """Annotations on the workflow log (stderr when stdout carries JSON), and the Markdown
    table appended to the job summary page."""
    for line in R.github_annotations(outcomes):
        print(line, file=stream)
    summary: Optional[str] = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(R.markdown(outcomes))
