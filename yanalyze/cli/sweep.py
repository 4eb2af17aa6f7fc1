"""`yanalyze sweep CFG`: the config at every combination of depth/width multiples and image
sizes, with the Pareto front of params against GFLOPs (or, with --device, against latency)."""
from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal, InvalidOperation
from typing import Callable, Sequence

from ..analyzer import config as config_mod
from ..analyzer import limits
from ..analyzer.sweep import MAX_POINTS, Combo, Point, Sweep, Sweeper, combinations, evaluate, finished
from .options import Parser, add_model_options, inputs_of, load_extensions, model_options, positive_int, usage_error
from .output import check_outputs, write_all

PROGRESS_AFTER = 2.0  # seconds: a sweep expected to take longer shows a progress bar (on a terminal)


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="yanalyze sweep", description="Analyse a config at every combination of depth and width "
               "multiples and image sizes (as if each pair were written into the YAML) and show the Pareto front "
               "of params against GFLOPs.")
    p.add_argument("cfg", metavar="CFG")
    p.add_argument("--depth", metavar="VALUES", help="depth multiples: a list 0.33,0.67,1.0 or a range "
                   "start:stop:step with the stop included (0.01:1.0:0.01), or both, comma-separated; "
                   "default: the config's own")
    p.add_argument("--width", metavar="VALUES", help="width multiples, written as --depth; default: the config's own")
    p.add_argument("--imgsz", metavar="SIZES", default="640", help="image sizes: N or HxW, comma-separated, or a "
                   "range 320:640:32 (default 640); each rounded up to a multiple of the largest stride")
    p.add_argument("--front", choices=["min", "capacity", "latency"], default="min",
                   help="which Pareto front: 'min' params and GFLOPs both minimised (on a grid of multiples, the "
                        "smallest model and its ties), 'capacity' the most params for the GFLOPs (the upper edge, "
                        "where depth and width trade), or 'latency' the most params for the estimated latency "
                        "(needs --device; the scatter then plots latency)")
    p.add_argument("--json", nargs="?", const="-", metavar="PATH", help="every point as JSON, to stdout or PATH")
    p.add_argument("--html", metavar="PATH", help="interactive scatter of every point with the front")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="where the points are evaluated: this process, or a Dask cluster (pip install "
                        "'yanalyze[dask]')")
    p.add_argument("--scheduler", metavar="ADDRESS", help="with --executor dask: an existing cluster's scheduler, "
                   "e.g. tcp://10.0.0.5:8786 (default: a local cluster of two worker processes)")
    p.add_argument("--chunk", type=positive_int, default=1000, help="points per Dask task (default 1000)")
    add_model_options(p, imgsz="none")
    return p


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise usage_error(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise usage_error(f"{what}: {text!r} is not a finite number")
    return value


def _range(text: str, what: str) -> list[Decimal]:
    """'start:stop:step' with the stop included, exactly: 0.01:1.0:0.01 gives 100 values."""
    parts = text.split(":")
    if len(parts) != 3:
        raise usage_error(f"{what}: a range is start:stop:step, got {text!r}")
    start, stop, step = (_decimal(p.strip(), what) for p in parts)
    if step <= 0:
        raise usage_error(f"{what}: the step of {text!r} must be > 0")
    if stop < start:
        raise usage_error(f"{what}: {text!r} stops before it starts")
    count = int((stop - start) / step) + 1
    if count > MAX_POINTS:
        raise usage_error(f"{what}: {text!r} has {count:,} values; a sweep has at most {MAX_POINTS:,} points")
    return [start + k * step for k in range(count)]


def values(text: str, what: str, top: float) -> list[float]:
    """A comma-separated list of numbers and ranges as floats, each in (0, top]: the float a YAML
    would read from the same decimal, so sweep points equal configs with the value written in."""
    items = [t.strip() for t in text.split(",")]
    if not text.strip() or not all(items):
        raise usage_error(f"{what}: expected numbers or ranges such as 0.33,0.5 or 0.25:1.0:0.25, got {text!r}")
    out: list[Decimal] = []
    for item in items:
        out += _range(item, what) if ":" in item else [_decimal(item, what)]
        if len(out) > MAX_POINTS:
            raise usage_error(f"{what}: more than {MAX_POINTS:,} values")
    for v in out:
        if not 0 < v <= Decimal(str(top)):
            raise usage_error(f"{what}: {v} is outside (0, {top:g}]")
    return [float(v) for v in out]


def sizes(text: str) -> list[tuple[int, int]]:
    """'320,640x384,800:1280:160' -> square sizes, an H x W size and a range of square sizes."""
    out: list[tuple[int, int]] = []
    for item in [t.strip() for t in text.split(",")]:
        h, sep, w = item.partition("x")
        if sep:
            out.append((_side(h, "--imgsz"), _side(w, "--imgsz")))
        elif ":" in item:
            out += [(_side(str(v), "--imgsz"),) * 2 for v in _range(item, "--imgsz")]
        else:
            out.append((_side(item, "--imgsz"),) * 2)
    return out


def _side(text: str, what: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= limits.MAX_IMAGE:
        raise usage_error(f"{what}: an image side is an integer in 1..{limits.MAX_IMAGE:,}, got {text!r}")
    return int(text)


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    check_outputs([args.json, args.html], inputs_of(args, args.cfg))
    if args.scheduler and args.executor != "dask":
        raise usage_error("--scheduler needs --executor dask")
    if args.executor == "dask" and (args.plugin or args.modules or args.repo):
        raise usage_error("--executor dask runs built-in modules only (no --plugin, --modules or --repo)")
    if args.front == "latency" and not args.device:
        raise usage_error("--front latency needs a device: give --device PROFILE.json|NAME")
    load_extensions(args)
    cfg = config_mod.load(args.cfg, args.variant)
    sweeper = Sweeper(cfg, model_options(args))
    depths = values(args.depth, "--depth", limits.MAX_MULTIPLE) if args.depth is not None else [sweeper.base.gd]
    widths = values(args.width, "--width", limits.MAX_MULTIPLE) if args.width is not None else [sweeper.base.gw]
    combos = combinations(depths, widths, sizes(args.imgsz))
    if args.executor == "dask":
        from ..analyzer import sweep_dask

        points = sweep_dask.run(cfg, sweeper.options, combos, args.scheduler, args.chunk, sweeper.device)
    else:
        points = _local(sweeper, combos)
    result = finished(sweeper, points, args.front)
    _write(result, args)
    return 0


def _local(sweeper: Sweeper, combos: list[Combo]) -> list[Point]:
    """Evaluate here, with a progress bar on stderr when it is a terminal and the sweep is long."""
    head = evaluate(sweeper, combos[:200])
    rest = combos[200:]
    if not rest:
        return head
    started = time.process_time()
    tail = evaluate(sweeper, rest[:800])
    per_point = (time.process_time() - started) / max(1, len(rest[:800]))
    rest = rest[800:]
    if not rest or not sys.stderr.isatty() or per_point * len(rest) < PROGRESS_AFTER:
        return head + tail + evaluate(sweeper, rest)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("sweep", total=len(combos), completed=len(head) + len(tail))
        step: Callable[[int], None] = lambda k: bar.update(task, completed=len(head) + len(tail) + k)
        return head + tail + evaluate(sweeper, rest, step)


def _write(result: Sweep, args: argparse.Namespace) -> None:
    from ..reports import sweep_report as R

    files = {}
    if args.json not in (None, "-"):
        files[args.json] = R.to_json(result)
    if args.html:
        files[args.html] = R.html(result, args.cfg)
    write_all(files, inputs_of(args, args.cfg))
    if args.json == "-":
        sys.stdout.write(R.to_json(result))
    else:
        from rich.console import Console

        R.render_terminal(result, Console())
    for path in files:
        print(f"wrote {path}", file=sys.stderr if args.json == "-" else sys.stdout)

