"""Prose tasks: numbered items with responsibility statements, on the real samples and short strings."""

import pytest

from duban.ingest import prose
from duban.ingest.score import score_one
from duban.ingest.structure import find_documents
from duban.ingest.text import prepare

TITLE = "某市打好经济增长主动仗工作方案"


def prose_tasks(text: str):
    lines = prepare([TITLE, "", *text.split("\n")])
    return prose.extract(lines, find_documents(lines))


def by_line(parsed, seed: str) -> dict:
    return {t.line: t for t in parsed[seed].tasks if t.source == "prose"}


# ---------------------------------------------------------------- real samples


@pytest.mark.parametrize("seed", ["000", "001", "003"])
def test_prose_tasks_match_gold(parsed_samples, gold, seed):
    g = next(v for k, v in gold.items() if k.startswith(seed))
    g = dict(g, tasks=[t for t in g["tasks"] if t["source"] == "prose"])
    pred = parsed_samples[seed].to_json()
    pred["tasks"] = [t for t in pred["tasks"] if t["source"] == "prose"]
    f = score_one(g, pred).figures
    assert f["tasks"].recall >= 0.98 and f["tasks"].precision >= 0.98, f["tasks"]
    assert f["units"].f1 >= 0.97 and f["lead_units"].f1 >= 0.97, (f["units"], f["lead_units"])


def test_statement_split_by_page_break(parsed_samples):
    t = by_line(parsed_samples, "000")[240]  # '（市科技局' + blank line + '牵头，…负责)'
    assert t.title == "种业领域。" and t.seq == "1"
    assert t.units == ["市科技局", "市林业局", "市农业农村局"] and t.lead_units == ["市科技局"]
    assert t.section == ["二、工作任务", "（一）关键核心技术攻坚行动"]


def test_statement_on_its_own_paragraph_after_the_item(parsed_samples):
    tasks = by_line(parsed_samples, "000")
    assert tasks[256].units[0] == "市工信局" and tasks[256].end_line == 260
    assert tasks[262].lead_units == ["市科技局"]


def test_page_break_inside_a_figure_of_the_title(parsed_samples):
    t = by_line(parsed_samples, "000")[927]  # '…建设特困供养机构3' + blank line + '家。（牵头单位：…）'
    assert t.title == "完成困难家庭适老化改造2928户，建设特困供养机构3家。"
    assert t.lead_units == ["市民政局"] and t.end_line == 929


def test_bold_lead_in_and_several_statements_per_item(parsed_samples):
    t = by_line(parsed_samples, "000")[905]
    assert t.title == "开展妇幼健康守护行动。"
    assert t.units == ["卫健委", "各县市区人民政府", "市妇联", "市财政局"]
    assert t.lead_units == ["卫健委", "市妇联"]


def test_statement_after_sub_items_covers_the_item(parsed_samples):
    tasks = by_line(parsed_samples, "001")
    assert tasks[858].seq == "1" and tasks[858].lead_units == ["市交警大队"]
    assert not any(860 <= n <= 874 for n in tasks)  # its （1）…（8） are not tasks
    assert tasks[918].lead_units == ["市民政局"]  # 4（4）: its own '由市民政局牵头…' after ①②
    assert tasks[910].lead_units == ["市消防救援大队"]  # item 4: the statement after （5）


def test_statements_between_sub_items_cover_the_runs_before_them(parsed_samples):
    tasks = by_line(parsed_samples, "001")
    assert 1022 not in tasks  # item 11 is a section
    assert [tasks[n].lead_units for n in (1024, 1032, 1036, 1040)] == [["市应急局"]] * 2 + [["市林业局"]] * 2


def test_heading_statement_covers_items_without_their_own(parsed_samples):
    tasks = by_line(parsed_samples, "001")
    # its own statement marks no 牵头: the heading's lead is passed down and put first
    assert tasks[692].lead_units == ["市财政局"] and tasks[692].seq == "一" and tasks[692].lead_from_heading
    assert tasks[692].units[0] == "市财政局" and "市发改局" in tasks[692].units
    assert tasks[706].units == ["市金融事务中心"] and tasks[706].lead_units == ["市金融事务中心"]
    assert 744 not in tasks and 810 not in tasks  # bare headings pass the statement on
    assert tasks[812].lead_units == ["市应急管理局"] and not any(816 <= n <= 832 for n in tasks)


def test_unit_label_layout(parsed_samples):
    tasks = by_line(parsed_samples, "001")
    # the section heading '五、…（牵头单位：市应急管理局）' leads every item that names no lead
    assert tasks[746].units == ["市应急管理局", "市指挥部"] and tasks[746].lead_units == ["市应急管理局"]
    assert tasks[808].units == ["市应急管理局", "镇（街道、中心）", "沅江高新区"]


def test_dash_sub_items_take_the_enclosing_number(parsed_samples):
    tasks = by_line(parsed_samples, "003")
    assert tasks[144].seq == "1" and tasks[144].title == "资源再生领域。"
    assert tasks[144].section[-1] == "1.循环经济"
    assert tasks[166].title == "文旅康养" and tasks[166].lead_units == ["县文旅局"]


def test_items_without_statements_are_implicit_tasks(parsed_samples):
    """Numbered items of a task section with no statement are tasks, with the units their own text
    makes responsible; their （1）（2） sub-points are not tasks; 保障措施-like sections give none."""
    tasks = by_line(parsed_samples, "001")
    assert tasks[1178].implicit and tasks[1178].units[-1] == "各监管部门"  # item 19
    implicit = [n for n in range(1223, 1300) if n in tasks]
    assert implicit == [1225, 1233, 1241, 1247, 1253, 1261, 1269, 1275, 1287, 1293]  # §（三）（四）
    assert all(tasks[n].implicit and not tasks[n].lead_units for n in implicit)
    assert tasks[1233].units == ["各行业部门"] and tasks[1241].units == ["镇（街道、中心、园区）"]
    assert tasks[1275].units == []  # enterprises are not units
    assert not any(1301 <= n <= 1313 for n in tasks)  # 三、推进机制
    t000 = by_line(parsed_samples, "000")
    assert t000[658].units == ["市安委会办公室"] and t000[658].implicit
    assert t000[684].lead_units == ["市安委办"] and not t000[684].implicit  # '市安委办牵头开展' in its text
    assert 133 not in tasks  # '（总牵头单位：…）' clauses of an unnumbered paragraph


# ---------------------------------------------------------------- short strings


def test_is_statement():
    assert prose.is_statement("市科技局牵头，市发改委、市工信局等按职责分工负责")
    assert prose.is_statement("牵头单位:市城建投,责任单位:市发改委、市财政局")
    assert prose.is_statement("市财政局、市发改局、市纪委监委等相关市直部门按职责分工")
    assert not prose.is_statement("含自建房")
    assert not prose.is_statement("一、三标段")
    assert not prose.is_statement("总牵头单位：市发改局")
    assert not prose.is_statement("由主要负责人亲自抓。")


def test_bare_heading():
    assert prose.is_bare_heading("1.循环经济")
    assert prose.is_bare_heading("一、防范化解政府债务风险（牵头单位：市财政局）")
    assert not prose.is_bare_heading("1.提高制造业核心竞争力。实施产业项目支撑工程。")


def test_label_statements_on_their_own_lines():
    tasks = prose_tasks(
        "二、重点任务\n\n1.加快重点项目建设。全年实施重点项目100个。\n\n牵头责任单位：市发改委\n\n"
        "责任单位：市财政局、市自然资源局\n\n完成时限：2023年12月底\n\n2.优化营商环境。持续深化改革。\n"
    )
    assert len(tasks) == 2 and tasks[1].implicit and tasks[1].units == []  # item 2 names nobody
    t = tasks[0]
    assert (t.line, t.seq, t.title, t.plan) == (5, "1", "加快重点项目建设。", TITLE) and not t.implicit
    assert t.units == ["市发改委", "市财政局", "市自然资源局"] and t.lead_units == ["市发改委"]
    assert t.deadline == "2023年12月底" and t.section == ["二、重点任务"]


def test_inline_label_statement_with_ascii_punctuation():
    (t,) = prose_tasks(
        "(一)扩大有效投资\n\n1.加快项目建设。全年开工项目50个。牵头责任单位:县发改局;责任单位:县财政局"
    )
    assert t.units == ["县发改局", "县财政局"] and t.lead_units == ["县发改局"]
    assert t.section == ["(一)扩大有效投资"]


def test_heading_statement_on_the_line_after_the_heading():
    tasks = prose_tasks(
        "（一）防范化解债务风险\n\n牵头单位：市财政局\n\n1.严格遏制新增隐性债务。加强监管。\n\n"
        "2.化解存量债务。多渠道筹集资金。（市财政局、市国资委等负责）\n"
    )
    assert [(t.seq, t.units, t.lead_units) for t in tasks] == [
        ("1", ["市财政局"], ["市财政局"]),
        ("2", ["市财政局", "市国资委"], ["市财政局"]),  # names no lead: the heading's
    ]
    assert [t.lead_from_heading for t in tasks] == [True, True]


def test_closing_statement_makes_the_section_the_task():
    tasks = prose_tasks(
        "二、工作任务\n\n（一）扩大消费。促进消费恢复。\n\n1.开展促销活动。\n\n2.发放消费券。\n\n"
        "（市商务局牵头，市财政局等按职责分工负责）\n\n三、保障措施\n"
    )
    assert [(t.seq, t.title, t.lead_units) for t in tasks] == [("一", "扩大消费。", ["市商务局"])]


def test_page_break_inside_a_word_and_a_statement():
    (t,) = prose_tasks("1.推动电商发展。建成电商服务平\n\n\n\n台。（市商务局\n\n牵头，市农业农村局等负责)")
    assert t.units == ["市商务局", "市农业农村局"] and t.lead_units == ["市商务局"]
    assert t.end_line == 9 and "电商服务平台" in t.text


def test_no_statement_no_task():
    assert (
        prose_tasks("1.加强组织领导。成立工作专班，专班办公室设在市发改委。\n\n2.强化督查。（含自建房）")
        == []
    )


def test_label_lines_after_each_item():
    tasks = prose_tasks(
        "一、主要预期目标\n1.努力实现地区生产总值增长6.2%左右。\n牵头单位:区发改局\n"
        "责任单位:立山经济开发区,全区经济运行各专班\n2.规模以上工业增加值增长5%左右。\n牵头单位:区工信局\n"
        "责任单位:立山经济开发区\n3.其他主要经济指标不低于全市平均水平。\n"
    )
    assert [(t.seq, t.units, t.lead_units) for t in tasks] == [
        ("1", ["区发改局", "立山经济开发区", "全区经济运行各专班"], ["区发改局"]),
        ("2", ["区工信局", "立山经济开发区"], ["区工信局"]),
        ("3", [], []),  # the file stops after it: a cut copy lost its statement (issue 20), still a task
    ]


def test_statement_with_nested_brackets_after_sub_items():
    tasks = prose_tasks(
        "（一）“一案三制”建设\n1.完善应急预案体系\n(1)加强应急预案管理。\n(2)推进应急预案编制全覆盖。\n"
        "(责任单位:市直各有关单位、各县(市、区)人民政府、各开发区管委会)\n2.健全应急管理体制\n(1)深入推进机构建设。\n"
    )
    (t,) = tasks
    assert (t.seq, t.title) == ("1", "完善应急预案体系")
    assert t.units == ["市直各有关单位", "各县(市、区)人民政府", "各开发区管委会"] and t.lead_units == []


def test_page_break_inside_a_statement_label():
    (t,) = prose_tasks("26.加强农村疫情防控。配足药品。（责任\n\n单位：市农业农村局、市卫生健康委)")
    assert t.units == ["市农业农村局", "市卫生健康委"]


def test_statement_after_an_only_sub_item_is_its_own():
    (t,) = prose_tasks("一、主要目标\n1.地区生产总值增长6%左右。\n牵头单位:区发改局\n二、重点任务\n")
    assert (t.seq, t.lead_units) == ("1", ["区发改局"])


def test_people_and_dates_inside_a_statement_are_not_units():
    (t,) = prose_tasks(
        "1)加快项目建设。全年开工50个。（责任领导：张三；牵头单位：市发改委；责任单位：市财政局）"
    )
    assert t.seq == "1" and t.units == ["市发改委", "市财政局"] and t.lead_units == ["市发改委"]
    assert t.leaders == ["张三"] and t.persons == []
