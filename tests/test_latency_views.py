"""The latency estimate and the advice in every view of one config's report (--device): the
terminal, Markdown and HTML show the numbers of Analysis.latency and Analysis.advice, escape what a
profile or a config puts there, fit 80 columns, and add nothing without a device.

Expected values are computed here from the layers (sums, shares, a conv's class from its kernel
detail), not by the renderers' helpers."""
from __future__ import annotations

import dataclasses
import html as htmllib
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

import yanalyze
from conftest import CONFIGS, EXAMPLES, ROOT
from test_html import hostile_config
from yanalyze.analyzer.model import Advice, Analysis
from yanalyze.reports import html, markdown, terminal

DEVICE = ROOT / "tests" / "devices" / "test-cpu.json"
MARKS = {"compute": "C", "memory": "M", "overhead": "O"}
BOUNDS = ("compute", "memory", "overhead")


@pytest.fixture(scope="module")
def a() -> Analysis:
    return yanalyze.analyze(CONFIGS / "yolov5s.yaml", device=str(DEVICE))


@pytest.fixture(scope="module")
def v5(a) -> Analysis:
    """yolov5s v5.0 (Focus, SPP): a rewrite's advice beside Conv+BN folding."""
    return yanalyze.analyze(EXAMPLES / "yolov5s-v5.0.yaml", device=str(DEVICE))


def text_of(a: Analysis, width: int) -> str:
    buf = io.StringIO()
    terminal.render(a, Console(file=buf, width=width, color_system=None))
    return buf.getvalue()


def flat(text: str) -> str:
    """Wrapped lines joined, whitespace runs as one space."""
    return " ".join(text.split())


def close(shown: str, value: float) -> bool:
    """A printed number agrees with the value to the digits it shows."""
    digits = len(shown.split(".")[1]) if "." in shown else 0
    return abs(float(shown) - value) <= 0.5 * 10 ** -digits + 1e-9


def pct(v: float) -> str:
    return f"{v:.1%}" if v else "0"


def bound_ms(a: Analysis) -> dict[str, float]:
    out = {b: 0.0 for b in BOUNDS}
    for t in a.latency.layers:
        out[t.bound] += t.ms
    return out


def bound_flops(a: Analysis) -> dict[str, int]:
    out = {b: 0 for b in BOUNDS}
    for r, t in zip(a.layers, a.latency.layers):
        out[t.bound] += r.flops
    return out


def class_ms(a: Analysis) -> dict[str, float]:
    out: dict[str, float] = {}
    for t in a.latency.layers:
        for k, v in t.by_class.items():
            out[k] = out.get(k, 0.0) + v
    return out


def test_the_estimate_adds_up(a):
    lt = a.latency
    assert [t.layer for t in lt.layers] == [r.index for r in a.layers]
    assert sum(t.ms for t in lt.layers) == pytest.approx(lt.total_ms, rel=1e-12)
    assert sum(bound_ms(a).values()) == pytest.approx(lt.total_ms, rel=1e-12)
    assert lt.kind == "measured" and lt.device["name"] == "test-cpu"
    assert 100 < lt.total_ms < 140  # yolov5s at 640 on the fixed 2-core profile: 117.9 ms


# ---------- terminal ----------

def table_rows(out: str) -> dict[int, tuple[str, str]]:
    """layer -> (ms, bound mark) from the layer table (between its header and the legend)."""
    lines = out.splitlines()
    start = next(k for k, line in enumerate(lines) if line.lstrip().startswith("#"))
    rows = {}
    for line in lines[start + 1:]:
        if line.startswith("RF px:"):
            break
        words = line.split()
        if words and words[0].isdigit() and words[-1] in MARKS.values():
            rows[int(words[0])] = (words[-2], words[-1])
    return rows


@pytest.mark.parametrize("width", [80, 120])
def test_terminal_shows_each_layers_ms_and_bound_and_fits(a, width):
    out = text_of(a, width)
    assert max(len(line) for line in out.splitlines()) <= width
    header = next(line for line in out.splitlines() if line.lstrip().startswith("#")).split()
    assert header[-1] == "ms" and {"params", "module", "GFLOPs"} <= set(header)
    rows = table_rows(out)
    assert sorted(rows) == [r.index for r in a.layers]
    for t in a.latency.layers:
        shown, mark = rows[t.layer]
        assert close(shown, t.ms), (t.layer, shown, t.ms)
        assert mark == MARKS[t.bound]
    assert sum(float(ms) for ms, _ in rows.values()) == pytest.approx(a.latency.total_ms, abs=0.05 * len(rows))
    assert "ms: estimated time on test-cpu (measured estimate); C compute-, M memory-, O overhead-bound." in flat(out)


@pytest.mark.parametrize("width", [80, 120])
def test_terminal_totals_line(a, width):
    out = text_of(a, width)
    m = re.search(r"^latency +(\S+) ms on test-cpu \(measured estimate; fused (\S+) ms\)", out, re.M)
    assert m, out
    assert float(m[1]) == round(a.latency.total_ms) and a.latency.total_ms >= 100  # whole ms from 100 on
    assert close(m[2], a.latency.total_ms_fused) and a.latency.total_ms_fused < a.latency.total_ms


def test_terminal_where_the_time_goes(a):
    out = flat(text_of(a, 120))
    ms, flops = bound_ms(a), bound_flops(a)
    order = sorted((b for b in BOUNDS if ms[b]), key=lambda b: -ms[b])
    total, all_flops = sum(ms.values()), sum(flops.values())
    parts = [f"{b}-bound {pct(ms[b] / total)}" + (f" of the time ({pct(flops[b] / all_flops)} of the FLOPs)" if k == 0
                                                 else f" ({pct(flops[b] / all_flops)})")
             for k, b in enumerate(order)]
    assert f"where the time goes: {', '.join(parts)} top op classes: " in out
    assert order[0] == "compute" and ms["compute"] / total > 0.5
    classes = sorted(class_ms(a).items(), key=lambda kv: -kv[1])[:5]
    line = out.split("top op classes: ")[1]
    at = [line.index(f"{k} {pct(v / total)}") for k, v in classes]
    assert at == sorted(at)  # most time first


def test_terminal_advice_top_five(v5):
    out = text_of(v5, 120)
    codes = [x.code for x in v5.advice]
    assert {"advice/fuse-bn", "advice/rewrite"} <= set(codes) and len(codes) > 5
    assert f"Advice on test-cpu (top 5 of {len(codes)}, largest estimated saving first)" in out
    shown = [line.split()[0] for line in out.splitlines() if line.lstrip().startswith("advice/")]
    assert shown == codes[:5]
    lines = [line for line in out.splitlines() if line.lstrip().startswith("advice/")]
    for line, x in zip(lines, v5.advice[:5]):
        row = line.split()
        assert row[1] == ("-" if x.layer is None else str(x.layer))
        rest = " ".join(row[2:])
        assert rest.startswith(x.rule + " ")  # a rule may have spaces: 'ShuffleNetV2 G4'
        after = rest[len(x.rule):].split()
        assert close(after[0], x.saving_ms)
        assert " ".join(after[1:]) in flat(x.message)
    many = dataclasses.replace(v5, advice=[Advice(code=f"advice/rule-{k}", layer=k, message=f"message {k}",
                                                  saving_ms=10.0 - k, rule="roofline") for k in range(7)])
    out = text_of(many, 100)
    assert "(top 5 of 7, largest estimated saving first)" in out
    shown = [line.split()[0] for line in out.splitlines() if line.lstrip().startswith("advice/")]
    assert shown == [f"advice/rule-{k}" for k in range(5)]


def test_terminal_advice_is_a_list_on_a_narrow_terminal(v5):
    out = text_of(v5, 80)
    lines = out.splitlines()
    heads = [k for k, line in enumerate(lines) if line.startswith(" advice/")]
    assert len(heads) == 5
    for k, x in zip(heads, v5.advice[:5]):
        where = "whole model" if x.layer is None else f"layer {x.layer}"
        code, rest = lines[k].split(None, 1)
        assert code == x.code and rest.startswith(f"{where}, {x.rule}, saves ")
        assert close(rest.rsplit("saves ", 1)[1].split()[0], x.saving_ms)
        body = []
        for line in lines[k + 1:]:
            if not line.startswith("   ") or not line.strip():
                break
            body.append(line)
        assert flat(" ".join(body)) == flat(x.message)  # the whole message, every line indented
    assert max(len(line.rstrip()) for line in lines) <= 80


def test_terminal_narrow_config_keeps_fitting_with_the_ms_column():
    p7 = yanalyze.analyze(CONFIGS / "yolov5-p7.yaml", device=str(DEVICE))
    for width in (80, 100, 120):
        out = text_of(p7, width)
        assert max(len(line) for line in out.splitlines()) <= width
        assert "…" not in out
        assert len(table_rows(out)) == len(p7.layers)


# ---------- Markdown ----------

def md_unescape(text: str) -> str:
    return htmllib.unescape(re.sub(r"\\(.)", r"\1", text))


def md_table(md: str, first_header: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the table whose header row starts with `first_header`."""
    lines = md.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    split = lambda line: [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(split(line))
    return split(lines[start]), rows


def test_markdown_latency_section(a):
    md = markdown.render(a)
    assert "**Latency** on test-cpu (measured estimate)" in md
    _, rows = md_table(md, "latency | value")
    got = dict((k, v) for k, v in rows)
    assert got["device"] == "test-cpu" and got["kind"] == "measured estimate"
    assert got["source"].startswith("a fixed profile for the tests") and "threads 2" in got["source"]
    assert got["total"] == f"{round(a.latency.total_ms)} ms"
    assert close(got["fused total"].split()[0], a.latency.total_ms_fused)
    ms, flops = bound_ms(a), bound_flops(a)
    _, rows = md_table(md, "bound")
    assert sorted(r[0] for r in rows) == sorted(BOUNDS)
    for bound, shown, time_share, flops_share in rows:
        assert close(shown, ms[bound])
        assert time_share == pct(ms[bound] / a.latency.total_ms)
        assert flops_share == pct(flops[bound] / sum(flops.values()))
    _, rows = md_table(md, "op class")
    expected = class_ms(a)
    assert {md_unescape(r[0]) for r in rows} == set(expected)
    for name, shown, _, _ in rows:
        assert close(shown, expected[md_unescape(name)])
    # a conv's class from its kernel detail: 1x1 or kxk (yolov5s has no grouped or dilated conv)
    conv = {"conv1x1": 0, "conv_kxk": 0}
    for r in a.layers:
        for what, detail, c in r.kernels:
            if what == "conv2d":
                conv["conv1x1" if detail.startswith("1x1 ") else "conv_kxk"] += c.flops
    shares = {md_unescape(r[0]): r[3] for r in rows}
    for k, v in conv.items():
        assert shares[k] == pct(v / sum(r.flops for r in a.layers))


def test_markdown_advice_rows_equal_the_advice(v5):
    md = markdown.render(v5)
    header, rows = md_table(md, "code")
    assert header == ["code", "layer", "rule", "saving ms", "advice"]
    assert len(rows) == len(v5.advice) > 2
    for row, x in zip(rows, v5.advice):
        assert row[0] == f"`{x.code}`" and row[1] == ("-" if x.layer is None else str(x.layer))
        assert row[2] == x.rule and close(row[3], x.saving_ms)
        assert md_unescape(row[4]) == x.message


def test_markdown_layer_table_gains_ms_and_bound(a):
    md = markdown.render(a)
    header, rows = md_table(md, "#")
    assert header[header.index("mem") + 1:header.index("mem") + 3] == ["ms", "bound"]
    k = header.index("ms")
    assert len(rows) == len(a.layers)
    for row, t in zip(rows, a.latency.layers):
        assert close(row[k], t.ms) and row[k + 1] == t.bound


# ---------- HTML ----------

@pytest.fixture(scope="module")
def page(a) -> str:
    return html.render(a)


def figure(page: str, id: str) -> str:
    return re.search(rf'<figure class="chart" id="{id}">.*?</figure>', page, re.S)[0]


def test_html_layer_table_has_every_layers_ms_and_bound(a, page):
    head = re.search(r'<table id="layer-table".*?</thead>', page, re.S)[0]
    titles = re.findall(r'<th scope="col" data-type="(\w+)">([^<]*)</th>', head)
    names = [t for _, t in titles]
    k = names.index("ms")
    assert names[k - 1] == "mem" and names[k + 1] == "bound" and titles[k][0] == "num" and titles[k + 1][0] == "text"
    for t in a.latency.layers:
        row = re.search(rf'<tr id="row-L{t.layer}".*?</tr>', page, re.S)[0]
        cells = re.findall(r'<td data-v="([^"]*)">([^<]*)</td>', row)
        assert float(cells[k][0]) == t.ms and close(cells[k][1], t.ms)
        assert cells[k + 1] == (t.bound, t.bound)
    foot = re.search(r'<tfoot>.*?</tfoot>', page, re.S)[0]
    assert f'<td data-sum="ms">{round(a.latency.total_ms)}</td>' in foot


def test_html_roofline_is_the_chosen_device_with_estimated_points(a, page):
    roof = figure(page, "chart-roofline")
    assert "Roofline on test-cpu" in roof and "measured profile" in roof and "cpu-default" not in roof
    dots = re.findall(r'<circle class="pt (\w+)"[^>]*><title>(\d+) ([^<]*)</title>', roof)
    drawn = [(r, t) for r, t in zip(a.layers, a.latency.layers) if r.flops and r.mem_bytes and t.ms > 0]
    assert [int(i) for _, i, _ in dots] == [r.index for r, _ in drawn] and len(drawn) == 19
    for (bound, _, title), (r, t) in zip(dots, drawn):
        assert bound == t.bound
        assert f"= {r.flops / (t.ms / 1e3) / 1e9:.3g} GFLOP/s" in title  # its FLOPs over its estimated time


def test_html_where_the_time_goes(a, page):
    section = re.search(r'<section id="time">.*?</section>', page, re.S)[0]
    assert "Where the time goes" in section and "test-cpu" in section
    bars = re.findall(r'<rect class="bar t-(\w+)"[^>]*><title>(\d+) ', figure(page, "chart-time"))
    parts = [(p, t.layer) for t in a.latency.layers for p in ("overhead", "compute", "memory")
             if getattr(t, f"{p}_ms") > 0]
    assert [(p, int(i)) for p, i in bars] == parts
    by_bound = figure(page, "chart-time-by-bound")
    ms, flops = bound_ms(a), bound_flops(a)
    for b in BOUNDS:
        if ms[b]:
            assert f"{b}-bound: {ms[b] / a.latency.total_ms:.1%} of time" in by_bound
        if flops[b]:
            assert f"{b}-bound: {flops[b] / sum(flops.values()):.1%} of FLOPs" in by_bound
    assert "of FLOPs" in figure(page, "chart-time-by-class")
    assert page.count('<figure class="chart"') == 4 + 5 + 3
    assert f'<a href="#time">Where the time goes</a><a href="#advice">Advice ({len(a.advice)})</a>' in page


def test_html_advice_section(v5):
    page = html.render(v5)
    section = re.search(r'<section id="advice".*?</section>', page, re.S)[0]
    rows = re.findall(r"<tr><td><code>([^<]*)</code></td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>"
                      r'<td class="message">([^<]*)</td></tr>', section)
    assert len(rows) == len(v5.advice) > 2
    for (code, layer, rule, saving, message), x in zip(rows, v5.advice):
        assert code == x.code and layer == ("-" if x.layer is None else str(x.layer)) and rule == x.rule
        assert close(saving, x.saving_ms) and htmllib.unescape(message) == x.message


def test_html_layer_panel_has_the_latency(a, page):
    data = json.loads(re.search(r'<script type="application/json" id="layer-data">(.*?)</script>', page, re.S)[1])
    for t in a.latency.layers:
        row = dict(data[f"L{t.layer}"]["row"])
        assert row["latency"].startswith(f"{row['latency'].split()[0]} ms, {t.bound}-bound")
        assert close(row["latency"].split()[0], t.ms)


def test_html_is_deterministic_with_a_device(a, page):
    again = yanalyze.analyze(CONFIGS / "yolov5s.yaml", device=str(DEVICE))
    assert html.render(again) == page
    assert markdown.render(again) == markdown.render(a)


def test_roofline_datasheet_is_labelled_a_lower_bound():
    t4 = yanalyze.analyze(CONFIGS / "yolov5s.yaml", device="nvidia-t4")
    page = html.render(t4)
    roof = figure(page, "chart-roofline")
    assert "Roofline on nvidia-t4" in roof and "datasheet roofline: FLOPs / lower-bound time" in roof
    assert "roofline lower bound" in markdown.render(t4)
    assert "latency" in text_of(t4, 100) and "(roofline lower bound; fused" in text_of(t4, 100)


# ---------- nothing without a device, and escaping ----------

def test_without_a_device_no_latency_anywhere():
    plain = yanalyze.analyze(CONFIGS / "yolov5s.yaml")
    page, md, out = html.render(plain), markdown.render(plain), text_of(plain, 120)
    assert 'id="time"' not in page and 'id="advice"' not in page and ">ms</th>" not in page
    assert "Roofline on cpu-default" in figure(page, "chart-roofline")
    assert "**Latency**" not in md and "| ms |" not in md and "**Advice**" not in md
    assert "latency" not in out and table_rows(out) == {}


HOSTILE_DEVICE = "<script>alert(3)</script>\x1b]8;;http://x\x07|dev"
HOSTILE_ADVICE = "<b onmouseover=alert(5)>fold</b> | `x` \x1b[31m*y*"


@pytest.fixture
def hostile(tmp_path: Path) -> Analysis:
    profile = json.loads(DEVICE.read_text())
    profile["name"], profile["source"] = HOSTILE_DEVICE, "<img src=x onerror=alert(4)>"
    path = tmp_path / "hostile-device.json"
    path.write_text(json.dumps(profile))
    a = yanalyze.analyze(hostile_config(tmp_path), allow_unknown=True, device=str(path))
    return dataclasses.replace(a, advice=[Advice(code="advice/test", layer=0, message=HOSTILE_ADVICE, saving_ms=1.5,
                                                 rule="<i>rule</i>")])


def test_hostile_names_are_escaped_in_the_latency_and_advice_parts(hostile):
    page = html.render(hostile)
    for raw in ("<script>alert(3)", "<img src=x onerror=alert(4)>", "<b onmouseover", "<i>rule"):
        assert raw not in page
    assert page.count("<script>") == 1
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page and "&lt;b onmouseover=alert(5)&gt;" in page

    md = markdown.render(hostile)
    outside_code = re.sub(r"`[^`\n]*`", "", md)
    for raw in ("<script", "<img", "<b ", "<i>"):
        assert raw not in outside_code
    row = next(line for line in md.splitlines() if line.startswith("| `advice/test`"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # the message's pipe is escaped: still five cells
    assert "&lt;b onmouseover=alert(5)&gt;" in row

    out = text_of(hostile, 120)
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]8;;http://x\\x07|dev" in out and "\\x1b[31m" in out


def test_cli_device_in_every_view(run_cli, tmp_path):
    md, page = tmp_path / "r.md", tmp_path / "r.html"
    code, out, _ = run_cli(CONFIGS / "yolov5s.yaml", "--device", DEVICE, "--md", md, "--html", page, "--width", "80")
    assert code == 0
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml", device=str(DEVICE))
    three = lambda v: f"{v:.0f}" if v >= 100 else f"{v:.1f}"  # about three digits, as the table prints ms
    total, fused = three(a.latency.total_ms), three(a.latency.total_ms_fused)
    assert re.search(rf"^latency +{total} ms on test-cpu \(measured estimate; fused {fused} ms\)", out, re.M)
    assert "**Latency** on test-cpu" in md.read_text() and 'id="time"' in page.read_text()
