"""Architecture diff: alignment, what counts as a change, totals, rewrites named, the views."""
from __future__ import annotations

import json

import pytest
import yaml

import yanalyze
from conftest import CONFIGS, EXAMPLES
from yanalyze.analyzer.diff import diff, TOTAL_KEYS

S = CONFIGS / "yolov5s.yaml"


def analysis(source, **kw):
    return yanalyze.analyze(source, **kw)


def statuses(d):
    return [ld.status for ld in d.layers]


def with_inserted_conv() -> dict:
    """yolov5s with a 1x1 Conv inserted after layer 10; later absolute `from` indices shifted."""
    cfg = yaml.safe_load(S.read_text())
    cfg["head"].insert(1, [-1, 1, "Conv", [512, 1, 1]])
    shift = lambda f: f + 1 if isinstance(f, int) and f > 10 else f
    for row in cfg["head"]:
        row[0] = [shift(f) for f in row[0]] if isinstance(row[0], list) else shift(row[0])
    return cfg


def test_identical_configs():
    d = diff(analysis(S), analysis(S))
    assert d.method == "by index" and set(statuses(d)) == {"same"}
    assert all(t.delta == 0 for t in d.totals)


@pytest.mark.parametrize("a, b", [("yolov5s", "yolov5s-ghost"), ("yolov5s-v5.0", "yolov5s"), ("yolov5s", "yolov5s6"),
                                  ("yolov5n", "yolov5x"), ("yolov5s", "yolov5-p2")])
def test_totals_are_the_difference_of_the_analyses(a, b):
    A, B = analysis(CONFIGS / f"{a}.yaml"), analysis(CONFIGS / f"{b}.yaml")
    d = diff(A, B)
    assert [t.key for t in d.totals] == list(TOTAL_KEYS)
    for t in d.totals:
        assert t.delta == getattr(B.totals, t.key) - getattr(A.totals, t.key)
    # per-layer deltas add up too: every layer of A and of B appears exactly once
    assert sorted(ld.a.index for ld in d.layers if ld.a) == list(range(len(A.layers)))
    assert sorted(ld.b.index for ld in d.layers if ld.b) == list(range(len(B.layers)))
    assert sum(ld.delta("params") for ld in d.layers) == B.totals.params - A.totals.params


def test_inserted_layer_shows_as_added_and_renumbering_is_not_a_change():
    A, B = analysis(S), analysis(with_inserted_conv())
    d = diff(A, B)
    added = [ld for ld in d.layers if ld.status == "added"]
    assert [(ld.b.index, ld.b.module) for ld in added] == [(11, "Conv")]
    changed = [ld for ld in d.layers if ld.status not in ("same", "added")]
    # only the upsample that now reads the new conv; Concat [-1, 14] -> [-1, 15] and
    # Detect [17, 20, 23] -> [18, 21, 24] are renumberings, not changes
    assert [(ld.a.index, ld.b.index, ld.changes[0].split(" (")[0]) for ld in changed] == [(11, 12, "from [-1] -> [-1]")]
    detect = d.layers[-1]
    assert (detect.a.src_from, detect.b.src_from, detect.status) == ((17, 20, 23), (18, 21, 24), "same")
    back = diff(B, A)
    assert [(ld.a.index, ld.status) for ld in back.layers if ld.status == "removed"] == [(11, "removed")]


def test_v5_layout_against_v6_names_the_rewrites():
    d = diff(analysis(EXAMPLES / "yolov5s-v5.0.yaml"), analysis(EXAMPLES / "yolov5s.yaml"))
    by_a = {ld.a.index: ld for ld in d.layers if ld.a}
    assert by_a[0].explained_by == "Focus -> Conv: equivalent rewrite (reassociation)"
    assert (by_a[8].b.index, by_a[8].status) == (9, "moved")
    assert by_a[8].explained_by == "SPP -> SPPF: equivalent rewrite (bit-exact)"
    assert (by_a[9].b.module, by_a[9].b.index, by_a[9].status) == ("C3", 8, "moved")
    assert "n 3 -> 2" in by_a[4].changes  # v6 also trimmed the second backbone C3


def test_p5_against_p6_inserts_the_p6_stage():
    d = diff(analysis(S), analysis(CONFIGS / "yolov5s6.yaml"))
    added = [ld.b.index for ld in d.layers if ld.status == "added"]
    assert len(added) == 34 - 25 and not [ld for ld in d.layers if ld.status == "removed"]
    assert (d.layers[-1].a.index, d.layers[-1].b.index) == (24, 33)  # Detect pairs with Detect


def test_two_width_multiples_pair_by_index():
    narrow = yaml.safe_load(S.read_text())
    wide = dict(narrow, width_multiple=0.75)
    d = diff(analysis(narrow), analysis(wide))
    assert d.method == "by index" and "added" not in statuses(d)
    assert d.layers[0].changes[0] == "args [3, 32, 6, 2, 2] -> [3, 48, 6, 2, 2]"


def test_diff_cli_views(run_cli, tmp_path):
    html, md, js = tmp_path / "d.html", tmp_path / "d.md", tmp_path / "d.json"
    code, out, err = run_cli("diff", EXAMPLES / "yolov5s-v5.0.yaml", EXAMPLES / "yolov5s.yaml",
                             "--html", html, "--md", md, "--json", js)
    assert code == 0, err
    assert "3 changed, 2 moved, 0 added, 0 removed" in " ".join(out.split()) and "--all shows them" in out
    data = json.loads(js.read_text())
    assert data["schema"] == "yanalyze-diff/1" and data["totals"]["params"]["delta"] == 7_235_389 - 7_276_605
    page = html.read_text()
    assert page.count('<div class="side">') == 2
    assert 'id="AL8"' in page and 'id="BL9"' in page and "mark-moved" in page
    assert "| 8 | 9 | moved | SPP -&gt; SPPF |" in md.read_text()
    code, out, _ = run_cli("diff", S, S, "--all")
    assert code == 0 and "0 changed, 0 moved" in " ".join(out.split())


def test_diff_bad_input(run_cli, tmp_path):
    code, out, err = run_cli("diff", S, tmp_path / "nope.yaml")
    assert code == 2 and "no such file" in err and err.count("\n") == 1


def test_c3_faster_variant_pairs_every_block():
    d = diff(analysis(S), analysis(EXAMPLES / "yolov5s-C3_Faster.yaml"))
    swapped = [ld for ld in d.layers if ld.a.module == "C3"]
    assert d.method == "aligned" and len(swapped) == 8
    assert all(ld.b.module == "C3_Faster" and ld.status == "changed" for ld in swapped)
    assert d.totals[0].delta == 6_004_861 - 7_235_389
