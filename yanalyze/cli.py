"""Command line: argument parsing, I/O and exit codes only (0 ok, 2 bad input)."""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from .analyzer.analyze import analyze
from .analyzer.errors import ConfigError
from .analyzer.model import DTYPE_BYTES, Analysis

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 2, 70


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{message} (see '{self.prog} --help')", code="usage")


def parse_imgsz(text: str) -> tuple[int, int]:
    """'640' -> (640, 640); '640,384' or '640x384' -> (640, 384) as H, W."""
    parts = [p for p in re.split(r"[,x ]+", text.strip()) if p]
    if not 1 <= len(parts) <= 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"image size must be N or H,W with positive integers, got {text!r}")
    vals = [int(p) for p in parts]
    return (vals[0], vals[-1])


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="yanalyze", description="Static analysis of a YOLOv5 model config: per-layer "
                "shapes, strides, receptive fields, params, GFLOPs and memory, without torch.",
                epilog="other commands (each with --help): yanalyze rewrite CFG -o OUT.yaml | "
                       "yanalyze verify CFG [--bench|--crosscheck] | yanalyze check CFG... --budget FILE | "
                       "yanalyze diff A.yaml B.yaml")
    p.add_argument("cfg", help="model YAML (e.g. examples/yolov5s.yaml)")
    p.add_argument("--imgsz", type=parse_imgsz, default=(640, 640), metavar="N|H,W",
                   help="input size, 640 or H,W such as 640,384 (default 640)")
    p.add_argument("--batch", type=positive_int, default=1, help="batch size; scales activation memory")
    p.add_argument("--dtype", choices=list(DTYPE_BYTES), default="fp32", help="element type for memory")
    p.add_argument("--nc", type=positive_int, default=None, help="override the number of classes")
    p.add_argument("--variant", default=None,
                   help="pick backbone_<V>/head_<V> when the config has variant sections")
    p.add_argument("--json", nargs="?", const="-", default=None, metavar="PATH",
                   help="write JSON (schema yanalyze/1) to PATH, or to stdout without PATH")
    p.add_argument("--html", nargs="?", const="", default=None, metavar="PATH",
                   help="write the self-contained HTML report (default: <config name>.html)")
    p.add_argument("--md", nargs="?", const="-", default=None, metavar="PATH",
                   help="write a Markdown summary to PATH, or to stdout without PATH")
    p.add_argument("--dot", default=None, metavar="PATH", help="write the layer graph as Graphviz DOT")
    p.add_argument("--svg", default=None, metavar="PATH", help="write the layer graph as SVG (needs dot)")
    p.add_argument("-q", "--quiet", action="store_true", help="no terminal report, only the files asked for")
    p.add_argument("--width", type=positive_int, default=None, help="terminal width for the table")
    add_module_args(p)
    return p


def add_module_args(p: argparse.ArgumentParser) -> None:
    """The three ways to teach yanalyze a module, and the last resort."""
    p.add_argument("--plugin", action="append", default=[], metavar="FILE",
                   help="Python file whose @yanalyze.register cost models add modules (repeatable)")
    p.add_argument("--modules", action="append", default=[], metavar="FILE",
                   help="your torch module file: classes the registry does not know are measured in torch "
                        "on the meta device (imports and runs FILE; needs torch)")
    p.add_argument("--allow-unknown", action="store_true",
                   help="pass unknown modules through uncounted (marked; totals say they are partial)")


def load_modules(args: argparse.Namespace) -> None:
    from .analyzer import extensions

    for path in args.plugin:
        extensions.load_plugin(path)
    for path in args.modules:
        if importlib.util.find_spec("torch") is None:
            raise ConfigError("--modules measures classes in torch; install it: pip install 'yanalyze[verify]'",
                              code="modules/torch")
        print(f"yanalyze: warning: importing {path} runs its code", file=sys.stderr)
        extensions.load_modules(path)


def write_atomic(path: str, text: str) -> None:
    """Write through a temporary file and rename, so a failure leaves nothing half-written."""
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"{path}: is a directory", code="output")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary open() would create it
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def outputs(args: argparse.Namespace, a: Analysis) -> dict[str, str]:
    """Render every file asked for before writing any, so bad input writes nothing."""
    files: dict[str, str] = {}
    if args.json not in (None, "-"):
        from .reports.json_report import render as render_json
        files[args.json] = render_json(a)
    if args.md not in (None, "-"):
        from .reports.markdown import render as render_md
        files[args.md] = render_md(a)
    if args.html is not None or args.dot or args.svg:
        from .reports.graph_dot import render_svg
        graph = render_svg(a)
        if args.dot:
            files[args.dot] = graph.dot
        if args.svg:
            if graph.svg is None:
                raise ConfigError(f"--svg needs Graphviz's dot program ({graph.note}); --dot writes the "
                                  "source without it", code="output")
            files[args.svg] = graph.svg
        if args.html is not None:
            from .reports.html import Options, render as render_html
            files[args.html or f"{a.name}.html"] = render_html(a, Options(graph=graph))
    return files


def run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.json == "-" and args.md == "-":
        raise ConfigError("--json and --md cannot both go to stdout; give one a PATH", code="usage")
    load_modules(args)
    a = analyze(args.cfg, imgsz=args.imgsz, batch=args.batch, dtype=args.dtype, nc=args.nc,
                variant=args.variant, allow_unknown=args.allow_unknown)
    files = outputs(args, a)
    for path, text in files.items():
        write_atomic(path, text)
    if args.json == "-":
        from .reports.json_report import render as render_json
        sys.stdout.write(render_json(a))
    elif args.md == "-":
        from .reports.markdown import render as render_md
        sys.stdout.write(render_md(a))
    elif not args.quiet:
        from rich.console import Console

        from .reports.terminal import render
        render(a, Console(width=args.width) if args.width else Console())
    stream = sys.stderr if args.json == "-" or args.md == "-" else sys.stdout
    for path in files:
        print(f"wrote {path}", file=stream)
    return EXIT_OK


def rewrite_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="yanalyze rewrite", description="Write the config with every applicable "
                "equivalence rewrite (Focus -> Conv, SPP -> SPPF) applied, keeping comments and layout.")
    p.add_argument("cfg", help="model YAML")
    p.add_argument("-o", "--output", required=True, metavar="OUT.yaml", help="where to write the result")
    p.add_argument("--only", choices=["focus", "spp"], default=None, help="apply one kind of rewrite only")
    p.add_argument("--variant", default=None, help="pick backbone_<V>/head_<V>")
    p.add_argument("--imgsz", type=parse_imgsz, default=(640, 640), metavar="N|H,W",
                   help="size at which the result is checked (default 640)")
    return p


def run_rewrite(argv: Sequence[str]) -> int:
    """Apply the rewrites, check the result by analysing it, then write it."""
    from .analyzer import config as config_mod
    from .analyzer import rewrites as rw
    from .analyzer.layers import resolve_rows, settings

    args = rewrite_parser().parse_args(argv)
    before = analyze(args.cfg, imgsz=args.imgsz, variant=args.variant)
    cfg = config_mod.load(args.cfg, args.variant)
    plans = rw.plans(cfg, resolve_rows(cfg, settings(cfg)), args.only)
    for p in plans:
        if not rw.applicable([p]):
            print(f"layer {p.layer}: {p.kind} rewrite not applied: {p.reason}")
    if not rw.applicable(plans):
        print(f"nothing to rewrite in {args.cfg}; {args.output} not written")
        return EXIT_OK
    text = rw.rewritten_text(cfg, plans)
    target = Path(args.output)
    fd, tmp = tempfile.mkstemp(suffix=".yaml", dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        after = analyze(tmp, imgsz=args.imgsz, rewrites=False, variant=args.variant)
    finally:
        os.unlink(tmp)
    found = [r for r in before.rewrites if any(p.layer == r.layer for p in rw.applicable(plans))]
    problems = rw.check(before.layers, after.layers, found)
    if problems:
        raise ConfigError(f"the rewritten config does not check out: {problems[0]}", code="rewrite/check")
    write_atomic(args.output, text)
    for r in found:
        print(f"layer {r.layer}: {r.before.module} -> {r.yaml_after} ({r.exactness})")
    print(f"wrote {args.output}: same shapes, strides and receptive fields; "
          f"{before.totals.params:,} -> {after.totals.params:,} params, "
          f"{before.totals.gflops:.1f} -> {after.totals.gflops:.1f} GFLOPs")
    return EXIT_OK


def run_verify(argv: Sequence[str]) -> int:
    from . import verify_cli

    return verify_cli.run(argv, _Parser)


def run_check(argv: Sequence[str]) -> int:
    from . import check_cli

    return check_cli.run(argv, _Parser, parse_imgsz, write_atomic)


def run_diff(argv: Sequence[str]) -> int:
    from . import diff_cli

    return diff_cli.run(argv, _Parser, parse_imgsz, write_atomic)


SUBCOMMANDS = {"rewrite": run_rewrite, "verify": run_verify, "check": run_check, "diff": run_diff}


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: returns the exit code; bad input is one line on stderr and code 2."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return SUBCOMMANDS[argv[0]](argv[1:])
        return run(argv)
    except ConfigError as exc:
        print(f"yanalyze: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"yanalyze: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except RecursionError:
        print("yanalyze: error: config nests too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
