"""Tab-separated responsibility tables (duban.ingest.tables) on the real sample and on short tables."""

import pytest

from duban.ingest import tables
from duban.ingest.load import load_lines
from duban.ingest.structure import find_documents
from duban.ingest.text import norm_key, prepare
from tests.conftest import sample_path

TITLE = "某县打好经济增长主动仗重点工作任务清单"


def read(text: str):
    lines = prepare(text.split("\n"))
    return tables.extract(lines, find_documents(lines))


def table_tasks(name: str):
    lines = prepare(load_lines(sample_path(name)))
    return tables.extract(lines, find_documents(lines))


@pytest.fixture(scope="module")
def t000():
    return {t.line: t for t in table_tasks("000")}


def _keys(names):
    return [norm_key(n) for n in names]


def test_every_table_row_of_000_is_read_as_in_gold(t000, gold):
    """All 211 table rows: units, leads, persons, leaders, section, seq, title as hand-checked."""
    rows = [g for g in gold["000_a950852b092f1e21.txt"]["tasks"] if g["source"] == "table"]
    assert len(rows) == 211 and len(t000) == 211
    for g in rows:
        t = t000[g["line"]]
        for k in ("units", "lead_units", "persons", "leaders", "section"):
            assert _keys(getattr(t, k)) == _keys(g[k]), (g["line"], k)
        assert (t.seq, norm_key(t.title), t.plan, t.deadline) == (
            g["seq"],
            norm_key(g["title"]),
            g["plan"],
            g["deadline"],
        ), g["line"]


def test_repeated_headers_section_rows_and_notes_are_not_tasks(t000):
    src = load_lines(sample_path("000"))
    for no in t000:
        first = src[no - 1].split("\t")[0]
        assert "序号" not in first and not first.startswith("备注") and "、" not in first[:3], no
    assert 141 not in t000 and 142 not in t000 and 408 not in t000 and 1024 not in t000


def test_note_under_a_table_makes_the_first_unit_lead(t000):
    assert t000[358].units == ["市税务局"] and t000[358].lead_units == ["市税务局"]  # table 3, 备注 L408
    assert t000[202].lead_units == []  # table 1 has no 备注 and the cell marks no 牵头


def test_shifted_and_merged_rows_of_the_livelihood_table(t000):
    item4 = t000[985]  # sub-item cell shifts the unit/person/leader cells one column right
    assert (item4.seq, item4.section, item4.title) == ("4", ["省定民生实事"], "妇幼健康守护行动。")
    assert item4.units == ["市卫健委", "各县市区人民政府", "市妇联"] and item4.lead_units == [
        "市卫健委",
        "市妇联",
    ]
    assert t000[1001].end_line == 1007  # item 10 goes on after the page break under a repeated category
    assert t000[1012].units == t000[1011].units  # empty merged cells inherit the row above
    assert 989 not in t000 and 1006 not in t000


def test_samples_without_tab_tables_give_no_table_tasks():
    assert table_tasks("001") == [] and table_tasks("003") == []


def test_unseen_header_maps_lead_units_convener_deadline_and_progress():
    text = "\n".join(
        [
            TITLE,
            "",
            "序号\t工作任务\t牵头单位\t责任单位\t召集人\t完成时限\t工作进度",
            "一、扩大有效投资\t\t\t\t\t\t",
            "1\t抓好项目建设.新开工项目50个,完成投资1.5亿元.\t县发改局\t县财政局,县自然资源局\t张 三\t2024年12月底前\t已开工30个",
            "2\t优化营商环境\t县行政审批局\t各乡镇(街道、社区),县直各单位\t李四,王五\t长期坚持\t",
        ]
    )
    t1, t2 = read(text)
    assert (t1.seq, t1.title, t1.section, t1.plan) == ("1", "抓好项目建设.", ["一、扩大有效投资"], TITLE)
    assert t1.units == ["县发改局", "县财政局", "县自然资源局"] and t1.lead_units == ["县发改局"]
    assert (t1.leaders, t1.persons, t1.deadline, t1.progress) == (
        ["张三"],
        [],
        "2024年12月底前",
        "已开工30个",
    )
    assert t2.units == ["县行政审批局", "各乡镇(街道、社区)", "县直各单位"] and t2.leaders == ["李四", "王五"]
    assert t2.progress is None


def test_page_break_noise_repeated_header_and_continuation_row():
    text = "\n".join(
        [
            TITLE,
            "序号\t重点工作任务\t主要责任单位\t责任人",
            "1\t强化资金保障。积极争取专项债券。\t县财政局牵头,县发改局等负责\t赵六 钱七",
            "",
            "- 2 -",
            "序号\t重点工作任务\t主要责任单位\t责任人",
            "\t加快资金拨付。\t县金融办\t孙八",
            "(二)强化要素保障\t\t\t",
            "2\t强化用地保障。\t县自然资源局\t周九",
            "备注：各单项工作排第一的为牵头单位",
        ]
    )
    t1, t2 = read(text)
    assert t1.units == ["县财政局", "县发改局", "县金融办"] and t1.lead_units == ["县财政局", "县金融办"]
    assert t1.persons == ["赵六", "钱七", "孙八"] and t1.end_line == 7
    assert (t2.section, t2.lead_units) == (["(二)强化要素保障"], ["县自然资源局"])


def test_two_row_header_under_a_merged_cell():
    text = "\n".join(
        [
            TITLE,
            "序号\t工作任务\t责任主体\t\t完成时限",
            "\t\t牵头单位\t配合单位\t",
            "1\t建设创新平台。新增省级平台2家。\t县科工局\t县发改局,县财政局\t2024年底前",
        ]
    )
    (t,) = read(text)
    assert t.units == ["县科工局", "县发改局", "县财政局"] and t.lead_units == ["县科工局"]
    assert t.deadline == "2024年底前"


def test_cells_merged_down_repeat_in_every_row_of_a_docx_table():
    text = "\n".join(
        [
            TITLE,
            "序号\t重点工作任务\t\t\t牵头单位\t责任单位",
            "1\t省定民生实事\t1.妇幼健康守护行动。\t完成5个机构建设\t市卫健委\t各县市区人民政府",
            "1\t省定民生实事\t1.妇幼健康守护行动。\t两癌免费检查\t市妇联\t各县市区人民政府",
            "1\t省定民生实事\t2.养老服务。\t新增床位\t市民政局\t",
        ]
    )
    t1, t2 = read(text)
    assert (t1.seq, t1.section, t1.units, t1.lead_units) == (
        "1",
        ["省定民生实事"],
        ["市卫健委", "各县市区人民政府", "市妇联"],
        ["市卫健委", "市妇联"],
    )
    assert (t2.seq, t2.title, t2.units) == ("2", "养老服务。", ["市民政局"])


def test_header_roles():
    assert tables.header_roles(["序号", "重点工作任务", "主要责任单位", "责任人", "市级责任领导"]) == [
        "seq",
        "task",
        "units",
        "persons",
        "leaders",
    ]
    assert tables.header_roles(["序 号", "工作任务", "牵头单位", "召集人", "工作进度"]) == [
        "seq",
        "task",
        "lead",
        "leaders",
        "progress",
    ]
    assert tables.header_roles(["1", "地区生产总值增长 7.5%左右。", "市发改委", "杨平"]) is None
    assert tables.header_roles(["序号", "工作任务", "备注"]) is None  # no responsibility column


def test_title_of():
    assert tables.title_of("开展系列消费促进活动。支持友阿。") == "开展系列消费促进活动。"
    assert (
        tables.title_of("推动落实属地责任。 全面…", "<b>推动落实属地责任。</b> 全面…") == "推动落实属地责任。"
    )
    assert tables.title_of("新增 1.5 万个车位") == "新增 1.5 万个车位"


def test_sub_header_under_the_number_column_keeps_the_number_column():
    """A second header row whose first cell reads '牵头单位' (found by the fuzzer) once erased the 序号
    column and crashed; the 序号 column stays, the sub-header refines the others."""
    from duban.ingest import parse_lines

    lines = [
        "某县打好发展六仗工作方案",
        "一、工作任务",
        "序号\t工作任务\t责任单位\t完成时限",
        "牵头单位\t\t配合单位\t",
        "1\t推进项目建设\t县发改局\t2023年6月底前",
    ]
    result = parse_lines(lines, source="sub-header.txt")
    assert [(t.seq, t.title, t.deadline) for t in result.tasks] == [("1", "推进项目建设", "2023年6月底前")]
