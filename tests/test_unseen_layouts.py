"""Layouts of 责任分解 documents from other governments (issue 20), each read by a general rule:
no title, traditional characters, labelled leader lines, heading leaders, first-unit notes,
'|' rows, a notice run together on one line, indicator items, a copy cut off at its end."""

import pytest

from duban.ingest import parse_text
from duban.ingest.errors import IngestError
from duban.ingest.hanzi import reverse_map, simplify


def _tasks(text):
    r = parse_text(text)
    return r, [(t.title, t.units, t.lead_units, t.leaders) for t in r.tasks]


def test_no_title_is_read_with_a_warning():
    r, tasks = _tasks(
        "各区人民政府,市政府各部门:\n"
        "1.扩大有效投资。(市发改委牵头,市财政局等按职责分工负责)\n"
        "2.稳定工业增长。(市经信局牵头)\n"
    )
    assert [t[0] for t in tasks] == ["扩大有效投资。", "稳定工业增长。"]
    assert tasks[0][1:3] == (["市发改委", "市财政局"], ["市发改委"])
    assert any("没有找到方案标题" in w for w in r.warnings)


def test_nothing_found_is_still_refused():
    with pytest.raises(IngestError, match="不像是一份工作方案"):
        parse_text("今天天气很好。\n我们去公园散步。\n")


def test_traditional_characters_are_matched_and_kept_verbatim():
    r, tasks = _tasks(
        "1.全面實施行政許可事項清單管理。(市政府辦公室牽頭,市級各有關部門按職責分工負責)\n"
        "2.推動政務服務導則落實。(州行政審批服務局牽頭;責任單位:州司法局,6月底完成)\n"
    )
    assert tasks[0][1:3] == (["市政府辦公室", "市級各有關部門"], ["市政府辦公室"])
    assert tasks[1][1] == ["州行政審批服務局", "州司法局"]  # '6月底完成' is a deadline, not a unit
    assert tasks[1][0] == "推動政務服務導則落實。"


def test_a_stray_traditional_character_does_not_rewrite_a_simplified_document():
    lines = ["1.关于于都县的工作。(市发改委牵头)", "於某某同志。", "于是于此于彼。"]
    assert reverse_map(lines) == {}  # 于 is written more often than 於
    assert simplify("牽頭單位") == "牵头单位"


def test_labelled_leader_lines_and_division_label():
    _, tasks = _tasks(
        "某市重点工作责任分工方案\n"
        "一、确保完成全年主要预期目标\n"
        "1.地区生产总值增长8%以上。\n"
        "牵头负责领导:金力。\n"
        "牵头责任单位:市发展改革委。\n"
        "协同责任单位:市经信局、市商务局等,各县、市、区政府。\n"
        "2.财政收入增长8%左右。\n"
        "分管省领导:林克庆\n"
        "部门分工:省财政厅牵头,各地、各部门配合。\n"
    )
    assert sorted(tasks[0][1]) == sorted(["市发展改革委", "市经信局", "市商务局", "各县、市、区政府"])
    assert tasks[0][2:] == (["市发展改革委"], ["金力"])
    assert tasks[1][1:] == (["省财政厅", "各地", "各部门"], ["省财政厅"], ["林克庆"])


def test_heading_leaders_and_first_unit_note():
    _, tasks = _tasks(
        "2020年政府工作报告重点工作责任分解\n"
        "一、王纲市长主抓重点工作\n"
        "1.坚定不移支持企业发展。\n"
        "责任单位:市经信局、市财政局(列第一位者为工作牵头单位或汇总单位,下同)\n"
        "2.开展项目双进双产。\n"
        "责任单位:市发展改革委、市商务局\n"
        "二、主要指标、发改、财政等工作目标(牵头领导:成坤、柯相国)\n"
        "1.抓好招商引资。\n"
        "责任单位:市商务局\n"
    )
    assert tasks[0][1:] == (["市经信局", "市财政局"], ["市经信局"], ["王纲"])
    assert tasks[1][1:] == (["市发展改革委", "市商务局"], ["市发展改革委"], ["王纲"])
    assert tasks[2][3] == ["成坤", "柯相国"]


def test_pipe_rows_are_table_rows_with_targets():
    r, tasks = _tasks(
        "附件1 |\n"
        "序号 | 任 务 名 称 | 指 标 要 求 | 牵 头 部 门 | 配 合 部 门 |\n"
        "1 | 地区生产总值 | 增长5.5%(市下达指标) | 区发改经信局 | 区财政局、区统计局 |\n"
        "2 | 服务业增加值 | 增长6% | 区发改经信局 | 区商务局 |\n"
    )
    assert [t[:3] for t in tasks] == [
        ("地区生产总值", ["区发改经信局", "区财政局", "区统计局"], ["区发改经信局"]),
        ("服务业增加值", ["区发改经信局", "区商务局"], ["区发改经信局"]),
    ]
    assert [(g.line, g.value, g.unit) for g in r.targets] == [(3, 5.5, "%"), (4, 6, "%")]


def test_a_notice_run_together_on_one_line_keeps_its_line_numbers():
    line = (
        "各镇人民政府,县政府各部门: 现印发给你们,请认真贯彻执行。 某县人民政府办公室 2022年4月18日 "
        "政府工作报告2022年重点工作责任分解 一、王丹县长牵头重点工作 "
        "1.全县生产总值增长7.5%左右;一般公共预算收入增长8.5%。 "
        "责任单位:县发改局(首位单位为牵头单位,下同)、县财政局、县税务局 "
        "2.落实党政机关过紧日子的要求,努力降低行政运行成本。 责任单位:县财政局"
    )
    r, tasks = _tasks("标题行 | 来源\n" + line + "\n")
    assert [t.line for t in r.tasks] == [2, 2]
    assert tasks[0][1:] == (["县发改局", "县财政局", "县税务局"], ["县发改局"], ["王丹"])
    assert tasks[1][1:] == (["县财政局"], ["县财政局"], ["王丹"])
    assert [(g.line, g.value) for g in r.targets] == [(2, 7.5), (2, 8.5)]
    assert r.source_lines[1] == line


def test_indicator_items_and_expected_target_paragraphs():
    r = parse_text(
        "某区重点工作分工方案\n"
        "一、经济社会发展的主要预期目标\n"
        "1.努力实现地区生产总值增长6.2%左右。\n"
        "牵头单位:区发改局\n"
        "(二)地方公共预算收入增长32%。(牵头单位:县财政局;责任单位:县税务局)\n"
        "▲增加值可比增长14%左右,其中,第三产业\n"
        "主要预期目标是:生产总值增长6%左右,城乡居民人均可支配收入分别增长7%、8%左右;粮食产量保持在180万吨以上。\n"
    )
    got = [(g.indicator, g.value, g.unit) for g in r.targets]
    assert ("地区生产总值", 6.2, "%") in got and ("地方公共预算收入", 32, "%") in got
    assert ("增加值", 14, "%") in got and ("粮食产量", 180, "万吨") in got
    assert len([g for g in r.targets if g.line == 7]) == 4


def test_a_copy_cut_off_keeps_its_last_item_without_half_names():
    _, tasks = _tasks(
        "某县重点工作责任分解方案\n"
        "(一)地区生产总值增长11%。[牵头单位:县发改局;责任单位:各镇人民政府]\n"
        "(二)城乡居民人均可支配收入与经济增长同步。[牵头单位:县发改局、县农业农"
    )
    assert tasks[1][1:3] == (["县发改局"], ["县发改局"])
    _, tasks = _tasks(
        "某区重点工作分工方案\n"
        "1.居民收入增长与经济增长基本同步。\n"
        "牵头单位:区发改局\n"
        "2.其他主要经济指标不低于全市平均水平。\n"
    )
    assert [t[0] for t in tasks] == ["居民收入增长与经济增长基本同步。", "其他主要经济指标不低于全市平均水平。"]


def test_reporting_rhythms_of_work_reports():
    from duban.ingest.cadences import parse_cadences

    quarterly = parse_cadences("各牵头单位要在每个季度第1个月的20日前,将上季度的责任事项完成情况报市人民政府督查室。")
    assert [[i.every for i in c["items"]] for c in quarterly] == [["季"]]
    assert quarterly[0]["report_to"] == "市人民政府督查室"
    twice = parse_cadences("市政府将于年中、年末对政府工作报告重点工作进展情况进行专项督查。")
    assert [(i.every, i.action) for c in twice for i in c["items"]] == [("半年", "专项督查")]
    assert parse_cadences("确定责任部门、责任人、节点目标,明确每季度对应的量化的工作显现度。") == []
