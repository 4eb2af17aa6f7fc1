"""Many configs in one call: files, a directory, a glob and `-` expand to one summary row per
config (terminal, Markdown) or a JSON array of the single-config documents; a broken config is
one error row and exit code 2, the others still reported."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONFIGS, ROOT
from yanalyze.analyzer.errors import ConfigError
from yanalyze.reports import many
from yanalyze.reports.md_text import cell

S, N = CONFIGS / "yolov5s.yaml", CONFIGS / "yolov5n.yaml"
BAD_YAML = "nc: 80\nbackbone: [[-1, 1, Conv, [64, 6, 2, 2]]\nhead: []\n"
WIDE = ("--width", "250")


def yanalyze(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The command as a process (stdin is a real pipe there)."""
    return subprocess.run([sys.executable, "-m", "yanalyze", *map(str, args)], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def single_json(run_cli, *args) -> dict:
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def array(run_cli, *args, code: int = 0) -> list:
    got, out, err = run_cli(*args, "--json")
    assert got == code, err
    return json.loads(out)


def paths(docs: list) -> list:
    return [d["model"]["path"] if "model" in d else d["config"] for d in docs]


def test_two_configs_are_two_summary_rows_in_argument_order(run_cli):
    code, out, err = run_cli(S, N, *WIDE)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "2 configs"
    assert lines[1].split()[:4] == ["config", "layers", "params", "GFLOPs"]
    rows = [line.split() for line in lines if line.startswith(str(CONFIGS))]
    assert [r[0] for r in rows] == [str(S), str(N)]
    # name, layers, params, GFLOPs (fused), memory access, peak activation, RF per level, status
    assert rows[0] == [str(S), "25", "7,235,389", "16.6", "(16.4)", "826", "MB", "19.7", "MB",
                       "P3", "682-714", "P4", "746", "P5", "842", "ok"]
    assert rows[1][1:5] == ["25", "1,872,157", "4.6", "(4.5)"]


def test_the_json_array_holds_exactly_the_single_config_documents(run_cli):
    docs = array(run_cli, S, N, "--imgsz", "320", "--nc", "3", "--batch", "2")
    assert docs == [single_json(run_cli, cfg, "--imgsz", "320", "--nc", "3", "--batch", "2") for cfg in (S, N)]
    assert [(d["input"]["imgsz"], d["model"]["nc"], d["input"]["batch"]) for d in docs] == [([320, 320], 3, 2)] * 2


def test_json_array_is_byte_identical_across_runs(run_cli):
    first, second = (run_cli(N, S, "--json")[1] for _ in range(2))
    assert first == second and first.startswith("[\n")


def make_dir(tmp_path: Path) -> Path:
    d = tmp_path / "models"
    (d / "sub").mkdir(parents=True)
    for name in ("b.yaml", "a.yml", "sub/c.yaml"):
        (d / name).write_text(N.read_text())
    (d / "notes.txt").write_text("not a config")
    (d / "dir.yaml").mkdir()
    return d


def test_a_directory_is_its_yaml_files_sorted_and_recursive_only_when_asked(run_cli, tmp_path):
    d = make_dir(tmp_path)
    assert paths(array(run_cli, d)) == [str(d / "a.yml"), str(d / "b.yaml")]
    assert paths(array(run_cli, d, "--recursive")) == [str(d / "a.yml"), str(d / "b.yaml"), str(d / "sub" / "c.yaml")]


def test_a_glob_is_expanded_sorted_and_follows_the_other_arguments_in_order(run_cli, tmp_path):
    d = make_dir(tmp_path)
    assert paths(array(run_cli, S, str(d / "*.y*ml"))) == [str(S), str(d / "a.yml"), str(d / "b.yaml")]
    assert paths(array(run_cli, str(d / "**" / "*.yaml"))) == [str(d / "b.yaml"), str(d / "sub" / "c.yaml")]


def test_a_glob_or_directory_that_finds_one_file_still_gives_the_summary_form(run_cli, tmp_path):
    d = make_dir(tmp_path)
    assert paths(array(run_cli, str(d / "*.yml"))) == [str(d / "a.yml")]


@pytest.mark.parametrize("arg, needle", [("empty", "is a directory with no *.yaml or *.yml file"),
                                         ("nothing-*.yaml", "no file matches this pattern")])
def test_an_empty_directory_or_glob_is_one_line_and_exit_2(run_cli, tmp_path, arg, needle):
    (tmp_path / "empty").mkdir()
    code, out, err = run_cli(S, tmp_path / arg)
    assert (code, out) == (2, "") and err.count("\n") == 1 and needle in err


def test_stdin_is_one_config_named_stdin_alone_or_among_others(run_cli):
    alone = yanalyze("-", "--json", stdin=S.read_text())
    assert alone.returncode == 0, alone.stderr
    doc = json.loads(alone.stdout)
    assert (doc["model"]["name"], doc["model"]["path"]) == ("stdin", "stdin")
    assert doc["totals"] == single_json(run_cli, S)["totals"]
    mixed = yanalyze(N, "-", "--json", stdin=S.read_text())
    assert mixed.returncode == 0, mixed.stderr
    assert json.loads(mixed.stdout) == [single_json(run_cli, N), doc]
    shown = yanalyze("-", stdin=S.read_text())
    assert shown.stdout.startswith("stdin summary: 25 layers, 7,235,389 parameters")


def test_stdin_errors_name_stdin_and_dash_is_taken_once(run_cli):
    bad = yanalyze("-", stdin=BAD_YAML)
    assert bad.returncode == 2 and bad.stderr.startswith("yanalyze: error[parse/yaml]: stdin:3: malformed YAML")
    code, out, err = run_cli("-", S, "-")
    assert (code, out) == (2, "") and "'-' (standard input) can be given once" in err


def broken(tmp_path: Path) -> list[Path]:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_YAML)
    layer = tmp_path / "layer.yaml"
    layer.write_text(S.read_text().replace("[-1, 1, SPPF, [1024, 5]]", "[-1, 1, NoSuchBlock, [1024, 5]]"))
    return [bad, tmp_path / "missing.yaml", layer]


def test_a_broken_config_is_one_error_row_with_its_own_line_and_the_others_are_reported(run_cli, tmp_path):
    bad, missing, layer = broken(tmp_path)
    expected = []
    for cfg in (bad, missing, layer):
        code, _, err = run_cli(cfg)
        assert code == 2 and err.startswith("yanalyze: error[")
        expected.append(err.strip().removeprefix("yanalyze: "))
    code, out, err = run_cli(S, bad, missing, layer, N, "--width", "1000")
    assert code == 2 and err == ""
    lines = out.splitlines()
    assert lines[0] == "5 configs, 3 failed"
    rows = {line.split()[0]: line for line in lines[3:]}
    assert list(rows) == [str(p) for p in (S, bad, missing, layer, N)]
    for cfg, line in zip((bad, missing, layer), expected):
        assert rows[str(cfg)].rstrip().endswith(line) and rows[str(cfg)].split()[1] == "-"
    assert "7,235,389" in rows[str(S)] and "1,872,157" in rows[str(N)]


def test_failed_configs_in_the_json_array_and_on_stderr(run_cli, tmp_path):
    bad, missing, _ = broken(tmp_path)
    code, out, err = run_cli(S, bad, missing, "--json")
    docs = json.loads(out)
    assert code == 2 and docs[0] == single_json(run_cli, S)
    assert docs[1] == {"config": str(bad), "error": {"code": "parse/yaml", "line": 3, "message": docs[1]["error"]["message"]}}
    assert docs[1]["error"]["message"].startswith(f"{bad}:3: malformed YAML")
    assert docs[2] == {"config": str(missing), "error": {"code": "parse/missing", "line": None,
                                                          "message": f"{missing}: no such file"}}
    assert err.splitlines() == [f"yanalyze: error[parse/yaml]: {docs[1]['error']['message']}",
                                f"yanalyze: error[parse/missing]: {missing}: no such file"]


def test_markdown_table_one_row_per_config(run_cli, tmp_path):
    bad, *_ = broken(tmp_path)
    code, out, _ = run_cli(S, bad, "--md")
    assert code == 2
    assert out.splitlines() == [
        "### yanalyze: 2 configs, 1 failed", "",
        "| config | layers | params | GFLOPs (fused) | memory access | peak activation | RF per level | status |",
        "|---|---:|---:|---:|---:|---:|---|---|",
        f"| `{S}` | 25 | 7,235,389 | 16.6 (16.4) | 826 MB | 19.7 MB | P3 682-714 P4 746 P5 842 | ok |",
        f"| `{bad}` | - | - | - | - | - | - | "
        + cell(f"error[parse/yaml]: {bad}:3: malformed YAML, column 1: did not find expected ',' or ']'") + " |"]


def test_status_counts_warnings_and_budget(run_cli, tmp_path):
    budget = tmp_path / "budget.yaml"
    budget.write_text("limits: {params: 5M}\n")
    code, out, _ = run_cli(S, N, "--imgsz", "600", "--budget", budget, "--md")
    assert code == 0
    rows = out.splitlines()[4:]
    assert rows[0].endswith("| 1 warning, budget: 1 of 1 limits exceeded |")
    assert rows[1].endswith("| 1 warning, within budget |")


def test_one_config_keeps_the_full_report(run_cli):
    code, out, _ = run_cli(S, *WIDE)
    assert code == 0 and out.startswith("yolov5s summary: 25 layers") and "configs" not in out.splitlines()[0]
    doc = single_json(run_cli, S)
    assert isinstance(doc, dict) and doc["model"]["path"] == str(S)


@pytest.mark.parametrize("flag", [["--html"], ["--html", "x.html"], ["--dot", "x.dot"], ["--svg", "x.svg"]])
def test_drawings_take_one_config_and_nothing_is_written(run_cli, tmp_path, flag):
    out_json = tmp_path / "out.json"
    code, out, err = run_cli(S, N, *flag, "--json", out_json)
    assert (code, out) == (2, "") and "draw one config" in err and err.count("\n") == 1
    assert not out_json.exists() and list(tmp_path.iterdir()) == []


def test_no_output_replaces_an_input_even_one_a_glob_or_directory_found(run_cli, tmp_path):
    d = make_dir(tmp_path)
    before = (d / "b.yaml").read_text()
    for args in ([S, d / "b.yaml", "--json", d / "b.yaml"], [str(d / "*.yaml"), "--md", d / "b.yaml"],
                 [d, "--json", d / "a.yml"]):
        code, out, err = run_cli(*args)
        assert (code, out) == (2, "") and "would overwrite the input" in err
    assert (d / "b.yaml").read_text() == before and (d / "a.yml").read_text() == before


def test_files_are_written_and_the_terminal_is_skipped_with_q(run_cli, tmp_path):
    js, md = tmp_path / "all.json", tmp_path / "all.md"
    code, out, err = run_cli(S, N, "--json", js, "--md", md, "-q")
    assert code == 0 and out == f"wrote {js}\nwrote {md}\n" and err == ""
    assert paths(json.loads(js.read_text())) == [str(S), str(N)] and md.read_text().startswith("### yanalyze: 2")


HOSTILE = "evil\x1b]8;;x\x07|`*_<b>\u202e.yaml"


def test_hostile_names_are_escaped_in_the_terminal_and_in_markdown(run_cli, tmp_path):
    p = tmp_path / HOSTILE
    p.write_text(N.read_text())
    mod = tmp_path / "mod.yaml"
    mod.write_text(S.read_text().replace("[-1, 1, SPPF, [1024, 5]]", "[-1, 1, 'Evil|<img src=x>', [1]]"))
    code, out, _ = run_cli(p, mod, "--width", "1000")
    assert code == 2
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "evil\\x1b]8;;x\\x07|`*_<b>\\u202e.yaml" in out
    code, out, _ = run_cli(p, mod, "--md")
    row = out.splitlines()[4]
    assert row.startswith(f"| `{tmp_path}/evil\\x1b]8;;x\\x07\\|'*_<b>\\u202e.yaml` | 25 |")
    assert "\x1b" not in out and "\u202e" not in out
    err_row = out.splitlines()[5]
    assert "<img" not in err_row and "Evil\\|&lt;img src=x&gt;" in err_row


def test_status_line_is_the_same_line_yanalyze_prints_alone():
    exc = ConfigError("malformed YAML", path="m.yaml", line=3, code="parse/yaml")
    entry = many.Entry(name="m.yaml", error=exc)
    assert many.status(entry) == "error[parse/yaml]: m.yaml:3: malformed YAML"
    assert many.cells(entry) == ["m.yaml", "-", "-", "-", "-", "-", "-", "error[parse/yaml]: m.yaml:3: malformed YAML"]


def test_many_configs_to_files_load_no_terminal_template_or_graph_library(tmp_path):
    code = ("import sys; from yanalyze.cli import main; rc = main(sys.argv[1:]); "
            "print(rc, sorted(m for m in ('rich', 'jinja2', 'networkx', 'importlib.metadata', 'torch') "
            "if m in sys.modules))")
    out, md = tmp_path / "out.json", tmp_path / "out.md"
    got = subprocess.run([sys.executable, "-c", code, str(S), str(N), "--json", str(out), "-q"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert got.splitlines()[-1] == "0 []"
    assert len(json.loads(out.read_text())) == 2
    got = subprocess.run([sys.executable, "-c", code, str(S), str(N), "--md", str(md), "-q"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert got.splitlines()[-2:] == [f"wrote {md}", "0 []"]
