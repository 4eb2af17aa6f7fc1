"""Coded diagnostics: one catalogue; every error and warning carries a code from it; the README
lists them all; JSON and the error line show the code."""
from __future__ import annotations

import ast
import json
import re

import yanalyze
from conftest import CONFIGS, ROOT
from yanalyze.analyzer import diagnostics as D

SOURCES = sorted((ROOT / "yanalyze").rglob("*.py"))


def codes_in_source() -> tuple[set[str], set[str]]:
    """Codes given to ConfigError(code=...) and catalogue entries used by name, outside the catalogue."""
    literal, named = set(), set()
    for path in SOURCES:
        if path.name == "diagnostics.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ConfigError":
                code = {k.arg: k.value for k in node.keywords}["code"]
                assert isinstance(code, ast.Constant), f"{path}:{node.lineno}: a literal code"
                literal.add(code.value)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "D":
                named.add(node.attr)
    return literal, named


def test_every_code_in_use_is_in_the_catalogue_and_every_entry_is_used():
    literal, named = codes_in_source()
    assert literal <= set(D.CATALOGUE)
    by_name = {name: msg.code for name, msg in vars(D).items() if isinstance(msg, D.Message)}
    assert named - {"Message"} <= set(by_name)
    assert set(D.CATALOGUE) == literal | {by_name[n] for n in named if n in by_name}


def test_every_entry_has_a_severity_template_and_explanation():
    for code, msg in D.CATALOGUE.items():
        assert re.fullmatch(r"[a-z]+(/[a-z-]+)?", code) and msg.code == code
        assert msg.severity in ("error", "warning", "info")
        assert msg.template and "\n" not in msg.template
        assert msg.explanation.endswith(".") and len(msg.explanation) > 20


def test_readme_lists_every_code():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Diagnostics", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z/-]+)` \|", section, re.M))
    assert listed == set(D.CATALOGUE)


def test_json_carries_codes_and_the_error_line_its_code(run_cli, tmp_path):
    d = json.loads(json.dumps(yanalyze.analyze(CONFIGS / "zoo-of-torch-layers.yaml", imgsz=320).to_dict()))
    codes = {x["code"] for x in d["diagnostics"]}
    assert "module/definition" in codes
    assert all(x["code"] in D.CATALOGUE and x["severity"] == D.CATALOGUE[x["code"]].severity
               for x in d["diagnostics"])
    code, out, err = run_cli(tmp_path / "missing.yaml")
    assert code == 2 and err.startswith("yanalyze: error[parse/missing]: ")


def test_the_assumed_definition_is_named():
    a = yanalyze.analyze(CONFIGS / "zoo-of-torch-layers.yaml", imgsz=320)
    stated = [x for x in a.diagnostics if x.code == "module/definition"]
    # every module not from YOLOv5 or torch names its definition, even where it has one built in
    published = [r.index for r in a.layers if r.definition is not None]
    assert [x.layer for x in stated] == published
    assert {r.module for r in a.layers if r.definition is not None} == {
        "SELayer", "conv_bn_hswish", "MobileNet_Block", "h_swish", "C3_Faster", "FocalModulation"}
    se = [x for x in stated if "(SELayer)" in x.message]
    assert [x.layer for x in se] == [r.index for r in a.layers if r.module == "SELayer"] == [7]
    assert "assumed the 'mobilenetv3' definition (TP-Thread/yolov5@" in se[0].message
    assert {r.definition for r in a.layers if r.module == "SELayer"} == {"mobilenetv3"}
    assert yanalyze.analyze(CONFIGS / "yolov5s.yaml").to_dict()["layers"][0]["definition"] is None
