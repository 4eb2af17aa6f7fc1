"""Equivalence rewrites: which rows qualify, what applying them changes, the edited YAML,
and the torch proofs (block checks, counterexamples, whole model, Conv+BN folding)."""
from __future__ import annotations


import pytest

import yanalyze
from conftest import EXAMPLES
from yanalyze.analyzer import rewrites as rw
from yanalyze.analyzer.load import load_model
from yanalyze.verify import runner
from yanalyze.verify.equivalence import OUT_RTOL
from yanalyze.verify.proofs import focus as focus_proof, spp as spp_proof

V5 = EXAMPLES / "yolov5s-v5.0.yaml"


def test_v5_layout_yields_two_findings_with_their_effect():
    a = yanalyze.analyze(V5)
    assert [(r.kind, r.layer, r.applicable, r.exactness) for r in a.rewrites] == [
        ("focus", 0, True, "reassociation"), ("spp", 8, True, "bit-exact")]
    focus, spp = a.rewrites
    assert focus.yaml_after == "Conv, [64, 6, 2, 2]" and spp.yaml_after == "SPPF, [1024, 5]"
    # same weights and multiply-adds: params and GFLOPs do not move
    assert (focus.after.params, focus.after.gflops) == (focus.before.params, focus.before.gflops)
    # the space-to-depth copy disappears: it read 3x640x640 and wrote 12x320x320 floats
    assert focus.before.mem_bytes - focus.after.mem_bytes == 4 * (3 * 640 * 640 + 12 * 320 * 320)
    # pools: SPP compares 24 + 80 + 168 per output, SPPF 3 x 24, over 256 channels at 20x20
    assert spp.before.flops - spp.after.flops == (24 + 80 + 168 - 72) * 256 * 20 * 20
    for r in (focus, spp):
        assert (r.after.rf, r.after.rf_min, r.after.rf_max, r.after.stride) == \
            (r.before.rf, r.before.rf_min, r.before.rf_max, r.before.stride)
    assert [r["kind"] for r in a.to_dict()["rewrites"]] == ["focus", "spp"]


def test_v6_layout_has_nothing_to_rewrite():
    assert yanalyze.analyze(EXAMPLES / "yolov5s.yaml").rewrites == []


def test_rewrite_command_changes_only_the_two_rows(run_cli, tmp_path):
    out = tmp_path / "v6.yaml"
    code, stdout, err = run_cli("rewrite", V5, "-o", out)
    assert code == 0, err
    before, after = V5.read_text().splitlines(), out.read_text().splitlines()
    changed = [(b, a) for b, a in zip(before, after) if b != a]
    assert len(before) == len(after)
    assert changed == [("  - [-1, 1, Focus, [64, 3]]", "  - [-1, 1, Conv, [64, 6, 2, 2]]"),
                       ("  - [-1, 1, SPP, [1024, [5, 9, 13]]]", "  - [-1, 1, SPPF, [1024, 5]]")]
    a, b = yanalyze.analyze(V5), yanalyze.analyze(out)
    for x, y in zip(a.layers, b.layers):
        assert [(o.shape, o.stride, o.rf, o.rf_min, o.rf_max) for o in x.outputs] == \
            [(o.shape, o.stride, o.rf, o.rf_min, o.rf_max) for o in y.outputs]
    for r in a.rewrites:
        got = b.layers[r.layer]
        assert (got.module, got.params, got.gflops, got.flops, got.mem_bytes) == \
            (r.after.module, r.after.params, r.after.gflops, r.after.flops, r.after.mem_bytes)
    assert b.rewrites == []


def test_rewrite_only_one_kind_and_comments_kept(run_cli, tmp_path):
    src = tmp_path / "odd.yaml"
    text = V5.read_text().replace("[-1, 1, SPP, [1024, [5, 9, 13]]]",
                                  "[ -1,1,  SPP,[1024,[5,9,13]] ]   # keep: odd spacing, trailing note")
    src.write_text("# top comment stays\n" + text)
    out = tmp_path / "out.yaml"
    code, _, err = run_cli("rewrite", src, "-o", out, "--only", "spp")
    assert code == 0, err
    result = out.read_text()
    assert result.startswith("# top comment stays\n")
    assert "[ -1,1,  SPPF,[1024, 5] ]   # keep: odd spacing, trailing note" in result
    assert "Focus, [64, 3]" in result  # --only spp leaves the Focus row alone
    assert result.replace("SPPF,[1024, 5]", "SPP,[1024,[5,9,13]]") == src.read_text()


def test_rewrite_with_nothing_to_do_writes_nothing(run_cli, tmp_path):
    code, out, _ = run_cli("rewrite", EXAMPLES / "yolov5s.yaml", "-o", tmp_path / "x.yaml")
    assert code == 0 and "nothing to rewrite" in out and not (tmp_path / "x.yaml").exists()


def spec_of(module: str, args: list, c1: int = 3):
    m = load_model({"nc": 2, "anchors": 1, "backbone": [[-1, 1, module, args]], "head": []})
    return m, m.specs


@pytest.mark.parametrize("args, conv_args", [
    ([16, 3], [16, 6, 2, 2]),              # the YOLOv5 stem: k=3, p=autopad 1
    ([16, 1], [16, 2, 2, 0]),              # k=1: 2x2 stride-2 conv, no padding
    ([16, 3, 2], [16, 6, 4, 2]),           # stride 2 -> 4
    ([16, 5, 1, 1], [16, 10, 2, 2]),       # explicit padding smaller than 'same'
    ([16, 2, 1, 0], [16, 4, 2, 0]),        # even kernel
    ([16, 3, 1, None, 1, False], [16, 6, 2, 2, 1, 1, False]),  # no activation
])
def test_general_focus_rewrite_is_proven(args, conv_args):
    cfg, specs = spec_of("Focus", args)
    (plan,) = rw.plans(cfg)
    assert plan.equivalent and plan.yaml_args == conv_args
    v = focus_proof.verify(specs[0], None, seed=1)
    assert v.expected and v.passed, [(c.name, c.error, c.bound) for c in v.checks]
    assert [c.name for c in v.checks] == ["forward, eval mode", "forward, train mode", "gradients (mean loss)",
                                          "parameters after one SGD step", "forward after the step, eval mode"]
    assert all(c.bound == OUT_RTOL and c.error < OUT_RTOL for c in v.checks)


@pytest.mark.parametrize("ch, why", [(3, "cannot exist"), (4, "params against Focus's")])
def test_grouped_focus_is_not_a_grouped_conv(ch, why):
    cfg = load_model({"nc": 2, "anchors": 1, "ch": ch, "backbone": [[-1, 1, "Focus", [16, 3, 1, None, 2]]], "head": []})
    specs = cfg.specs
    (plan,) = rw.plans(cfg)
    assert not plan.equivalent and "split the stacked phases" in plan.reason
    v = focus_proof.verify(specs[0], None, seed=1)
    assert not v.expected and v.passed and "no weight mapping exists" in v.counterexample
    assert why in v.counterexample


@pytest.mark.parametrize("ks, equivalent, rewritable, k", [
    ([5, 9, 13], True, True, 5),
    ([3, 5, 7], True, True, 3),
    ([7, 13, 19], True, True, 7),
    ([9, 5, 13], True, True, 5),      # any order: cv2's input blocks are permuted
    ([5, 9], True, False, 5),         # two pools: not YOLOv5's three-pool SPPF
    ([5, 7, 9], False, False, 5),
    ([3, 5, 9], False, False, 3),
])
def test_spp_kernel_rule(ks, equivalent, rewritable, k):
    cfg, specs = spec_of("SPP", [64, ks])
    (plan,) = rw.plans(cfg)
    assert (plan.equivalent, plan.yaml_args is not None) == (equivalent, rewritable)
    if rewritable:
        assert plan.yaml_args == [64, k]
        v = spp_proof.verify(specs[0], None, seed=2)
        assert v.passed
        if ks == sorted(ks):  # max is exact: bit-equal outputs
            assert plan.exactness == "bit-exact" and v.checks[0].error == v.checks[1].error == 0.0
        else:  # cv2 sums the permuted blocks in another order
            assert plan.exactness == "reassociation" and v.checks[0].bound == OUT_RTOL
    elif not equivalent:
        v = spp_proof.verify(specs[0], None, seed=2)
        assert not v.expected and v.passed and "gives 1" in v.counterexample and "gives 0" in v.counterexample


def test_counterexample_for_the_popular_belief():
    # "SPPF(5) equals SPP(5, 6, 7)": even kernels do not even keep the size; (5, 7, 9) shows the values
    text = spp_proof.counterexample([5, 7, 9])
    assert text.startswith("input 19x19 zeros with a 1 at row 9, column 13")
    assert "SPP's 7x7 pool gives 0" in text and "chain of 2 5x5 pools gives 1" in text


def test_whole_model_and_folding_checks_pass():
    verdicts = [step() for _, step in runner.steps(load_model(V5), size=128)]
    assert [v.kind for v in verdicts] == ["focus", "spp", "model", "fold"]
    assert all(v.passed for v in verdicts)
    model = verdicts[2].checks[0]
    assert model.abs_error < 1e-6 and model.error <= model.bound == 1e-12
    # every float32 Focus check, outputs, gradients and parameters, stays below 1e-6 relative
    assert all(c.error < 1e-6 and c.bound == 1e-6 for c in verdicts[0].checks)
    assert [c.abs_error for c in verdicts[1].checks[:2]] == [0.0, 0.0]  # SPP outputs bit-equal


def test_verify_cli(run_cli):
    code, out, err = run_cli("verify", V5, "--size", "128")
    assert code == 0, err
    assert "all checks passed (2 rewrite candidates" in out
    assert "FAIL" not in out


def test_verify_without_torch_is_one_clear_line(run_cli, monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    code, out, err = run_cli("verify", V5)
    assert code == 2 and err.strip().count("\n") == 0
    assert "pip install -e '.[verify]'" in err


def test_bench_times_both_forms():
    from yanalyze.verify.bench import bench
    a = yanalyze.analyze(V5, imgsz=64)
    timings = bench(load_model(V5), a, batches=(1,), min_run_time=0.01)
    assert {(t.pair, t.mode) for t in timings} == {
        ("Focus->Conv", "forward"), ("Focus->Conv", "forward+backward"),
        ("SPP->SPPF", "forward"), ("SPP->SPPF", "forward+backward")}
    assert all(t.before_ms > 0 and t.after_ms > 0 for t in timings)
