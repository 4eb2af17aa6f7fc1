"""A config inside a fork whose own class of a module differs from the built-in definition is
told so (module/fork-redefines); where the fork's class is one of the built-in definitions,
that one is picked and said. The fork's files are read with ast only. The classes below are
written for these tests, not taken from any fork."""
from __future__ import annotations

import ast
import json

import pytest

import yanalyze
from yanalyze.analyzer import forkcheck, modules, registry

GELU_CONV = '''
import torch.nn as nn


class Conv(nn.Module):
    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2 if p is None else p, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.GELU() if act is True else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))
'''
GATE = '''
class SELayer(nn.Module):
    """A squeeze-excite gate written for this test."""

    def __init__(self, c, r=4):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(c, c // r, bias=False), nn.ReLU(), nn.Linear(c // r, c, bias=False))

    def forward(self, x):  # the gate
        return x * self.fc(x.mean((2, 3))).sigmoid()[..., None, None]
'''
CONFIG = {"nc": 4, "depth_multiple": 1.0, "width_multiple": 1.0, "anchors": [[10, 13, 16, 30, 33, 23]],
          "backbone": [[-1, 1, "Conv", [16, 3, 2]], [-1, 1, "SELayer", [16, 4]], [-1, 1, "Conv", [32, 3, 2]]],
          "head": [[[2], 1, "Detect", ["nc", "anchors"]]]}


def fork(tmp_path, common: str):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "common.py").write_text(common)
    cfg = tmp_path / "models" / "mine.yaml"
    cfg.write_text(json.dumps(CONFIG))
    return cfg


def test_fingerprints_ignore_docstrings_comments_and_layout_but_not_code():
    def fp(text):
        return forkcheck.fingerprint(ast.parse(text).body[0])
    base = fp(GATE)
    assert fp(GATE.replace('    """A squeeze-excite gate written for this test."""\n', "")) == base
    assert fp(GATE.replace("  # the gate", "").replace("(c, r=4)", "(c,  r=4)")) == base
    assert fp(GATE.replace("ReLU", "SiLU")) != base


def test_a_redefined_official_module_is_never_silent(tmp_path, tmp_path_factory):
    cfg = fork(tmp_path, GELU_CONV)
    a = yanalyze.analyze(cfg, imgsz=64)
    found = [d for d in a.diagnostics if d.code == "module/fork-redefines"]
    assert [d.layer for d in found] == [0, 2]
    assert "defines its own Conv (models/common.py:5), not YOLOv5's" in found[0].message
    assert "--repo" in found[0].message
    outside = tmp_path_factory.mktemp("plain") / "mine.yaml"  # the same config outside the fork: nothing to say
    outside.write_text(cfg.read_text())
    assert not [d for d in yanalyze.analyze(outside, imgsz=64).diagnostics if d.code == "module/fork-redefines"]


def test_the_forks_class_picks_the_built_in_definition_it_is(tmp_path, monkeypatch):
    cfg = fork(tmp_path, "import torch.nn as nn\n" + GATE)
    senet = forkcheck.composite(forkcheck._class_table({"gate.py": GATE}), "SELayer")
    data = dict(forkcheck._data())
    monkeypatch.setattr(forkcheck, "_data", lambda: {**data, "published": {"SELayer": {"senet": senet}}})
    a = yanalyze.analyze(cfg, imgsz=64)
    se = a.layers[1]
    assert se.definition == "senet" and se.params == 16 * 4 + 4 * 16
    [note] = [d for d in a.diagnostics if d.code == "module/definition" and d.layer == 1]
    assert "picked by the fork's own class, the 'senet' definition" in note.message
    assert not [d for d in a.diagnostics if d.code == "module/fork-redefines"]
    monkeypatch.setattr(forkcheck, "_data", lambda: {**data, "published": {"SELayer": {"senet": "0" * 16}}})
    a = yanalyze.analyze(cfg, imgsz=64)  # a class unlike every built-in: the default, and a warning
    assert a.layers[1].definition == "mobilenetv3"
    [warn] = [d for d in a.diagnostics if d.code == "module/fork-redefines"]
    assert warn.layer == 1 and "not the 'mobilenetv3' definition, which these numbers follow" in warn.message


def test_the_fingerprint_table_covers_yolov5_and_the_published_definitions():
    table = forkcheck._data()
    assert {"Conv", "C3", "SPPF", "Detect", "Segment", "Focus", "BottleneckCSP"} <= set(table["classes"])
    for name, variants in table["published"].items():
        known = {m.variant for m in [registry.REGISTRY[name], *registry.VARIANTS.get(name, {}).values()]}
        assert set(variants) <= known, name
    assert len(table["published"]) >= 80
    assert set(table["published"]) <= set(modules.names())


@pytest.mark.parametrize("name", ["Conv", "C3", "Detect"])
def test_every_yolov5_release_has_its_fingerprints(name):
    assert len(forkcheck.official()[name]) >= 3  # the class changed over the releases; every version is known


BLOCK = '''
class Part(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.m = nn.Conv2d(c, c, 3, 1, 1)


class Whole(nn.Module):
    def __init__(self, c1, c2):
        super().__init__()
        self.a = Part(c1)
        self.b = nn.Conv2d(c1, c2, 1)
'''


def test_a_changed_part_of_an_official_class_is_named(monkeypatch):
    """Segment may be YOLOv5's own while the Proto or Detect it builds on is the fork's."""
    table = forkcheck._class_table({"m.py": BLOCK})
    changed = forkcheck._class_table({"m.py": BLOCK.replace("3, 1, 1", "5, 1, 2")})
    known = {"Part": frozenset({table["Part"][2]}), "Whole": frozenset({table["Whole"][2]})}
    assert changed["Whole"][2] == table["Whole"][2]  # the class itself is unchanged
    assert forkcheck._changed_parts(table, "Whole", known) == []
    assert forkcheck._changed_parts(changed, "Whole", known) == ["Part"]
    assert forkcheck.composite(changed, "Whole") != forkcheck.composite(table, "Whole")


def test_an_official_name_takes_the_definition_the_forks_class_is(tmp_path, monkeypatch):
    """C3TR is YOLOv5's, but a fork whose C3TR (with its parts) is a published definition gets that one."""
    text = "import torch.nn as nn\n" + BLOCK.replace("Whole", "C3TR")
    variant = next(iter(registry.VARIANTS["C3TR"]))
    data = dict(forkcheck._data())
    mine = forkcheck.composite(forkcheck._class_table({"common.py": text}), "C3TR")
    monkeypatch.setattr(forkcheck, "_data", lambda: {**data, "published": {"C3TR": {variant: mine}}})
    cfg = fork(tmp_path, text)
    cfg.write_text(json.dumps({**CONFIG, "backbone": [[-1, 1, "Conv", [16, 3, 2]], [-1, 1, "C3TR", [16]],
                                                       [-1, 1, "Conv", [32, 3, 2]]]}))
    forkcheck.fork_root.cache_clear()
    forkcheck._fork_classes.cache_clear()
    a = yanalyze.analyze(cfg, imgsz=64)
    assert a.layers[1].definition == variant
    assert any(d.code == "module/definition" and "picked by the fork's own class" in d.message for d in a.diagnostics)
    monkeypatch.setattr(forkcheck, "_data", lambda: {**data, "published": {"C3TR": {variant: "0" * 16}}})
    assert yanalyze.analyze(cfg, imgsz=64).layers[1].definition is None  # unlike it: YOLOv5's own
