"""Reporting / dispatch / review rhythms (调度机制) on short strings and on the real samples."""

import pytest

from duban.ingest import cadences
from duban.ingest.load import load_lines
from duban.ingest.score import _periods
from duban.ingest.structure import find_documents
from duban.ingest.text import prepare
from tests.conftest import sample_path


@pytest.fixture(scope="module")
def extracted():
    out = {}
    for prefix in ("000", "001", "003"):
        lines = prepare(load_lines(sample_path(prefix)))
        out[prefix] = cadences.extract(lines, find_documents(lines))
    return out


def items(text):
    return [[(i.every, i.action) for i in c["items"]] for c in cadences.parse_cadences(text)]


def test_formula_lists():
    assert items("建立“旬简报、月通报、季总结”工作调度机制，由各工作专班召集人具体负责调度，相关情况及时报市政府。") == [
        [("旬", "简报"), ("月", "通报"), ("季", "总结")]]
    assert items("实行“月调度、季点评、半年测评、年总结”") == [
        [("月", "调度"), ("季", "点评"), ("半年", "测评"), ("年", "总结")]]


def test_chained_formulas():
    assert items("建立“一周一调度,一月一小结,两月一讲评”工作机制") == [
        [("周", "调度"), ("月", "小结"), ("两月", "讲评")]]
    assert items("做到“一月一督导一排名一通报，一季一观摩一比拼一排队一讲评”。") == [
        [("月", "督导"), ("月", "排名"), ("月", "通报"), ("季", "观摩"), ("季", "比拼"), ("季", "排队"), ("季", "讲评")]]
    assert items("抓实评标专家“一项目一考评”“一季度一通报”制度") == [[("季", "通报")]]
    assert items("2023年一季度实现开门红") == []


def test_every_period_with_recipient_and_due():
    [c] = cadences.parse_cadences("工作进展情况每季度末月中旬报送市优办。")
    assert ([(i.every, i.action) for i in c["items"]], c["report_to"], c["due"]) == (
        [("季", "报送")], "市优办", "每季度末月中旬")
    [c] = cadences.parse_cadences("安排专人每天下午4:00之前报送市安委办;")
    assert (c["items"][0].every, c["report_to"], c["due"]) == ("日", "市安委办", "每天下午4:00之前")
    [c] = cadences.parse_cadences("每季度最后一个工作日向市安委会报告本行业（领域）安全生产工作情况")
    assert (c["items"][0].action, c["report_to"], c["due"]) == (
        "报告本行业（领域）安全生产工作情况", "市安委会", "每季度最后一个工作日")
    [c] = cadences.parse_cadences("各县市区于每月22日前将汇总数据报送市人社局、市统计局。")
    assert (c["items"][0].action, c["report_to"], c["due"]) == ("报送汇总数据", "市人社局、市统计局", "每月22日前")


def test_by_period_and_report_nouns():
    assert items("按季度实行监管执法排名、通报监管执法典型案例；") == [
        [("季", "监管执法排名"), ("季", "通报监管执法典型案例")]]
    assert items("做好交易月报的统计汇总") == [[("月", "交易月报")]]


def test_unquoted_lists_by_period_and_dispatch_meetings():
    assert items("实行周调度、月通报、季考核制度。") == [[("周", "调度"), ("月", "通报"), ("季", "考核")]]
    assert items("按月调度、按季通报") == [[("月", "调度"), ("季", "通报")]]
    assert items("每双月通报一次") == [[("两月", "通报")]]
    assert [[e for e, _ in c] for c in items("每月召开一次工作调度会。")] == [["月"]]
    assert items("本月通报全市进展情况") == []


def test_rhythms_in_separate_clauses_are_separate_records():
    got = cadences.parse_cadences('建立"一周一调度、一月一通报"工作机制,各责任单位每月25日前将工作进展报送专班办公室。')
    assert [([i.every for i in c["items"]], c["report_to"], c["due"]) for c in got] == [
        (["周", "月"], None, None), (["月"], "专班办公室", "每月25日前")]


def test_colon_used_as_a_sentence_break():
    got = items("每月形成债务监测报告呈报市委市政府：每半年开展一次债务风险评估，向全市各单位通报预警结果")
    assert [[e for e, _ in c] for c in got] == [["月"], ["半年"]]


def test_meetings_quotas_and_rates_are_not_cadences():
    for text in (
        "每月开展一次民营企业企业家座谈会或“企业家沙龙”。",
        "每年召开全体成员会议不少于4次。",
        "每年至少组织开展1次综合应急演练。",
        "每个县市区每月谋划新项目不少于3个。",
        "原则上每季度开展政企交流活动1－2次。",
        "每月的1-20日为企业宁静日。",
        "对红色标识重点人群每周随访3次。",
        "城市低保标准从不低于 600 元每月提高到不低于 650 元/月。",
        "按履约进度或定期（一般按季）验收，30日内支付款项。",
        "认真谋划，定期调度。",
    ):
        assert cadences.parse_cadences(text) == [], text


def test_one_record_per_sentence_keeps_the_quota_out():
    got = items("每年召开全体成员会议不少于4次、组织督查督导不少于4次，每季度最后一个工作日向市安委会报告工作情况。")
    assert [[e for e, _ in c] for c in got] == [["季"]]


def test_samples_match_gold(extracted, gold):
    for seed, g in gold.items():
        got = sorted((c.line, _periods(c.to_json())) for c in extracted[seed[:3]])
        want = sorted((c["line"], _periods(c)) for c in g["cadences"])
        assert got == want, seed


def test_sample_fields(extracted):
    by_line = {c.line: c for c in extracted["001"]}
    c = by_line[836]
    assert (c.items[0].every, c.due, c.plan) == ("日", "每日下午4:30前", "打好防范化解风险阻击仗工作方案")
    recipients = sorted(c.report_to for c in extracted["003"] if c.report_to)
    assert recipients == ["县政府", "领导小组"]
