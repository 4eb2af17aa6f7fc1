"""`yanalyze CFG`: the report of one config in the terminal, and as JSON, Markdown, HTML, DOT or SVG;
`yanalyze CFG...` (several, a directory, a glob): one summary row per config (run_many)."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Optional, Sequence

from ..analyzer.analyze import analyze_with
from ..analyzer.errors import ConfigError
from ..analyzer.load import ModelOptions
from ..analyzer.model import Analysis
from .inputs import Input, expand, source
from .options import Parser, add_model_options, inputs_of, load_extensions, model_options, positive_int, usage_error
from .output import check_outputs, write_all

if TYPE_CHECKING:  # the budget module loads only with --budget, the summary views with several configs
    from ..analyzer.budget import BudgetCheck
    from ..reports.many import Entry


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="yanalyze", description="Static analysis of a YOLOv5 model config: per-layer shapes, strides, "
               "receptive fields, params, GFLOPs and memory, without torch. Several configs (files, a "
               "directory, a glob) give one summary row each.",
               epilog="other commands (each with --help): yanalyze check CFG... [--budget FILE] | "
                      "yanalyze diff A.yaml B.yaml | yanalyze sweep CFG --depth ... --width ... | "
                      "yanalyze rewrite CFG -o OUT.yaml | yanalyze verify CFG [--bench|--crosscheck]")
    p.add_argument("cfgs", nargs="+", metavar="CFG",
                   help="model YAML (e.g. examples/yolov5s.yaml); '-' reads one from stdin; several, a directory "
                        "(its *.yaml and *.yml files, sorted) or a glob (quoted: expanded here, sorted) give the "
                        "summary table, --json an array")
    p.add_argument("--recursive", action="store_true", help="a directory's YAML files below it too")
    p.add_argument("--json", nargs="?", const="-", default=None, metavar="PATH",
                   help="write JSON (schema yanalyze/1) to PATH, or to stdout without PATH")
    p.add_argument("--html", nargs="?", const="", default=None, metavar="PATH",
                   help="write the self-contained HTML report (default: <config name>.html); one config only")
    p.add_argument("--md", nargs="?", const="-", default=None, metavar="PATH",
                   help="write a Markdown summary to PATH, or to stdout without PATH")
    p.add_argument("--dot", default=None, metavar="PATH", help="write the layer graph as Graphviz DOT; one config only")
    p.add_argument("--svg", default=None, metavar="PATH", help="write the layer graph as SVG (needs dot); one config only")
    p.add_argument("--budget", default=None, metavar="BUDGET.yaml",
                   help="show a budget file's limits for this config in every view (its own entry at this "
                        "image size, else the file's defaults); the exit code stays 0 even when one is "
                        "exceeded: use `yanalyze check` to gate")
    p.add_argument("-q", "--quiet", action="store_true", help="no terminal report, only the files asked for")
    p.add_argument("--width", type=positive_int, default=None, help="terminal width for the table")
    add_model_options(p)
    return p


def outputs(args: argparse.Namespace, a: Analysis, budget: Optional["BudgetCheck"]) -> dict[str, str]:
    """Render every file asked for before writing any, so bad input writes nothing."""
    files: dict[str, str] = {}
    if args.json not in (None, "-"):
        from ..reports.json_report import render as render_json
        files[args.json] = render_json(a, budget)
    if args.md not in (None, "-"):
        from ..reports.markdown import render as render_md
        files[args.md] = render_md(a, budget)
    if args.html is not None or args.dot or args.svg:
        from ..reports.graph_dot import render_svg
        graph = render_svg(a)
        if args.dot:
            files[args.dot] = graph.dot
        if args.svg:
            if graph.svg is None:
                raise usage_error(f"--svg needs Graphviz's dot program ({graph.note}); --dot writes the source "
                                  "without it")
            files[args.svg] = graph.svg
        if args.html is not None:
            from ..reports.html import Options, render as render_html
            files[args.html or f"{a.name}.html"] = render_html(a, Options(graph=graph, budget=budget))
    return files


def budget_inputs(budget: Optional["BudgetCheck"]) -> list[str]:
    """The baseline configs a budget file made the report read (no output may replace them)."""
    return sorted({o.baseline for o in budget.outcomes if o.baseline}) if budget else []


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    if args.json == "-" and args.md == "-":
        raise usage_error("--json and --md cannot both go to stdout; give one a PATH")
    given = expand(args.cfgs, args.recursive)
    if given.many:
        return run_many(args, given.items)
    return run_one(args, given.items[0])


def run_one(args: argparse.Namespace, item: Input) -> int:
    """The full report of one config (a file, or stdin)."""
    reads = inputs_of(args, item.path, args.budget)
    check_outputs([args.json, args.md, args.dot, args.svg, args.html], reads)
    load_extensions(args)
    options = model_options(args)
    a = analyze_with(source(item, options), args.imgsz, options)
    budget = None
    if args.budget:
        from ..analyzer.budget import for_report
        budget = for_report(args.budget, a, item.name, args.imgsz, options)
    files = outputs(args, a, budget)
    write_all(files, inputs_of(args, item.path, args.budget, *budget_inputs(budget)))
    if args.json == "-":
        from ..reports.json_report import render as render_json
        sys.stdout.write(render_json(a, budget))
    elif args.md == "-":
        from ..reports.markdown import render as render_md
        sys.stdout.write(render_md(a, budget))
    elif not args.quiet:
        from rich.console import Console

        from ..reports.terminal import render
        render(a, Console(width=args.width) if args.width else Console(), budget)
    stream = sys.stderr if "-" in (args.json, args.md) else sys.stdout
    for path in files:
        print(f"wrote {path}", file=stream)
    return 0


EXIT_BAD_INPUT = 2  # cli.EXIT_BAD_INPUT (importing the package from here would be a circle)
ONE_CONFIG_ONLY = ("--html, --dot and --svg draw one config: run `yanalyze CFG --html` per config, or "
                   "`yanalyze diff A B --html` to compare two")


def run_many(args: argparse.Namespace, items: Sequence[Input]) -> int:
    """One summary row per config; a config that fails is an error row and the exit code 2."""
    if args.html is not None or args.dot or args.svg:
        raise usage_error(ONE_CONFIG_ONLY)
    paths = [i.path for i in items]
    check_outputs([args.json, args.md], inputs_of(args, *paths, args.budget))
    load_extensions(args)
    options = model_options(args)
    entries = [entry(args, item, options) for item in items]
    from ..reports import many

    files = {path: render(entries) for path, render in ((args.json, many.json_array), (args.md, many.markdown))
             if path not in (None, "-")}
    budgets = [b for e in entries for b in budget_inputs(e.budget)]
    write_all(files, inputs_of(args, *paths, args.budget, *budgets))
    shown = args.json != "-" and args.md != "-" and not args.quiet
    if args.json == "-":
        sys.stdout.write(many.json_array(entries))
    elif args.md == "-":
        sys.stdout.write(many.markdown(entries))
    elif shown:
        from rich.console import Console

        many.terminal(entries, Console(width=args.width) if args.width else Console())
    stream = sys.stderr if "-" in (args.json, args.md) else sys.stdout
    for path in files:
        print(f"wrote {path}", file=stream)
    failed = [e.error for e in entries if e.error is not None]
    if not shown:  # the table shows each failure; without it, stderr does
        for exc in failed:
            print(f"yanalyze: {many.error_line(exc)}", file=sys.stderr)
    return EXIT_BAD_INPUT if failed else 0


def entry(args: argparse.Namespace, item: Input, options: ModelOptions) -> "Entry":
    """One config's analysis (and budget), or the one-line error that stopped it: the same line
    `yanalyze CFG` prints for it alone. A bad budget file stops the whole run instead."""
    from ..reports.many import Entry

    try:
        a = analyze_with(source(item, options), args.imgsz, options)
    except ConfigError as exc:
        return Entry(name=item.name, error=exc)
    except RecursionError:
        return Entry(name=item.name, error=ConfigError("config nests too deeply", code="parse/yaml"))
    except (OverflowError, MemoryError) as exc:
        return Entry(name=item.name, error=ConfigError(
            f"a value is too large to compute with ({type(exc).__name__})", code="parse/limit"))
    budget = None
    if args.budget:
        from ..analyzer.budget import for_report
        budget = for_report(args.budget, a, item.name, args.imgsz, options)
    return Entry(name=item.name, analysis=a, budget=budget)
