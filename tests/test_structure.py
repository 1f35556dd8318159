"""Document structure found in the real samples: documents, annexes, headings, issuer."""

import pytest

from duban.ingest import issuer
from duban.ingest.load import load_lines
from duban.ingest.structure import (
    continued_text,
    doc_kind,
    find_documents,
    numbering_level,
    strip_numbering,
)
from duban.ingest.text import prepare
from tests.conftest import sample_path


@pytest.fixture(scope="module")
def structured():
    """(lines, outline) per sample, from the structure pass alone."""
    out = {}
    for prefix in ("000", "001", "003"):
        lines = prepare(load_lines(sample_path(prefix)))
        out[prefix] = (lines, find_documents(lines))
    return out


def test_documents_match_gold_titles(parsed_samples, gold):
    for seed, g in gold.items():
        got = {(d.line, d.title.replace(" ", "")) for d in parsed_samples[seed[:3]].documents}
        for d in g["documents"]:
            assert (d["line"], d["title"].replace(" ", "")) in got, (seed, d)


def test_documents_are_exactly_the_gold_ones(structured, gold):
    """No extra documents: not the annex list, '附表：…' references, bare '任务清单' rows, or the
    repeated notice title."""
    for seed, g in gold.items():
        _, outline = structured[seed[:3]]
        assert [d.line for d in outline.documents] == sorted(d["line"] for d in g["documents"])
        kinds = {d["line"]: d["kind"] for d in g["documents"]}
        assert {d.line: d.kind for d in outline.documents} == kinds


def test_annex_numbers_inferred_when_label_missing(structured):
    _, outline = structured["000"]
    annex = {d.line: d.annex for d in outline.documents}
    # 附件4-7 have no '附件 N' line: numbered by order after 附件3
    assert annex[331] == 4 and annex[353] == 4
    assert annex[410] == 5 and annex[630] == 6 and annex[881] == 7 and annex[979] == 7
    assert annex[7] is None and annex[18] is None


def test_annex_numbers_from_labels_and_table_follows_its_plan(structured):
    _, outline = structured["003"]
    annex = {d.line: d.annex for d in outline.documents}
    assert annex[96] == 1 and annex[128] == 2
    assert annex[185] == 2  # table title with no 附件 label of its own
    assert annex[365] == 3  # after a bare '附件' label: still annex 3
    assert annex[2240] == 9


def test_title_split_over_two_lines_is_joined(structured):
    _, outline = structured["001"]
    doc = outline.document_at(400)
    assert (doc.line, doc.title, doc.kind) == (150, "沅江市打好优化发展环境持久仗重点工作任务清单", "任务清单")


def test_notice_title_counted_once(structured):
    _, outline = structured["003"]
    notices = [d for d in outline.documents if d.kind == "通知"]
    assert [d.line for d in notices] == [1]


def test_notice_title_split_after_issuer_line():
    lines = prepare(["某某县人民政府办公室", "关于印发《某某县实施“八大行动”总体方案》的通知", "", "各乡镇：", ""])
    outline = find_documents(lines)
    assert [(d.line, d.kind) for d in outline.documents] == [(1, "通知")]
    assert outline.documents[0].title == "某某县人民政府办公室关于印发《某某县实施“八大行动”总体方案》的通知"


def test_notice_title_broken_before_de_tongzhi():
    lines = prepare(["关于印发《某市打好“发展六仗”总体方案》", "的通知", "", "某市打好“发展六仗”总体方案"])
    got = [(d.line, d.kind, d.title) for d in find_documents(lines).documents]
    assert got == [(1, "通知", "关于印发《某市打好“发展六仗”总体方案》的通知"), (4, "总体方案", "某市打好“发展六仗”总体方案")]


def test_table_cell_naming_a_plan_is_not_a_title():
    lines = prepare(["某县实施产业培塑行动工作方案", "", "1", "", "制定产业发展工作方案", "", "附表：某县任务清单"])
    assert [d.line for d in find_documents(lines).documents] == [1]


def test_title_with_trailing_note():
    lines = prepare(["某市打好发展六仗三年行动方案（2023—2025年）", "", "一、总体要求"])
    assert [(d.kind, d.title) for d in find_documents(lines).documents] == [
        ("工作方案", "某市打好发展六仗三年行动方案（2023—2025年）")]


def test_plan_at_and_document_ranges(structured):
    _, outline = structured["000"]
    assert outline.plan_at(131) == "邵阳市打好经济增长主动仗工作方案"
    assert outline.plan_at(143) == "邵阳市打好“经济增长主动仗”重点工作任务责任分解表"
    assert outline.document_at(138).end_line == 138
    assert outline.in_table(143) and not outline.in_table(131)


def test_doc_kind():
    assert doc_kind("邵阳市打好“发展六仗”总体方案") == "总体方案"
    assert doc_kind("新邵县激发需求行动任务责任分解表") == "责任分解表"
    assert doc_kind("邵阳市安全生产“翻身仗”工作实施方案") == "实施方案"
    assert doc_kind("关于印发《X方案》的通知") == "通知"
    assert doc_kind("特制定本方案。") is None


def test_heading_path_follows_numbering_not_markdown(structured):
    _, outline = structured["000"]
    path = [h.text for h in outline.heading_path(28)]
    assert path[0] == "二、主要目标" and path[1].startswith("（一）经济运行稳中提质")
    # the table's section row is the heading of its rows
    assert outline.section_at(145) == ["一、主要指标"]
    # headings never reach into the previous document
    assert outline.heading_path(95) == []


def test_spans_under_a_heading(structured):
    _, outline = structured["000"]
    spans = outline.spans_under(lambda t: t.endswith("主要目标"))
    assert spans == [(26, 43)]


def test_numbering_levels():
    assert numbering_level("一、主要目标") == 1
    assert numbering_level("（二）着力扩大有效投资") == 2
    assert numbering_level("(二) 深化改革") == 2
    assert numbering_level("14. 加快") == 3
    assert numbering_level("（12）开展") == 4
    assert numbering_level("2023年") == 0
    assert strip_numbering("（一）加强组织领导。") == "加强组织领导。"
    assert strip_numbering("2023年") == "2023年"


def test_continued_text_rejoins_page_breaks(structured):
    lines, _ = structured["000"]
    text, nxt = continued_text(lines, 130)  # line 131 breaks inside '人民银行邵阳中心' / '支行'
    assert "人民银行邵阳中心支行" in text and lines[nxt - 1].no == 133
    text, _ = continued_text(lines, 74)  # line 75 continues after three blank lines at 79
    assert "由邵政府协助常委" in text


def test_continued_text_stops_at_headings_and_tables():
    lines = prepare(["成立专班，由", "", "二、工作任务", "x\ty"])
    assert continued_text(lines, 0) == ("成立专班，由", 1)


def test_prepare_strips_markup_and_keeps_numbers():
    lines = prepare(["## **（一）加强组织领导**  ", "<p>王永红</p>", "\u2002\u2002"])
    assert [ln.text for ln in lines] == ["（一）加强组织领导", "王永红", ""]
    assert lines[0].heading == 2 and lines[0].bold
    assert [ln.no for ln in lines] == [1, 2, 3]


def test_issuer_of_samples(structured, gold):
    for seed, g in gold.items():
        lines, outline = structured[seed[:3]]
        assert issuer.detect(lines, outline) == g["issuer"], seed


def test_issuer_county_level_city_from_parent_mention():
    lines = prepare(["附件1", "", "打好经济增长主动仗工作方案", "", "按照省、岳阳市相关安排部署，结合汨罗市实际，制定本方案。"])
    got = issuer.detect(lines, find_documents(lines))
    assert got == {"region": "汨罗市", "level": "县", "parent": "岳阳市"}


def test_issuer_city_has_province_parent():
    lines = prepare(["株洲市打好“发展六仗”总体方案", "", "深入落实习近平总书记对湖南重要讲话精神。"])
    got = issuer.detect(lines, find_documents(lines))
    assert got == {"region": "株洲市", "level": "市", "parent": "湖南省"}
