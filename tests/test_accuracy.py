"""Parser accuracy against the hand-checked gold, on the samples and on layouts the samples lack.

The bars are the acceptance bars of the foundation issue. The metamorphic checks re-parse the
samples after rewriting them the way other publishers write (ASCII punctuation, no markup, CRLF):
the figures must not drop, which guards against rules that only work on one sample's typography.
"""

import json
import os
import re

import pytest

from duban.ingest import parse_file, parse_lines
from duban.ingest.bundled import SAMPLES_DIR
from duban.ingest.score import Score, score_one

BARS = {"tasks": 0.98, "units": 0.97, "lead_units": 0.97, "persons": 0.97, "leaders": 0.97,
        "targets": 0.92, "teams": 0.90, "cadences": 0.85}
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
# a document typed with ASCII punctuation throughout; the second also writes 、 as ','
ASCII = str.maketrans(
    {"（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "。": ".", "“": '"', "”": '"', "？": "?"}
)
ASCII_DUN = str.maketrans({"、": ",", "（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "。": "."})


def _total(gold, transform=None) -> Score:
    total = Score("total")
    for seed, g in sorted(gold.items()):
        with open(os.path.join(SAMPLES_DIR, seed), encoding="utf-8") as f:
            raw = f.read().split("\n")
        if transform:
            raw = [transform(x) for x in raw]
        total.add(score_one(g, parse_lines(raw, source=seed).to_json()))
    return total


def _assert_bars(total: Score):
    low = {k: round(total.figures[k].f1, 3) for k, bar in BARS.items() if total.figures[k].f1 < bar}
    assert not low, f"below the bar: {low}"


def test_samples_meet_acceptance_bars(gold):
    _assert_bars(_total(gold))


@pytest.mark.parametrize(
    "transform",
    [
        lambda s: s.translate(ASCII),
        lambda s: s.translate(ASCII_DUN),
        lambda s: re.sub(r"</?[pb]>|\*\*|^#+\s*", "", s),
        lambda s: s + "\r",
    ],
    ids=["ascii-punctuation", "ascii-commas-for-dun", "no-markup", "crlf"],
)
def test_other_typography_keeps_accuracy(gold, transform):
    _assert_bars(_total(gold, transform))


def _unseen(name: str) -> tuple[dict, dict]:
    with open(os.path.join(FIXTURES, name + ".gold.json"), encoding="utf-8") as f:
        g = json.load(f)
    pred = parse_file(os.path.join(FIXTURES, g["seed"])).to_json()
    s = score_one(g, pred)
    for k in ("tasks", "units", "lead_units", "leaders", "targets", "teams", "cadences"):
        assert s.figures[k].f1 == 1.0, (k, s.misses[k])
    return g, pred


def test_unseen_layout_fixture():
    """A hand-written plan in layouts none of the samples use (牵头责任单位：X, 召集人 column)."""
    g, pred = _unseen("unseen_lengshuijiang")
    by_line = {t["line"]: t for t in pred["tasks"]}
    assert by_line[30]["deadline"] == "2024年12月底前"
    assert pred["issuer"]["region"] == "冷水江市"


def test_second_unseen_layout_fixture():
    """Another hand-written plan: （责任单位：X；配合单位：Y）, a lead in the section heading,
    '每仗成立一个工作专班' before the named 专班, '分别增长6.5%、8%', a 具体措施/配合单位/时间节点 table."""
    g, pred = _unseen("unseen_lianyuan")
    assert [t["measure"] for t in pred["targets"] if "可支配收入" in t["indicator"]] == ["增长", "增长"]
    assert [t["name"] for t in pred["teams"]] == ["产业发展主动仗工作专班"]
    assert pred["issuer"] == {"region": "涟源市", "level": "县", "parent": "娄底市"}
