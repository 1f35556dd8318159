"""Indicator names meet across levels; similarity ranks the same work first. Pure logic, no database."""

import pytest

from duban.cascade.indicators import compare, indicator_key, lower_is_better, measure_class, same_indicator
from duban.cascade.similarity import clean_text, similar_pairs


@pytest.mark.parametrize(
    "a, b",
    [
        ("地区生产总值增长", "GDP增长"),
        ("地区生产总值（GDP）增长", "地区生产总值"),
        ("规模以上工业增加值增长", "规模工业增加值"),
        ("规上工业增加值", "规模工业增加值"),
        ("一产业", "第一产业增加值"),
        ("进出口", "进出口总额"),
        ("技术合同交易成交额", "技术合同成交额"),
        ("全县城镇化率", "全市城镇化率"),
        ("农村千人以上集中饮用水水源地突出环境问题整治", "农村千人以上集中式饮用水水源地突出环境问题整治"),
    ],
)
def test_spellings_of_one_indicator_meet(a, b):
    assert same_indicator(indicator_key(a), indicator_key(b))


@pytest.mark.parametrize(
    "a, b",
    [
        ("进口", "进出口"),
        ("出口", "进出口总额"),
        ("有效发明专利", "高价值发明专利"),
        ("高新技术产业增加值", "高新技术产业增加值占地区生产总值比重"),
        ("规模以上工业企业", "规模工业增加值"),
        ("社会消费品零售总额", "进出口总额"),
    ],
)
def test_different_indicators_stay_apart(a, b):
    assert not same_indicator(indicator_key(a), indicator_key(b))


def test_region_names_are_dropped_only_at_the_start():
    assert indicator_key("新邵县地区生产总值", ("新邵县",)) == "地区生产总值"
    assert indicator_key("中心城区地区生产总值占全县比重", ("新邵县",)) == "中心城区地区生产总值占全县比重"


def test_measure_classes_and_direction():
    assert measure_class("增长", "%") == "rate"
    assert measure_class("占比", "%") == "level"
    assert measure_class("提高", "个百分点") == "points"
    assert measure_class("总量", "亿元") == measure_class("新增", "家") == "total"
    assert compare(7.0, 8.0) == "weaker" and compare(8.0, 8.0) == "equal" and compare(9, 8) == "stronger"
    assert lower_is_better("以内", "控制在") and compare(5.0, 5.5, lower_better=True) == "stronger"
    assert not lower_is_better("以上", "增长")


def test_clean_text_keeps_the_work_and_drops_places_duties_and_measures():
    text = "<p>固定资产投资增长 9%。（市发展和改革委员会牵头，各县市区人民政府负责）全市推进邵阳项目</p>"
    cleaned = clean_text(text, ("邵阳市", "邵阳"))
    assert "固定资产投资" in cleaned
    for gone in ("牵头", "增长", "9", "全市", "邵阳", "<p>"):
        assert gone not in cleaned


def test_similar_pairs_rank_the_same_work_first_and_skip_unrelated():
    parents = [
        "加强政府债券管理 严格债券资金使用",
        "推动现代农业发展 粮食产能提升",
        "开展安全生产隐患排查整治",
    ]
    children = ["加强政府债券管理", "粮食产能提升 发展现代农业", "举办文化旅游节庆活动"]
    pairs = similar_pairs(children, parents, threshold=0.2)
    best: dict[int, int] = {}
    for i, j, _s in pairs:  # best first per child
        best.setdefault(i, j)
    assert best.get(0) == 0 and best.get(1) == 1
    assert not [p for p in pairs if p[0] == 2]  # nothing shares enough with the festival
    assert all(0.2 <= s <= 1.0001 for _i, _j, s in pairs)
