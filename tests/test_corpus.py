"""Published configs from YOLOv5 forks (tests/corpus/), restated in our own words, each with the
numbers its fork's own code builds (recorded beside it, with the source and the commit).

Every config must be analysed without any flag, every layer's params and output shapes must
equal the fork's build, and where the fork's definition is one of several with the same name,
the definition yanalyze assumed must be stated in a diagnostic.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import yanalyze

CORPUS = Path(__file__).parent / "corpus"
ENTRIES = sorted(CORPUS.rglob("*.yaml"))


def truth(cfg: Path) -> dict:
    return json.loads(cfg.with_suffix(".truth.json").read_text())


def test_every_config_has_its_truth_and_source():
    assert ENTRIES, "the corpus is empty"
    for cfg in ENTRIES:
        t = truth(cfg)
        assert "@" in t["source"] and ":" in t["source"], cfg  # owner/repo@commit:path
        assert cfg.read_text().startswith("#") and t["source"].split("@")[0] in cfg.read_text().splitlines()[0]


@pytest.mark.parametrize("cfg", ENTRIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_matches_the_forks_own_build(cfg):
    t = truth(cfg)
    # "gflops_as" names how the fork's own code printed its GFLOPs (most forks predate the
    # full-size count and print v7.0's probe-and-scale figure)
    a = yanalyze.analyze(cfg, imgsz=t["imgsz"], definitions=t.get("definitions", {}),
                         gflops_as=t.get("gflops_as", "current"))
    assert len(a.layers) == len(t["layers"])
    for r, want in zip(a.layers, t["layers"]):
        assert r.params == want["params"], (r.index, r.module)
        assert [o.shape.as_list() for o in r.outputs] == want["out_shape"], (r.index, r.module)
    assert a.totals.params == t["params"]
    if t.get("gflops") is not None:
        assert a.totals.gflops == pytest.approx(t["gflops"], abs=0.05)
    stated = {x.layer for x in a.diagnostics if x.code == "module/definition"}
    assert {r.index for r in a.layers if r.definition is not None} <= stated
