"""Parser accuracy on the held-out corpus (tests/corpus): real 责任分解 documents of other governments.

Each document is kept exactly as found on the web (``NN_name.txt``), with its source in ``NN_name.meta.json``
and a hand annotation in ``NN_name.gold.json`` (format: the gold SCHEMA.md; docs/accuracy.md lists the
figures and why each document fails). The floors below are the figures last measured
(docs/accuracy.md, "after"), minus a small margin, so that they guard against regressions;
parser work raises them.
"""

import glob
import json
import os

import pytest

from duban.ingest import parse_file
from duban.ingest.errors import IngestError
from duban.ingest.score import FIELDS, score_one

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")
DOCS = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(CORPUS, "*.txt")))

# Per-document F1 floors, in the order of FIELDS:
#        tasks units leads persons leaders targets teams cadences
FLOORS = {
    "01_lishan_2023": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "02_xianyang_2022": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "03_changxing_2023": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "04_yunyang_2023": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "05_wuhan_2022": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "06_chuzhou_2020": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "07_xiangxi_2020": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "08_xian_2024": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "09_jiayu_2021": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "10_guangdong_2021": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "11_shaanxi_2015": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "12_hunan_2019": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "13_guangzhou_2006": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "14_xianyang_plan_2023": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "15_baoshan_2008": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "16_haiyan_2022": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "17_shangcheng_2019": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "18_caidian_2023": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
    "19_huzhou_2020": (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
}
# Documents the parser may still refuse (none since the title gate went: every document with tasks or
# targets is read). A document not listed here must be read.
REFUSED_WHEN_ADDED: set[str] = set()


def _gold(name: str) -> dict:
    with open(os.path.join(CORPUS, name + ".gold.json"), encoding="utf-8") as f:
        return json.load(f)


def _parse(name: str) -> tuple[dict, str | None]:
    """The parse as JSON, or an empty prediction and the refusal message."""
    try:
        return parse_file(os.path.join(CORPUS, name + ".txt")).to_json(), None
    except IngestError as e:
        return {}, str(e)


def test_every_document_has_floors_meta_and_gold():
    assert len(DOCS) >= 12
    assert set(FLOORS) == set(DOCS), "every corpus document needs a floor row, and every row a document"
    assert REFUSED_WHEN_ADDED <= set(DOCS)
    for name in DOCS:
        with open(os.path.join(CORPUS, name + ".meta.json"), encoding="utf-8") as f:
            meta = json.load(f)
        assert meta.get("url", "").startswith("http"), name
        for key in ("title", "region", "level", "year", "layout"):
            assert meta.get(key), (name, key)
        assert _gold(name)["seed"] == name + ".txt"


@pytest.mark.parametrize("name", DOCS)
def test_gold_points_at_its_text(name):
    """The annotation still matches the kept text (a re-saved file would shift lines)."""
    with open(os.path.join(CORPUS, name + ".txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    g = _gold(name)
    for t in g["tasks"]:
        assert t["title"] in lines[t["line"] - 1], (t["id"], t["line"])
        assert set(t["lead_units"]) <= set(t["units"]), t["id"]
    for t in g["targets"]:
        assert t["text"] in lines[t["line"] - 1], (t["line"], t["text"])


@pytest.mark.parametrize("name", DOCS)
def test_corpus_document_meets_its_floors(name):
    pred, refused = _parse(name)
    if name not in REFUSED_WHEN_ADDED:
        assert refused is None, refused
    score = score_one(_gold(name), pred)
    low = {k: (round(score.figures[k].f1, 3), floor) for k, floor in zip(FIELDS, FLOORS[name], strict=True)
           if score.figures[k].f1 < floor}
    assert not low, f"{name} below its floor (f1, floor): {low}; misses: " + repr(
        {k: score.misses[k][:5] for k in low})
