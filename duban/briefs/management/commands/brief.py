"""`duban brief PLAN --kind 月通报 --period 2023-03 --out FILE.docx`: a brief from the stored data.

The brief reads only what was stored up to the end of the period (``collect.collect``), so running
the command again for a past period gives the same figures. Any error (unknown plan, a period that
does not fit the kind, a bad output path, no LibreOffice for ``--pdf``) is one Chinese line and exit
code 2, with no file written.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from duban.briefs.collect import collect
from duban.briefs.content import BRIEF_KINDS, BriefError, BriefRequest
from duban.briefs.pdf import PdfError, docx_to_pdf, soffice
from duban.briefs.render_docx import render
from duban.plans.lookup import PlanLookupError, find_plan, find_programme
from duban.plans.programmes import programme_plans, programme_subject


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = f"生成简报（公文 .docx）：{'、'.join(BRIEF_KINDS)}，只用该期末以前入库的数据（可重复生成）"

    def add_arguments(self, parser):
        parser.add_argument(
            "plan",
            help="方案或年度工作：编号、文件名、标题中的词（须只对应一个方案，见 duban plans），"
            "或地区名（如 沅江市、沅江市2023：该地区该年度工作的全部方案）",
        )
        parser.add_argument("--year", type=int, help="年度（与地区名合用，默认为该地区当前的年度工作）")
        parser.add_argument("--kind", required=True, help=f"简报类型：{'、'.join(BRIEF_KINDS)}")
        parser.add_argument("--period", required=True, help="期间：" + "、".join(f"{k.period} {k.example}" for k in BRIEF_KINDS.values()))
        parser.add_argument("--out", help="输出文件（.docx），默认为简报标题.docx")
        parser.add_argument("--number", type=int, default=None,
                            help="期号（简报）或发文字号的序号（通报、总结）；默认为该期间在该年内的序号"
                                 "（第几旬、第几月、第几季度）")
        parser.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 转成 PDF（需已安装 soffice）")

    def handle(self, *args, plan, kind, period, out=None, number=None, pdf=False, year=None, **options):
        try:
            programme = find_programme(plan, year)
            if programme is not None:  # a region (and year): one brief over the whole programme
                ids, subject = [p.pk for p in programme_plans(programme)], programme_subject(programme)
            else:
                ids, subject = [find_plan(plan).pk], None
        except PlanLookupError as e:
            raise fail(str(e)) from None
        try:
            request = BriefRequest.parse(kind, period, ids, number, subject)
        except BriefError as e:
            raise fail(str(e)) from None
        if out is not None:
            check_out(out)
        if pdf and not soffice():
            raise fail("未安装 LibreOffice（soffice），无法生成 PDF；去掉 --pdf 或安装 libreoffice-writer 后重试")
        try:
            data = collect(request)
        except BriefError as e:
            raise fail(str(e)) from None
        out = out or f"{data.title}.docx"
        check_out(out)
        render(data).save(out)
        h = data.headline
        self.stdout.write(
            f"已生成{data.kind}《{data.title}》（{data.issue}，数据截至{data.as_of:%Y-%m-%d %H:%M}）：\n"
            f"  任务 {h.tasks} 项（" + "、".join(f"{s} {n}" for s, n in h.tasks_by_status.items() if n) + "）；"
            f"目标 {h.targets} 个（达到序时进度 {h.targets_on}、落后 {h.targets_behind}、尚无数据 {h.targets_without_data}）\n"
            f"  滞后和逾期任务 {len(data.lagging)} 项，需协调问题 {len(data.problems)} 个，"
            f"迟报或未报单位 {len(data.reporting)} 个，参与排名单位 {len(data.ranking)} 个\n"
            f"  → {out}"
        )
        if pdf:
            try:
                self.stdout.write(f"  → {docx_to_pdf(out)}")
            except PdfError as e:
                raise fail(str(e)) from None


def check_out(out: str) -> None:
    if not out.lower().endswith(".docx"):
        raise fail(f"输出文件须以 .docx 结尾：{out}")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise fail(f"输出目录不存在：{folder}")
