"""Hostile inputs and outputs (issue 12): no file clobbered, nothing half-written, no hang, no
traceback; every bad input is exit 2 and one line naming the file."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BASE = (EXAMPLES / "yolov5s.yaml").read_text()


def one_line_error(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("yanalyze: error[") and "Traceback" not in err


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    p = tmp_path / "model.yaml"
    p.write_text(BASE)
    return p


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8", errors="surrogatepass")
    return p


# 1. outputs never destroy inputs or other files -------------------------------------------

@pytest.mark.parametrize("argv", [
    ["{cfg}", "--json", "{cfg}"],
    ["{cfg}", "--md", "{link}"],                      # through a symlink to the input
    ["{cfg}", "--html", "{hard}"],                    # a hard link to the input
    ["diff", "{cfg}", "{cfg}", "--json", "{cfg}"],
    ["check", "{cfg}", "--max-params", "9e9", "--junit", "{cfg}"],
    ["rewrite", "{cfg}", "-o", "{cfg}"],
])
def test_an_output_that_is_an_input_is_refused(run_cli, tmp_path, cfg, argv):
    (tmp_path / "link.yaml").symlink_to(cfg)
    os.link(cfg, tmp_path / "hard.yaml")
    subs = {"cfg": cfg, "link": tmp_path / "link.yaml", "hard": tmp_path / "hard.yaml"}
    code, _, err = run_cli(*[a.format(**subs) for a in argv])
    assert code == 2 and one_line_error(err) and "would overwrite the input" in err
    assert cfg.read_text() == BASE


def test_the_default_html_name_may_not_be_the_input(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = write(tmp_path, "model.html", BASE)  # a config that happens to end in .html
    code, _, err = run_cli(page, "--html")
    assert code == 2 and "would overwrite the input" in err and page.read_text() == BASE


def test_all_outputs_or_none(run_cli, tmp_path, cfg):
    ok, bad = tmp_path / "ok.json", tmp_path / "missing" / "x.md"
    code, _, err = run_cli(cfg, "--json", ok, "--md", bad)
    assert code == 2 and one_line_error(err) and str(bad) in err
    assert not ok.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["model.yaml"]


def test_a_symlink_output_is_written_through(run_cli, tmp_path, cfg):
    target = tmp_path / "real.json"
    target.write_text("old")
    (tmp_path / "link.json").symlink_to(target)
    assert run_cli(cfg, "--json", tmp_path / "link.json")[0] == 0
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads(target.read_text())["totals"]["params"] == 7235389


def test_a_fifo_output_is_written_in_place(run_cli, tmp_path, cfg):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, _ = run_cli(cfg, "--json", fifo)
    reader.join(10)
    assert code == 0 and fifo.is_fifo()
    assert json.loads(got[0])["totals"]["params"] == 7235389


def test_two_outputs_to_one_file_are_refused(run_cli, tmp_path, cfg):
    code, _, err = run_cli(cfg, "--json", tmp_path / "x", "--md", tmp_path / "x")
    assert code == 2 and "given for two outputs" in err and not (tmp_path / "x").exists()


# 2. resource limits, checked before the work ----------------------------------------------

@pytest.mark.parametrize("path, needle", [("/dev/zero", "larger than 8 MB"), ("/dev/null", "")])
def test_devices_are_read_bounded(run_cli, path, needle):
    t = time.monotonic()
    code, _, err = run_cli(path)
    assert code == 2 and one_line_error(err) and needle in err and time.monotonic() - t < 5


def test_a_fifo_nobody_writes_to_does_not_hang(run_cli, tmp_path):
    fifo = tmp_path / "in.yaml"
    os.mkfifo(fifo)
    t = time.monotonic()
    code, _, err = run_cli(fifo)
    assert code == 2 and "nothing to read" in err and time.monotonic() - t < 6


def test_a_huge_file_is_refused_before_reading(run_cli, tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(9 * 1024 * 1024)
    code, _, err = run_cli(big)
    assert code == 2 and "larger than 8 MB" in err


def bomb(levels: int, use: str) -> str:
    lines = ["l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n" + BASE.replace("[-1, 1, SPPF, [1024, 5]]", use)


@pytest.mark.parametrize("use", ["[-1, 1, SPPF, *l8]", "[*l8, 1, SPPF, [1024, 5]]"])
def test_alias_bombs_are_refused_quickly(run_cli, tmp_path, use):
    t = time.monotonic()
    code, _, err = run_cli(write(tmp_path, "bomb.yaml", bomb(9, use)))
    assert code == 2 and one_line_error(err) and "values (nested YAML aliases?)" in err
    assert len(err) < 500 and time.monotonic() - t < 3


@pytest.mark.parametrize("old, new, needle", [
    ("[-1, 3, C3, [128]]", "[-1, 1000000000, C3, [128]]", "number (repeats) is 1,000,000,000"),
    ("[None, 2, 'nearest']", "[None, 100000000, 'nearest']", "feature map side"),
    ("[-1, 1, Conv, [64, 6, 2, 2]]", "[-1, 1, Conv, [1000000000, 6, 2, 2]]", "output channels"),
    ("anchors:", "anchors: 1000000000\nunused:", "anchors per level"),
    ("nc: 80", "nc: " + "9" * 400, "a 400-digit number"),
    ("depth_multiple: 0.33", "depth_multiple: 1.0e+300", "'depth_multiple' is"),
    ("width_multiple: 0.50", "width_multiple: .inf", "'width_multiple' must be a number"),
    ("width_multiple: 0.50", "width_multiple: .nan", "'width_multiple' must be a number"),
    ("[-1, 1, Conv, [64, 6, 2, 2]]", "[-1, 1, Conv, ['9**64**64', 6, 2, 2]]", "not simple arithmetic"),
])
def test_values_beyond_any_model_are_refused(run_cli, tmp_path, old, new, needle):
    assert old in BASE
    t = time.monotonic()
    code, _, err = run_cli(write(tmp_path, "m.yaml", BASE.replace(old, new, 1)))
    assert code == 2 and one_line_error(err) and needle in err, err
    assert "m.yaml" in err and time.monotonic() - t < 5


@pytest.mark.parametrize("argv, needle", [
    (["--imgsz", "1000000"], "image side"),
    (["--imgsz", "1e308"], "--imgsz"),
    (["--batch", "99999999"], "batch"),
])
def test_command_line_values_are_bounded(run_cli, cfg, argv, needle):
    code, _, err = run_cli(cfg, *argv)
    assert code == 2 and one_line_error(err) and needle in err


@pytest.mark.parametrize("option, budget, needle", [
    (["--max-gflops", "1e400"], None, "finite"),
    (["--max-params", "nan"], None, "cannot read"),
    ([], "limits:\n  gflops: .inf\n", "finite"),
    ([], "limits:\n  params: .nan\n", "finite"),
    ([], "limits:\n  params: 8M\n  params: 9M\n", "duplicate key 'params'"),
    ([], bomb(9, "[-1, 1, SPPF, [1024, 5]]").split("nc:")[0] + "limits:\n  params: *l8\n", "aliases"),
])
def test_budget_limits_are_finite_numbers(run_cli, tmp_path, cfg, option, budget, needle):
    extra = ["--budget", str(write(tmp_path, "budget.yaml", budget))] if budget else []
    code, _, err = run_cli("check", cfg, *option, *extra)
    assert code == 2 and one_line_error(err) and needle in err, err


# 3. malformed YAML: exit 2 and one line ---------------------------------------------------

@pytest.mark.parametrize("old, new, needle", [
    ("nc: 80", "nc: 80 \x1b[31m", "control character U+001B"),
    ("nc: 80", "nc: !!binary aGVsbG8=", "'nc' must be a positive integer"),
    ("nc: 80", "nc: !!set {a, b}", "'nc' must be a positive integer"),
    ("nc: 80", "nc: 2001-12-14", "'nc' must be a positive integer"),
    ("nc: 80", "nc: 80\nnc: 81", "duplicate key 'nc'"),
    ("nc: 80", 'nc: 80\nx: "\\ud800"', "lone surrogate"),
    ("nc: 80", "nc: 80\n1: 2", "top-level keys are names"),
    ("[-1, 1, SPPF, [1024, 5]]", "[-1, 1, SPP, [1024, []]]", "at least one pool kernel"),
    ("[-1, 1, SPPF, [1024, 5]]", "[-1, 1, SPP, [1024, 5]]", "must be a list"),
    ("[-1, 1, Conv, [64, 6, 2, 2]]", "[-1, 1, Conv, [64, 3.inf, 2, 2]]", "m.yaml"),  # no SyntaxWarning line
    ("[-1, 1, Conv, [64, 6, 2, 2]]", "[-1, 1, Conv, ['" + "-" * 10000 + "1', 6, 2, 2]]", "m.yaml"),
    # nested past what libyaml's recursive composer survives (it would crash the process): the
    # pure-Python loader takes it and fails in one line
    ("[-1, 1, Conv, [64, 6, 2, 2]]", "[-1, 1, Conv, [" + "[" * 200_000 + "]" * 200_000 + "]]", "nests too deeply"),
    ("[-1, 1, Conv, [64, 6, 2, 2]]", "[-1, 1, Conv, [" + "[" * 1500 + "]" * 1500 + "]]", "m.yaml"),
])
def test_malformed_yaml_is_one_line(run_cli, tmp_path, old, new, needle):
    assert old in BASE
    code, _, err = run_cli(write(tmp_path, "m.yaml", BASE.replace(old, new, 1)))
    assert code == 2 and one_line_error(err) and needle in err, err
    assert len(err) <= 500


def test_json_is_strict_and_deterministic(run_cli, tmp_path):
    text = BASE.replace("[-1, 1, SPPF, [1024, 5]]", "[-1, 1, Mystery, [1024, .nan, !!set {b, a, c}]]")
    p = write(tmp_path, "m.yaml", text)
    outs = []
    for k in range(2):
        assert run_cli(p, "--allow-unknown", "--json", tmp_path / f"{k}.json")[0] == 0
        outs.append((tmp_path / f"{k}.json").read_bytes())
    assert outs[0] == outs[1] and b"NaN" not in outs[0]
    args = json.loads(outs[0])["layers"][9]["args"]
    assert args[1:] == ["nan", ["'a'", "'b'", "'c'"]]


# 4. no text from a config is interpreted ---------------------------------------------------

# in YAML's double-quoted escapes: markup, an OSC-8 hyperlink, a bidi override and a newline
HOSTILE = r'"[/]\e]8;;http://x\e\\link\e]8;;\e\\\u202e\nX"'


def test_terminal_shows_control_characters_and_markup_as_text(run_cli, tmp_path):
    p = write(tmp_path, "m.yaml", BASE.replace("[-1, 1, SPPF, [1024, 5]]", f"[-1, 1, {HOSTILE}, [1024]]"))
    code, out, err = run_cli(p, "--allow-unknown", "--width", "200")
    assert code == 0 and err == ""
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b]8;;http://x" in out and "[/]" in out


def test_markdown_of_diff_and_check_escapes_names(run_cli, tmp_path):
    p = write(tmp_path, "a`b|<i>.yaml", BASE)
    code, out, _ = run_cli("diff", p, p, "--md")
    assert code == 0 and "`a'b\\|<i>`" in out and "<i>" not in out.replace("`a'b\\|<i>`", "")
    code, _, _ = run_cli("check", p, "--max-params", "9e9", "--md", tmp_path / "check.md")
    out = (tmp_path / "check.md").read_text()
    assert code == 0 and "a`b" not in out and "\\|" in out


def test_long_values_are_cut_in_error_lines(run_cli, tmp_path):
    p = write(tmp_path, "m.yaml", BASE.replace("nc: 80", "nc: '" + "x" * 5000 + "'"))
    code, _, err = run_cli(p)
    assert code == 2 and one_line_error(err) and len(err) < 500 and "characters)" in err


# 5. rewrite: block style works, shared rows are refused -----------------------------------

def test_rewrite_handles_block_style_and_refuses_aliased_rows(run_cli, tmp_path):
    block = BASE.replace("  - [-1, 1, SPPF, [1024, 5]]",
                         "  - - -1\n    - 1\n    - SPP\n    - - 1024\n      - [5, 9, 13]")
    src = write(tmp_path, "block.yaml", block)
    code, out, _ = run_cli("rewrite", src, "-o", tmp_path / "out.yaml")
    assert code == 0 and "SPP -> SPPF" in out
    assert "    - SPPF\n    - [1024, 5]\n" in (tmp_path / "out.yaml").read_text()
    aliased = BASE.replace("  - [-1, 1, SPPF, [1024, 5]]", "  - &spp [-1, 1, SPP, [1024, [5, 9, 13]]]\n  - *spp")
    aliased = aliased.replace("[[-1, 10], 1, Concat", "[[-1, 11], 1, Concat")
    src = write(tmp_path, "aliased.yaml", aliased)
    code, _, err = run_cli("rewrite", src, "-o", tmp_path / "out2.yaml")
    assert code == 2 and one_line_error(err) and "alias" in err and not (tmp_path / "out2.yaml").exists()


# 6. plugin errors are one line naming the plugin -----------------------------------------

@pytest.mark.parametrize("body, needle", [
    ("import sys\nsys.exit('bye')\n", "called sys.exit('bye')"),
    ("raise KeyError('at import')\n", "KeyError: 'at import'"),
    ("import yanalyze\n@yanalyze.register('Boom', channels='conv')\ndef boom(x, c1, c2):\n"
     "    raise RuntimeError('kaboom')\n", "raised RuntimeError: kaboom"),
])
def test_plugin_failures_are_one_line(run_cli, tmp_path, body, needle):
    plugin = write(tmp_path, "plug.py", body)
    p = write(tmp_path, "m.yaml", BASE.replace("[-1, 1, Conv, [128, 3, 2]]", "[-1, 1, Boom, [128]]", 1))
    code, _, err = run_cli(p, "--plugin", plugin)
    assert code == 2 and one_line_error(err) and needle in err and "plug" in err


# 7. huge models still render ---------------------------------------------------------------

def test_a_huge_focus_kernel_draws_a_corner(run_cli, tmp_path):
    p = write(tmp_path, "m.yaml", BASE.replace("[-1, 1, Conv, [64, 6, 2, 2]]", "[-1, 1, Focus, [32, 101]]"))
    code, _, _ = run_cli(p, "--html", tmp_path / "m.html")
    page = (tmp_path / "m.html").read_text()
    assert code == 0 and len(page) < 2_000_000 and "top-left 16x16 taps shown" in page


def test_a_long_module_name_and_args_fit_the_graph(run_cli, tmp_path):
    name, args = "N" * 20000, "[" + ", ".join(["1024"] * 3000) + "]"
    p = write(tmp_path, "m.yaml", BASE.replace("[-1, 1, SPPF, [1024, 5]]", f"[-1, 1, {name}, {args}]"))
    code, _, err = run_cli(p, "--allow-unknown", "--html", tmp_path / "m.html")
    assert code == 0, err
    assert (tmp_path / "m.html").stat().st_size < 3_000_000


def test_the_total_work_is_bounded(run_cli, tmp_path):
    rows = "\n".join(["  - [-1, 1000, C3, [16]]"] * 101)
    text = (f"nc: 80\nanchors: 3\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n{rows}\n"
            "head:\n  - [[-1], 1, Detect, [nc, anchors]]\n")
    t = time.monotonic()
    code, _, err = run_cli(write(tmp_path, "m.yaml", text), "--imgsz", "64")
    assert code == 2 and one_line_error(err) and "summed over the rows so far is 100,001" in err
    assert "m.yaml:104: layer 100" in err and time.monotonic() - t < 5
