"""BriefData → 公文 .docx: every figure of a hand-made brief is in the document, in GB/T 9704 layout."""

from __future__ import annotations

import os
import re
from datetime import date, datetime

import docx
import pytest
from docx.oxml.ns import qn

from duban.briefs.content import (
    BRIEF_KINDS,
    BriefData,
    BriefError,
    BriefRequest,
    CampaignLine,
    Headline,
    Honours,
    PreviousPeriod,
    ProblemLine,
    RankLine,
    ReportingLine,
    TargetLine,
    TaskLine,
    default_charts,
)
from duban.briefs.gbt9704 import emu_to_mm
from duban.briefs.pdf import docx_to_pdf, soffice
from duban.briefs.render_docx import ANNEXES, FORMS, render
from duban.plans.periods import parse_period


def sample(kind="旬简报", period="2023-03上旬", **over) -> BriefData:
    data = BriefData(
        kind=kind,
        period=parse_period(period),
        number=3,
        subject="打好发展六仗",
        issuer="邵阳市打好发展六仗工作专班办公室",
        issued_on=date(2023, 3, 12),
        as_of=datetime(2023, 3, 10, 23, 59),
        headline=Headline(
            {"已完成": 4, "正常推进": 37, "滞后": 1, "逾期未报": 1, "未启动": 2},
            targets_on=1,
            targets_behind=1,
            targets_without_data=1,
            progress=0.203,
            expected=0.19,
        ),
        campaigns=[
            CampaignLine(
                "经济增长主动仗", {"已完成": 1, "正常推进": 23, "滞后": 1, "逾期未报": 0}, 0.231, 0.19, 1, 1
            ),
            CampaignLine(
                "科技创新攻坚仗",
                {"已完成": 3, "正常推进": 14, "滞后": 0, "逾期未报": 1, "未启动": 2},
                0.174,
                0.19,
                0,
                0,
            ),
        ],
        targets=[
            TargetLine("经济增长主动仗", "地区生产总值", "增长7.5%左右", "增长6.9%", 0.19, 0.92, "yellow"),
            TargetLine(
                "经济增长主动仗", "社会消费品零售总额", "突破1500亿元", "312亿元", 0.19, 0.208, "green"
            ),
            TargetLine("科技创新攻坚仗", "高新技术企业", "新增80家", "", 0.19, None, ""),
        ],
        lagging=[
            TaskLine(
                "经济增长主动仗",
                "7",
                "推进重大项目建设",
                ("市发展和改革委员会",),
                ("各县市区人民政府",),
                "滞后",
                8,
                19,
                "征地未完成",
            ),
            TaskLine("科技创新攻坚仗", "3", "培育高新技术企业", (), ("市科学技术局",), "逾期未报", None, 19),
        ],
        problems=[
            ProblemLine("市自然资源和规划局", "推进重大项目建设", "用地指标\n不足，需市级  统筹调剂。"),
            ProblemLine("市财政局", "培育高新技术企业", "奖补资金尚未拨付"),
            ProblemLine("市发展和改革委员会", "推进重大项目建设", "项目资金缺口较大"),
        ],
        reporting=[ReportingLine("市科学技术局", 9, 3, 1, 5, 1, 3), ReportingLine("市商务局", 2, 1, 1, 0, 1, 0)],
        ranking=[
            RankLine(1, "市商务局", 92.5, "市直单位"),
            RankLine(2, "市发展和改革委员会", 88, "市直单位"),
            RankLine(2, "市财政局", 88, "市直单位"),
            RankLine(4, "市科学技术局", 41.25, "市直单位"),
        ],
        red_list=["市商务局"],
        black_list=["市科学技术局"],
        distribution=["报：市委、市政府领导", "送：各县市区人民政府，市直各单位"],
        honours=[Honours("市直单位", 4, (RankLine(1, "市商务局", 92.5, "市直单位"),),
                         (RankLine(4, "市科学技术局", 41.25, "市直单位"),))],
        rules=["总分 100 分。", "红榜：得分不低于 90 分的单位中前 3 名。"],
        previous=PreviousPeriod("2023年2月", {"已完成": 2, "正常推进": 30, "滞后": 8, "逾期未报": 3, "未启动": 2},
                                0.12, 0.11),
        region="邵阳市",
        doc_code="邵六仗办",
        copies=40,
    )
    data.charts = default_charts(data)
    for k, v in over.items():
        setattr(data, k, v)
    return data


def all_text(d) -> str:
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.append("|".join(c.text for c in row.cells))
    return "\n".join(parts)


def table(d, *header) -> list[list[str]] | None:
    """The body rows of the table whose header starts with ``header``."""
    for t in d.tables:
        cells = [c.text for c in t.rows[0].cells]
        if cells[: len(header)] == list(header):
            return [[c.text for c in row.cells] for row in t.rows[1:]]
    return None


def numbers(text: str, pattern: str) -> list[int]:
    return [int(n) for n in re.findall(pattern, text)]


def test_the_bulletin_is_a_short_work_bulletin(tmp_path):
    """旬简报: red 报头 with its 期号, short items led in bold, the 仗 table, 报尾 with 报、送 and 共印份数."""
    data = sample()
    d = docx.Document(render(data).save(str(tmp_path / "brief.docx")))
    text = all_text(d)
    assert data.title == "2023年3月上旬打好发展六仗工作进展情况"
    assert "打好发展六仗工作简报" in text and "第3期" in text and "2023年3月12日" in text  # red 报头
    assert "截至2023年3月10日，纳入调度的45项重点任务中，已完成4项，占8.9%；正常推进37项，占82.2%；滞后1项，占2.2%；" \
           "逾期未报1项，占2.2%；未启动2项，占4.4%。" in text
    assert "全部任务平均进度20.3%，序时进度19%，超前1.3个百分点。" in text
    # targets: no figure is 尚无数据, never counted as behind
    assert "3个主要目标中，已报送数据的2个，其中达到序时进度1个、落后于序时进度1个；其余1个尚无数据。" in text
    leads = [p.runs[0].text for p in d.paragraphs if p.runs and p.runs[0].bold]
    assert leads[:4] == ["总体进展。", "各仗进展。", "工作亮点。", "存在问题。"]
    # the 仗 table adds up to the sentence: 合计 row = headline
    rows = table(d, "仗（行动）", "任务")
    assert rows[-1][:7] == ["合计", "45", "4", "37", "1", "1", "2"]
    assert [sum(int(r[i]) for r in rows[:-1]) for i in range(1, 7)] == [45, 4, 37, 1, 1, 2]
    assert "经济增长主动仗平均进度最快（23.1%），科技创新攻坚仗相对较慢（17.4%），各仗情况见下表。" in text
    # lateness per task, not per reporting item; problems grouped and on one line
    assert "市科学技术局3项任务逾期未报" in text and "5次" not in text
    assert "资金保障2个（市财政局、市发展和改革委员会提出" in text
    assert "用地指标不足，需市级统筹调剂" in text and "\n不足" not in text
    # 报尾: the last table, floating at the foot of the page, 报 and 送 and 共印份数
    tail = d.tables[-1]
    assert [c.text for r in tail.rows for c in r.cells] == ["报：市委、市政府领导", "送：各县市区人民政府，市直各单位\t（共印40份）"]
    assert tail._tbl.tblPr.find(qn("w:tblpPr")) is not None
    assert not any(p.text == data.issuer for p in d.paragraphs)  # a 简报 has no 落款


def test_the_notice_has_the_form_of_a_tongbao(tmp_path):
    """月通报: 版头 (red 发文机关标志, 发文字号, red rule), 主送, lead-in, four parts, 附件说明, 落款, 附件, 版记."""
    data = sample("月通报", "2023-03")
    d = docx.Document(render(data).save(str(tmp_path / "m.docx")))
    paras = [p.text for p in d.paragraphs]
    text = all_text(d)
    assert data.masthead is None and "工作简报" not in text
    organ = next(p for p in d.paragraphs if p.text == data.issuer)
    assert str(organ.runs[0].font.color.rgb) == "FF0000"
    assert "邵六仗办〔2023〕3号" in paras
    assert data.title_lines == ["关于2023年3月打好发展六仗", "工作推进情况的通报"]
    assert paras.index("关于2023年3月打好发展六仗") + 1 == paras.index("工作推进情况的通报")
    assert "各县市区人民政府，市直有关单位：" in paras
    assert "现将2023年3月打好发展六仗重点任务推进、主要目标完成和进展报送情况通报如下：" in paras
    heads = [p for p in paras if re.match(r"^[一二三四]、", p)]
    assert heads == ["一、总体情况", "二、工作亮点", "三、存在问题及原因", "四、下一步工作要求"]
    steps = [p for p in paras if re.match(r"^[一二三四五六]是", p)]
    assert len(steps) >= 3 and steps[0].startswith("一是严肃报送纪律。逾期未报的1项任务")
    # named laggards in the text; an overdue task has no progress beside it
    assert "“培育高新技术企业”（市科学技术局，逾期未报）" in text
    assert "“推进重大项目建设”（市发展和改革委员会，进度8%、序时进度19%）" in text
    assert "市直单位中，市商务局（92.50分）列入本期红榜" in text
    assert "市直单位中，市科学技术局（41.25分）考核得分偏低，列入本期黑榜" in text
    # 附件说明, then the 落款 (issuer two characters in from the right, date below), then the 附件
    note = paras.index("附件：1.打好发展六仗滞后和逾期未报任务清单")
    assert paras[note + 1:note + 5] == ["2.主要目标完成情况", "3.各责任单位报送情况（有迟报或未报的单位）",
                                        "4.需协调解决的问题清单", "5.考核排名及红黑榜评定规则"]
    assert paras[note + 6:note + 8] == [data.issuer, "2023年3月12日"]
    assert paras.index("附件1") > note + 7
    # every number in the text equals its table's: tasks behind, targets with data, units late
    lagging = table(d, "序号", "仗（行动）", "任务")
    assert numbers(text, r"逾期未报(\d+)项、滞后")[0] == sum(r[4] == "逾期未报" for r in lagging)
    assert numbers(text, r"、滞后(\d+)项")[0] == sum(r[4] == "滞后" for r in lagging)
    overdue = next(r for r in lagging if r[4] == "逾期未报")
    assert overdue[5] == "未报"  # not last period's figure beside 逾期未报
    targets = table(d, "序号", "仗（行动）", "指标")
    assert numbers(text, r"已报送数据的(\d+)个")[0] == sum(r[4] != "未报" for r in targets)
    assert [r[7] for r in targets] == ["黄灯", "绿灯", "尚无数据"]  # no figure: never 红灯
    reporting = table(d, "序号", "单位", "应报")
    assert numbers(text, r"市科学技术局(\d+)项任务")[0] == int(reporting[0][6])
    assert table(d, "组别", "名次", "单位")[0] == ["市直单位", "1", "市商务局", "92.50", "红榜"]
    assert "红榜：得分不低于 90 分的单位中前 3 名。" in text
    # 版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期
    tail = d.tables[-1]
    assert [c.text for r in tail.rows for c in r.cells] == [
        "抄送：市委办公室，市人大常委会办公室，市人民政府办公室，市政协办公室。",
        "邵阳市打好发展六仗工作专班办公室\t2023年3月12日印发",
    ]
    borders = tail._tbl.tblPr.find(qn("w:tblBorders"))
    assert [borders.find(qn(f"w:{s}")).get(qn("w:sz")) for s in ("top", "insideH", "bottom")] == ["8", "4", "8"]


def test_summaries_are_written_summaries_not_notices(tmp_path):
    """季总结: completion against 序时, targets, each 仗, discipline and 红黑榜, change since the period before."""
    data = sample("季总结", "2023Q1")
    d = docx.Document(render(data).save(str(tmp_path / "q.docx")))
    paras = [p.text for p in d.paragraphs]
    heads = [p for p in paras if re.match(r"^[一二三四五六七八]、", p)]
    assert heads == ["一、任务完成情况", "二、主要目标完成情况", "三、各仗（行动）推进情况", "四、报送纪律和考核情况",
                     "五、与2023年2月相比", "六、存在的主要问题", "七、下阶段工作打算"]
    text = all_text(d)
    assert "已完成增加2项（2项→4项）" in text and "平均进度由12%提高到20.3%" in text
    assert "工作亮点" not in text and "通报如下" not in text
    year = sample("年总结", "2023")
    assert "全年计划任务完成率8.9%" in all_text(docx.Document(render(year).save(str(tmp_path / "y.docx"))))
    assert sample("年总结", "2023").title == "2023年打好发展六仗工作总结"


def test_layout_is_gbt9704(tmp_path):
    d = docx.Document(render(sample("月通报", "2023-03")).save(str(tmp_path / "brief.docx")))
    s = d.sections[0]
    margins = [round(emu_to_mm(m)) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)]
    assert margins == [37, 35, 28, 26]
    title = next(p for p in d.paragraphs if p.text == "关于2023年3月打好发展六仗")
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert [e.text.strip() for e in s.footer.paragraphs[0]._p.iter(qn("w:instrText"))] == ["PAGE"]


def test_titles_break_between_words():
    """A title is broken only between its parts, never inside 持久仗工作 or 通报."""
    data = sample("月通报", "2023-03", subject="打好优化发展环境持久仗")
    assert data.title_lines == ["关于2023年3月打好优化发展环境持久仗", "工作推进情况的通报"]
    assert sample().title_lines == ["2023年3月上旬打好发展六仗工作进展情况"]
    assert sample("季总结", "2023Q1", subject="打好防范化解风险阻击仗").title_lines == [
        "2023年第一季度", "打好防范化解风险阻击仗工作总结"]  # the most even of the breaks between parts


def test_kinds_titles_and_empty_sections(tmp_path):
    data = sample("月通报", "2023-03", lagging=[], problems=[], reporting=[], ranking=[], honours=[], red_list=[],
                  black_list=[], headline=Headline({"已完成": 5, "正常推进": 40}, progress=0.3, expected=0.25))
    text = all_text(docx.Document(render(data).save(str(tmp_path / "m.docx"))))
    for line in ("本期没有滞后或逾期未报的任务。", "本期各责任单位未提出需协调解决的问题。", "本期各责任单位均按时报送。",
                 "本期没有单位达到红榜分数线，红榜空缺。"):
        assert line in text
    assert sample("季总结", "2023Q1").title == "2023年第一季度打好发展六仗工作总结"
    # nothing fell due late this period, but a task is still 逾期未报: never “均按时报送” beside it
    data = sample("月通报", "2023-03", reporting=[])
    text = all_text(docx.Document(render(data).save(str(tmp_path / "n.docx"))))
    assert "本期各责任单位均按时报送" not in text and "仍有1项任务前期逾期未报、至今未补报" in text


def test_requests_check_kind_and_period():
    r = BriefRequest.parse("旬简报", "2023-03上旬", [5, 7], number=3)
    assert (r.period.start, r.period.end, r.plan_ids) == (date(2023, 3, 1), date(2023, 3, 10), (5, 7))
    with pytest.raises(BriefError, match="旬简报的期间须为一个旬（如 2023-03上旬），“2023-03”是月"):
        BriefRequest.parse("旬简报", "2023-03", [5])
    with pytest.raises(BriefError, match="不支持的简报类型“周报”"):
        BriefRequest.parse("周报", "2023-03", [5])
    with pytest.raises(BriefError, match="无法识别的期间"):
        BriefRequest.parse("月通报", "三月份", [5])
    with pytest.raises(BriefError, match="季总结的期间须为一个季"):
        sample("季总结", "2023-03")



@pytest.mark.parametrize("kind", BRIEF_KINDS)
def test_each_kind_is_one_entry_of_the_table(kind, tmp_path):
    """A kind's entry is all its brief needs: its example period parses, its title, 期号 and 附件 follow the
    entry, and its form draws the document (the 报头 of a 简报, else the 版头 and the 落款)."""
    spec = BRIEF_KINDS[kind]
    request = BriefRequest.parse(kind, spec.example, [1])
    assert request.period.kind == spec.period and 1 <= spec.number(request.period)
    assert set(spec.annexes) <= set(ANNEXES) and spec.form in FORMS
    data = sample(kind, spec.example, number=spec.number(request.period))
    assert data.title.endswith(spec.title[-1]) and data.period.label in data.title
    text = all_text(docx.Document(render(data).save(str(tmp_path / "k.docx"))))
    assert data.issue in text and (data.issue.startswith("第") == spec.masthead)
    assert (f"{data.subject}工作简报" in text) == spec.masthead
    assert ("附件：" in text) == bool(spec.annexes)


REQUIRE_LO = os.environ.get("DUBAN_REQUIRE_LIBREOFFICE") == "1"


def pdf_pages(path, tmp_path) -> list:
    """The pages of the .docx as LibreOffice lays it out: (text, words) per page."""
    import pdfplumber

    pdf = docx_to_pdf(path, str(tmp_path))
    with pdfplumber.open(pdf) as doc:
        return [((p.extract_text() or "").replace(" ", "").replace("\n", ""), p.extract_words(), p.height)
                for p in doc.pages]


@pytest.mark.skipif(not soffice() and not REQUIRE_LO, reason="LibreOffice (soffice) 未安装")
def test_libreoffice_pages(tmp_path):
    """Laid out by LibreOffice: the 旬简报's 报尾 and the 月通报's 版记 are whole, on the last page, at its foot;
    the 月通报's body (before 附件1) fits in three pages; the title keeps its words."""
    pages = pdf_pages(render(sample()).save(str(tmp_path / "x.docx")), tmp_path)
    assert len(pages) <= 2
    last, words, height = pages[-1]
    assert "报：市委、市政府领导" in last and "（共印40份）" in last
    assert all("报：" not in p[0] for p in pages[:-1])
    y = next(w["bottom"] for w in words if "共印" in w["text"])
    assert y > height * 0.75  # at the foot of the page, not after the text
    pages = pdf_pages(render(sample("月通报", "2023-03")).save(str(tmp_path / "m.docx")), tmp_path)
    body = next(i for i, p in enumerate(pages) if p[0].startswith("附件1"))
    assert body <= BRIEF_KINDS["月通报"].body_pages
    last, words, height = pages[-1]
    assert "抄送：" in last and "2023年3月12日印发" in last and f"—{len(pages)}—" in last
    assert all("抄送：" not in p[0] for p in pages[:-1])
    assert next(w["bottom"] for w in words if "印发" in w["text"]) > height * 0.75
    assert "关于2023年3月打好发展六仗工作推进情况的通报" in pages[0][0]
