"""Every kind of bad input gives one line on stderr, exit code 2, and no traceback."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import CONFIGS

GOOD = (CONFIGS / "yolov5s.yaml").read_text()


def write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def replace_row(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def assert_bad(run_cli, args, *needles):
    code, out, err = run_cli(*args)
    assert code == 2, (code, out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def test_missing_file(run_cli, tmp_path):
    assert_bad(run_cli, [tmp_path / "nope.yaml"], "nope.yaml", "no such file")


def test_directory(run_cli, tmp_path):
    assert_bad(run_cli, [tmp_path], "is a directory")


def test_empty_file(run_cli, tmp_path):
    assert_bad(run_cli, [write(tmp_path, "  \n")], "empty file")


def test_binary_file(run_cli, tmp_path):
    p = tmp_path / "weights.pt"
    p.write_bytes(b"PK\x03\x04\x00\x00binary\xff\xfe")
    assert_bad(run_cli, [p], "weights.pt", "binary file")


def test_malformed_yaml_reports_line_and_column(run_cli, tmp_path):
    p = write(tmp_path, "nc: 80\nbackbone: [[-1, 1, Conv, [64, 6, 2, 2]]\nhead: []\n")
    line = assert_bad(run_cli, [p], "malformed YAML", "column")
    assert f"{p}:3" in line


def test_not_a_mapping(run_cli, tmp_path):
    assert_bad(run_cli, [write(tmp_path, "- 1\n- 2\n")], "YAML mapping", "got list")


def test_missing_backbone(run_cli, tmp_path):
    assert_bad(run_cli, [write(tmp_path, "nc: 80\nhead: []\n")], "missing 'backbone'")


def test_variant_sections_are_listed_and_pickable(run_cli, tmp_path):
    text = GOOD.replace("backbone:", "backbone_small:", 1)
    small = text.split("backbone_small:")[1].split("head:")[0]
    p = write(tmp_path, text + "\nbackbone_large:" + small)
    assert_bad(run_cli, [p], "backbone_large", "backbone_small", "--variant")
    code, out, err = run_cli(p, "--variant", "small", "--json")
    assert code == 0, err
    assert '"params": 7235389' in out


def test_row_not_four_items(run_cli, tmp_path):
    text = replace_row("[-1, 1, Conv, [128, 3, 2]]", "[-1, Conv, [128, 3, 2]]")
    yaml_line = text.splitlines().index("  - [-1, Conv, [128, 3, 2]]") + 1
    p = write(tmp_path, text)
    line = assert_bad(run_cli, [p], "layer 1", "4 items")
    assert f"{p}:{yaml_line}:" in line


def test_unknown_module_suggests_close_names(run_cli, tmp_path):
    p = write(tmp_path, replace_row("[-1, 1, SPPF, [1024, 5]]", "[-1, 1, SPPFF, [1024, 5]]"))
    assert_bad(run_cli, [p], "layer 9", "unknown module 'SPPFF'", "SPPF", "register")


@pytest.mark.parametrize("row, message", [
    ("[[-1, 30], 1, Concat, [1]]", "'from' 30 points forward"),
    ("[[-1, -40], 1, Concat, [1]]", "'from' -40 is out of range"),
])
def test_from_out_of_range_or_forward(run_cli, tmp_path, row, message):
    p = write(tmp_path, replace_row("[[-1, 6], 1, Concat, [1]]", row))
    assert_bad(run_cli, [p], "layer 12", message)


def test_non_integer_count(run_cli, tmp_path):
    p = write(tmp_path, replace_row("[-1, 3, C3, [128]]", "[-1, 2.5, C3, [128]]"))
    assert_bad(run_cli, [p], "layer 2", "number must be a positive integer", "2.5")


@pytest.mark.parametrize("key", ["depth_multiple", "width_multiple"])
@pytest.mark.parametrize("value", ["0", "-0.5"])
def test_multiples_must_be_positive(run_cli, tmp_path, key, value):
    text = GOOD.replace(f"{key}: 0.", f"{key}: {value}  # was 0.", 1)
    assert_bad(run_cli, [write(tmp_path, text)], f"'{key}' must be > 0")


def test_concat_with_different_sizes_names_layer_and_shapes(run_cli, tmp_path):
    p = write(tmp_path, replace_row("[[-1, 6], 1, Concat, [1]]", "[[-1, 4], 1, Concat, [1]]"))
    assert_bad(run_cli, [p], "layer 12", "Concat", "40x40", "80x80")


def test_kernel_larger_than_input(run_cli, tmp_path):
    p = write(tmp_path, replace_row("[-1, 1, Conv, [1024, 3, 2]]",
                                    "[-1, 1, Conv, [1024, 64, 1, 0]]"))
    assert_bad(run_cli, [p], "layer 7", "kernel 64 is larger than its input 40")


def rounded(out: str) -> tuple[list, list]:
    import json
    d = json.loads(out)
    return d["input"]["imgsz"], [x["message"] for x in d["diagnostics"] if x["code"] == "input/imgsz-rounded"]


def test_imgsz_is_rounded_up_to_the_largest_stride_as_yolov5_does(run_cli):
    code, out, err = run_cli(CONFIGS / "yolov5s.yaml", "--imgsz", "640,672", "--json")
    assert code == 0, err
    assert rounded(out) == ([640, 672], [])  # 672 = 21 x 32: nothing to round
    code, out, err = run_cli(CONFIGS / "yolov5s.yaml", "--imgsz", "650", "--json")
    assert code == 0, err
    assert rounded(out) == ([672, 672], ["image size 650x650 is not a multiple of the max stride 32; analysed at "
                                         "672x672, as YOLOv5 rounds it up"])


@pytest.mark.parametrize("command", [["check", "--max-gflops", "100"], ["diff", CONFIGS / "yolov5s.yaml"],
                                     ["rewrite", "-o", "OUT"]])
def test_every_subcommand_rounds_the_image_size(run_cli, command, tmp_path):
    cfg = CONFIGS / "yolov5s-v5.0.yaml"
    args = [command[0], cfg, *(tmp_path / "v6.yaml" if a == "OUT" else a for a in command[1:]), "--imgsz", "650"]
    code, out, err = run_cli(*args)
    assert code in (0, 1) and err == "", (code, out, err)
    assert "Concat" not in out


SINGLE_LEVEL = """
nc: 2
anchors: 1
backbone:
  [[-1, 1, Conv, [16, 3, 2]], [-1, 1, Conv, [32, 3, 2]], [-1, 1, Conv, [64, 3, 2]],
   [-1, 1, Conv, [64, 3, 2]], [-1, 1, Conv, [64, 3, 2]], [-1, 1, Conv, [64, 3, 2]]]
head:
  [[[5], 1, Detect, [nc, anchors]]]
"""


def test_imgsz_non_multiple_that_still_runs_gives_warning(run_cli, tmp_path):
    import json
    code, out, err = run_cli(write(tmp_path, SINGLE_LEVEL), "--imgsz", "650", "--json")
    assert code == 0, err
    d = json.loads(out)
    warn = [x for x in d["diagnostics"] if x["code"] == "input/imgsz-rounded"]
    assert len(warn) == 1 and "max stride 64" in warn[0]["message"] and "704x704" in warn[0]["message"]
    assert d["input"]["imgsz"] == [704, 704]
    # analysed at 704 = 11 x 64: six stride-2 convs give 11
    assert d["layers"][5]["out_shape"] == [64, 11, 11]
    assert d["layers"][6]["out_shape"] == [[7, 11, 11]]  # 1 anchor x (2 classes + 5)


@pytest.mark.parametrize("arg", ["__import__('os').system('echo pwned')", "open('/etc/passwd')",
                                 "nc.__class__", "[x for x in range(3)]", "(lambda: 1)()"])
def test_code_in_args_is_rejected(run_cli, tmp_path, arg):
    p = write(tmp_path, replace_row("[-1, 1, SPPF, [1024, 5]]", f'[-1, 1, SPPF, [1024, "{arg}"]]'))
    assert_bad(run_cli, [p], "layer 9", "looks like code")


def test_code_in_activation_is_rejected(run_cli, tmp_path):
    text = "activation: nn.LeakyReLU(__import__('os').getpid())\n" + GOOD
    assert_bad(run_cli, [write(tmp_path, text)], "activation", "plain numbers")


def test_bad_cli_usage_is_one_line(run_cli):
    assert_bad(run_cli, [CONFIGS / "yolov5s.yaml", "--imgsz", "abc"], "image size")
    for dangling in ("12x", "x12", "640,,384"):  # a half-written H,W is not read as a square
        assert_bad(run_cli, ["diff", CONFIGS / "yolov5s.yaml", CONFIGS / "yolov5s.yaml", "--imgsz-b", dangling],
                   "image size")
    assert_bad(run_cli, [CONFIGS / "yolov5s.yaml", "--dtype", "fp64"], "invalid choice")


def test_wrong_channels_into_conv_named(run_cli, tmp_path):
    p = write(tmp_path, replace_row("[-1, 1, nn.Upsample, [None, 2, 'nearest']]",
                                    "[-1, 1, nn.BatchNorm2d, [7]]"), "bn.yaml")
    # nn.BatchNorm2d takes c1 from its input, so this one is fine; a wrong 'from' on Detect is not
    code, out, err = run_cli(p, "--json")
    assert code == 2 and "Concat" in err  # BN keeps 20x20 so the next Concat mismatches


def test_json_to_unwritable_path_writes_nothing(run_cli, tmp_path):
    target = tmp_path / "missing-dir" / "out.json"
    assert_bad(run_cli, [CONFIGS / "yolov5s.yaml", "--json", target], "out.json")
    assert not target.exists()


@pytest.mark.parametrize("row, message", [
    ("[-1, 1, Conv, [-64, 3, 2]]", "output channels must be a positive integer"),
    ("[-1, 1, Conv, [128, 0, 2]]", "kernel, stride, dilation >= 1"),
    ("[-1, 1, Conv, [128, 3, 2, -1]]", "padding >= 0"),
    ("[-1, 1, Conv, [128, 3, 2, 1, 3]]", "groups=3 must divide"),
    ("[-1, 1, Conv, [128, 'three', 2]]", "expected an integer, got 'three'"),
])
def test_bad_conv_arguments(run_cli, tmp_path, row, message):
    p = write(tmp_path, replace_row("[-1, 1, Conv, [128, 3, 2]]", row))
    assert_bad(run_cli, [p], "layer 1", "Conv", message)
