"""The command line as a package: every subcommand that reads a config takes the same model
options with the same meaning; --version; and the bugs a new user found."""
from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
import yaml

import yanalyze
from conftest import CONFIGS, EXAMPLES, ROOT
from yanalyze.cli import check, diff, report, rewrite, sweep, verify

PLUGIN = EXAMPLES / "plugins" / "my_blocks.py"
DILATED = EXAMPLES / "yolov5s-dilated.yaml"
V5 = EXAMPLES / "yolov5s-v5.0.yaml"
SHARED = {"--imgsz", "--nc", "--variant", "--plugin", "--modules", "--allow-unknown"}
MEMORY = {"--batch", "--dtype"}


def options(parser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings}


@pytest.mark.parametrize("module, memory", [(report, True), (check, True), (diff, True), (rewrite, False),
                                            (verify, False), (sweep, True)],
                         ids=lambda m: getattr(m, "__name__", str(m)))
def test_every_subcommand_takes_the_model_options(module, memory):
    have = options(module.parser())
    assert SHARED <= have
    assert (MEMORY <= have) == memory


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert (code, out) == (0, f"yanalyze {yanalyze.__version__}\n")


def test_python_m_and_main_agree():
    out = subprocess.run([sys.executable, "-m", "yanalyze", "--version"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("yanalyze ")


def test_plugin_module_can_be_diffed_and_gated(run_cli):
    code, out, err = run_cli("diff", CONFIGS / "yolov5s.yaml", DILATED, "--plugin", PLUGIN, "--json")
    assert code == 0, err
    changed = [ld for ld in json.loads(out)["layers"] if ld["b"] and ld["b"]["module"] == "DilatedBottleneck"]
    assert len(changed) == 1 and changed[0]["status"] == "changed"
    code, out, err = run_cli("check", DILATED, "--plugin", PLUGIN, "--max-params", "8M")
    assert code == 0 and "all 1 limits hold" in out, err


@pytest.mark.parametrize("flags", [["--nc", "3"], ["--batch", "2", "--dtype", "fp16"], ["--allow-unknown"]])
def test_check_and_diff_mean_what_report_means(run_cli, flags):
    """The same option gives the same analysis whichever subcommand reads it."""
    code, out, err = run_cli(DILATED, "--plugin", PLUGIN, *flags, "--json")
    assert code == 0, err
    totals = json.loads(out)["totals"]
    code, out, err = run_cli("check", DILATED, "--plugin", PLUGIN, *flags, "--max-params", "100M", "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["value"] == totals["params"]
    code, out, err = run_cli("diff", DILATED, DILATED, "--plugin", PLUGIN, *flags, "--json")
    assert code == 0, err
    assert json.loads(out)["totals"]["mem_bytes"]["a"] == totals["mem_bytes"]


def with_variants(tmp_path) -> str:
    """yolov5s-v5.0 (Focus, SPP) as the 'small' variant beside a 'large' one (x1.5 width)."""
    d = yaml.safe_load(V5.read_text())
    d["backbone_small"] = d.pop("backbone")
    d["backbone_large"] = [[f, n, m, [a[0] * 2, *a[1:]] if m in ("Conv", "Focus") else copy.deepcopy(a)]
                           for f, n, m, a in d["backbone_small"]]
    p = tmp_path / "variants.yaml"
    p.write_text(yaml.safe_dump(d, sort_keys=False))
    return str(p)


def test_variant_works_in_every_subcommand(run_cli, tmp_path):
    cfg = with_variants(tmp_path)
    code, out, err = run_cli(cfg, "--variant", "small", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["totals"]["params"] == 7_276_605 and [r["kind"] for r in d["rewrites"]] == ["focus", "spp"]
    assert all(r["applicable"] and r["after"] for r in d["rewrites"])
    code, out, err = run_cli("check", cfg, "--variant", "large", "--max-params", "100M", "--json")
    assert code == 0 and json.loads(out)["results"][0]["value"] > 7_276_605, err
    code, out, err = run_cli("diff", cfg, V5, "--variant", "small", "--json")
    assert code == 0 and all(ld["status"] == "same" for ld in json.loads(out)["layers"]), err
    target = tmp_path / "v6.yaml"
    code, out, err = run_cli("rewrite", cfg, "--variant", "small", "-o", target)
    assert code == 0, err
    text = target.read_text()
    assert "Focus" not in text.split("backbone_large")[0] and "SPPF" in text
    assert yanalyze.analyze(target, variant="small").totals.params == 7_276_605
    code, out, err = run_cli("verify", cfg, "--variant", "small", "--size", "64")
    assert code == 0 and "all checks passed (2 rewrite candidates" in out, err
    code, out, err = run_cli("rewrite", cfg, "-o", tmp_path / "x.yaml")
    assert code == 2 and "pick one with --variant (large, small)" in err


def test_rewrite_refuses_rows_it_cannot_edit_in_place(run_cli, tmp_path):
    """A row whose args are an anchor other rows alias, or an alias itself: one line, nothing written."""
    text = V5.read_text().replace("- [-1, 1, Focus, [64, 3]]", "- [-1, 1, Focus, &stem [64, 3]]")
    assert "&stem" in text
    anchored = tmp_path / "anchored.yaml"
    anchored.write_text(text + "\nextra_rows: [*stem]\n")
    code, out, err = run_cli("rewrite", anchored, "-o", tmp_path / "out.yaml", "--only", "focus")
    assert code == 2 and "YAML anchor" in err and err.count("\n") == 1
    assert not (tmp_path / "out.yaml").exists()


def test_verify_size_not_a_multiple_of_the_stride(run_cli):
    code, out, err = run_cli("verify", V5, "--size", "100")
    assert code == 0, err
    assert "the whole-model check runs at 128" in err and "detections at 128x128" in out


def test_verify_progress_when_piped(tmp_path):
    """One line per step on stderr when it is not a terminal, so a CI log shows it is alive."""
    out = subprocess.run([sys.executable, "-m", "yanalyze", "verify", str(V5), "--size", "64"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    steps = [line for line in out.stderr.splitlines() if line.startswith("yanalyze verify: [")]
    assert steps == ["yanalyze verify: [1/4] layer 0 Focus", "yanalyze verify: [2/4] layer 8 SPP",
                     "yanalyze verify: [3/4] whole model", "yanalyze verify: [4/4] Conv+BN folding"]


def test_crosscheck_reports_a_plugin_module_instead_of_failing(run_cli):
    code, out, err = run_cli("verify", DILATED, "--plugin", PLUGIN, "--crosscheck", "--imgsz", "256")
    assert code == 0, err
    assert "24 of 24 layers match their torch blocks; 1 not checked (DilatedBottleneck: no torch reference" \
        in " ".join(out.split())


def test_linear_on_a_feature_map_keeps_its_channels(run_cli, tmp_path):
    """YOLOv5 records c2 = ch[f] for nn.Linear, so a Conv after it reads the map's channels."""
    cfg = {"nc": 1, "anchors": 1, "backbone": [[-1, 1, "Conv", [16, 3, 2]], [-1, 1, "nn.Linear", [32, 32]],
                                               [-1, 1, "Conv", [8, 1, 1]]], "head": []}
    a = yanalyze.analyze(cfg, imgsz=64)
    assert [o.shape.as_list() for r in a.layers for o in r.outputs] == [[16, 32, 32], [16, 32, 32], [8, 32, 32]]
    assert a.layers[2].params == 16 * 8 + 16


def test_check_help_states_the_real_default(run_cli):
    help_text = " ".join(check.parser().format_help().split())
    assert "default 0%: no growth" in help_text
    code, out, _ = run_cli("check", CONFIGS / "yolov5m.yaml", "--baseline", CONFIGS / "yolov5s.yaml", "--json")
    limit = next(r for r in json.loads(out)["results"] if r["metric"] == "increase.params")["limit"]
    assert limit == yanalyze.analyze(CONFIGS / "yolov5s.yaml").totals.params


def test_diff_fits_80_columns(run_cli):
    code, out, _ = run_cli("diff", CONFIGS / "yolov5s.yaml", CONFIGS / "yolov5s6.yaml", "--width", "80")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    layers = out.split("Layers (A -> B)")[1]
    detect = [line for line in layers.splitlines() if "Detect" in line]
    assert len(detect) == 1 and detect[0].rstrip().endswith("MB") and "…" in detect[0]


def test_output_never_overwrites_an_input(run_cli, tmp_path):
    cfg = tmp_path / "m.yaml"
    cfg.write_text((CONFIGS / "yolov5n.yaml").read_text())
    before = cfg.read_text()
    for args in ([cfg, "--json", cfg], ["diff", cfg, cfg, "--md", cfg], ["check", cfg, "--max-gflops", "9",
                                                                          "--junit", cfg]):
        code, _, err = run_cli(*args)
        assert code == 2 and "would overwrite the input" in err
    assert cfg.read_text() == before
