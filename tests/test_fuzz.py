"""Property-based fuzzing of the command line (issue 12): mutated configs and option combinations.

Whatever the input, a run ends with exit 0, 1 or 2; an error is at most one stderr line and no
traceback; JSON output is valid, strict JSON; no file appears beyond those requested; the input
is unchanged. Derandomized, so CI runs the same examples every time.
"""
from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from yanalyze.analyzer import modules
from yanalyze.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEEDS = [yaml.safe_load((EXAMPLES / f"{n}.yaml").read_text())
         for n in ("yolov5s", "yolov5n", "yolov5s-ghost", "yolov5s6", "yolov5s-seg", "yolov5s-v5.0")]
NAMES = sorted(modules.names())[:60] + ["Nope", "nn.Upsample", "Concat", "Detect", "Segment"]

HOSTILE = st.one_of(
    st.sampled_from([0, -1, 1, 2, 3, 10**9, 10**400, 2**63, -2**63, 0.5, 1e308, math.inf, -math.inf,
                     math.nan, True, False, None, "", "nearest", "nc", "na*2", "9**64**64", "[/]x",
                     "\x1b[31m", "\u202e", "a|b`c", "<script>", [], [[]], {"a": 1}, [5, 9, 13],
                     [-1, 6], "nn.SiLU()", "nn.LeakyReLU(0.1)", "__import__('os')"]),
    st.integers(-5, 2048), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
)


def leaves(v: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every value in the config (dicts by key, lists by index)."""
    out = [path]
    if isinstance(v, dict):
        for k, x in v.items():
            out += leaves(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += leaves(x, path + (i,))
    return out


def put(v: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(v, dict):
        return {**v, head: put(v[head], rest, new)}
    return [put(x, rest, new) if i == head else x for i, x in enumerate(v)]


@st.composite
def configs(draw: st.DrawFn) -> dict:
    cfg = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["value", "module", "drop", "dup"]))
        if not (isinstance(cfg.get("backbone"), list) and isinstance(cfg.get("head"), list)
                and all(isinstance(r, list) and len(r) == 4 for r in cfg["backbone"] + cfg["head"])):
            kind = "value"  # an earlier mutation broke the rows: only values from here on
        rows = cfg["backbone"] + cfg["head"] if kind != "value" else []
        if kind == "value":
            paths = leaves(cfg)[1:]  # never the whole document
            cfg = put(cfg, paths[draw(st.integers(0, len(paths) - 1))], draw(HOSTILE))
        elif kind == "module":
            i = draw(st.integers(0, len(rows) - 1))
            section = "backbone" if i < len(cfg["backbone"]) else "head"
            j = i if section == "backbone" else i - len(cfg["backbone"])
            cfg = put(cfg, (section, j, 2), draw(st.sampled_from(NAMES)))
        elif kind in ("drop", "dup") and len(cfg["head"]) > 1:
            j = draw(st.integers(0, len(cfg["head"]) - 2))
            head = list(cfg["head"])
            if kind == "drop":
                del head[j]
            else:
                head.insert(j, head[j])
            cfg = {**cfg, "head": head}
    return cfg


OPTIONS = st.lists(st.sampled_from([
    ["--allow-unknown"], ["--imgsz", "320"], ["--imgsz", "641,97"], ["--imgsz", "0"], ["--batch", "8"],
    ["--dtype", "fp16"], ["--nc", "3"], ["--gflops-as", "v7.0"], ["--define", "CBAM=x"], ["--width", "60"],
]), max_size=3)


def _strict_json(text: str) -> Any:
    def refuse(c: str) -> Any:
        raise ValueError(f"not JSON: {c}")
    return json.loads(text, parse_constant=refuse)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(cfg=configs(), options=OPTIONS, outputs=st.sets(st.sampled_from(["json", "md", "html"]), max_size=2))
def test_any_mutated_config_ends_cleanly(capsys, cfg, options, outputs):
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "m.yaml"
        text = yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False)
        src.write_text(text, encoding="utf-8")
        wanted = {f"out.{kind}" for kind in outputs}
        argv = [str(src), *[a for o in options for a in o], *[a for k in sorted(outputs) for a in
                                                              (f"--{k}", str(Path(d) / f"out.{k}"))]]
        code = main(argv)
        err = capsys.readouterr().err
        assert code in (0, 1, 2), argv
        assert "Traceback" not in err
        if code == 2:
            assert err.count("\n") == 1 and err.startswith("yanalyze: error["), err
        present = {p.name for p in Path(d).iterdir()} - {"m.yaml"}
        assert present == (wanted if code == 0 else set()), (argv, err)
        assert src.read_text(encoding="utf-8") == text
        if code == 0 and "json" in outputs:
            _strict_json((Path(d) / "out.json").read_text(encoding="utf-8"))
