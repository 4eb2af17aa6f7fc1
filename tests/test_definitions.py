"""One name, several published definitions: the default is assumed and said so; a config or the
command line chooses another; a row whose arguments only fit another definition gets that one,
and says so; a choice that does not exist is one clear line."""
from __future__ import annotations

import json
import textwrap

import pytest

import yanalyze

PLUGIN = '''
import yanalyze
from yanalyze import ops

SOURCE = yanalyze.Provenance("example/fork@0123456789ab", "models/common.py", "a paper")


@yanalyze.register("SELayer", channels="keep", variant="plain", default=False, source=SOURCE)
def se_plain(x, c, r=16):
    """SE with Linear layers without bias and a sigmoid gate."""
    y = ops.adaptive_avgpool(x, 1)
    y = ops.activation(ops.linear(y, c, c // r, False), ops.ACTS["ReLU"])
    return ops.broadcast(x, ops.activation(ops.linear(y, c // r, c, False), ops.ACTS["Sigmoid"]))


@yanalyze.register("SELayer", channels="conv", variant="wide", default=False, source=SOURCE)
def se_wide(x, c1, c2, r, extra, more):
    """A definition with five constructor arguments (only rows with four written args fit it)."""
    return ops.conv(x, c1, c2, 1)
'''
CFG = {"nc": 1, "anchors": 1, "backbone": [[-1, 1, "Conv", [64, 3, 2]], [-1, 1, "SELayer", [64, 4]]],
       "head": []}


@pytest.fixture
def plugin(tmp_path):
    from yanalyze.analyzer import extensions

    p = tmp_path / "se_defs.py"
    p.write_text(textwrap.dedent(PLUGIN))
    extensions.load_plugin(str(p))
    return p


def definition_note(a) -> str:
    (d,) = [x for x in a.diagnostics if x.code == "module/definition"]
    return d.message


def test_default_is_assumed_and_the_others_named(plugin):
    a = yanalyze.analyze(CFG, imgsz=64)
    se = a.layers[1]
    assert (se.definition, se.params) == ("mobilenetv3", 64 * 16 + 16 + 16 * 64 + 64)
    note = definition_note(a)
    assert "assumed the 'mobilenetv3' definition (TP-Thread/yolov5@" in note
    assert "others: plain, senet, wide; choose with --define SELayer=NAME" in note


def test_config_or_command_line_chooses(plugin, run_cli, tmp_path):
    chosen = yanalyze.analyze({**CFG, "definitions": {"SELayer": "plain"}}, imgsz=64)
    assert (chosen.layers[1].definition, chosen.layers[1].params) == ("plain", 2 * 64 * (64 // 4))
    assert "chosen the 'plain' definition (example/fork@0123456789ab, models/common.py)" in definition_note(chosen)
    cfg = tmp_path / "se.yaml"
    cfg.write_text(json.dumps(CFG))
    code, out, err = run_cli(cfg, "--define", "SELayer=plain", "--plugin", plugin, "--imgsz", "64", "--json")
    assert code == 0, err
    assert json.loads(out)["layers"][1]["definition"] == "plain"


def test_the_arguments_pick_the_definition_that_fits(plugin):
    cfg = {**CFG, "backbone": [[-1, 1, "Conv", [64, 3, 2]], [-1, 1, "SELayer", [32, 4, 1, 2]]]}
    a = yanalyze.analyze(cfg, imgsz=64)
    assert a.layers[1].definition == "wide" and a.layers[1].out.shape.c == 32
    assert "picked by its arguments the 'wide' definition" in definition_note(a)


def test_an_unknown_choice_is_one_line(plugin, run_cli, tmp_path):
    cfg = tmp_path / "se.yaml"
    cfg.write_text(json.dumps({**CFG, "definitions": {"SELayer": "nope"}}))
    code, out, err = run_cli(cfg, "--plugin", plugin)
    assert code == 2 and err.count("\n") == 1
    assert "SELayer has no definition 'nope'; its definitions: mobilenetv3, plain, senet, wide" in err


def test_rows_that_fit_no_definition_are_refused(plugin):
    cfg = {**CFG, "backbone": [[-1, 1, "Conv", [64, 3, 2]], [-1, 1, "SELayer", [64, 4, 1, 2, 3, 4]]]}
    with pytest.raises(yanalyze.ConfigError, match="fit none of its definitions"):
        yanalyze.analyze(cfg, imgsz=64)


def test_malformed_definitions_key():
    with pytest.raises(yanalyze.ConfigError, match="'definitions' must map module names"):
        yanalyze.analyze({**CFG, "definitions": ["SELayer"]}, imgsz=64)
