"""The one ``duban`` command.

Pure jobs (``parse``, ``score``) run without Django; every other sub-command is a Django
management command of the project (``ingest``, ``demo``, ``migrate``, ``runserver`` …).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from duban.ingest import IngestError, parse_file
from duban.ingest.bounded import parse_upload

SAMPLES_DIR = os.path.join(os.path.dirname(__file__), "data", "samples")
GOLD_DIR = os.path.join(os.path.dirname(__file__), "data", "gold")


def _summary(result) -> str:
    out = [f"文件 {result.seed}：发文 {result.issuer.get('region') or '未识别'}（{result.issuer.get('level') or '-'}级）"]
    out.append(
        f"文档 {len(result.documents)} 个，任务 {len(result.tasks)} 项，目标 {len(result.targets)} 个，"
        f"专班 {len(result.teams)} 个，调度机制 {len(result.cadences)} 条"
    )
    out.append("")
    out.append("文档：")
    for d in result.documents:
        annex = f"附件{d.annex}" if isinstance(d.annex, int) else (d.annex or "正文")
        out.append(f"  L{d.line:<5} {annex:<6} {d.kind:<6} {d.title}")
    if result.targets:
        out.append("")
        out.append("目标：")
        for t in result.targets:
            q = t.qualifier or ""
            out.append(f"  L{t.line:<5} {t.indicator} {t.measure} {t.value:g}{t.unit}{q}")
    if result.teams:
        out.append("")
        out.append("专班 / 领导小组：")
        for t in result.teams:
            out.append(f"  L{t.line:<5} {t.name}  召集人：{t.convener or '-'}  办公室：{t.office_at or '-'}  "
                       f"成员单位 {len(t.members)} 个")
    if result.cadences:
        out.append("")
        out.append("调度机制：")
        for c in result.cadences:
            items = "、".join(f"{i.every}{i.action}" for i in c.items)
            out.append(f"  L{c.line:<5} {items}  报送：{c.report_to or '-'}  时限：{c.due or '-'}")
    out.append("")
    out.append("任务：")
    out.append(f"  {'行':<6}{'来源':<6}{'序号':<6}{'任务':<32}{'牵头单位':<20}{'责任单位'}")
    for t in result.tasks:
        src = "表格" if t.source == "table" else "正文"
        title = t.title if len(t.title) <= 30 else t.title[:29] + "…"
        lead = "、".join(t.lead_units) or "-"
        out.append(f"  L{t.line:<5}{src:<5}{(t.seq or '-'):<6}{title:<32}{lead:<20}{'、'.join(t.units)}")
    for w in result.warnings:
        out.append(f"警告：{w}")
    return "\n".join(out)


def cmd_parse(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="duban parse", description="解析方案文件并输出结构化结果（parse a plan document）")
    ap.add_argument("file", help="方案文件：.txt .md .html .docx .xlsx .pdf")
    ap.add_argument("--json", action="store_true", help="输出 JSON（gold SCHEMA 格式）")
    args = ap.parse_args(argv)
    try:
        result = parse_upload(args.file)  # the same checks and limits as `duban ingest` and the web import
    except IngestError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(_summary(result))
    return 0


def cmd_score(argv: list[str]) -> int:
    from duban.ingest.score import Score, format_table, load_gold, score_one

    ap = argparse.ArgumentParser(prog="duban score", description="按人工标注（gold）评估解析准确率（F1）")
    ap.add_argument("--gold", default=GOLD_DIR, help="gold 目录（默认：内置标注）")
    ap.add_argument("--samples", default=SAMPLES_DIR, help="样本目录（默认：内置样本）")
    ap.add_argument("--misses", metavar="FIELD", help="列出某一项的错漏，如 tasks、units、targets")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    gold = load_gold(args.gold)
    if not gold:
        print(f"错误：{args.gold} 中没有 gold 标注文件", file=sys.stderr)
        return 2
    scores, total = [], Score("合计 total")
    for seed, g in sorted(gold.items()):
        path = os.path.join(args.samples, seed)
        try:
            pred = parse_file(path).to_json()
        except IngestError as e:
            print(f"错误：{e}", file=sys.stderr)
            return 2
        s = score_one(g, pred)
        scores.append(s)
        total.add(s)
    if args.json:
        json.dump({s.seed: {k: round(v.f1, 4) for k, v in s.figures.items()} for s in [*scores, total]},
                  sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(format_table(scores, total))
    if args.misses:
        for s in scores:
            for m in s.misses.get(args.misses, []):
                print(s.seed[:3], *m)
    return 0


PURE = {"parse": cmd_parse, "score": cmd_score}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        print("\n常用命令：\n  duban parse FILE [--json]      解析方案文件\n  duban score                    按 gold 评估准确率\n"
              "  duban ingest FILE... [--region 邵阳市]  入库\n  duban demo                     演示：内置样本 + 本地网页\n"
              "  duban help-django              Django 管理命令列表")
        return 0
    if argv[0] in PURE:
        return PURE[argv[0]](argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.web.settings")
    from django.core.management import execute_from_command_line

    if argv[0] == "help-django":
        argv = ["help"]
    execute_from_command_line(["duban", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
