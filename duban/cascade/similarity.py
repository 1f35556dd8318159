"""Which upper-level task a lower-level task implements: character-bigram TF-IDF cosine. Pure logic.

Chinese plan text has no word boundaries, and a county rewrites the city's sentence in its own
words (全市 → 全县, 市发改委 → 县发改局), so character bigrams weighted by rarity (TF-IDF over both
plans) are a robust, dependency-free measure. Before counting, the text loses what says nothing
about the work: markup, the responsibility note (…牵头, …负责), digits and punctuation, the names of
the two regions and their level words (全市, 全县), the words of a measure (增长, 突破, 亿元).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

SUGGEST_SCORE = 0.3  # a pair is suggested from this cosine up (calibrated on the 邵阳市 / 新邵县 samples)
TOP_PER_TASK = 3  # at most this many parent tasks suggested for one child task
MIN_SHARED = 3  # and the two texts share at least this many distinct bigrams (short texts are noisy)

_MARKUP = re.compile(r"<[^>]+>|\*\*")
_DUTY_NOTE = re.compile(r"[（(][^（()）]*(?:牵头|负责|配合)[^（()）]*[)）]")
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_LEVEL_WORDS = re.compile(r"全[省市州县区]|[省市州县区]级|本[省市州县区]")
# words of a target's measure, not of the work: 进出口总额增长 and 社零总额增长 are not one task
_MEASURE_WORDS = re.compile(r"增长|增速|总量|突破|达到|以上|左右|力争|确保|实现|不低于|亿元|万元")


def clean_text(text: str, places: Iterable[str] = ()) -> str:
    """The words of a task that describe the work (see the module docstring)."""
    s = unicodedata.normalize("NFKC", text or "")
    s = _MARKUP.sub("", s)
    s = _DUTY_NOTE.sub("", s)
    for place in sorted({p for p in places if p}, key=len, reverse=True):
        s = s.replace(place, " ")
    s = _LEVEL_WORDS.sub(" ", s)
    s = _MEASURE_WORDS.sub(" ", s)
    return _NOT_CJK.sub(" ", s).strip()


def bigrams(text: str) -> Counter:
    """Character bigrams inside each run of Chinese characters (none across a gap)."""
    grams: Counter = Counter()
    for run in text.split():
        if len(run) == 1:
            grams[run] += 1
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _vectors(counts: Sequence[Counter], idf: dict[str, float]) -> list[dict[str, float]]:
    out = []
    for tf in counts:
        vec = {g: (1 + math.log(n)) * idf[g] for g, n in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append({g: v / norm for g, v in vec.items()})
    return out


def similar_pairs(
    children: Sequence[str],
    parents: Sequence[str],
    *,
    threshold: float = SUGGEST_SCORE,
    top: int = TOP_PER_TASK,
) -> list[tuple[int, int, float]]:
    """(child index, parent index, cosine) for every child text's ``top`` best parents from
    ``threshold`` up that share at least ``MIN_SHARED`` bigrams with it, best first per child. Texts should already be :func:`clean_text`-ed.

    IDF is computed over both sides, so phrases every task shares (加快, 推进, 建设) weigh little.
    """
    child_counts = [bigrams(t) for t in children]
    parent_counts = [bigrams(t) for t in parents]
    df: Counter = Counter()
    for grams in (*child_counts, *parent_counts):
        df.update(grams.keys())
    n = len(child_counts) + len(parent_counts) or 1
    idf = {g: math.log((1 + n) / (1 + k)) + 1 for g, k in df.items()}
    child_vecs = _vectors(child_counts, idf)
    parent_vecs = _vectors(parent_counts, idf)
    index: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for j, vec in enumerate(parent_vecs):
        for g, w in vec.items():
            index[g].append((j, w))
    out = []
    for i, vec in enumerate(child_vecs):
        scores: dict[int, float] = defaultdict(float)
        shared: Counter = Counter()
        for g, w in vec.items():
            for j, pw in index.get(g, ()):
                scores[j] += w * pw
                shared[j] += 1
        best = sorted(
            ((s, j) for j, s in scores.items() if s >= threshold and shared[j] >= MIN_SHARED),
            key=lambda x: (-x[0], x[1]),
        )
        out.extend((i, j, round(s, 4)) for s, j in best[:top])
    return out
