"""Flattened (one-cell-per-line) responsibility tables: the real samples and short layouts."""

import pytest

from duban.ingest import flat_tables
from duban.ingest.flat_tables import column_role, first_sentence, looks_like_person, looks_like_units
from duban.ingest.load import load_lines
from duban.ingest.structure import find_documents
from duban.ingest.text import norm_key, prepare
from tests.conftest import sample_path

EN = "\u2002\u2002"  # an empty cell in the spaced layout


def _extract_text(text: str):
    lines = prepare(text.split("\n"))
    return flat_tables.extract(lines, find_documents(lines))


def _extract_sample(name: str):
    lines = prepare(load_lines(sample_path(name)))
    return flat_tables.extract(lines, find_documents(lines))


def _spaced(*cells: str) -> str:
    """Cells of the spaced layout: one per line, a blank line between them."""
    return "\n\n".join(cells)


@pytest.fixture(scope="module")
def sample_tasks():
    return {name: _extract_sample(name) for name in ("000", "001", "003")}


# --- the real samples -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", ["001", "003"])
def test_every_gold_table_row_is_read_exactly(sample_tasks, gold, seed):
    """Each gold table task has a parsed task on its line with the same fields."""
    tasks = {t.line: t for t in sample_tasks[seed]}
    expected = [t for g, d in gold.items() if g.startswith(seed) for t in d["tasks"] if t["source"] == "table"]
    assert len(sample_tasks[seed]) == len(expected)
    for g in expected:
        t = tasks[g["line"]]
        got = t.to_json()
        for key in ("plan", "seq", "deadline", "progress"):
            assert got[key] == g[key], (g["line"], key)
        assert norm_key(t.title) == norm_key(g["title"]), g["line"]
        assert [norm_key(s) for s in t.section] == [norm_key(s) for s in g["section"]], g["line"]
        for key in ("units", "lead_units", "persons", "leaders"):
            assert [norm_key(x) for x in got[key]] == [norm_key(x) for x in g[key]], (g["line"], key)


def test_tab_separated_tables_are_left_to_the_tables_pass(sample_tasks):
    assert sample_tasks["000"] == []


def test_tabbed_layout_rejoins_wrapped_cells_and_reads_outline_columns(sample_tasks):
    tasks = sample_tasks["001"]
    assert [t.seq for t in tasks] == [str(i) for i in range(1, 86)]
    first = tasks[0]
    assert first.section == ["（一）以改革创一流环境", "1.深化国资国企改革"]
    assert first.title.startswith("全面推动") and first.title.endswith("竞争力。")
    by_line = {t.line: t for t in tasks}
    # '市城管' + '执法局' + '沅江' + '供电公司' on four lines: two lead units
    assert by_line[445].lead_units == ["市城管执法局", "沅江供电公司"]
    # headings re-filled after a page break do not start a new section or row
    assert by_line[203].section == by_line[197].section
    assert by_line[227].lead_units == ["人民银行沅江支行"]


def test_spaced_layout_rows_sections_and_merged_cells(sample_tasks):
    by_line = {t.line: t for t in sample_tasks["003"]}
    assert by_line[199].title == "总体目标"  # short name cell before the description
    assert by_line[896].section == ["任务清单", "(一)着力降成本增效率", "1.深化要素市场化配置改革"]
    assert by_line[800].section == ["二、项目清单"] and by_line[800].seq == "1"
    assert by_line[458].leaders == ["王智刚", "王颖异"]  # an empty cell between two names
    assert by_line[1884].lead_units == ["县安委办"]  # 牵头 inside a wrapped unit cell
    assert by_line[1884].units[1] == "各负有监管职责行业部门"
    merged = by_line[2360]  # sub-items sharing one 序号 cell
    assert merged.title == "提高社会治理水平"
    assert merged.units == ["县司法局", "县应急管理局", "县文旅局", "县融媒体中心"]
    assert merged.leaders == ["王智刚", "张明艳"]
    assert by_line[2462].deadline == "2024年秋季开学前"


# --- header words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "role"),
    [
        ("序号", "seq"),
        ("工 作 任 务", "content"),
        ("工作举措", "content"),
        ("主要责任单位", "units"),
        ("牵头单位", "lead"),
        ("牵头责任单位", "lead"),
        ("责任人", "person"),
        ("县政府分管领导", "leader"),
        ("召集人", "leader"),
        ("完成时限", "deadline"),
        ("工作进度", "progress"),
        ("任务清单", None),
        ("一、工作任务", None),
        ("县发改局", None),
    ],
)
def test_column_role(cell, role):
    assert column_role(cell) == role


def test_cell_kinds():
    assert looks_like_units("县发改局县科工局")
    assert looks_like_units("县安委办牵头,各负有监管")  # a list cut by a line wrap
    assert looks_like_units("各镇（街道、中心）")
    assert not looks_like_units("王智刚")
    assert not looks_like_units("推进教育高质量发展。")
    assert looks_like_person("罗  静") and looks_like_person("相关副县长")
    assert not looks_like_person("县妇联")


def test_whole_task_deadline():
    assert flat_tables.whole_task_deadline("完成改造。2024年秋季开学前能交付使用。") == "2024年秋季开学前"
    assert flat_tables.whole_task_deadline("3月底前完成摸底,11月15日前完成验收") is None
    assert flat_tables.whole_task_deadline("力争2024年全省排名前列") is None
    assert flat_tables.whole_task_deadline("2024年6月底前开工,2024年底前竣工") is None


def test_first_sentence():
    assert first_sentence("开展放心消费创建。持续开展行动") == "开展放心消费创建。"
    assert first_sentence("全县至少建设1个基本型一刻钟便民生活圈") == "全县至少建设1个基本型一刻钟便民生活圈"
    assert first_sentence("推进工改3.0版落地.加快审批") == "推进工改3.0版落地."


# --- layouts not in the samples -------------------------------------------------------------


def test_spaced_table_with_lead_and_convener_columns_ascii_punctuation():
    text = _spaced(
        "XX县打好经济增长主动仗重点任务清单",
        "序号", "工作任务", "牵头单位", "责任单位", "召集人",
        "一、扩大有效投资",
        "1", "加快重大项目建设,全年完成投资50亿元.2024年6月底前开工10个项目.",
        "县发改局", "县财政局、县自然资源局", "张 三",
        "2", "推动消费提质扩容。", EN, "县商务局,县市监局", "李四、王五",
        "二、优化营商环境",
        "3", "深化\u201c放管服\u201d改革。", "县行政审批局", "各乡镇人民政府", EN,
    ) + "\n\n\n附件2"
    tasks = _extract_text(text)
    assert [t.seq for t in tasks] == ["1", "2", "3"]
    one, two, three = tasks
    assert one.title == "加快重大项目建设,全年完成投资50亿元."
    assert one.lead_units == ["县发改局"]
    assert one.units == ["县发改局", "县财政局", "县自然资源局"]
    assert one.leaders == ["张三"]
    assert one.deadline == "2024年6月底前"
    assert one.section == ["一、扩大有效投资"]
    # an empty 牵头单位 cell keeps the co-units out of the lead column
    assert two.lead_units == [] and two.units == ["县商务局", "县市监局"]
    assert two.leaders == ["李四", "王五"]
    assert three.section == ["二、优化营商环境"] and three.leaders == []


def test_spaced_table_repeated_header_and_first_unit_note():
    header = ("序号", "重点任务", "责任单位", "责任人", "完成时限")
    text = _spaced(
        *header,
        "1", "完成城区污水管网改造。", "县住建局、县城管局", "赵六", "2024年12月底",
        *header,  # printed again after a page break
        "2", "新建5G基站100个。", "县科工局、县发改局", "钱七", "2024年9月",
        "备注:各单项工作排第一的为牵头单位。",
    )
    tasks = _extract_text(text)
    assert [t.seq for t in tasks] == ["1", "2"]
    assert tasks[0].persons == ["赵六"] and tasks[0].deadline == "2024年12月底"
    assert [t.lead_units for t in tasks] == [["县住建局"], ["县科工局"]]


def test_tabbed_table_with_sequence_person_and_leader_columns():
    rows = [
        ["序号", "重点工作任务", "责任单位", "责任人", "县级责任领导", "工作进度"],
        ["1", "（1）建成产业园标准厂房10万平方米。加快招商。", "县工信局牵头，县自然资源局配合", "周八", "吴九", "已完成60%"],
        ["2", "（2）培育规上企业5家。", "县市监", "郑十", "", ""],
        ["二、项目清单"],
        ["3", "（3）建设冷链物流中心。", "县商务局"],  # trailing empty cells left out
    ]
    lines = []
    for row in rows:
        lines += ["\t" + c for c in row] + [""]
    lines.insert(lines.index("\t县市监") + 1, "")
    lines.insert(lines.index("\t县市监") + 2, "局")  # the unit cell wraps without a TAB
    tasks = _extract_text("\n".join(lines))
    assert [t.seq for t in tasks] == ["1", "2", "3"]
    one, two, three = tasks
    assert one.title == "建成产业园标准厂房10万平方米。"
    assert one.units == ["县工信局", "县自然资源局"] and one.lead_units == ["县工信局"]
    assert (one.persons, one.leaders, one.progress) == (["周八"], ["吴九"], "已完成60%")
    assert two.units == ["县市监局"] and two.leaders == [] and two.progress is None
    assert three.section == ["二、项目清单"] and three.units == ["县商务局"] and three.persons == []


def _respaced(raw: list[str], first: int, last: int) -> list[str]:
    """Lines ``first``..``last`` (1-based) of a tabbed table re-printed in the spaced layout."""
    out = raw[: first - 1]
    for ln in raw[first - 1: last]:
        if ln.startswith("\t"):
            out += [ln[1:] or EN, ""]
        elif ln:
            out[-2] += ln  # a wrapped cell
    return out + raw[last:]


def test_same_table_in_both_layouts_gives_the_same_rows():
    raw = load_lines(sample_path("001"))
    spaced = prepare(_respaced(raw, 154, 683))
    again = flat_tables.extract(spaced, find_documents(spaced))
    want = _extract_sample("001")
    assert [(t.seq, t.title, t.section, t.units, t.lead_units) for t in again] == [
        (t.seq, t.title, t.section, t.units, t.lead_units) for t in want
    ]


def test_spaced_leader_with_post_and_progress_column():
    text = _spaced(
        "序号", "内容", "责任单位", "县级领导", "工作进度",
        "1", "新增规模工业企业10家。", "县科工局", "县委常委、常务副县长王智刚", "已完成3家",
        "2", "推进园区扩容。", "县发改局", "李繁荣(副县长)",
    )
    one, two = _extract_text(text)
    assert one.units == ["县科工局"] and "王智刚" in one.leaders[0] and one.progress == "已完成3家"
    assert two.units == ["县发改局"] and "李繁荣" in two.leaders[0] and two.progress is None


def test_spaced_unnumbered_heading_and_wrapped_unit_cells():
    text = _spaced(
        "序号", "内容", "主要责任单位", "分管领导",
        "1", "社会消费品零售总额增长7%", "县商务局牵头,各负有监管", "职责的部门", "张明艳",
        "产业发展类",
        "2", "规模工业增加值增长7%", "县科工局", "县发改局", EN,
    )
    one, two = _extract_text(text)
    assert one.units == ["县商务局", "各负有监管职责的部门"] and one.lead_units == ["县商务局"]
    assert one.title == "社会消费品零售总额增长7%" and one.section == []
    assert two.section == ["产业发展类"]
    assert two.units == ["县科工局", "县发改局"] and two.leaders == []


def test_spaced_table_ends_at_a_heading_that_leads_to_no_row():
    text = _spaced(
        "序号", "内容", "主要责任单位", "分管领导",
        "1", "完成城区污水管网改造。", "县住建局", "蒋命贤",
        "三、保障措施",
        "各单位要加强组织领导,确保任务按期完成。",
    )
    (only,) = _extract_text(text)
    assert only.leaders == ["蒋命贤"] and only.text == "完成城区污水管网改造。"


def test_prose_is_not_a_table():
    text = _spaced("二、工作任务", "（一）扩大有效投资。加快项目建设（县发改局牵头）。", "三、保障措施")
    assert _extract_text(text) == []
