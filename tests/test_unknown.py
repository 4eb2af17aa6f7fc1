"""--allow-unknown gets through: multi-input unknown rows, an unknown layer's channels and size
inferred from what follows, every assumption listed."""
from __future__ import annotations

import copy

import pytest
import yaml

import yanalyze
from conftest import CONFIGS
from yanalyze.analyzer.errors import ConfigError

BASE = yaml.safe_load((CONFIGS / "yolov5s.yaml").read_text())


def with_rows(backbone=None, head=None) -> dict:
    d = copy.deepcopy(BASE)
    if backbone:
        for k, row in backbone.items():
            d["backbone"][k] = row
    if head:
        for k, row in head.items():
            d["head"][k] = row
    return d


def unknown_notes(a) -> dict[int, str]:
    return {d.layer: d.message for d in a.diagnostics if d.code == "module/unknown"}


def test_a_downsampling_unknown_block_gets_the_stride_a_later_concat_needs():
    # layer 5 (Conv 256->512, 3x3, stride 2) becomes an unknown block written like a Conv
    cfg = with_rows(backbone={5: [-1, 1, "MyDownBlock", [512, 3, 2]]})
    a = yanalyze.analyze(cfg, allow_unknown=True)
    ref = yanalyze.analyze(BASE)
    assert [o.shape for o in a.layers[5].outputs] == [o.shape for o in ref.layers[5].outputs]
    assert [r.out.shape for r in a.layers[6:]] == [r.out.shape for r in ref.layers[6:]]
    assert a.layers[5].params == 0 and a.totals.partial
    assert unknown_notes(a)[5].endswith("assumed 256 output channels (its first argument, width-scaled) and "
                                        "2x smaller than its input")


def test_a_multi_input_unknown_row_is_accepted():
    # layer 12 (Concat of 11 and 6) becomes a fusion block nobody knows, with no channel argument
    cfg = with_rows(head={2: [[-1, 6], 1, "BiFPN_Something", [1]]})
    a = yanalyze.analyze(cfg, allow_unknown=True)
    ref = yanalyze.analyze(BASE)
    assert a.layers[12].inputs == (11, 6)
    # as its first input (256) rather than the concat's 512: C3 after it reads 256
    assert a.layers[12].out.shape.c == 256 and "its input's channels" in unknown_notes(a)[12]
    assert a.layers[-1].out.shape == ref.layers[-1].out.shape  # the detections keep their shapes
    assert a.totals.params < ref.totals.params


def test_an_attention_block_keeps_shape():
    cfg = copy.deepcopy(BASE)
    cfg["backbone"].insert(9, [-1, 1, "SomeAttention", [1024]])
    shift = lambda f: f + 1 if isinstance(f, int) and f > 8 else f
    for row in cfg["head"]:
        row[0] = [shift(x) for x in row[0]] if isinstance(row[0], list) else shift(row[0])
    a = yanalyze.analyze(cfg, allow_unknown=True)
    assert a.layers[9].out.shape.as_list() == [512, 20, 20]
    assert a.layers[-1].out.shape.as_list() == [255, 80, 80]
    codes = [d.code for d in a.diagnostics]
    assert codes.count("module/unknown") == 1 and "totals/partial" in codes


def test_a_fusion_block_named_as_a_concatenation_sums_its_inputs():
    cfg = with_rows(head={2: [[-1, 6], 1, "BiFPN_Concat9", [1]]})
    a = yanalyze.analyze(cfg, allow_unknown=True)
    assert a.layers[12].out.shape.c == 512 and "the sum of its inputs" in unknown_notes(a)[12]


def test_a_layer_no_guess_satisfies_is_carried_on_as_unknown_and_said():
    cfg = {"nc": 2, "depth_multiple": 1.0, "width_multiple": 1.0, "anchors": [[10, 13, 16, 30, 33, 23]],
           "backbone": [[-1, 1, "Conv", [16, 3, 2]],          # 0: 32x32 at 64
                        [-1, 1, "Mystery", [32]],              # 1: unknown
                        [-1, 1, "Mystery", [32]],              # 2: unknown
                        [[-1, 0], 1, "Concat", [1]],           # 3: needs layer 2 at 32x32
                        [-1, 1, "nn.Upsample", [None, 2, "nearest"]],
                        [[-1, 0], 1, "Concat", [1]]],          # 5: 64x64 and 32x32 whatever is guessed
           "head": [[[5], 1, "Detect", ["nc", "anchors"]]]}
    a = yanalyze.analyze(cfg, imgsz=64, allow_unknown=True)
    [carried] = [d for d in a.diagnostics if d.code == "module/not-analysed"]
    assert carried.layer == 5 and "Concat inputs differ in size: 64x64 and 32x32" in carried.message
    assert "assumed 64 output channels (the sum of its inputs" in carried.message
    assert a.layers[5].origin == "unknown" and a.layers[5].params == 0 and a.totals.partial
    assert [o.shape.as_list() for o in a.layers[3].outputs] == [[48, 32, 32]]  # the guess Concat 3 needs


def test_a_known_module_whose_arguments_fit_no_definition_is_carried_on():
    cfg = {"nc": 2, "depth_multiple": 1.0, "width_multiple": 1.0, "anchors": [[10, 13, 16, 30, 33, 23]],
           "backbone": [[-1, 1, "Conv", [16, 3, 2]], [-1, 1, "MobileNetV3", [24, 1]]],  # another fork's MobileNetV3
           "head": [[[1], 1, "Detect", ["nc", "anchors"]]]}
    with pytest.raises(ConfigError) as refused:
        yanalyze.analyze(cfg, imgsz=64)
    assert refused.value.code == "parse/args" and refused.value.layer == 1
    a = yanalyze.analyze(cfg, imgsz=64, allow_unknown=True)
    [note] = [d for d in a.diagnostics if d.code == "module/not-analysed"]
    assert note.layer == 1 and "its arguments [24, 1] fit none of its built-in definitions" in note.message
    assert a.layers[1].origin == "unknown" and a.layers[1].params == 0 and a.totals.partial
    assert [o.shape.as_list() for o in a.layers[1].outputs] == [[24, 32, 32]]
