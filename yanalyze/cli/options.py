"""What every subcommand shares: the parser that fails in one line, and the model options
(--imgsz, --nc, --variant, --plugin, --modules, --repo, --allow-unknown, and --batch/--dtype
where memory is reported) with one meaning everywhere."""
from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from typing import Optional

from ..analyzer import diagnostics as D
from ..analyzer import limits
from ..analyzer.errors import ConfigError, short
from ..analyzer.devices import DATASHEETS
from ..analyzer.load import ModelOptions
from ..analyzer.model import DTYPE_BYTES

DEVICE_NAMES = ", ".join(sorted(DATASHEETS))
IMGSZ_HELP = ("input size: N or H,W such as 640,384 (default 640); rounded up to a multiple of the model's "
              "largest stride, as YOLOv5 does, with a warning")


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise D.USAGE.error(detail=f"{message} (see '{self.prog} --help')")


def parse_imgsz(text: str) -> tuple[int, int]:
    """'640' -> (640, 640); '640,384' or '640x384' -> (640, 384) as H, W."""
    m = re.fullmatch(r"\s*([0-9]+)\s*(?:(?:,|x| )\s*([0-9]+)\s*)?", text)  # no dangling separator: '12x'
    parts = [p for p in m.groups() if p is not None] if m else []
    if not parts or not all(int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"image size must be N or H,W with positive integers, got {short(text)}")
    if any(len(p) > 6 or int(p) > limits.MAX_IMAGE for p in parts):
        raise argparse.ArgumentTypeError(f"image side at most {limits.MAX_IMAGE:,} pixels, got {short(text)}")
    vals = [int(p) for p in parts]
    return (vals[0], vals[-1])


def positive_int(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 7 or not 0 < int(text) <= 1_000_000:
        raise argparse.ArgumentTypeError(f"expected a positive integer up to 1,000,000, got {short(text)}")
    return int(text)


def add_model_options(p: argparse.ArgumentParser, imgsz: str = "one", memory: bool = True) -> None:
    """The shared group. imgsz: 'one' size, 'many' (repeatable), or 'none'; memory: --batch, --dtype."""
    g = p.add_argument_group("model options (the same in every subcommand)")
    if imgsz == "many":
        g.add_argument("--imgsz", type=parse_imgsz, action="append", metavar="N|H,W",
                       help=IMGSZ_HELP + "; repeatable")
    elif imgsz == "one":
        g.add_argument("--imgsz", type=parse_imgsz, default=(640, 640), metavar="N|H,W", help=IMGSZ_HELP)
    if memory:
        g.add_argument("--batch", type=positive_int, default=1, help="batch size; scales activation memory")
        g.add_argument("--dtype", choices=list(DTYPE_BYTES), default="fp32", help="element type for memory")
        g.add_argument("--gflops-as", choices=["current", "v7.0"], default=None,
                       help="GFLOPs as current YOLOv5 prints them (thop's count at the image size; the default) or "
                            "as v7.0 did (a stride-sized probe scaled by the pixel ratio); with --repo the default "
                            "is how the fork prints them")
    g.add_argument("--nc", type=positive_int, default=None, help="override the number of classes")
    g.add_argument("--variant", default=None, help="pick backbone_<V>/head_<V> when the config has variant sections")
    g.add_argument("--plugin", action="append", default=[], metavar="FILE",
                   help="Python file whose @yanalyze.register cost models add modules (repeatable)")
    g.add_argument("--modules", action="append", default=[], metavar="FILE",
                   help="your torch module file: its classes are measured in torch on the meta device, and win over "
                        "built-ins of the same name (imports and runs FILE; needs torch)")
    g.add_argument("--repo", default=None, metavar="DIR",
                   help="root of a YOLOv5 fork: its own models/*.py define every module and its parse_model the "
                        "channel rules (imports and runs the fork's code in a separate process that may not "
                        "install or connect; needs torch)")
    g.add_argument("--allow-unknown", action="store_true",
                   help="pass unknown modules through uncounted (marked; totals say they are partial)")
    g.add_argument("--device", default=None, metavar="PROFILE.json|NAME",
                   help="estimate each layer's latency and give design advice on a device: a profile "
                        "`yanalyze calibrate` wrote, or a shipped datasheet roofline (" + DEVICE_NAMES + ")")
    g.add_argument("--define", action="append", default=[], metavar="MODULE=NAME", type=definition,
                   help="which published definition a module name means where it has several, e.g. "
                        "SELayer=mobilenetv3 (repeatable; a config may say it in 'definitions:')")


def definition(text: str) -> tuple[str, str]:
    """'SELayer=mobilenetv3' -> ('SELayer', 'mobilenetv3')."""
    name, sep, variant = text.partition("=")
    if not sep or not name.strip() or not variant.strip():
        raise argparse.ArgumentTypeError(f"expected MODULE=NAME such as SELayer=mobilenetv3, got {text!r}")
    return name.strip(), variant.strip()


def model_options(args: argparse.Namespace) -> ModelOptions:
    return ModelOptions(nc=args.nc, variant=args.variant, allow_unknown=args.allow_unknown,
                        batch=getattr(args, "batch", 1), dtype=getattr(args, "dtype", "fp32"),
                        definitions=tuple(args.define), gflops_as=getattr(args, "gflops_as", None),
                        repo=args.repo, device=args.device)


def load_extensions(args: argparse.Namespace) -> None:
    """Plugins, the user's torch module files and a fork (which run their code: said on stderr first)."""
    from ..analyzer import extensions

    if args.repo:
        from ..verify import fork

        fork.check_root(args.repo)
        print(f"yanalyze: warning: --repo {args.repo}: importing the fork runs its code (in a separate process "
              "that may not install, run commands or connect)", file=sys.stderr)
        for line in fork.report_import(fork.activate(args.repo, owner="cli")):
            print(line, file=sys.stderr)
    for path in args.plugin:
        extensions.load_plugin(path)
    for path in args.modules:
        if importlib.util.find_spec("torch") is None:
            raise D.MODULES_TORCH.error()
        print(f"yanalyze: warning: importing {path} runs its code", file=sys.stderr)
        from ..verify.traced import load_modules

        load_modules(path)


def inputs_of(args: argparse.Namespace, *paths: Optional[str]) -> list[str]:
    """Every file a command reads, so that no output may replace one."""
    return [p for p in (*paths, *args.plugin, *args.modules) if p]


def usage_error(detail: str) -> ConfigError:
    return D.USAGE.error(detail=detail)
