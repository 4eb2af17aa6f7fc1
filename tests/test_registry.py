"""The registry: every built-in names its torch block and its source, and both ways of counting
a block - its analytic cost model and its torch block traced kernel by kernel - agree on
params, shapes, the thop count, MACs, complete FLOPs and every element read and written.
ultralytics-thop itself is the oracle for the thop count."""
from __future__ import annotations

import importlib
from pathlib import Path

import thop
import torch
import torch.nn as nn

import pytest

from yanalyze.analyzer import modules, registry
from yanalyze.verify.crosscheck import analytic, torch_block, traced

modules.load_all()  # the cases below are collected from the whole library

A2 = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119]]  # two levels, three anchors each
ACTIVATIONS = ["nn.ELU", "nn.GELU", "nn.Hardsigmoid", "nn.Hardswish", "nn.LeakyReLU", "nn.Mish", "nn.ReLU",
               "nn.ReLU6", "nn.SiLU", "nn.Sigmoid", "nn.Tanh"]

# module -> [(resolved args, input C x H x W shapes)]: every built-in, each branch of its definition
CASES: dict[str, list[tuple[list, list]]] = {
    "Conv": [([8, 16, 3, 2], [(8, 16, 16)]), ([8, 16, 3, 1, None, 2, 2], [(8, 12, 12)]),
             ([8, 8, 1, 1, None, 1, 1, False], [(8, 6, 6)])],
    "DWConv": [([16, 16, 5, 1], [(16, 16, 16)]), ([8, 12, 3, 2], [(8, 9, 9)])],
    "GhostConv": [([16, 32, 3, 2], [(16, 16, 16)])],
    "Focus": [([3, 16, 3], [(3, 16, 16)]), ([4, 8, 1, 1, 0], [(4, 8, 8)])],
    "CrossConv": [([16, 16, 3, 1, 1, 1.0, True], [(16, 8, 8)]), ([8, 16, 5, 2], [(8, 12, 12)])],
    "MixConv2d": [([8, 16, [1, 3, 5], 1], [(8, 8, 8)])],
    "Bottleneck": [([16, 16], [(16, 8, 8)]), ([16, 32, False, 2, 0.25], [(16, 8, 8)])],
    "GhostBottleneck": [([16, 16, 3, 1], [(16, 8, 8)]), ([16, 32, 3, 2], [(16, 8, 8)])],
    "C3": [([16, 32, 2], [(16, 8, 8)]), ([16, 16, 1, False], [(16, 8, 8)])],
    "C3x": [([16, 32, 1], [(16, 8, 8)])],
    "C3Ghost": [([16, 32, 1], [(16, 8, 8)])],
    "C3SPP": [([16, 32, [5, 9, 13]], [(16, 16, 16)])],
    "BottleneckCSP": [([16, 32, 2], [(16, 8, 8)])],
    "C3TR": [([16, 32, 1], [(16, 4, 6)]), ([16, 16, 2], [(16, 3, 3)])],
    "SPP": [([16, 32, [5, 9, 13]], [(16, 16, 16)])],
    "SPPF": [([16, 32, 5], [(16, 8, 8)])],
    "Concat": [([1], [(8, 4, 4), (16, 4, 4)])],
    "Contract": [([2], [(8, 8, 8)])],
    "Expand": [([2], [(16, 8, 8)])],
    "Detect": [([3, A2, [8, 16]], [(8, 8, 8), (16, 4, 4)])],
    "Segment": [([3, A2, 4, 16, [8, 16]], [(8, 8, 8), (16, 4, 4)])],
    "Proto": [([8, 16, 4], [(8, 8, 8)])],
    "Classify": [([8, 5], [(8, 4, 4)])],
    "h_sigmoid": [([], [(8, 4, 4)])],
    "h_swish": [([], [(8, 4, 4)])],
    "SELayer": [([16, 4], [(16, 4, 4)])],
    "conv_bn_hswish": [([3, 16, 2], [(3, 16, 16)])],
    "MobileNet_Block": [([16, 16, 16, 3, 1, 1, 0], [(16, 8, 8)]), ([16, 24, 64, 5, 2, 1, 1], [(16, 8, 8)]),
                        ([16, 16, 48, 3, 1, 0, 1], [(16, 8, 8)])],
    "Faster_Block": [([16, 16], [(16, 8, 8)]), ([8, 16], [(8, 8, 8)])],
    "C3_Faster": [([16, 32, 2], [(16, 8, 8)])],
    "FocalModulation": [([16], [(16, 8, 8)]), ([16, 3, 3, 2, False, 0.0, False, True], [(16, 8, 8)])],
    "nn.Conv2d": [([8, 16, 3, 2, 1, 1, 2, True], [(8, 16, 16)]), ([8, 8, 3, 1, "same", 2, 8, False], [(8, 9, 9)])],
    "nn.ConvTranspose2d": [([8, 16, 2, 2], [(8, 4, 4)])],
    "DWConvTranspose2d": [([16, 16, 4, 2, 1, 0], [(16, 4, 4)])],
    "nn.MaxPool2d": [([3, 2, 1], [(8, 9, 9)])],
    "nn.AvgPool2d": [([3, 2, 1], [(8, 9, 9)]), ([2], [(8, 8, 8)])],
    "nn.AdaptiveAvgPool2d": [([1], [(8, 6, 6)]), ([2], [(8, 6, 6)]), ([4], [(8, 6, 6)])],
    "nn.ZeroPad2d": [([[1, 2, 0, 3]], [(8, 4, 4)])],
    "nn.Upsample": [([None, 2, "nearest"], [(8, 4, 4)]), ([None, 2, "bilinear"], [(8, 4, 4)])],
    "nn.BatchNorm2d": [([8], [(8, 4, 4)])],
    "nn.Identity": [([], [(8, 4, 4)])],
    "nn.Dropout": [([0.1], [(8, 4, 4)])],
    "nn.Linear": [([4, 6], [(8, 3, 4)])],
    **{name: [([], [(8, 4, 4)])] for name in ACTIVATIONS},
}
for _extra in sorted((Path(__file__).parent).glob("block_cases_*.py")):  # one file per added family
    CASES.update(importlib.import_module(_extra.stem).CASES)
IMGSZ = 64  # for the heads: level strides 8 and 16
PARAMS = [(name, args, shapes) for name, cases in CASES.items() for args, shapes in cases]
IDS = [f"{name}-{k}" for name, cases in CASES.items() for k in range(len(cases))]


def test_every_builtin_has_cases_here():
    """Adding a module means one registry entry and its rows in CASES (or a block_cases_*.py)."""
    assert sorted(CASES) == modules.names()


@pytest.mark.parametrize("name", modules.names())
def test_every_builtin_names_its_torch_block_and_source(name):
    mdef = modules.lookup(name)
    assert mdef.origin == "built-in"
    module, _, cls = mdef.torch.partition(":")
    assert module.startswith(("yanalyze.verify.", "torch.nn")) and cls
    assert issubclass(getattr(__import__(module, fromlist=[cls]), cls), nn.Module)
    p = mdef.provenance
    assert p is not None and p.source and p.file
    if not p.source.startswith(("Ultralytics YOLOv5", "PyTorch")):
        assert "@" in p.source and p.paper, "a published modification names its repository@commit and paper"


def test_named_definitions_are_registered_as_variants():
    se = modules.lookup("SELayer")
    assert se.variant == "mobilenetv3" and registry.VARIANTS["SELayer"]["mobilenetv3"] is se


@pytest.mark.parametrize("name, args, shapes", PARAMS, ids=IDS)
def test_cost_model_and_traced_torch_block_agree(name, args, shapes):
    mdef = modules.lookup(name)
    ours = analytic(mdef, args, shapes)
    theirs, measured = traced(mdef, args, shapes, imgsz=IMGSZ)
    assert not measured.uncounted, f"ops without a price: {measured.uncounted}"
    assert ours == theirs, [(op, c) for op, c in measured.ops]


@pytest.mark.parametrize("name, args, shapes", [p for p in PARAMS if p[0] not in ("Detect", "Segment")],
                         ids=[i for i, p in zip(IDS, PARAMS) if p[0] not in ("Detect", "Segment")])
def test_thop_count_is_ultralytics_thops(name, args, shapes):
    """The oracle itself: ultralytics-thop 2.2.3 on the torch block."""
    mdef = modules.lookup(name)
    block = torch_block(mdef, args)
    xs = [torch.zeros(1, *s, device="meta") for s in shapes]
    ops, _ = thop.profile(block, inputs=(xs if mdef.multi_input else xs[0],), verbose=False)
    assert analytic(mdef, args, shapes).thop == ops


def test_thop_count_of_the_heads():
    """Detect and Segment decode in eval mode, which needs strides and grids: primed first."""
    for name, (args, shapes) in (("Detect", CASES["Detect"][0]), ("Segment", CASES["Segment"][0])):
        mdef = modules.lookup(name)
        block = torch_block(mdef, args)
        xs = [torch.zeros(1, *s, device="meta") for s in shapes]
        block.stride = torch.tensor([8.0, 16.0], device="meta")
        with torch.no_grad():
            block([x.clone() for x in xs])
        ops, _ = thop.profile(block, inputs=(xs,), verbose=False)
        # per level only the 1x1 conv counts: out elements x c_in
        na, no = 3, 3 + 5 + (4 if name == "Segment" else 0)
        convs = na * no * (8 * 8 * 8 + 4 * 4 * 16)
        proto = 0 if name == "Detect" else analytic(modules.lookup("Proto"), [8, 16, 4], [(8, 8, 8)]).thop
        assert analytic(mdef, args, shapes).thop == ops == convs + proto


# "Name@variant" -> cases: a name's default definition takes its CASES, the others come from the
# VARIANT_CASES of the block_cases_*.py files
VARIANT_CASES: dict[str, list[tuple[list, list]]] = {}
for _extra in sorted((Path(__file__).parent).glob("block_cases_*.py")):
    VARIANT_CASES.update(getattr(importlib.import_module(_extra.stem), "VARIANT_CASES", {}))
for _name, _defs in registry.VARIANTS.items():
    for _variant, _mdef in _defs.items():
        if registry.REGISTRY.get(_name) is _mdef:
            VARIANT_CASES.setdefault(f"{_name}@{_variant}", CASES[_name])
VPARAMS = [(key, args, shapes) for key, cases in sorted(VARIANT_CASES.items()) for args, shapes in cases]


def test_every_named_definition_has_cases():
    """Each published definition of a name is checked, not only the default."""
    assert {f"{n}@{v}" for n, defs in registry.VARIANTS.items() for v in defs} == set(VARIANT_CASES)


@pytest.mark.parametrize("key, args, shapes", VPARAMS, ids=[f"{k}-{i}" for k, cases in sorted(VARIANT_CASES.items())
                                                          for i in range(len(cases))])
def test_every_definition_agrees_with_its_torch_block(key, args, shapes):
    name, variant = key.split("@")
    mdef = modules.lookup(name, variant)
    ours = analytic(mdef, args, shapes)
    theirs, measured = traced(mdef, args, shapes, imgsz=IMGSZ)
    assert not measured.uncounted, f"ops without a price: {measured.uncounted}"
    assert ours == theirs, [(op, c) for op, c in measured.ops]
    if not mdef.is_head:
        block = torch_block(mdef, args)
        xs = [torch.zeros(1, *s, device="meta") for s in shapes]
        ops, _ = thop.profile(block, inputs=(xs if mdef.multi_input else xs[0],), verbose=False)
        assert ours.thop == ops
