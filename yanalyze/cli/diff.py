"""`yanalyze diff A.yaml B.yaml`: what changed between two architectures, layer by layer."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from ..analyzer import devices
from ..analyzer.analyze import analyze_with
from ..analyzer.diff import diff
from .options import (Parser, add_model_options, inputs_of, load_extensions, model_options, parse_imgsz,
                      positive_int)
from .output import check_outputs, write_all


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="yanalyze diff", description="Compare two model configs: why B differs (the settings and row "
               "changes, each with its part of the change), totals, output levels, and layer by layer with A's and "
               "B's params, GFLOPs and memory (and estimated latency with --device).")
    p.add_argument("a", metavar="A.yaml")
    p.add_argument("b", metavar="B.yaml")
    p.add_argument("--all", action="store_true", help="also list unchanged and only-affected layers")
    p.add_argument("--json", nargs="?", const="-", metavar="PATH", help="JSON to stdout or PATH")
    p.add_argument("--md", nargs="?", const="-", metavar="PATH", help="Markdown to stdout or PATH")
    p.add_argument("--html", metavar="PATH", help="side-by-side HTML page with both graphs")
    p.add_argument("--width", type=positive_int, default=None, help="terminal width for the tables")
    p.add_argument("--imgsz-b", type=parse_imgsz, default=None, metavar="N|H,W",
                   help="B's input size when it differs from A's (--imgsz); the image size is then one of the causes")
    add_model_options(p)
    return p


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    check_outputs([args.json, args.md, args.html], inputs_of(args, args.a, args.b))
    load_extensions(args)
    opts = model_options(args)
    device = devices.load(opts.device) if opts.device else None  # causes are re-analysed on it too
    d = diff(analyze_with(args.a, args.imgsz, opts), analyze_with(args.b, args.imgsz_b or args.imgsz, opts),
             device=device)
    from ..reports import diff_report as R

    files = {}
    if args.json not in (None, "-"):
        files[args.json] = R.to_json(d)
    if args.md not in (None, "-"):
        files[args.md] = R.markdown(d, args.all)
    if args.html:
        from ..reports.diff_html import render
        files[args.html] = render(d)
    write_all(files, inputs_of(args, args.a, args.b))
    if args.json == "-":
        sys.stdout.write(R.to_json(d))
    elif args.md == "-":
        sys.stdout.write(R.markdown(d, args.all))
    else:
        from rich.console import Console

        R.render_terminal(d, Console(width=args.width) if args.width else Console(), args.all)
    for path in files:
        print(f"wrote {path}", file=sys.stderr if "-" in (args.json, args.md) else sys.stdout)
    return 0
