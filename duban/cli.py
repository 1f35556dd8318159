"""The one ``duban`` command.

Pure jobs (``parse``, ``score``) run without Django; every other sub-command is a Django
management command of the project (``ingest``, ``demo``, ``migrate``, ``runserver`` …).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

from duban.ingest import IngestError, parse_file
from duban.ingest.bounded import parse_upload
from duban.ingest.bundled import GOLD_DIR, SAMPLES_DIR
from duban.ingest.score import Score, format_table, load_gold, score_one


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

DEVELOPMENT, PRODUCTION = "duban.web.settings", "duban.web.settings_production"


def default_settings(env=os.environ) -> str:
    """Settings when DJANGO_SETTINGS_MODULE is not set: development ones only for development use.

    A deployment announces itself by DUBAN_DEBUG=0 or DUBAN_ALLOWED_HOSTS (docs/deployment.md): it then
    gets the production settings, which demand DUBAN_SECRET_KEY, even if it forgot the settings
    variable. Without either (``make demo``, a developer's shell) the development settings: DEBUG on,
    a fixed key, hosts 127.0.0.1 and localhost only.
    """
    if env.get("DUBAN_DEBUG") == "0" or env.get("DUBAN_ALLOWED_HOSTS"):
        return PRODUCTION
    return DEVELOPMENT


USAGE = """duban —— 督办：把年度方案变成可调度、可督查、可简报的系统

用法：duban 命令 [参数]；duban 命令 --help 查看某个命令的全部参数

快速开始：
  duban demo [--port 8000]        演示：建库、导入内置样本、建演示账号、启动网页
  duban ingest 文件… [--region 邵阳市]  解析方案文件并入库（.txt .md .html .docx .xlsx .pdf）
  duban parse 文件 [--json]        只解析、不入库，打印摘要
  duban plans [词]                 列出已导入的方案及编号

日常：
  duban status 方案 [--as-of 日期]     任务状态、灯色、序时进度
  duban calendar 方案 --from 日期 --to 日期  报送日历
  duban report 任务 --unit 单位 --period 2023Q1 …  以责任单位身份报送进展
  duban notices 方案 [--generate]      督办检查与督办单
  duban brief 方案 --kind 月通报 --period 2023-03  生成简报（.docx）
  duban remind                        催报（可放进 cron）
  duban user add 账号 --role 督查室     账号与角色

其他：duban score（解析准确率）、duban backup / restore、duban migrate、duban runserver；
全部命令见 README，Django 管理命令列表：duban help-django
数据目录：环境变量 DUBAN_HOME（默认 ./var）；数据库：DATABASE_URL（默认内置 SQLite，首次使用自动建库）"""

# argparse's own messages (English, no translation shipped) in Chinese: the same for every command
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)"), "参数 {0} 的值 {1} 无效，可选：{2}"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"argument (\S+): expected at least one argument"), "参数 {0} 后面至少需要一个值"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.+)"), "参数 {0} 的值 {2} 无效（应为 {1}）"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"ambiguous option: (\S+) could match (.+)"), "参数 {0} 有歧义，可能是：{1}"),
)


def chinese_usage_error(message: str) -> str:
    """argparse's error ``message`` in Chinese (unknown ones kept as they are, after 错误：)."""
    for pattern, text in _ARGPARSE_MESSAGES:
        m = pattern.fullmatch(message.strip())
        if m:
            return "错误：" + text.format(*m.groups())
    return f"错误：{message}"


def _usage_error(parser: argparse.ArgumentParser, message: str) -> None:
    """Print the usage line and the error in Chinese, exit 2 (as argparse does)."""
    usage = parser.format_usage().replace("usage: ", "用法：", 1).rstrip()
    parser.exit(2, f"{usage}\n{chinese_usage_error(message)}\n查看全部参数：{parser.prog} --help\n")


def _parser_error(self, message):
    if getattr(self, "called_from_command_line", True):
        _usage_error(self, message)
    from django.core.management.base import CommandError

    raise CommandError(f"Error: {message}")  # called from code: Django's own behaviour


# commands of the project that do not migrate first: backup and restore read or replace the database
# file itself; demo migrates as its first step anyway
NO_MIGRATE = {"backup", "restore", "demo"}


def _needs_database(command: str, argv: list[str]) -> bool:
    """A command of the project's apps (or runserver) run for real, not for --help."""
    from django.core.management import get_commands

    if command in NO_MIGRATE or {"-h", "--help"} & set(argv):
        return False
    app = get_commands().get(command)
    return command == "runserver" or (isinstance(app, str) and app.startswith("duban."))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    argparse.ArgumentParser.error = _parser_error  # Chinese usage errors from every command
    if argv[0] in PURE:
        return PURE[argv[0]](argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings())
    import django
    from django.core.management import execute_from_command_line
    from django.core.management.base import CommandParser

    CommandParser.error = _parser_error

    if argv[0] == "help-django":
        argv = ["help"]
    django.setup()
    if _needs_database(argv[0], argv[1:]):
        from duban.ops.schema import (
            ensure_migrated,  # Django, loaded only for Django commands (not parse, score)
        )

        if not ensure_migrated(lambda line: print(line, file=sys.stderr, flush=True)):
            return 2
    execute_from_command_line(["duban", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
