"""One task per obligation (issue 19, parser side): a prose task restating a table row is linked to
it (same_as); units that are groups, shorthand or variants are told apart; rhythms say what they
bind; deadlines in task text become due dates. Real samples first, then short texts in other
wording so the rules are not the samples' own."""

from duban.ingest import parse_text
from duban.ingest.deadlines import dates_in
from duban.ingest.score import PRF, score_one, task_groups
from duban.ingest.unitnames import is_group

# ---------------------------------------------------------------- scorer


def _t(id_, line, title, source="table", **kw):
    return {"id": id_, "line": line, "title": title, "source": source, "units": kw.pop("units", []), **kw}


def _gold(tasks):
    return {"seed": "x", "tasks": tasks, "targets": [], "teams": [], "cadences": []}


def test_scorer_counts_a_linked_group_once_and_a_second_prediction_as_a_duplicate():
    gold = _gold([
        _t("p1", 10, "推进园区提质。", "prose", same_as="r1", units=["市发改委"]),
        _t("r1", 50, "推进园区提质增效", units=["市发改委", "市工信局"]),
    ])
    linked = [_t("1", 10, "推进园区提质。", "prose", same_as="2", units=["市发改委"]),
              _t("2", 50, "推进园区提质增效", units=["市发改委", "市工信局"])]
    s = score_one(gold, {"tasks": linked})
    assert (s.figures["tasks"].tp, s.figures["tasks"].fp, s.figures["tasks"].fn) == (1, 0, 0)
    assert s.figures["units"].f1 == 1.0  # compared with the table record
    unlinked = [{**linked[0], "same_as": None}, linked[1]]
    s = score_one(gold, {"tasks": unlinked})
    assert s.duplicates == 1 and s.figures["tasks"].fp == 1
    assert ("duplicate", 10, "推进园区提质。") in s.misses["tasks"]


def test_task_groups_put_the_table_record_first():
    groups = task_groups([_t("a", 1, "x", "prose", same_as="c", same_as_more=["d"]), _t("c", 9, "y"),
                          _t("d", 10, "z"), _t("e", 11, "w")])
    assert [[t["id"] for t in g] for g in groups] == [["c", "a", "d"], ["e"]]


def test_flag_figures():
    gold = _gold([_t("1", 5, "严把安全审批关口", "prose", implicit=True)])
    s = score_one(gold, {"tasks": [_t("1", 5, "严把安全审批关口", "prose")]})
    assert s.figures["implicit"].fn == 1 and s.figures["implicit"].f1 == 0
    assert isinstance(s.figures["lead_from_heading"], PRF)


# ---------------------------------------------------------------- same_as on the samples


def test_prose_plan_linked_to_its_table(parsed_samples):
    tasks = parsed_samples["003"].tasks
    by_id = {t.id: t for t in tasks}
    by_line = {t.line: t for t in tasks}
    # 新邵县实施产业培塑行动工作方案 '资源再生领域。' restates row 2 of its 任务责任分解表
    assert by_id[by_line[144].same_as].line == 209
    # the 主体强身 table lists targets, not the prose plan's measures: not its twin
    assert not any(t.same_as for t in tasks if "主体强身" in t.plan)
    # no table anywhere restates 001's prose plans
    assert not any(t.same_as for t in parsed_samples["001"].tasks)


def test_prose_item_spread_over_rows(parsed_samples):
    by_line = {t.line: t for t in parsed_samples["000"].tasks}
    by_id = {t.id: t for t in parsed_samples["000"].tasks}
    t = by_line[422]  # 严格遏制新增政府隐性债务: rows 549 and 550
    assert by_id[t.same_as].line == 549 and [by_id[i].line for i in t.same_as_more] == [550]


PLAN = (
    "某市打好项目建设攻坚战工作方案\n\n二、重点任务\n\n"
    "1.加快园区标准厂房建设。新建标准厂房50万平方米，完善园区配套设施。（市工信局牵头，市自然资源局、市住建局负责）\n\n"
    "2.推进重大项目开工。全年新开工亿元以上项目80个，建立项目调度台账。（市发改委牵头，市财政局负责）\n\n"
    "3.优化项目审批服务。推行并联审批，审批时限压缩一半。（市行政审批服务局牵头，市住建局负责）\n\n"
    "附件\n\n某市打好“项目建设攻坚战”重点工作任务责任分解表\n\n"
    "序号\t工作任务\t责任单位\n"
    "1\t新建标准厂房50万平方米，完善园区配套设施。\t市工信局、市自然资源局、市住建局\n"
    "2\t全年新开工亿元以上项目80个，建立项目调度台账。\t市发改委、市财政局\n"
    "3\t推行并联审批，审批时限压缩一半。\t市行政审批服务局、市住建局\n"
)


def test_same_as_in_other_wording():
    r = parse_text(PLAN)
    prose = [t for t in r.tasks if t.source == "prose"]
    rows = {t.id: t for t in r.tasks if t.source == "table"}
    assert len(prose) == 3 and len(rows) == 3
    assert [rows[t.same_as].seq for t in prose] == ["1", "2", "3"]
    assert all("same_as" in t for t in r.to_json()["tasks"] if t["source"] == "prose")


def test_different_campaigns_are_not_linked():
    other = PLAN.replace("某市打好“项目建设攻坚战”重点工作任务责任分解表", "某市打好“招商引资持久战”重点工作任务责任分解表")
    assert not any(t.same_as for t in parse_text(other).tasks)


# ---------------------------------------------------------------- implicit tasks and heading leads


def test_implicit_tasks_and_heading_lead_in_other_wording():
    r = parse_text(
        "某县安全生产专项整治实施方案\n\n二、主要任务\n\n（一）强化源头治理（县应急管理局牵头）\n\n"
        "1.开展隐患排查。组织全县自建房排查。\n\n"
        "2.严格执法检查。各乡镇要加大巡查力度。（县公安局、县交通运输局负责）\n\n"
        "（二）提升本质安全\n\n1.开展隐患排查。由县住建局负责组织全县自建房排查。\n\n"
        "2.加强宣传教育。督促企业开展安全培训。\n\n3.夯实基层基础。各乡镇（街道）要配齐监管力量。\n\n"
        "三、保障措施\n\n1.加强组织领导。县安委办要统筹协调。\n"
    )
    first = [t for t in r.tasks if t.section[-1].startswith("（一）")]
    second = [t for t in r.tasks if t.section[-1].startswith("（二）")]
    assert len(first) == 2 and len(second) == 3 and len(r.tasks) == 5  # 保障措施 items are no tasks
    # the heading's statement covers item 1; item 2 names no lead of its own: the heading's
    assert first[0].units == ["县应急管理局"] and not first[0].implicit
    assert first[1].units == ["县应急管理局", "县公安局", "县交通运输局"] and not first[1].implicit
    assert all(t.lead_units == ["县应急管理局"] and t.lead_from_heading for t in first)
    # no statement covers §（二）: implicit tasks with the bodies their text makes responsible
    assert all(t.implicit and not t.lead_units for t in second)
    assert [t.units for t in second] == [["县住建局"], [], ["各乡镇（街道）"]]  # enterprises are not units


# ---------------------------------------------------------------- units


def test_groups_shorthand_and_variants_on_the_samples(parsed_samples):
    r = parsed_samples["001"]
    assert r.unit_aliases["卫健"] == "市卫健局" and r.unit_aliases["住建"] == "市住建局"
    assert r.unit_aliases["教育"] == "市教育局"
    groups = {g for t in r.tasks for g in t.groups}
    assert {"其他相关职能部门", "各镇（街道、中心）"} <= groups
    unresolved = {u for t in r.tasks for u in t.unresolved}
    assert not unresolved & {"卫健", "住建", "教育"}
    a000 = parsed_samples["000"].unit_aliases
    assert a000["市住建和城乡建设局"] == "市住房和城乡建设局"
    assert "市政府办" not in a000  # the government office is not the 金融办
    assert "市公安局" not in a000  # nor is a body the 交警支队 under it


def test_group_names():
    for name in ("其他相关职能部门", "市直相关单位", "各镇(街道、中心)", "13条重点产业链和2个特色产业专班", "各县市区人民政府"):
        assert is_group(name), name
    for name in ("市卫健局", "市住房和城乡建设局", "县委组织部", "邵阳经济技术开发区管委会", "市公安局交警支队"):
        assert not is_group(name), name


def test_phrase_is_not_a_unit_and_variants_merge_in_other_wording():
    r = parse_text(
        "某市防范化解风险阻击战工作方案\n\n二、重点任务\n\n"
        "1.排查安全隐患。工业企业由市工业和信息化局负责，商贸企业由市商务局负责。（市应急管理局牵头）\n\n"
        "2.保护湿地资源。（益阳市南洞庭湖自然保护区管理局牵头，卫健等负责）\n\n"
        "3.巡护湿地。（益阳南洞庭湖自然保护区管理局负责）\n\n"
        "4.健康监测。（市卫生健康委负责）\n"
    )
    assert not any("工业企业" in u for t in r.tasks for u in t.units)
    assert r.unit_aliases["益阳南洞庭湖自然保护区管理局"] == "益阳市南洞庭湖自然保护区管理局"
    assert r.unit_aliases["卫健"] == "市卫生健康委"


def test_unresolved_shorthand_is_flagged():
    r = parse_text("某市工作方案\n\n二、重点任务\n\n1.做好医疗保障。（市医保局牵头，卫健、教育等负责）\n")
    assert r.tasks[0].unresolved == ["卫健", "教育"] and r.to_json()["tasks"][0]["unresolved_units"] == ["卫健", "教育"]


# ---------------------------------------------------------------- cadences


def test_cadence_scope_on_the_samples(parsed_samples):
    by_line = {}
    for c in parsed_samples["001"].cadences:
        by_line.setdefault(c.line, []).append(c)
    fever = by_line[734][0]  # '督促各发热门诊每日将接诊的数据上报…系统'
    assert not fever.reporting and fever.scope == "task"
    assert [c.scope for c in by_line[137]] == ["plan", "plan"]  # 推进机制 of the whole plan
    assert all(c.reporting for c in by_line[137])
    c969 = next(c for c in parsed_samples["000"].cadences if c.line == 969)
    assert c969.holiday_shift and c969.units == ["市人社局", "市统计局"]


def test_cadence_section_scope_and_one_rhythm_for_many_subjects():
    r = parse_text(
        "某市安全生产工作方案\n\n二、主要任务\n\n（一）强化执法监管\n\n"
        "每季度对交警、交通、应急、住建、教育等部门的执法情况进行排名通报。\n\n"
        "三、保障措施\n\n（一）建立调度机制。各专班每月25日前（遇节假日往后顺延）向市督查室报送工作进展。\n"
    )
    rank, report = r.cadences
    assert [(i.every, i.action) for i in rank.items] == [("季", "排名"), ("季", "通报")]
    assert rank.scope == "section" and rank.section == ["二、主要任务", "（一）强化执法监管"]
    assert report.scope == "plan" and report.holiday_shift and report.report_to == "市督查室"
    assert report.units == ["各专班"]


# ---------------------------------------------------------------- deadlines


def test_dates_in_task_text():
    assert dates_in("确保9月1日前竣工", 2023) == ["2023-09-01"]
    assert dates_in("6月底前完成方案，年底前全面建成", 2023) == ["2023-06-30", "2023-12-31"]
    assert dates_in("2024年12月底前", 2023) == ["2024-12-31"]
    assert dates_in("截至2022年底，全市已建成", 2023) == []
    assert dates_in("每月25日前报送", 2023) == []
    assert dates_in("6月底前", None) == []  # no year known: no date


def test_due_dates_on_the_samples(parsed_samples):
    by_line = {t.line: t for t in parsed_samples["001"].tasks}
    assert by_line[565].due_date == "2023-11-15"  # '3月底前…', '11月15日前完成': the last
    by_line = {t.line: t for t in parsed_samples["000"].tasks}
    assert by_line[379].due_date == "2023-06-30" and by_line[379].deadline == "2023 年 6 月底前"


# ---------------------------------------------------------------- task forces


def test_team_roles_and_members_in_the_next_paragraph():
    r = parse_text(
        "某市打好项目建设攻坚战工作方案\n\n三、保障措施\n\n（一）加强组织领导。成立市项目建设攻坚战工作专班，由副市长张三任召集人，"
        "市发改委主任李四任第一副召集人，市工信局局长王五任副召集人，专班办公室设在市发改委，市发改委副主任赵六兼任办公室主任。\n\n"
        "成员单位：市财政局、市自然资源局、市住建局。\n"
    )
    (team,) = [t for t in r.teams if t.convener]
    assert team.members == ["市财政局", "市自然资源局", "市住建局"]
    assert team.roles == {"第一副召集人": ["市发改委主任李四"], "办公室主任": ["市发改委副主任赵六"]}
    assert team.deputy_conveners == ["市发改委主任李四", "市工信局局长王五"] and team.office_at == "市发改委"


def test_team_roles_on_the_samples(parsed_samples):
    teams = {t.line: t for t in parsed_samples["003"].teams}
    assert teams[96].roles["常务副组长"] == ["县委常委、常务副县长王智刚"]  # roster label
    assert teams[180].roles["第一副召集人"] == ["县政府办公室副主任李启云"]
    t000 = {t.line: t for t in parsed_samples["000"].teams}
    assert t000[95].roles["常务副组长"] == ["市委常委、常务副市长王永红"]  # '（常务副组长）' note
    assert t000[347].roles["办公室主任"] == ["市发改委副主任陈功春"]
