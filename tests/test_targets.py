"""Quantitative targets (主要目标 / 工作目标 / 主要指标) on short strings and on the real samples."""

import pytest

from duban.ingest import targets
from duban.ingest.load import load_lines
from duban.ingest.structure import find_documents
from duban.ingest.targets import is_target_heading, parse_targets
from duban.ingest.text import prepare
from tests.conftest import sample_path


@pytest.fixture(scope="module")
def extracted():
    out = {}
    for prefix in ("000", "001", "003"):
        lines = prepare(load_lines(sample_path(prefix)))
        out[prefix] = targets.extract(lines, find_documents(lines))
    return out


def rows(text):
    return [(t["indicator"], t["measure"], t["value"], t["unit"], t["qualifier"]) for t in parse_targets(text)]


def test_indicator_measure_value_unit_qualifier():
    assert rows("地区生产总值增长 7.5%左右，总量达到 2800 亿元。") == [
        ("地区生产总值", "增长", 7.5, "%", "左右"),
        ("地区生产总值", "总量", 2800, "亿元", None),  # elided subject: the previous indicator
    ]
    assert rows("城镇调查失业率控制在 5.5% 以内") == [("城镇调查失业率", "控制在", 5.5, "%", "以内")]
    assert rows("净增高新技术企业 100 家以上") == [("高新技术企业", "净增", 100, "家", "以上")]


def test_bound_word_wins_over_lizheng():
    assert rows("力争生产性服务业占服务业比重超过42%")[0][2:] == (42, "%", "超过")
    assert rows("力争突破关键核心技术1项以上")[0][4] == "以上"
    assert rows("确保国考断面水质优良率达到100%")[0][4] is None


def test_respectively_and_each_give_one_target_per_subject():
    assert [r[0] for r in rows("进出口、进口、出口三项指标分别增长10.5%")] == ["进出口", "进口", "出口"]
    assert [(r[0], r[4]) for r in rows("旅游人次和旅游收入均增长15%以上")] == [("旅游人次", "以上"), ("旅游收入", "以上")]
    got = rows("固定资产投资、进出口总额分别增长8%、10%以上")
    assert [(r[0], r[2], r[4]) for r in got] == [("固定资产投资", 8, None), ("进出口总额", 10, "以上")]


def test_several_targets_joined_by_dun_comma():
    got = rows("实现固定资产投资增长7.5%、外资增长10%;规模以上农产品加工企业达37户、规模以上建筑业企业达27户")
    assert [(r[0], r[2], r[3]) for r in got] == [
        ("固定资产投资", 7.5, "%"), ("外资", 10, "%"), ("规模以上农产品加工企业", 37, "户"), ("规模以上建筑业企业", 27, "户")]


def test_verb_before_the_figure_takes_the_noun_after_it():
    assert rows("完成省定5个县级妇幼保健机构标准化建设任务") == [("县级妇幼保健机构标准化建设", "完成", 5, "个", None)]


def test_start_values_baselines_and_class_thresholds_are_not_targets():
    assert [r[2] for r in rows("城市低保标准从不低于600元/月提高到不低于650/月")] == [650]
    assert rows("城市低保标准从不低于600元/月提高到不低于650/月")[0][3] == "元/月"  # unit borrowed
    assert [r[2] for r in rows("全市空气质量优良率在2022年88.2%的基础上,持续改善")] == []
    assert rows("深化20户以上自然村4G网络覆盖") == []
    assert rows("有效遏制一次死亡 3 人以上的非生产经营性安全事故") == []
    assert rows("2023年全省10件重点民生实事共20个项目") == []
    assert rows("提升农村地区110千伏、35千伏、10千伏及以下电网供电能力") == []


def test_ascii_punctuation_and_thousands():
    got = rows("地区生产总值增长7%左右,总量突破1,200亿元;出口增长１０％")
    assert [(r[2], r[3], r[4]) for r in got] == [(7, "%", "左右"), (1200, "亿元", "突破"), (10, "%", None)]


def test_text_keeps_source_spacing():
    assert [t["text"] for t in parse_targets("地区生产总值增长 7.5%左右，总量达到 2800 亿元")] == [
        "地区生产总值增长 7.5%左右", "总量达到 2800 亿元"]


def test_target_headings():
    for h in ("二、主要目标", "一、工作目标", "一、主要指标", "二、指标任务和责任单位", "<b>一、目标任务</b>"):
        assert is_target_heading(h.replace("<b>", "").replace("</b>", "")), h
    for h in ("二、重点任务", "（四）强化目标考核", "主要目标", "（一）经济运行稳中提质。地区生产总值增长7%"):
        assert not is_target_heading(h), h


def test_only_target_sections_are_read():
    lines = prepare([
        "某县实施八大行动工作方案", "", "一、工作目标", "", "地区生产总值增长7%。", "",
        "二、工作任务", "", "1.抓项目。新开工项目100个，完成投资50亿元。（县发改局牵头）",
    ])
    got = targets.extract(lines, find_documents(lines))
    assert [(t.line, t.value, t.plan) for t in got] == [(5, 7, "某县实施八大行动工作方案")]


def test_samples_match_gold_exactly(extracted, gold):
    for seed, g in gold.items():
        got = sorted((t.line, float(t.value), t.unit) for t in extracted[seed[:3]])
        want = sorted((t["line"], float(t["value"]), t["unit"]) for t in g["targets"])
        assert got == want, seed


def test_sample_fields(extracted):
    by_line = {}
    for t in extracted["000"]:
        by_line.setdefault(t.line, []).append(t)
    first = by_line[28][0]
    assert (first.indicator, first.measure, first.qualifier, first.text) == (
        "地区生产总值", "增长", "左右", "地区生产总值增长 7.5%左右")
    assert first.plan == "邵阳市打好“发展六仗”总体方案"
    table_row = by_line[144]  # a 主要指标 row of the responsibility table
    assert [(t.indicator, t.measure, t.value, t.qualifier) for t in table_row] == [
        ("社会消费品零售总额", "增长", 7, None), ("社会消费品零售总额", "总量", 1500, "突破")]
    # figures in 工作任务 paragraphs are work quantities, not targets
    assert not [t for t in extracted["001"] if t.line == 13]
