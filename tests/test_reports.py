"""Terminal and JSON reports: golden files (YANALYZE_REGEN=1 rewrites them) and width handling."""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from rich.console import Console

import yanalyze
from conftest import ROOT
from yanalyze.reports import json_report, terminal

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("YANALYZE_REGEN") == "1"


def text_report(cfg: str, width: int, **kw) -> str:
    buf = io.StringIO()
    terminal.render(yanalyze.analyze(cfg, **kw), Console(file=buf, width=width, color_system=None))
    return buf.getvalue()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; rerun with YANALYZE_REGEN=1 if intended"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_terminal_golden_yolov5s():
    check_golden("yolov5s.txt", text_report("tests/configs/yolov5s.yaml", 140))


def test_json_golden_yolov5s_seg():
    check_golden("yolov5s-seg.json", json_report.render(
        yanalyze.analyze("tests/configs/yolov5s-seg.yaml", imgsz=(640, 384))))


@pytest.mark.parametrize("width", [80, 100, 120])
def test_terminal_fits_width(width):
    out = text_report("tests/configs/yolov5-p7.yaml", width)
    assert max(len(line) for line in out.splitlines()) <= width
    header = next(line for line in out.splitlines() if line.lstrip().startswith("#"))
    for column in ("params", "module", "out CxHxW", "RF px", "GFLOPs"):
        assert column in header
    assert "…" not in out  # nothing is cut mid-value


def test_terminal_drops_arguments_first_and_keeps_yolov5_columns():
    narrow = text_report("tests/configs/yolov5s.yaml", 80)
    wide = text_report("tests/configs/yolov5s.yaml", 160)
    head = lambda out: next(l for l in out.splitlines() if l.lstrip().startswith("#")).split()
    assert head(wide) == ["#", "from", "n", "params", "module", "arguments", "out", "CxHxW", "stride",
                          "RF", "px", "GFLOPs", "mem"]
    assert head(narrow) == ["#", "from", "n", "params", "module", "out", "CxHxW", "RF", "px", "GFLOPs"]
    assert "[None, 2, 'nearest']" in wide  # arguments printed as YOLOv5 prints them


def test_cli_json_file_and_terminal(run_cli, tmp_path):
    target = tmp_path / "out.json"
    code, out, err = run_cli("tests/configs/yolov5n.yaml", "--json", target, "--width", "100")
    assert code == 0, err
    assert json.loads(target.read_text())["totals"]["params"] == 1_872_157
    assert "yolov5n summary: 25 layers, 1,872,157 parameters, 4.6 GFLOPs" in out
    assert f"wrote {target}" in out
