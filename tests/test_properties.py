"""Property tests: whatever text or file arrives, the parser either returns a result or raises
IngestError — never another exception — and adversarial input does not blow up its run time."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.ingest import IngestError, parse_file, parse_lines, parse_text
from duban.ingest.formats import glue, html_lines, join_pieces, table_lines
from tests.conftest import SAMPLES, sample_path

FAST = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TITLE = "某县打好经济增长主动仗工作方案"
# the words, marks and layouts every pass keys on
VOCABULARY = [
    "\n", "\n\n", "\t", "\t\t\t", " ", "\u3000", "\u2002", "**", "<b>", "</b>", "<p>", "</p>", "# ", "### ",
    "序号", "重点工作任务", "牵头单位", "责任单位", "责任人", "责任领导", "召集人", "完成时限", "工作进度", "备注",
    "一、", "二、", "（一）", "(二) ", "1.", "2、", "（1）", "(26)", "①", "附件1", "附件", "附表：", "附表",
    "市发改委", "县财政局", "市发展和改革委员会", "各县市区人民政府", "各乡镇", "相关单位", "牵头", "负责", "配合",
    "按职责分工负责", "等", "、", "，", "。", "；", "：", ":", "（", "）", "(", ")", "《", "》", "“", "”",
    "工作方案", "总体方案", "责任分解表", "任务清单", "关于印发", "的通知", "工作专班", "领导小组", "副召集人",
    "办公室设", "成员单位包括", "增长", "7.5%", "1500亿元", "左右", "以上", "突破", "不低于", "力争", "达到",
    "旬简报", "月通报", "季总结", "每月", "每季度末月中旬", "每天16:00前", "报送", "调度", "2023年6月底前", "杨 平",
]


def parse_or_refuse(text: str) -> None:
    """The property: a result, or IngestError."""
    try:
        parse_text(text)
    except IngestError:
        pass


@settings(FAST, max_examples=150)
@given(st.text(max_size=3000))
def test_arbitrary_text(text):
    parse_or_refuse(text)
    parse_or_refuse(TITLE + "\n" + text)


@settings(FAST, max_examples=250)
@given(st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=4), max_size=400), st.booleans())
def test_plan_vocabulary_soup(tokens, titled):
    parse_or_refuse((TITLE + "\n" if titled else "") + "".join(tokens))


# ---------------------------------------------------------------------------------------------
# mutated samples

_SAMPLE_LINES = {}


def sample_lines(name: str) -> list[str]:
    if name not in _SAMPLE_LINES:
        with open(sample_path(name), encoding="utf-8") as f:
            _SAMPLE_LINES[name] = f.read().split("\n")
    return _SAMPLE_LINES[name]


OPS = ["delete", "delete_run", "duplicate", "swap", "insert_chars", "insert_line", "truncate", "join", "split"]


@st.composite
def mutated_sample(draw) -> list[str]:
    lines = list(sample_lines(draw(st.sampled_from(SAMPLES))))
    for op in draw(st.lists(st.sampled_from(OPS), min_size=1, max_size=8)):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "delete_run":
            del lines[i : i + draw(st.integers(1, 60))]
        elif op == "duplicate":
            lines[i:i] = lines[i : i + draw(st.integers(1, 20))]
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert_chars":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + draw(st.sampled_from(VOCABULARY) | st.text(max_size=3)) + line[k:]
        elif op == "insert_line":
            lines.insert(i, "".join(draw(st.lists(st.sampled_from(VOCABULARY), max_size=12))))
        elif op == "truncate":
            lines = lines[:i]
            if lines:
                lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif op == "split":
            k = draw(st.integers(0, len(lines[i])))
            lines[i : i + 1] = [lines[i][:k], lines[i][k:]]
    return lines


@settings(FAST, max_examples=80)
@given(mutated_sample())
def test_mutated_samples(lines):
    try:
        parse_lines(lines, source="mutated.txt")
    except IngestError:
        pass


# ---------------------------------------------------------------------------------------------
# loader helpers


@settings(FAST, max_examples=200)
@given(st.lists(st.sampled_from(["<p>", "</p>", "<table>", "</table>", "<tr>", "<td>", "</td>", "<th colspan=3>",
                                 '<td rowspan="2">', "<br>", "<b>", "</b>", "<h2>", "</h2>", "<script>", "</script>",
                                 "<pre>", "</pre>", "<caption>", "&nbsp;", "&#x4e00;", "<!--", "-->", "<", ">"])
                | st.text(max_size=5), max_size=200))
def test_html_tag_soup(tokens):
    lines = html_lines("".join(tokens))
    assert all("\n" not in ln for ln in lines)


def test_html_unclosed_script_inside_table_ends():
    """An unclosed <script> in an open table once looped for ever while the tables were closed."""
    assert html_lines("<table><tr><td>a<script>x") == ["a"]


@settings(FAST, max_examples=200)
@given(st.lists(st.lists(st.text(max_size=6), max_size=7), max_size=12))
def test_table_lines_shape(rows):
    """Every table line has the same number of cells and no cell carries a newline."""
    cells = [[join_pieces(c.split("\n")) for c in row] for row in rows]
    lines = table_lines(cells)
    assert len(lines) == len(rows)
    widths = {ln.count("\t") for ln in lines if "\t" in ln}
    assert len(widths) <= 1
    assert all("\n" not in ln for ln in lines)


@FAST
@given(st.text(max_size=20), st.text(max_size=20), st.booleans())
def test_glue_keeps_both_sides(a, b, wrapped):
    joined = glue(a, b, wrapped=wrapped)
    assert joined.startswith(a) and joined.endswith(b) and len(joined) - len(a) - len(b) in (0, 1)


# ---------------------------------------------------------------------------------------------
# damaged binary files: only IngestError


def _docx_bytes(tmp_dir) -> bytes:
    d = docx.Document()
    d.add_paragraph(TITLE)
    t = d.add_table(rows=2, cols=3)
    for cell, text in zip(t.rows[0].cells + t.rows[1].cells, ["序号", "任务", "牵头单位", "1", "任务甲", "县发改局"],
                          strict=True):
        cell.text = text
    path = os.path.join(tmp_dir, "seed.docx")
    d.save(path)
    with open(path, "rb") as f:
        return f.read()


def _xlsx_bytes(tmp_dir) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "某县责任分解表"
    wb.active.append(["序号", "任务", "牵头单位"])
    wb.active.append([1, "任务甲", "县发改局"])
    path = os.path.join(tmp_dir, "seed.xlsx")
    wb.save(path)
    with open(path, "rb") as f:
        return f.read()


def _pdf_bytes(tmp_dir) -> bytes:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = os.path.join(tmp_dir, "seed.pdf")
    c = canvas.Canvas(path)
    c.setFont("STSong-Light", 14)
    c.drawString(100, 700, TITLE)
    c.drawString(100, 670, "一、主要目标：地区生产总值增长7.5%左右。")
    c.save()
    with open(path, "rb") as f:
        return f.read()


def _inner_xml_mutation(data: bytes, member_index: int, cut: int) -> bytes:
    """Rebuild a zip package with one member truncated (valid zip, broken XML inside)."""
    import io

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        infos = src.infolist()
        victim = infos[member_index % len(infos)].filename
        for info in infos:
            body = src.read(info.filename)
            z.writestr(info.filename, body[: cut % (len(body) + 1)] if info.filename == victim else body)
    return out.getvalue()


@st.composite
def damaged(draw, data: bytes, zipped: bool) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "inner"] if zipped else ["flip", "truncate"]))
    if kind == "truncate":
        return data[: draw(st.integers(1, len(data) - 1))]
    if kind == "inner":
        return _inner_xml_mutation(data, draw(st.integers(0, 50)), draw(st.integers(0, 10**6)))
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 20))):
        out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
    return bytes(out)


@pytest.mark.parametrize("suffix,make,zipped", [(".docx", _docx_bytes, True), (".xlsx", _xlsx_bytes, True),
                                                (".pdf", _pdf_bytes, False)])
def test_damaged_binary_files(tmp_path, suffix, make, zipped):
    seed = make(str(tmp_path))

    @settings(FAST, max_examples=40)
    @given(damaged(seed, zipped))
    def check(data):
        path = tmp_path / f"damaged{suffix}"
        path.write_bytes(data)
        try:
            parse_file(str(path))
        except IngestError:
            pass

    check()


# ---------------------------------------------------------------------------------------------
# pathological input: no catastrophic slowdown


def adversarial_megabyte() -> str:
    """1 MB built to hurt regexes and scans: very long lines, tab storms, bracket runs, unit-name
    chains, numbering runs, a huge table, unbalanced parentheses and markup."""
    parts = [TITLE, "一、主要目标", "地区生产总值增长" + "7.5%左右，" * 4000]
    parts.append("（" * 20000 + "市发改委牵头" + "）" * 5000)
    parts.append("(" * 10000 + "县财政局负责")
    parts.append("\t" * 30000)
    parts += ["序号\t重点工作任务\t牵头单位\t责任单位\t责任人\t责任领导\t完成时限"]
    row = "1\t" + "开展活动，" * 30 + "\t市发改委牵头\t" + "、".join(["县财政局"] * 40) + "\t杨 平\t王永红\t2023年6月底前"
    parts += [row] * 800
    parts.append("市发改委" * 20000)
    parts.append("1.1.1.1." * 10000)
    parts.append("**" * 20000 + "<b>" * 5000)
    parts.append("每月" * 10000 + "报送")
    parts.append("工作专班由" + "市发改委主任杨平、" * 3000 + "任召集人")
    text = "\n".join(parts)
    while len(text.encode()) < 1_000_000:
        text += "\n" + "（一）" * 200 + "（市商务局牵头，市发改委、" * 50
    return text


ADVERSARIAL_LIMIT_S = 20  # a guard against super-linear blow-up (it parses in ~1.6 s here), not a benchmark


def test_adversarial_megabyte_parses_in_seconds(capsys):
    """Run in a child process so a blow-up costs the suite at most the time limit."""
    code = ("import sys, time; from tests.test_properties import adversarial_megabyte; "
            "from duban.ingest import IngestError, parse_text\n"
            "text = adversarial_megabyte(); assert len(text.encode()) >= 1_000_000\n"
            "t0 = time.perf_counter()\n"
            "try:\n    parse_text(text, source='adversarial.txt')\nexcept IngestError:\n    pass\n"
            "print(f'{time.perf_counter() - t0:.2f}')")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                           timeout=ADVERSARIAL_LIMIT_S)
    except subprocess.TimeoutExpired:
        elapsed = None
    else:
        assert r.returncode == 0, r.stderr[-2000:]
        elapsed = float(r.stdout.strip().splitlines()[-1])
    with capsys.disabled():
        shown = f"{elapsed:.2f} s" if elapsed is not None else f"over {ADVERSARIAL_LIMIT_S} s (stopped)"
        print(f"\nadversarial 1 MB input: parsed in {shown}")
    assert elapsed is not None
