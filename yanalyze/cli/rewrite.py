"""`yanalyze rewrite CFG -o OUT.yaml`: apply every applicable equivalence rewrite to the YAML text,
check the result by analysing it, then write it."""
from __future__ import annotations

import argparse
from typing import Sequence

from ..analyzer import diagnostics as D
from ..analyzer import rewrites as rw
from ..analyzer.analyze import analyze_with
from ..analyzer.config import from_text
from ..analyzer.load import load_options, parse
from .options import Parser, add_model_options, inputs_of, load_extensions, model_options
from .output import check_outputs, write_all

EDITABLE = [k for k, r in rw.RULES.items() if r.plan is not None]


def parser() -> argparse.ArgumentParser:
    titles = ", ".join(rw.RULES[k].title for k in EDITABLE)
    p = Parser(prog="yanalyze rewrite", description=f"Write the config with every applicable equivalence rewrite "
               f"({titles}) applied, keeping comments and layout.")
    p.add_argument("cfg", help="model YAML")
    p.add_argument("-o", "--output", required=True, metavar="OUT.yaml", help="where to write the result")
    p.add_argument("--only", choices=EDITABLE, default=None, help="apply one kind of rewrite only")
    add_model_options(p, memory=False)
    return p


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    check_outputs([args.output], inputs_of(args, args.cfg))  # before any work, even when nothing changes
    load_extensions(args)
    opts = model_options(args)
    model = load_options(args.cfg, opts)
    before = analyze_with(model, args.imgsz, opts)
    plans = rw.plans(model, args.only)
    for p in plans:
        if not p.applicable:
            print(f"layer {p.layer}: {p.kind} rewrite not applied: {p.reason}")
    todo = rw.applicable(plans)
    if not todo:
        print(f"nothing to rewrite in {args.cfg}; {args.output} not written")
        return 0
    try:
        text = rw.rewritten_text(model.config, todo)
    except ValueError as exc:
        raise D.REWRITE_CHECK.error(problem=str(exc)).located(args.cfg) from None
    written = parse(from_text(text, args.output, model.name, opts.variant), opts.nc, opts.variant, opts.allow_unknown,
                    dict(opts.definitions))
    after = analyze_with(written, args.imgsz, opts, rewrites=False)  # the text as it will be written
    found = [r for r in before.rewrites if any(p.layer == r.layer for p in todo)]
    problems = rw.check(before.layers, after.layers, found)
    if problems:
        raise D.REWRITE_CHECK.error(problem=problems[0]).located(args.cfg)
    write_all({args.output: text}, inputs_of(args, args.cfg))
    for r in found:
        print(f"layer {r.layer}: {r.before.module} -> {r.yaml_after} ({r.exactness})")
    print(f"wrote {args.output}: same shapes, strides and receptive fields; "
          f"{before.totals.params:,} -> {after.totals.params:,} params, "
          f"{before.totals.gflops:.1f} -> {after.totals.gflops:.1f} GFLOPs")
    return 0
