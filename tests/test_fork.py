"""--repo DIR: a fork's own definitions and channel rules, its code run only in a sandboxed
process. Checked on a synthetic fork written here (fork_toy.py): the numbers equal a direct
torch build of the fork's own Model, the fork's C3 wins over the built-in, installs and
processes are blocked, missing packages stubbed, a hanging fork times out in one line."""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import time
import types
from copy import deepcopy
from pathlib import Path

import pytest
import thop
import torch

import yanalyze
from fork_toy import HANG, write_fork
from yanalyze.analyzer.errors import ConfigError
from yanalyze.verify import fork as fork_api
from yanalyze.verify.fork import open_fork, source


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """(fork root, the file its code tries to create through a subprocess)."""
    base = tmp_path_factory.mktemp("forks")
    marker = base / "the-subprocess-ran"
    return write_fork(base / "toyfork", marker), marker


@pytest.fixture(scope="module")
def fork_model(toy):
    """The toy fork's own models.yolo, imported in this process with cv2 faked and os.system and
    subprocess.run disabled (the oracle: what the fork's code builds)."""
    root, _ = toy
    saved = os.system, subprocess.run, dict(sys.modules), list(sys.path)
    os.system = lambda cmd: 1  # type: ignore[assignment]

    def no_run(*a, **k):
        raise OSError("disabled in the test")
    subprocess.run = no_run  # type: ignore[assignment]
    sys.modules["cv2"] = types.ModuleType("cv2")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("models.yolo")
    finally:
        os.system, subprocess.run = saved[0], saved[1]  # type: ignore[assignment]
        for name in set(sys.modules) - set(saved[2]):
            del sys.modules[name]
        sys.path[:] = saved[3]


@pytest.fixture
def session(toy):
    """The toy fork, started once for the tests that share it (a test may stop it; then it restarts)."""
    return fork_api.activate(str(toy[0]))


@pytest.fixture(scope="module", autouse=True)
def stop_the_fork():
    yield
    fork_api.deactivate()


def torch_numbers(model, size: int) -> tuple[list[int], list[list[list[int]]]]:
    """Per-layer params and output shapes of the fork's model at size x size (eval mode; a head
    level (1, na, h, w, no) as na*no x h x w)."""
    outs = {}
    hooks = [m.register_forward_hook(lambda mod, i, o, k=k: outs.__setitem__(k, o)) for k, m in enumerate(model.model)]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, size, size))
    for h in hooks:
        h.remove()
    shapes = []
    for k in range(len(model.model)):
        o = outs[k]
        if isinstance(o, tuple):  # the head: (decoded boxes, per-level maps)
            shapes.append([[t.shape[1] * t.shape[4], t.shape[2], t.shape[3]] for t in o[1]])
        else:
            shapes.append([list(o.shape[1:])])
    return [m.np for m in model.model], shapes


def test_numbers_equal_the_forks_own_model(toy, fork_model, session):
    cfg = toy[0] / "models" / "toy.yaml"
    a = yanalyze.analyze(cfg, imgsz=320)
    model = fork_model.Model(str(cfg))
    params, shapes = torch_numbers(model, 320)
    assert [r.params for r in a.layers] == params
    assert [[o.shape.as_list() for o in r.outputs] for r in a.layers] == shapes
    assert [lv.output.stride[0] for lv in a.levels] == model.stride.tolist() == [8, 16]
    s = 32  # max(largest stride, 32), scaled to the image size, as YOLOv5 prints
    ops = thop.profile(deepcopy(model).train(), inputs=(torch.zeros(1, 3, s, s),), verbose=False)[0]
    assert a.totals.gflops == pytest.approx(2 * ops / 1e9 * (320 / s) ** 2, rel=1e-12)
    assert a.to_dict()["conventions"] == {"gflops": "v7.0"}  # as the fork's model_info prints them
    full = thop.profile(deepcopy(model).train(), inputs=(torch.zeros(1, 3, 320, 320),), verbose=False, stride=s)[0]
    assert yanalyze.analyze(cfg, imgsz=320, gflops_as="current").totals.gflops == pytest.approx(2 * full / 1e9,
                                                                                               rel=1e-12)
    fused = deepcopy(model).fuse()
    assert a.totals.params_fused == sum(p.numel() for p in fused.parameters())
    assert {r.origin for r in a.layers} == {"fork:toyfork"}
    assert a.layers[5].out.global_context and not a.layers[4].out.global_context  # Gate's mean; Twin's 3x3
    assert a.layers[4].out.rf == (a.layers[3].out.rf[0] + 2 * 8,) * 2


def test_the_forks_c3_wins_over_the_builtin(toy, fork_model, session):
    cfg = toy[0] / "models" / "c3.yaml"
    mine = yanalyze.analyze(cfg, imgsz=64).layers[1]
    assert mine.module == "C3" and mine.origin == "fork:toyfork"
    assert mine.params == fork_model.Model(str(cfg)).model[1].np == (16 * 8 * 9 + 16) + (8 * 8 + 16 + 8 * 8 * 9 + 16) \
        + (24 * 16 + 32)


def test_builtins_come_back_after_the_fork(toy):
    cfg = toy[0] / "models" / "c3.yaml"
    fork_api.deactivate()
    with open_fork(str(toy[0])):
        forked = yanalyze.analyze(cfg, imgsz=64).layers[1]
    builtin = yanalyze.analyze(cfg, imgsz=64).layers[1]
    assert (builtin.origin, forked.origin) == ("built-in", "fork:toyfork")
    assert builtin.params != forked.params


def test_a_rule_that_cannot_be_read_is_a_stated_assumption(toy, fork_model, session):
    cfg = toy[0] / "models" / "odd.yaml"
    a = yanalyze.analyze(cfg, imgsz=64)
    [d] = [d for d in a.diagnostics if d.code == "fork/rule"]
    assert d.layer == 1 and "call of width()" in d.message and "models/yolo.py line" in d.message
    assert "assumed YOLOv5's conv rule" in d.message
    assert [r.params for r in a.layers] == [m.np for m in fork_model.Model(str(cfg)).model]


def test_the_cli_says_it_runs_the_fork_and_blocks_installs(toy, run_cli):
    root, marker = toy
    code, out, err = run_cli(root / "models" / "toy.yaml", "--repo", root, "--json")
    assert code == 0, err
    assert "importing the fork runs its code" in err
    assert "warning[fork/blocked]" in err and "pip install --no-index yanalyze-fork-test-absent-package" in err
    assert "subprocess" in err and not marker.exists()  # the subprocess never ran
    assert "stubbed for the fork: cv2" in err
    assert importlib.util.find_spec("yanalyze_fork_test_absent_package") is None
    layers = json.loads(out)["layers"]
    assert layers[2]["origin"] == "fork:toyfork" and layers[2]["module"] == "C3"


def test_every_subcommand_takes_repo(toy, run_cli, tmp_path):
    root = toy[0]
    cfg = root / "models" / "toy.yaml"
    code, out, err = run_cli("check", cfg, "--repo", root, "--max-params", "10M", "--json")
    assert code == 0, err
    code, out, err = run_cli("diff", cfg, root / "models" / "toy.yaml", "--repo", root, "--json")
    assert code == 0, err
    code, out, err = run_cli("rewrite", cfg, "-o", tmp_path / "out.yaml", "--repo", root)
    assert code == 0 and "nothing to rewrite" in out, err
    code, out, err = run_cli("verify", cfg, "--crosscheck", "--repo", root, "--imgsz", "320")
    assert code == 0 and "12 of 12 layers match" in out, err  # against the fork's own Model


def test_unknown_name_inside_a_fork_suggests_repo(toy):
    root = toy[0]
    fork_api.deactivate()
    with pytest.raises(ConfigError) as e:
        yanalyze.analyze(root / "models" / "toy.yaml")
    assert e.value.code == "parse/unknown-module" and "'Twin'" in e.value.message
    assert f"--repo {root}" in e.value.message


def test_the_parse_model_source_is_read(toy):
    prog = source.read(toy[0])
    assert prog.problem is None and prog.resets_ch and prog.heads == ("Detect",)
    assert {"Conv", "C3", "Twin", "Odd", "nn.BatchNorm2d", "make_divisible"} <= prog.names


def test_a_hanging_fork_times_out_in_one_line(tmp_path, run_cli, monkeypatch):
    root = write_fork(tmp_path / "hangs", tmp_path / "marker", common=HANG)
    monkeypatch.setenv("YANALYZE_FORK_TIMEOUT", "3")
    start = time.monotonic()
    code, out, err = run_cli(root / "models" / "toy.yaml", "--repo", root)
    assert code == 2 and time.monotonic() - start < 60
    last = err.strip().splitlines()[-1]
    assert last.startswith("yanalyze: error[fork/timeout]: ") and "within 3 s" in last
    assert "Traceback" not in err


def test_a_fork_that_fails_to_import_is_one_line(tmp_path, run_cli):
    root = write_fork(tmp_path / "broken", tmp_path / "marker", common="import torch\nraise ValueError('no')\n")
    code, out, err = run_cli(root / "models" / "toy.yaml", "--repo", root)
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].endswith("importing the fork failed: models/common.py:2: ValueError: no")


def test_not_a_fork(tmp_path, run_cli):
    code, out, err = run_cli(Path(__file__).parent / "configs" / "yolov5s.yaml", "--repo", tmp_path)
    assert code == 2 and "error[fork/missing]" in err and "no models/yolo.py" in err


# -- parse_model read from source, without any process: the rows as the fork's loop sees them

V4_STYLE = '''
def parse_model(d, ch):
    anchors, nc, gd, gw = d['anchors'], d['nc'], d['depth_multiple'], d['width_multiple']
    na = (len(anchors[0]) // 2) if isinstance(anchors, list) else anchors
    no = na * (nc + 5)
    layers, save, c2 = [], [], ch[-1]
    for i, (f, n, m, args) in enumerate(d['backbone'] + d['head']):
        m = eval(m) if isinstance(m, str) else m
        for j, a in enumerate(args):
            with contextlib.suppress(NameError):
                args[j] = eval(a) if isinstance(a, str) else a
        n = max(round(n * gd), 1) if n > 1 else n
        if m in [Conv, C3]:
            c1, c2 = ch[f], args[0]
            c2 = make_divisible(c2 * gw, 8) if c2 != no else c2
            args = [c1, c2, *args[1:]]
            if m in [C3]:
                args.insert(2, n)
                n = 1
        elif m is Concat:
            c2 = sum([ch[-1 if x == -1 else x + 1] for x in f])
        elif m is Detect:
            args.append([ch[x + 1] for x in f])
        elif m in {ReOrg, SpaceToDepth}:
            c2 = ch[f] * 4
        elif m is Attn:
            c2 = ch[f]
            args = [c2, *args]
        elif m is Stage:
            c2 = args[0]
            args = args[1:]
        else:
            c2 = ch[f]
        m_ = nn.Sequential(*[m(*args) for _ in range(n)]) if n > 1 else m(*args)
        ch.append(c2)
    return nn.Sequential(*layers), sorted(save)
'''


@pytest.fixture(scope="module")
def v4_reader(tmp_path_factory):
    from yanalyze.verify.fork import rules
    from yanalyze.verify.fork.interp import Ref

    root = tmp_path_factory.mktemp("v4")
    (root / "models").mkdir()
    (root / "models" / "yolo.py").write_text(V4_STYLE)
    prog = source.read(root)
    refs = {n: Ref("class", n, n) for n in ("Conv", "C3", "Concat", "Detect", "ReOrg", "SpaceToDepth", "Attn", "Stage",
                                            "nn.Sequential")}
    refs.update(make_divisible=Ref("function", "md", "utils.general.make_divisible"),
                contextlib=Ref("module", "cl", "contextlib"))
    data = {"nc": 2, "depth_multiple": 0.33, "width_multiple": 0.5, "anchors": [[1, 2, 3, 4]] * 2}
    return prog, rules.Reader(prog, refs, data)


@pytest.mark.parametrize("module, frm, number, args, seen, expect", [
    # conv rule: c1 from the input, 64 * 0.5 -> 32; C3 also takes n = round(3 * 0.33) = 1
    ("Conv", -1, 1, [64, 3, 2], (3, 16), ([16, 32, 3, 2], 32, 1)),
    ("C3", -1, 9, [64], (3, 16), ([16, 32, 3], 32, 1)),
    # v4 channel list: not restarted after layer 0, absolute indices shifted by one
    ("Concat", [-1, 0], 1, [1], (3, 16, 8), ([1], 24, 1)),
    ("Detect", [1, 2], 1, [2, [[1, 2, 3, 4]] * 2], (3, 16, 8, 4), ([2, [[1, 2, 3, 4]] * 2, [8, 4]], 4, 1)),
    ("SpaceToDepth", -1, 1, [], (3, 16), ([], 64, 1)),
    ("Attn", -1, 1, [4], (3, 16), ([16, 4], 16, 1)),
    ("Stage", -1, 1, [96, 2], (3, 16), ([2], 96, 1)),
    ("Other", -1, 1, ["nearest"], (3, 16), (["nearest"], 16, 1)),  # else branch; eval of 'nearest' suppressed
])
def test_branches_are_followed_as_written(v4_reader, module, frm, number, args, seen, expect):
    from yanalyze.analyzer.channels import RuleContext
    from yanalyze.analyzer.config import Row
    from yanalyze.verify.fork.interp import Ref

    prog, reader = v4_reader
    assert not prog.resets_ch
    reader.refs.setdefault(module, Ref("class", module, module))
    row = Row(index=len(seen) - 1, section="backbone", src_from=frm, number=number, module=module, args=args, line=1)
    ctx = RuleContext(gw=0.5, gd=0.33, divisor=8, n=1, no=14, nc=2, row=row, ch=seen)
    assert reader.row(list(args), ctx) == expect


def test_a_fork_without_model_info_gets_current_yolov5_count(tmp_path, fork_model):
    root = write_fork(tmp_path / "bare", tmp_path / "marker", model_info=False)
    cfg = root / "models" / "toy.yaml"
    with open_fork(str(root)):
        a = yanalyze.analyze(cfg, imgsz=320)
    model = fork_model.Model(str(cfg))  # the same code as the shared toy's
    full = thop.profile(deepcopy(model).train(), inputs=(torch.zeros(1, 3, 320, 320),), verbose=False, stride=32)[0]
    assert a.to_dict()["conventions"] == {"gflops": "current"}
    assert a.totals.gflops == pytest.approx(2 * full / 1e9, rel=1e-12)


def test_an_activation_written_in_args_reaches_the_forks_class(toy, fork_model, session):
    """`nn.ReLU(inplace=True)` in a row's args travels to the fork's process as its text and is
    built there (from literal arguments only), as the fork's own parse_model would."""
    cfg = toy[0] / "models" / "act.yaml"
    cfg.write_text(CONFIG_WITH_ACT)
    a = yanalyze.analyze(cfg, imgsz=64)
    model = fork_model.Model(str(cfg))
    assert [r.params for r in a.layers] == [m.np for m in model.model]
    assert a.layers[0].origin == "fork:toyfork" and a.layers[0].args[-1].name == "ReLU"


CONFIG_WITH_ACT = """nc: 2
depth_multiple: 1.0
width_multiple: 1.0
anchors: [[10, 13, 16, 30, 33, 23]]
backbone:
  - [-1, 1, Conv, [8, 3, 2, None, 1, nn.ReLU(inplace=True)]]
  - [-1, 1, Conv, [16, 3, 2]]
head:
  - [[1], 1, Detect, [nc, anchors]]
"""
