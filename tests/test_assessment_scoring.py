"""考核 arithmetic: a small case computed by hand, ties, 红黑榜, the year view and scheme checks."""

from __future__ import annotations

import pytest

from duban.assessment.scoring import (
    DEFAULT_CONFIG,
    Scheme,
    SchemeError,
    TaskProgress,
    UnitFacts,
    UnitScore,
    competition_ranks,
    rank,
    red_black,
    score_unit,
    year_scores,
)

SCHEME = Scheme.from_config(DEFAULT_CONFIG)  # 30 / 40 / 30, late ×0.5, red 2, yellow 1, cap 10


def tp(*pairs):
    return tuple(TaskProgress(a, e) for a, e in pairs)


FACTS = [
    UnitFacts(
        "甲局", due=6, on_time=6, tasks=tp((50, 50), (30, 60)), targets_on=3, targets_behind=1, yellow=1
    ),
    UnitFacts("乙局", due=6, on_time=4, late=2, tasks=tp((40, 40)), targets_on=2, targets_behind=2, red=1),
    UnitFacts(
        "丙局", due=6, on_time=5, missing=1, tasks=tp((20, 40), (40, 40)), targets_on=4, red=1, yellow=1
    ),
    UnitFacts(
        "丁局", due=4, on_time=4, tasks=tp((60, 60), (0, 0)), targets_on=2, targets_behind=2, red=3, yellow=1
    ),
    UnitFacts("戊局", due=5, on_time=5, tasks=tp((30, 60))),
    UnitFacts("己局"),
    UnitFacts("庚局", due=2, missing=2, tasks=tp((0, 50)), targets_behind=2, red=6, yellow=3),
]


def test_hand_computed_scores():
    """Default scheme: 按时报送 30, 任务完成 40, 目标进度 30; 迟报 counts half; 红 −2, 黄 −1, at most −10.

    甲: 报送 6/6 = 1 → 30; 任务 (50/50=1, 30/60=0.5) mean 0.75 → 30; 目标 3/4 → 22.5; 黄 1 → −1;   81.5
    乙: 报送 (4 + 2×0.5)/6 = 5/6 → 25; 任务 1 → 40; 目标 2/4 → 15; 红 1 → −2;                        78
    丙: 报送 5/6 → 25; 任务 (0.5, 1) → 0.75 → 30; 目标 4/4 → 30; 红 1 黄 1 → −3;                     82
    丁: 报送 1 → 30; 任务 (1, nothing expected = 1) → 40; 目标 2/4 → 15; 红 3 黄 1 → −7;             78
    戊: no target: weights 30 + 40 scaled to 100: 报送 1 × 42.857 + 任务 0.5 × 57.143 = 71.43
    己: nothing to measure → no score, no rank
    庚: everything 0; 红 6 黄 3 = 15, capped at 10; score not below 0 →                              0
    """
    got = {f.unit: score_unit(SCHEME, f) for f in FACTS}
    assert {u: s.total for u, s in got.items()} == {
        "甲局": 81.5,
        "乙局": 78.0,
        "丙局": 82.0,
        "丁局": 78.0,
        "戊局": 71.43,
        "己局": None,
        "庚局": 0.0,
    }
    assert got["乙局"].parts["timeliness"].points == pytest.approx(25)
    assert got["甲局"].parts["completion"].rate == pytest.approx(0.75)
    assert got["戊局"].parts["timeliness"].weight == pytest.approx(300 / 7)
    assert "targets" not in got["戊局"].parts
    assert got["庚局"].deduction == 10
    assert got["丁局"].deduction == 7


def test_competition_ranking_and_red_black_lists():
    """Ranks 丙1 甲2 乙3 丁3 (tie) 戊5 庚6, 己 unranked. Top 3 with ties: 丙 甲 乙 丁; bottom 2: 庚 戊."""
    ranked = rank(score_unit(SCHEME, f) for f in FACTS)
    assert [(s.unit, s.rank) for s in ranked] == [
        ("丙局", 1),
        ("甲局", 2),
        ("丁局", 3),
        ("乙局", 3),
        ("戊局", 5),
        ("庚局", 6),
        ("己局", None),
    ]
    # 丁 and 乙 tie at 78: equal 任务完成率 (1.0), 丁's 按时报送率 is higher (1 > 5/6), so 丁 takes the third place
    red, black = red_black(ranked, top_n=3, bottom_n=2)
    assert [s.unit for s in red] == ["丙局", "甲局", "丁局"]
    assert [s.unit for s in black] == ["庚局", "戊局"]
    red, black = red_black(ranked, top_n=5, bottom_n=3)  # overlap: a unit is never on both lists
    assert "戊局" in {s.unit for s in red} and "戊局" not in {s.unit for s in black}
    # a threshold as well as a rank: 红榜 from 80 up, 黑榜 below 60
    red, black = red_black(ranked, top_n=3, bottom_n=3, red_min=80, black_below=60)
    assert [s.unit for s in red] == ["丙局", "甲局"] and [s.unit for s in black] == ["庚局"]


def test_ties_that_remain_do_not_stretch_the_lists():
    """Five units with the same score and the same parts: none can be told apart, so a 红榜 of 3 takes none
    of them rather than all five; the one unit above them is listed alone."""
    same = [UnitFacts(f"{c}局", due=4, on_time=3, late=1, tasks=tp((40, 50))) for c in "甲乙丙丁戊"]
    ranked = rank(score_unit(SCHEME, f) for f in [*same, UnitFacts("己局", due=4, on_time=4, tasks=tp((50, 50)))])
    red, black = red_black(ranked, top_n=3, bottom_n=3)
    assert [s.unit for s in red] == ["己局"]
    assert black == []
    rules = "".join(SCHEME.rules_text())
    assert "仍相同且同时列入会超过名额的，均不列入" in rules and "得分不低于 90 分" in rules


def test_competition_ranks_plain():
    assert competition_ranks([90, 80, 80, 70]) == [1, 2, 2, 4]
    assert competition_ranks([70, 80, 80, 90], descending=False) == [1, 2, 2, 4]
    assert competition_ranks([]) == []


def test_year_view_mean_and_sum():
    """Q1: 甲 81.5, 乙 78, 丙 none.  Q2: 甲 90, 乙 86, 丙 60.
    mean: 甲 (81.5 + 90)/2 = 85.75, 乙 (78 + 86)/2 = 82, 丙 60 (only Q2 counts);
    sum:  甲 171.5, 乙 164, 丙 60."""
    q1 = [UnitScore("甲局", 81.5, {}, 1), UnitScore("乙局", 78, {}, 2), UnitScore("丙局", None, {}, 0)]
    q2 = [UnitScore("甲局", 90, {}, 0), UnitScore("乙局", 86, {}, 0), UnitScore("丙局", 60, {}, 2)]
    mean = year_scores([q1, q2], "mean")
    assert [(s.unit, s.total, s.rank) for s in mean] == [
        ("甲局", 85.75, 1),
        ("乙局", 82.0, 2),
        ("丙局", 60.0, 3),
    ]
    total = year_scores([q1, q2], "sum")
    assert [(s.unit, s.total) for s in total] == [("甲局", 171.5), ("乙局", 164.0), ("丙局", 60.0)]
    assert total[0].deduction == 1
    with pytest.raises(ValueError, match="mean 或 sum"):
        year_scores([q1], "median")


@pytest.mark.parametrize(
    "config, message",
    [
        ({"weights": {"timeliness": 30, "completion": 40, "targets": 20}}, "各项权重之和须为 100，现为 90"),
        ({"weights": {"timeliness": 50, "speed": 50}}, "未知的考核项：speed"),
        ({"weights": {"timeliness": -10, "completion": 110}}, "不能小于 0|0–100"),
        ({"weights": {"timeliness": "三十", "completion": 70}}, "必须是数字"),
        ({"deductions": {"red": 2, "blue": 1}}, "未知的扣分项：blue"),
        ({"late_credit": 1.5}, "迟报得分比例须在 0–1 之间"),
        ({"year_view": "median"}, "mean（各期平均）或 sum"),
        ({"top_n": 2.5}, "须为整数"),
        ({"bonus": 5}, "未知项：bonus"),
    ],
)
def test_bad_schemes_are_refused_in_chinese(config, message):
    with pytest.raises(SchemeError, match=message):
        Scheme.from_config(config)


def test_custom_scheme_changes_the_score_and_round_trips():
    """Weights 50/50 on 报送 and 任务 only, late counts 0, red −5: 乙 = 50 × 4/6 + 50 × 1 − 5 = 78.33."""
    scheme = Scheme.from_config(
        {"weights": {"timeliness": 50, "completion": 50}, "late_credit": 0, "deductions": {"red": 5}}
    )
    assert score_unit(scheme, FACTS[1]).total == 78.33
    assert Scheme.from_config(scheme.to_config()) == scheme
    rules = "\n".join(scheme.rules_text())
    assert "按时报送 50 分，任务完成 50 分" in rules and "每张红色督办单扣 5 分" in rules


def test_inconsistent_facts_are_refused():
    with pytest.raises(ValueError, match="≠ 应报 5"):
        UnitFacts("甲局", due=5, on_time=3, late=1)
    with pytest.raises(ValueError, match="不能为负"):
        UnitFacts("甲局", red=-1)


def test_who_is_ranked_and_against_whom():
    """Groups and deliberative bodies are not ranked; counties, departments and companies in their own groups;
    two spellings of one unit are scored as one."""
    from duban.assessment.tiers import COUNTIES, DEPARTMENTS, ENTERPRISES, group_label, rankable, unit_group
    from duban.assessment.unit_scores import same_units

    for name in ("市安委会", "相关市直主管部门及项目单位", "各县市区人民政府", "市打好发展六仗领导小组", "市防汛抗旱指挥部"):
        assert not rankable(name), name
    for name in ("市发展和改革委员会", "市应急管理局", "新邵县人民政府", "国网邵阳供电公司"):
        assert rankable(name), name
    assert unit_group("新邵县人民政府", "新邵县", "邵阳市") == COUNTIES
    assert unit_group("市商务局", "邵阳市", "邵阳市") == DEPARTMENTS
    assert group_label(DEPARTMENTS, "邵阳市") == "市直单位" and group_label(DEPARTMENTS, "新邵县") == "县直单位"
    assert unit_group("国网邵阳供电公司", "邵阳市", "邵阳市") == ENTERPRISES
    units = {1: ("市发改委", "邵阳市"), 2: ("市发展和改革委员会", "邵阳市"), 3: ("县发改局", "新邵县")}
    assert same_units(units) == {1: 2, 2: 2, 3: 3}
    assert unit_group("中国银行保险监督管理委员会邵阳监管分局", "邵阳市", "邵阳市") == DEPARTMENTS
