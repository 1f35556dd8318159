"""`duban ingest`: the database holds exactly what the parser read; re-imports keep task identities."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from duban.audit.models import AuditEntry
from duban.ingest import IngestError, parse_file
from duban.plans.actions import ingest as actions
from duban.plans.campaigns import campaign_name
from duban.plans.matching import TaskSig, match_tasks, title_similarity
from duban.plans.models import (
    Cadence,
    CadenceItem,
    Campaign,
    DocumentRevision,
    Plan,
    SourceDocument,
    Target,
    Task,
    TaskForce,
    TaskForceMember,
    TaskUnit,
    Unit,
    UnitAlias,
)
from tests.conftest import SAMPLES, sample_path

ALL_MODELS = [
    SourceDocument,
    Plan,
    Campaign,
    Task,
    TaskUnit,
    Target,
    TaskForce,
    TaskForceMember,
    Cadence,
    CadenceItem,
    Unit,
    UnitAlias,
    AuditEntry,
    DocumentRevision,
]


def ingest(*paths, **options) -> str:
    out = io.StringIO()
    call_command("ingest", *paths, stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict:
    return {m.__name__: m.objects.count() for m in ALL_MODELS}


def db_tasks(doc):
    tasks = Task.objects.filter(source_document=doc, active=True).prefetch_related("assignments")
    return sorted(
        (
            t.line,
            t.title,
            t.seq,
            t.section,
            t.source,
            t.unit_names,
            t.lead_names,
            t.persons,
            t.leaders,
            t.deadline,
            t.progress,
        )
        for t in tasks
    )


def parsed_tasks(result):
    return sorted(
        (
            t.line,
            t.title,
            t.seq or "",
            list(t.section),
            t.source,
            list(t.units),
            list(t.lead_units),
            list(t.persons),
            list(t.leaders),
            t.deadline or "",
            t.progress or "",
        )
        for t in result.tasks
    )


# ---------------------------------------------------------------- pure parts


def test_campaign_names_join_plan_and_table():
    issuer = ("邵阳市",)
    assert (
        campaign_name("邵阳市打好科技创新攻坚战工作方案", issuer)
        == campaign_name("邵阳市打好“科技创新攻坚仗”重点工作任务责任分解表", issuer)
        == "科技创新攻坚仗"
    )
    assert campaign_name("邵阳市安全生产“翻身仗”工作实施方案", issuer) == "安全生产翻身仗"
    assert campaign_name("2023年全市打好重点民生保障仗实施方案", issuer) == "重点民生保障仗"
    county = ("新邵县",)
    assert (
        campaign_name("新邵县激发需求行动任务责任分解表", county)
        == campaign_name("新邵县实施激发需求行动工作方案", county)
        == "激发需求行动"
    )
    assert campaign_name("沅江市打好安全生产巩固提升仗工作方案") == "安全生产巩固提升仗"
    assert campaign_name("邵阳市打好“发展六仗”总体方案", issuer) is None  # the whole system, not one battle
    assert campaign_name("新邵县实施“八大行动”领导小组人员名单") is None
    assert campaign_name("任务清单") is None


def test_task_matching_survives_edits_and_shifts():
    old = [
        TaskSig("开展系列消费促进活动。", "1", ("二、重点工作",), ("市商务局",)),
        TaskSig("支持刚性和改善性住房消费。", "2", ("二、重点工作",), ("市住建局",)),
        TaskSig("促进旅游消费恢复。", "3", ("二、重点工作",), ("市文旅局",)),
        TaskSig("固定资产投资增长9%。", "4", ("二、重点工作",), ("市发改委",)),
    ]
    new = [
        TaskSig("支持刚需和改善性住房消费。", "1", ("二、重点工作",), ("市住建局",)),  # edited, renumbered
        TaskSig("发展夜间经济。", "2", ("二、重点工作",), ("市商务局",)),  # added
        TaskSig("促进旅游消费恢复。", "3", ("二、重点工作",), ("市文旅局",)),
        TaskSig("固定资产投资增长 9%。", "4", ("二、重点工作",), ("市发改委",)),
    ]
    assert match_tasks(old, new) == {0: 1, 2: 2, 3: 3}  # task 0 of old was removed
    assert title_similarity("促进旅游消费恢复。", "促进旅游消费恢复。") == 1.0
    assert title_similarity("促进旅游消费恢复。", "固定资产投资增长。") < 0.2


def test_same_title_twice_pairs_in_order():
    old = [TaskSig("加强督查。", "1", ("一",)), TaskSig("加强督查。", "1", ("二",))]
    new = [TaskSig("加强督查。", "1", ("一",)), TaskSig("加强督查。", "1", ("二",))]
    assert match_tasks(old, new) == {0: 0, 1: 1}


# ---------------------------------------------------------------- the database equals the parse


@pytest.mark.django_db
@pytest.mark.parametrize("name", SAMPLES)
def test_ingest_stores_what_the_parser_read(name, parsed_samples):
    path = sample_path(name)
    result = parsed_samples[name[:3]]
    out = ingest(path)
    assert name in out and "新导入" in out
    doc = SourceDocument.objects.get(file_name=name)
    assert doc.region.name == result.issuer["region"]
    assert doc.lines() == result.source_lines
    assert [(p.title, p.kind, p.line) for p in doc.plans.order_by("order")] == [
        (d.title, d.kind, d.line) for d in result.documents
    ]
    assert db_tasks(doc) == parsed_tasks(result)
    assert sorted(
        (t.line, t.indicator, t.measure, t.value, t.measure_unit, t.qualifier, t.text)
        for t in Target.objects.filter(source_document=doc)
    ) == sorted(
        (t.line, t.indicator, t.measure, float(t.value), t.unit or "", t.qualifier or "", t.text)
        for t in result.targets
    )
    assert sorted(
        (
            t.line,
            t.name,
            t.convener,
            t.deputy_conveners,
            t.office_text,
            [m.written_as for m in t.memberships.order_by("order")],
        )
        for t in TaskForce.objects.filter(source_document=doc)
    ) == sorted(
        (t.line, t.name, t.convener or "", list(t.deputy_conveners), t.office_at or "", list(t.members))
        for t in result.teams
    )
    assert sorted(
        (c.line, c.text, [(i.every, i.action) for i in c.items.order_by("order")])
        for c in Cadence.objects.filter(source_document=doc)
    ) == sorted((c.line, c.text, [(i.every, i.action) for i in c.items]) for c in result.cadences)
    # every record sits in the plan whose lines hold it
    for task in Task.objects.filter(source_document=doc).select_related("plan"):
        assert task.plan.line <= task.line <= (task.plan.end_line or task.line)
    entry = AuditEntry.objects.get(action="ingest", object_id=str(doc.pk))
    assert entry.before is None and entry.after["tasks"]["added"] == len(result.tasks)


@pytest.mark.django_db
def test_campaigns_link_plans_and_tables(parsed_samples):
    ingest(sample_path("000"))
    campaigns = Campaign.objects.filter(region__name="邵阳市")
    work_plans = Plan.objects.filter(
        kind__in=["工作方案", "实施方案"], source_document__file_name__startswith="000"
    )
    assert campaigns.count() == work_plans.count()  # one campaign per battle, 战/仗 spelled either way
    for campaign in campaigns:
        kinds = set(campaign.plans.values_list("kind", flat=True))
        assert "责任分解表" in kinds and kinds & {"工作方案", "实施方案"}, campaign.name
    for table in Plan.objects.filter(kind="责任分解表"):
        assert table.parent is not None and table.parent.campaign_id == table.campaign_id


@pytest.mark.django_db
def test_reingest_twice_changes_nothing():
    path = sample_path("003")
    ingest(path)
    ids = dict(Task.objects.values_list("key", "pk"))
    counts = row_counts()
    for _ in range(2):
        out = ingest(path)
        assert "内容未变" in out
        assert "任务：新增 0，修改 0，移除 0" in out
        assert "单位：新增 0 个，新学到别名 0 个" in out
    assert dict(Task.objects.values_list("key", "pk")) == ids
    after = row_counts()
    assert after.pop("AuditEntry") == counts.pop("AuditEntry") + 2  # one entry per import
    assert after == counts


def _revise(path: str, tmp_path) -> tuple[str, dict]:
    """A revised copy of a sample: one table task's title edited, one removed, one added."""
    result = parse_file(path)
    lines = list(result.source_lines)
    rows = [
        t
        for t in result.tasks
        if t.source == "table" and (t.end_line or t.line) == t.line and lines[t.line - 1].count(t.title) == 1
    ]
    removed, edited, model = rows[0], rows[1], rows[2]
    assert len({removed.title, edited.title, model.title}) == 3
    new_title = "扎实推进" + edited.title
    added_title = "测试新增任务：建设城市夜间经济示范街区。"
    lines[edited.line - 1] = lines[edited.line - 1].replace(edited.title, new_title)
    lines.insert(model.line, lines[model.line - 1].replace(model.title, added_title))
    del lines[removed.line - 1]
    revised = tmp_path / "revised.txt"
    revised.write_text("\n".join(lines), encoding="utf-8")
    return str(revised), {
        "removed": removed.title,
        "edited": edited.title,
        "new_title": new_title,
        "added": added_title,
    }


@pytest.mark.django_db
def test_revised_copy_keeps_task_ids(tmp_path):
    path = sample_path("000")
    ingest(path)
    doc = SourceDocument.objects.get()
    revised, change = _revise(path, tmp_path)
    titles = [t.title for t in parse_file(revised).tasks]
    assert change["new_title"] in titles and change["added"] in titles and change["removed"] not in titles
    before = {t.pk: t.title for t in Task.objects.all()}
    removed_pk = Task.objects.get(title=change["removed"]).pk
    edited_pk = Task.objects.get(title=change["edited"]).pk

    out = ingest(revised)
    assert "更新已导入的文件" in out and "任务：新增 1，修改 1，移除 1" in out
    assert change["added"][:10] in out and change["removed"][:10] in out
    assert SourceDocument.objects.get().pk == doc.pk  # the same document, updated in place
    assert Task.objects.get(pk=edited_pk).title == change["new_title"]
    gone = Task.objects.get(pk=removed_pk)
    assert not gone.active and gone.title == change["removed"]  # deactivated, not deleted
    added = Task.objects.get(title=change["added"])
    assert added.pk not in before and added.active
    for pk, title in before.items():  # every other task kept its row and title
        if pk not in (removed_pk, edited_pk):
            assert Task.objects.get(pk=pk).title == title
    assert db_tasks(doc) == parsed_tasks(parse_file(revised))

    out = ingest(path)  # back to the original: the removed task comes back in its old row
    assert Task.objects.get(pk=removed_pk).active and not Task.objects.get(pk=added.pk).active
    assert Task.objects.get(pk=edited_pk).title == change["edited"]
    assert AuditEntry.objects.filter(action="ingest").count() == 3
    # every imported text is kept as a version of the document, oldest first
    revisions = list(doc.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    original, revision = ("\n".join(parse_file(p).source_lines) for p in (path, revised))
    assert [r.text for r in revisions] == [original, revision, original]
    assert change["added"] in revisions[1].text and change["added"] not in revisions[0].text
    assert "任务：新增 1，修改 1，移除 1" in revisions[1].summary


# ---------------------------------------------------------------- bad input changes nothing


def _bad_files(tmp_path) -> dict:
    files = {}
    files["文件不存在"] = tmp_path / "missing.txt"
    empty = files["空"] = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = files["二进制"] = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    docx = files[".docx"] = tmp_path / "truncated.docx"
    with open(sample_path("000"), "rb") as f:
        docx.write_bytes(b"PK\x03\x04" + f.read(2000))
    poem = files["不像是一份工作方案"] = tmp_path / "poem.txt"
    poem.write_text("床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n", encoding="utf-8")
    return files


@pytest.mark.django_db
def test_bad_input_is_one_line_and_changes_nothing(tmp_path):
    ingest(sample_path("001"))
    counts = row_counts()
    for word, path in _bad_files(tmp_path).items():
        err = io.StringIO()
        with pytest.raises(SystemExit) as exit_:
            call_command("ingest", str(path), stdout=io.StringIO(), stderr=err)
        assert exit_.value.code == 2
        message = err.getvalue().strip()
        assert "\n" not in message and path.name in message and word in message, message
        assert row_counts() == counts


@pytest.mark.django_db
def test_a_failure_mid_import_rolls_everything_back(monkeypatch):
    ingest(sample_path("001"))
    counts = row_counts()

    def broken(*args, **kwargs):
        raise IngestError("模拟的中途失败", path="x")

    monkeypatch.setattr(actions, "sync_cadences", broken)
    with pytest.raises(SystemExit):
        call_command("ingest", sample_path("003"), stdout=io.StringIO(), stderr=io.StringIO())
    assert row_counts() == counts
    with pytest.raises(SystemExit):  # a re-import that fails half-way leaves the stored one as it was
        call_command("ingest", sample_path("001"), stdout=io.StringIO(), stderr=io.StringIO())
    assert row_counts() == counts


@pytest.mark.django_db
def test_unknown_region_option_is_an_error(tmp_path):
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("ingest", sample_path("001"), region="火星市", stdout=io.StringIO(), stderr=err)
    assert "火星市" in err.getvalue()
    assert not SourceDocument.objects.exists()
    ingest(sample_path("001"), region="益阳市")
    assert SourceDocument.objects.get().region.name == "益阳市"


def test_cli_bad_file_has_no_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DUBAN_HOME"] = str(tmp_path / "home")
    cmd = [sys.executable, "-m", "duban.cli"]
    subprocess.run([*cmd, "migrate", "-v0"], env=env, check=True, capture_output=True)
    r = subprocess.run([*cmd, "ingest", str(tmp_path / "nope.txt")], env=env, capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "nope.txt" in r.stderr and "文件不存在" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.django_db
def test_a_retitled_plan_keeps_its_plan_and_tasks(tmp_path):
    path = sample_path("003")
    ingest(path)
    result = parse_file(path)
    lines = list(result.source_lines)
    table = next(d for d in result.documents if d.kind == "责任分解表" and d.title in lines[d.line - 1])
    new_title = table.title.replace("任务责任分解表", "重点工作任务责任分解表")
    assert new_title != table.title
    lines[table.line - 1] = lines[table.line - 1].replace(table.title, new_title)
    revised = tmp_path / "retitled.txt"
    revised.write_text("\n".join(lines), encoding="utf-8")
    assert new_title in [d.title for d in parse_file(str(revised)).documents]
    plan = Plan.objects.get(title=table.title)
    task_ids = set(plan.tasks.values_list("pk", flat=True))
    assert task_ids

    out = ingest(str(revised))
    assert "方案：新增 0，修改 1，移除 0" in out and "任务：新增 0，修改 0，移除 0" in out
    plan.refresh_from_db()
    assert plan.title == new_title and plan.active
    assert set(plan.tasks.filter(active=True).values_list("pk", flat=True)) == task_ids


SHORT_PLAN = (
    "打好经济增长主动仗工作方案\n\n一、重点任务\n\n1.开展促消费活动。组织系列促销。（市商务局牵头，市财政局负责）\n\n"
    "2.扩大有效投资。（市发改委牵头）\n"
)


@pytest.mark.django_db
def test_a_plan_without_issuer_is_kept_under_a_placeholder_region(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_text(SHORT_PLAN, encoding="utf-8")
    result = parse_file(str(f))
    assert result.issuer["region"] is None and result.tasks
    out = ingest(str(f))
    assert "未识别地区" in out and "--region" in out
    doc = SourceDocument.objects.get()
    assert doc.region.name == "未识别地区"
    assert db_tasks(doc) == parsed_tasks(result)
    out = ingest(str(f), region="益阳市")  # corrected: the same document moves to the named region
    assert "任务：新增 0" in out
    doc.refresh_from_db()
    assert doc.region.name == "益阳市" and SourceDocument.objects.count() == 1
    assert {u.region.name for t in Task.objects.all() for u in t.units.all()} == {"益阳市"}


@pytest.mark.django_db
def test_a_dropped_target_with_actual_values_is_deactivated_and_comes_back(tmp_path):
    """A revision that no longer lists a target keeps the target's reported actual values."""
    from duban.plans.periods import parse_period
    from duban.tracking.models import TargetActual

    path = sample_path("000")
    ingest(path)
    target = Target.objects.order_by("line").first()
    from django.utils import timezone

    actual = TargetActual(target=target, value=3.2, version=1, source=TargetActual.IMPORTED, at=timezone.now())
    actual.set_period(parse_period("2023Q1"))
    actual.save()
    lines = parse_file(path).source_lines
    assert lines[target.line - 1].count(target.text) == 1
    revised = tmp_path / "revised.txt"
    revised.write_text("\n".join(ln.replace(target.text, "") for ln in lines), encoding="utf-8")

    out = ingest(str(revised))
    assert "移除 0" not in out.split("目标：")[1].splitlines()[0]  # reported as removed, no error
    assert not Target.objects.filter(pk=target.pk).exists()  # gone from every list …
    kept = Target.all_objects.get(pk=target.pk)
    assert not kept.active and TargetActual.objects.get(pk=actual.pk).target == kept  # … its figures kept

    ingest(path)  # the original again: the same row comes back with its actual value
    assert Target.objects.get(pk=target.pk).actuals.get().value == 3.2
