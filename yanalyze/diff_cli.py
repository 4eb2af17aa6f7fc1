"""`yanalyze diff A.yaml B.yaml`: what changed between two architectures, layer by layer."""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from rich.console import Console

from .analyzer.analyze import analyze
from .analyzer.diff import diff


def parser(base: type, imgsz: Callable) -> argparse.ArgumentParser:
    p = base(prog="yanalyze diff", description="Compare two model configs layer by layer: module, "
             "argument, shape, stride and receptive-field changes, params/GFLOPs/memory deltas.")
    p.add_argument("a", metavar="A.yaml")
    p.add_argument("b", metavar="B.yaml")
    p.add_argument("--imgsz", type=imgsz, default=(640, 640), metavar="N|H,W", help="input size (default 640)")
    p.add_argument("--all", action="store_true", help="also list unchanged and only-affected layers")
    p.add_argument("--json", nargs="?", const="-", metavar="PATH", help="JSON to stdout or PATH")
    p.add_argument("--md", nargs="?", const="-", metavar="PATH", help="Markdown to stdout or PATH")
    p.add_argument("--html", metavar="PATH", help="side-by-side HTML page with both graphs")
    return p


def run(argv: Sequence[str], base: type, imgsz: Callable, write: Callable[[str, str], None]) -> int:
    args = parser(base, imgsz).parse_args(argv)
    d = diff(analyze(args.a, imgsz=args.imgsz), analyze(args.b, imgsz=args.imgsz))
    from .reports import diff_report as R

    files = {}
    if args.json not in (None, "-"):
        files[args.json] = R.to_json(d)
    if args.md not in (None, "-"):
        files[args.md] = R.markdown(d, args.all)
    if args.html:
        from .reports.diff_html import render
        files[args.html] = render(d)
    for path, text in files.items():
        write(path, text)
    if args.json == "-":
        sys.stdout.write(R.to_json(d))
    elif args.md == "-":
        sys.stdout.write(R.markdown(d, args.all))
    else:
        R.render_terminal(d, Console(), args.all)
    for path in files:
        print(f"wrote {path}", file=sys.stderr if "-" in (args.json, args.md) else sys.stdout)
    return 0
