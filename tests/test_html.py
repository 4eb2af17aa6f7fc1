"""HTML, Markdown and graph outputs: every example renders, text from YAML is escaped,
output is deterministic, and the report still renders without Graphviz."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import yanalyze
from conftest import CONFIGS, EXAMPLES, MODEL_EXAMPLES, load_example
from yanalyze.reports import graph_dot, html, markdown

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE = """
nc: 80
"<script>alert('key')</script>": 1
anchors:
  - [10,13, 16,30, 33,23]
  - [30,61, 62,45, 59,119]
  - [116,90, 156,198, 373,326]
""" + (CONFIGS / "yolov5n.yaml").read_text().split("anchors:")[1].split("\n", 4)[4].replace(
    "backbone:\n", 'backbone:\n  - [-1, 1, "<script>alert(1)</script>", ["</td><b onmouseover=alert(2)>"]]\n', 1)


def hostile_config(tmp_path: Path) -> Path:
    p = tmp_path / f"{HOSTILE_NAME}.yaml"
    p.write_text(HOSTILE)
    return p


@pytest.mark.parametrize("cfg", MODEL_EXAMPLES, ids=lambda p: p.stem)
def test_every_example_renders_with_graph(cfg):
    a = yanalyze.analyze(load_example(cfg))
    page = html.render(a)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    svg_nodes = re.findall(r'<g id="(L\d+)" class="node"', page)
    assert sorted(svg_nodes) == sorted(f"L{r.index}" for r in a.layers)
    assert len(re.findall(r'<tr id="row-L\d+"', page)) == len(a.layers)
    assert page.count('<figure class="chart"') == 4 + 5  # the charts, and where the cost goes
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from the network


def test_hostile_yaml_text_is_escaped(tmp_path):
    a = yanalyze.analyze(hostile_config(tmp_path), allow_unknown=True)
    page = html.render(a)
    for raw in ("<script>alert", "<img src=x", "<b onmouseover"):
        assert raw not in page
    assert page.count("<script>") == 1  # ours
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text in the table and tooltips
    md = markdown.render(a)
    outside_code = re.sub(r"`[^`\n]*`", "", md)  # code spans show their text literally
    for raw in ("<script", "<img", "<b ", "</td>"):
        assert raw not in outside_code
    assert "&lt;img src=x onerror=alert(1)&gt;" in md


def test_markdown_summary_has_totals_table_and_diagnostics():
    md = markdown.render(yanalyze.analyze(CONFIGS / "yolov5s.yaml"))
    assert "| params | 7,235,389 | 7,225,885 fused |" in md
    assert "| GFLOPs | 16.6 | 16.4 fused; ultralytics convention, as YOLOv5 prints |" in md
    assert "| P3 | 255x80x80 | 8 | 698 | 682-714 |" in md
    # totals rows, levels, cost by section, by module type, by level fed, by level path, layers, 7 headers
    assert md.count("\n| ") == 5 + 3 + 3 + 6 + 3 + 3 + 25 + 7
    assert "rf/exceeds-image" in md


def test_outputs_are_deterministic(run_cli, tmp_path):
    paths = []
    for k in range(2):
        out = tmp_path / f"r{k}"
        out.mkdir()
        code, _, err = run_cli(CONFIGS / "yolov5s-seg.yaml", "-q", "--html", out / "r.html",
                               "--md", out / "r.md", "--svg", out / "r.svg", "--dot", out / "r.dot")
        assert code == 0, err
        paths.append(out)
    for name in ("r.html", "r.md", "r.svg", "r.dot"):
        assert (paths[0] / name).read_bytes() == (paths[1] / name).read_bytes(), name


def test_report_renders_without_dot(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere on PATH
    assert shutil.which("dot") is None
    target = tmp_path / "r.html"
    code, out, err = run_cli(CONFIGS / "yolov5s.yaml", "-q", "--html", target)
    assert code == 0, err
    page = target.read_text()
    assert "was not found, so the graph is not drawn" in page
    assert '<details class="dot-source" open><summary>DOT source</summary>' in page
    assert '<script type="application/json" id="layer-data">{"L0": ' in page  # the row panel works without it
    assert "L24 [label=" in page.replace("&#34;", '"') or 'L24 [label=' in page
    assert '<g id="L0" class="node"' not in page
    code, out, err = run_cli(CONFIGS / "yolov5s.yaml", "-q", "--svg", tmp_path / "g.svg")
    assert code == 2 and "--svg needs Graphviz" in err and not (tmp_path / "g.svg").exists()


def test_default_html_name_is_derived_from_config(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(CONFIGS / "yolov5n.yaml", "--html", "-q")
    assert code == 0, err
    assert out.strip() == "wrote yolov5n.html"
    assert (tmp_path / "yolov5n.html").stat().st_size > 10_000


def test_large_report_stays_small():
    a = yanalyze.analyze(CONFIGS / "yolov5x6.yaml", imgsz=1280)
    assert len(html.render(a).encode()) < 2_000_000


def test_dot_source_follows_from_and_groups_sections():
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml")
    dot = graph_dot.to_dot(a).source
    assert "subgraph cluster_backbone" in dot and "subgraph cluster_head" in dot
    assert "L6 -> L12" in dot and "L11 -> L12" in dot and "input -> L0" in dot
    assert dot.count(" -> ") == sum(max(1, len(r.src_from)) for r in a.layers)


def test_rewrites_section_with_weight_mapping_drawings():
    a = yanalyze.analyze(EXAMPLES / "yolov5s-v5.0.yaml")
    page = html.render(a)
    assert page.count('<article class="rewrite"') == 2
    assert page.count('class="phase0"') == 9  # 6x6 kernel: a quarter of the taps from phase 0
    assert "Focus weight[:, 0:3, 0, 0]" in page and "SPPF&#39;s 3 chained 5x5 pools" in page
    md = markdown.render(a)
    assert "| 0 | Focus-&gt;Conv | reassociation | mem -9.83 MB (-12%)" in md
    plain = html.render(yanalyze.analyze(EXAMPLES / "yolov5s.yaml"))
    assert "No Focus or SPP layer: nothing to rewrite." in plain


def _layer_blob(page: str) -> str:
    return page.split('<script type="application/json" id="layer-data">', 1)[1].split("</script>", 1)[0]


def test_layer_data_is_sorted_escaped_json(tmp_path):
    a = yanalyze.analyze(hostile_config(tmp_path), allow_unknown=True)
    blob = _layer_blob(html.render(a))
    assert "<" not in blob and ">" not in blob and "\\u003cscript\\u003e" in blob
    data = json.loads(blob)
    assert list(data) == sorted(f"L{r.index}" for r in a.layers)
    assert blob == json.dumps(data, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026").replace("'", "\\u0027")
    first = data["L0"]
    assert first["title"] == "0 <script>alert(1)</script> ?" and first["parts"] == []
    assert ["arguments", "['</td><b onmouseover=alert(2)>']"] in first["row"]


def test_layer_info_has_every_figure_of_a_layer():
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml")
    info = html.layer_info(a, prefix="B")
    assert list(info) == [f"BL{r.index}" for r in a.layers]
    row = dict(info["BL24"]["row"])
    assert row["module"] == "Detect" and row["output C×H×W"] == "255x80x80\n255x40x40\n255x20x20"
    assert row["stride"] == "8\n16\n32" and row["RF exact"].startswith("682-714 >")
    assert row["params"] == "229,245 (229,245 fused)" and row["from"] == "[17, 20, 23]"
    assert list(row) == ["index", "from", "n", "module", "arguments", "output C×H×W", "stride", "RF textbook",
                         "RF exact", "params", "GFLOPs", "FLOPs", "memory", "FLOPs/byte", "origin", "YAML line"]


def test_layer_info_lists_the_block_internals():
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml")
    info = html.layer_info(a)
    assert info["L2"]["parts"][0] == {"name": "Conv", "detail": "1x1 64->32 +BN +SiLU", "count": "",
                                      "params": "2,112", "gflops": "0.111", "mem": "22.9 MB"}
    assert [p["count"] for p in info["L9"]["parts"]] == ["", "x3", "", ""]  # SPPF's three pools


def test_layer_table_footer_holds_the_model_totals():
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml")
    foot = html.render(a).split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    cells = re.findall(r"<td( data-sum=\"\w+\")?>([^<]*)</td>", foot)
    assert [text for _, text in cells] == ["total", "", "", "7,235,389", "", "", "", "", "", "16.62", "826 MB",
                                           "16.43", "16.6 G", "447 MB", ""]
    assert [s for s, _ in cells].count("") == 9  # six summable columns carry their format


def test_graph_key_matches_the_node_shading():
    stops = graph_dot.legend()
    assert [s.label for s in stops] == ["0%", "1%", "5%", "10%", "25%", "50%", "100%"]
    assert all(s.color == graph_dot.shade(s.share) and s.pos == pytest.approx(s.share ** 0.5, abs=1e-4)
               for s in stops)
    page = html.render(yanalyze.analyze(CONFIGS / "yolov5s.yaml"))
    assert "linear-gradient(to right, #ffffff, #e67828)" in page and 'style="left: 22.36%">5%</span>' in page
