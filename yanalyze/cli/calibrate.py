"""`yanalyze calibrate [-o PROFILE.json]`: measure this machine's op classes with torch (the
`verify` extra) and write a measured device profile for --device."""
from __future__ import annotations

import argparse
import importlib.util
import sys
from typing import Sequence

from ..analyzer import diagnostics as D
from .options import Parser
from .output import check_writable, write_all
from .progress import Steps

DEFAULT_OUT = "yanalyze-device.json"


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="yanalyze calibrate", description="Time each op class (1x1, kxk, depth-wise, grouped, "
               "dilated and transposed convs, batch norm, activations, element-wise ops, pooling, upsampling, "
               "copies, linear and attention products) over a range of shapes with torch on this machine (batch 1, "
               "fp32, eval, default threads), fit each class's per-call overhead, throughput and bandwidth, "
               "measure memory bandwidth, and write the profile that --device reads. Takes about a minute and a half.")
    p.add_argument("-o", "--output", default=DEFAULT_OUT, metavar="PROFILE.json",
                   help=f"where to write the profile (default {DEFAULT_OUT})")
    p.add_argument("--name", default=None, help="the profile's name (default: this host's CPU)")
    p.add_argument("--quick", action="store_true", help="shorter timings (about 25 s; noisier)")
    return p


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    if importlib.util.find_spec("torch") is None:
        raise D.CALIBRATE_TORCH.error()
    from ..analyzer import devices
    from ..analyzer.serialize import dumps
    from ..verify import calibrate as cal

    check_writable(args.output)  # before a minute and a half of measuring, not after
    budget = 0.02 if args.quick else 0.15
    steps = Steps(cal.plan_length(cal.simd_block()), command="calibrate", title="measuring")
    device, rows = cal.calibrate(args.name, steps.run, budget)
    write_all({args.output: dumps(devices.to_dict(device, rows)) + "\n"}, [])
    print(f"yanalyze calibrate: wrote {args.output}: {device.name}, peak {device.peak_gflops:.1f} GFLOP/s, "
          f"bandwidth {device.bandwidth_gbs:.1f} GB/s, {len(device.classes)} op classes; "
          f"use it with --device {args.output}", file=sys.stderr)
    return 0
