"""`yanalyze check`: the CI budget gate (exit 0 all limits hold, 1 one is exceeded, 2 bad input)."""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import Optional, Sequence, TextIO

from ..analyzer import budget as B
from .options import Parser, add_model_options, inputs_of, load_extensions, model_options, usage_error
from .output import check_outputs, write_all

EXIT_OK, EXIT_OVER = 0, 1


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="yanalyze check", description="Fail when a config exceeds a FLOP, parameter, memory, "
               "latency or receptive-field budget, or grows past a baseline.")
    p.add_argument("cfgs", nargs="*", metavar="CFG", help="model YAMLs (also: the budget file's configs)")
    p.add_argument("--budget", metavar="BUDGET.yaml", help="budget file: limits, configs, image sizes, baseline")
    p.add_argument("--max-gflops", metavar="G", help="e.g. 16.5 or 16.5G")
    p.add_argument("--max-params", metavar="N", help="e.g. 7.5M")
    p.add_argument("--max-mem", metavar="BYTES", help="memory access, e.g. 900MB")
    p.add_argument("--max-peak-act", metavar="BYTES", help="peak activation memory, e.g. 40MB")
    p.add_argument("--max-layer-gflops", metavar="G", help="no single layer above this")
    p.add_argument("--max-latency-ms", metavar="MS", help="estimated latency on the device (--device, or the "
                   "budget file's device:), e.g. 25 or 25ms")
    p.add_argument("--min-rf", action="append", default=[], metavar="LEVEL=PX",
                   help="minimum receptive field of an output level, e.g. P5=600 (repeatable)")
    p.add_argument("--baseline", metavar="BASE.yaml", help="config the CFGs are compared against")
    p.add_argument("--max-increase", default="0%", metavar="PCT",
                   help="allowed growth over the baseline, e.g. 5%% (default 0%%: no growth)")
    p.add_argument("--junit", metavar="PATH", help="write JUnit XML")
    p.add_argument("--json", nargs="?", const="-", metavar="PATH", help="JSON to stdout or PATH")
    p.add_argument("--md", metavar="PATH", help="write the Markdown summary")
    p.add_argument("--html", metavar="PATH", help="write a self-contained HTML page of every limit")
    add_model_options(p, imgsz="many")
    return p


def inline_limits(args: argparse.Namespace) -> B.Limits:
    raw: dict = {k: v for k, v in (("gflops", args.max_gflops), ("params", args.max_params),
                                    ("mem", args.max_mem), ("peak_act", args.max_peak_act),
                                    ("layer_gflops", args.max_layer_gflops), ("latency_ms", args.max_latency_ms))
                 if v is not None}
    rf = {}
    for item in args.min_rf:
        level, sep, px = item.partition("=")
        if not sep or not level:
            raise usage_error(f"--min-rf expects LEVEL=PX such as P5=600, got {item!r}")
        rf[level] = px
    if rf:
        raw["rf"] = rf
    return B.parse_limits(raw, "command line")


def targets(args: argparse.Namespace) -> list[B.Target]:
    extra = inline_limits(args)
    found, defaults, _, device = B.read_budget(args.budget) if args.budget else ([], B.Limits(), None, None)
    found = B.with_limits(found, extra)
    baseline = B.Baseline(path=args.baseline, max_increase=B.parse_increase(args.max_increase, "--max-increase")) \
        if args.baseline else None
    for cfg in args.cfgs:
        for hw in args.imgsz or [(640, 640)]:
            found.append(B.Target(path=cfg, imgsz=hw, limits=defaults.merged(extra), baseline=baseline,
                                  device=device))
    if baseline:
        found = [t if t.baseline else replace(t, baseline=baseline) for t in found]
    if not found:
        raise usage_error("nothing to check: give CFG paths or a --budget file with configs")
    empty = [t.path for t in found if not (t.limits.maxima or t.limits.min_rf or t.baseline)]
    if empty:
        raise usage_error(f"no limit for {empty[0]}: give --max-* / --min-rf, a --budget file or a --baseline")
    options = model_options(args)
    found = [replace(t, options=options) for t in found]
    if any(t.timed and not t.model_options.device for t in found):
        raise usage_error(B.NO_DEVICE)
    return found


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    load_extensions(args)
    todo = targets(args)
    reads = inputs_of(args, args.budget, args.baseline, *args.cfgs, *(t.path for t in todo))
    check_outputs([args.junit, args.md, args.json, args.html], reads)
    outcomes = [o for t in todo for o in B.evaluate(t)]
    from ..reports import budget_report as R

    files = {path: text for path, text in ((args.junit, R.junit(outcomes)), (args.md, R.markdown(outcomes)),
                                           (None if args.json == "-" else args.json, R.to_json(outcomes))) if path}
    if args.html:
        from ..reports.budget_html import page

        files[args.html] = page(outcomes, args.budget)
    write_all(files, reads)
    if args.json == "-":
        print(R.to_json(outcomes), end="")
    else:
        from rich.console import Console

        Console().print(R.table(outcomes))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        github(outcomes, sys.stderr if args.json == "-" else sys.stdout)
    if args.json != "-":
        print(R.verdict(outcomes))
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_OVER


def github(outcomes: list[B.Outcome], stream: TextIO) -> None:
    """Annotations on the workflow log (stderr when stdout carries JSON), and the Markdown
    table appended to the job summary page."""
    from ..reports import budget_report as R

    for line in R.github_annotations(outcomes):
        print(line, file=stream)
    summary: Optional[str] = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(R.markdown(outcomes))
