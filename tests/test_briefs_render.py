"""BriefData → 公文 .docx: every figure of a hand-made brief is in the document, in GB/T 9704 layout."""

from __future__ import annotations

from datetime import date, datetime

import docx
import pytest
from docx.oxml.ns import qn

from duban.briefs.content import (
    BriefData,
    BriefError,
    BriefRequest,
    CampaignLine,
    Headline,
    ProblemLine,
    RankLine,
    ReportingLine,
    TargetLine,
    TaskLine,
    default_charts,
)
from duban.briefs.gbt9704 import emu_to_mm
from duban.briefs.pdf import docx_to_pdf, soffice
from duban.briefs.render_docx import render
from duban.tracking.periods import parse_period


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
            {"已完成": 4, "正常推进": 31, "滞后": 6, "逾期未报": 2, "未启动": 2},
            targets_on=7,
            targets_behind=3,
            targets_without_data=1,
        ),
        campaigns=[
            CampaignLine(
                "经济增长主动仗", {"已完成": 1, "正常推进": 20, "滞后": 3, "逾期未报": 1}, 0.231, 0.19, 5, 2
            ),
            CampaignLine(
                "科技创新攻坚仗",
                {"已完成": 3, "正常推进": 11, "滞后": 3, "逾期未报": 1, "未启动": 2},
                0.174,
                0.19,
                2,
                1,
            ),
        ],
        targets=[
            TargetLine("经济增长主动仗", "地区生产总值", "增长7.5%左右", "增长6.9%", 0.19, 0.92, "yellow"),
            TargetLine(
                "经济增长主动仗", "社会消费品零售总额", "突破1500亿元", "312亿元", 0.19, 0.208, "green"
            ),
            TargetLine("科技创新攻坚仗", "高新技术企业", "新增80家", "", 0.19, None, "red"),
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
        problems=[ProblemLine("市自然资源和规划局", "推进重大项目建设", "用地指标不足，需市级统筹调剂")],
        reporting=[ReportingLine("市科学技术局", 3, 1, 1, 1), ReportingLine("市商务局", 2, 1, 1, 0)],
        ranking=[
            RankLine(1, "市商务局", 92.5),
            RankLine(2, "市发展和改革委员会", 88),
            RankLine(2, "市财政局", 88),
            RankLine(4, "市科学技术局", 61.25),
        ],
        red_list=["市商务局"],
        black_list=["市科学技术局"],
        distribution=["报：市委、市政府领导", "送：各县市区人民政府，市直各单位"],
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


def test_every_figure_is_in_the_document(tmp_path):
    data = sample()
    path = render(data).save(str(tmp_path / "brief.docx"))
    d = docx.Document(path)
    text = all_text(d)
    assert data.title == "2023年3月上旬打好发展六仗工作进展情况"
    assert "打好发展六仗工作简报" in text and "第3期" in text and "2023年3月12日" in text  # red 版头
    for h in (
        "一、总体情况",
        "二、各仗（行动）推进情况",
        "三、主要目标完成情况",
        "四、滞后和逾期任务",
        "五、需协调解决的问题",
        "六、报送情况通报",
        "七、考核排名",
    ):
        assert h in text
    assert (
        "截至2023年3月10日，纳入调度的45项重点任务中，已完成4项、正常推进31项、滞后6项、逾期未报2项、未启动2项。"
        "11个主要目标中，达到序时进度7个，落后于序时进度3个，尚无数据1个。"
    ) in text
    assert "经济增长主动仗|25|1|20|3|1|23.1%|5/7" in text
    assert "科技创新攻坚仗|20|3|11|3|1|17.4%|2/3" in text
    assert "经济增长主动仗|地区生产总值|增长7.5%左右|增长6.9%|92%|19%|黄灯" in text
    assert "科技创新攻坚仗|高新技术企业|新增80家|未报|—|19%|红灯" in text
    assert "1|推进重大项目建设|市发展和改革委员会|滞后|8%|19%" in text
    assert "2|培育高新技术企业|市科学技术局|逾期未报|—|19%" in text
    assert "1.用地指标不足，需市级统筹调剂（市自然资源和规划局，推进重大项目建设；待协调）" in text
    assert "迟报单位：市科学技术局（1次）、市商务局（1次）未按时报送。" in text
    assert "未报单位：市科学技术局（1次）未报送。" in text
    assert "市科学技术局|3|1|1|1" in text
    assert "2|市财政局|88.00" in text and "4|市科学技术局|61.25" in text
    assert "红榜：市商务局。" in text and "黑榜：市科学技术局。" in text
    assert "报：市委、市政府领导" in text
    assert len(d.inline_shapes) == 2 == len(data.charts)
    red_light = next(c for t in d.tables for row in t.rows for c in row.cells if c.text == "红灯")
    assert str(red_light.paragraphs[0].runs[0].font.color.rgb) == "D62728"


def test_layout_is_gbt9704(tmp_path):
    d = docx.Document(render(sample()).save(str(tmp_path / "brief.docx")))
    s = d.sections[0]
    assert [round(emu_to_mm(m)) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [
        37,
        35,
        28,
        26,
    ]
    title = next(p for p in d.paragraphs if p.text == "2023年3月上旬打好发展六仗工作进展情况")
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert [e.text.strip() for e in s.footer.paragraphs[0]._p.iter(qn("w:instrText"))] == ["PAGE"]


def test_kinds_titles_and_empty_sections(tmp_path):
    data = sample(
        "月通报",
        "2023-03",
        lagging=[],
        problems=[],
        reporting=[],
        ranking=[],
        red_list=[],
        black_list=[],
        distribution=[],
    )
    assert data.title == "关于2023年3月打好发展六仗工作推进情况的通报" and data.masthead is None
    d = docx.Document(render(data).save(str(tmp_path / "m.docx")))
    text = all_text(d)
    assert "工作简报" not in text  # no 简报 版头 on a 通报
    for line in (
        "本期无滞后或逾期任务。",
        "本期各责任单位未提出需协调解决的问题。",
        "本期各责任单位均按时报送。",
        "本期未开展考核排名。",
    ):
        assert line in text
    assert d.paragraphs[-1].text == "2023年3月12日"  # 落款 date closes a 通报
    assert sample("季总结", "2023Q1").title == "2023年第一季度打好发展六仗工作总结"
    assert sample("年总结", "2023").title == "2023年打好发展六仗工作总结"


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


@pytest.mark.skipif(not soffice(), reason="LibreOffice (soffice) 未安装")
def test_renders_to_pdf(tmp_path):
    import pdfplumber

    pdf = docx_to_pdf(render(sample()).save(str(tmp_path / "brief.docx")), str(tmp_path))
    with pdfplumber.open(pdf) as doc:
        text = "".join(p.extract_text() or "" for p in doc.pages).replace(" ", "").replace("\n", "")
        assert len(doc.pages) >= 3
        assert "2023年3月上旬打好发展六仗工作进展情况" in text
        assert "用地指标不足" in text and "—1—" in text and f"—{len(doc.pages)}—" in text
