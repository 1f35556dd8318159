"""Task forces (工作专班 / 领导小组) on short strings and on the real samples."""

import pytest

from duban.ingest import teams
from duban.ingest.load import load_lines
from duban.ingest.structure import find_documents
from duban.ingest.teams import parse_roster, parse_team, parse_teams
from duban.ingest.text import prepare
from tests.conftest import sample_path


@pytest.fixture(scope="module")
def extracted():
    out = {}
    for prefix in ("000", "001", "003"):
        lines = prepare(load_lines(sample_path(prefix)))
        out[prefix] = teams.extract(lines, find_documents(lines))
    return out


def test_prose_team_with_named_people():
    t = parse_team(
        "成立实施产业培塑行动工作专班,由县委常委、常务副县长王智刚任召集人,县政府办公室副主任李启云任第一副召集人,"
        "县发改局局长周武、县科工局局长贺锦辉任副召集人,成员单位包括县发改局县科工局、县委组织部、新邵经开区等,"
        "专班办公室设在县发改局,负责日常协调和调度工作。"
    )
    assert t == {
        "name": "实施产业培塑行动工作专班",
        "convener": "县委常委、常务副县长王智刚",
        "deputy_conveners": ["县政府办公室副主任李启云", "县发改局局长周武", "县科工局局长贺锦辉"],
        "office_at": "县发改局",
        "members": ["县发改局", "县科工局", "县委组织部", "新邵经开区"],  # run-together names split
        "roles": {"第一副召集人": ["县政府办公室副主任李启云"]},
    }


def test_dun_comma_inside_one_persons_titles_is_not_a_separator():
    t = parse_team("成立打好科技创新攻坚战工作专班，由市人民政府分管副秘书长谢旺担任召集人，"
                   "市科技局党组书记夏刊，市政协副主席、市科技局局长蒋志南担任副召集人，成员单位包括市科技局等。")
    assert t["deputy_conveners"] == ["市科技局党组书记夏刊", "市政协副主席、市科技局局长蒋志南"]


def test_posts_without_names_and_members_before_wei_chengyuan():
    t = parse_team("（一）成立打好经济增长主动仗工作专班。由市委常委、常务副市长任召集人，市政府办联系副主任、"
                   "市发改局局长任副召集人，市发改局、市教育局、市金融事务中心主任等单位相关负责人为成员。"
                   "专班下设办公室，由市发改局局长兼任办公室主任，办公地点设市发改局。")
    assert t["convener"] == "市委常委、常务副市长"
    assert t["deputy_conveners"] == ["市政府办联系副主任", "市发改局局长"]
    assert t["members"] == ["市发改局", "市教育局", "市金融事务中心"]
    assert t["office_at"] == "市发改局"


def test_leading_group_described_by_posts_stops_at_the_next_body():
    t = parse_team("成立新邵县实施“八大行动”领导小组,由县长任组长,县委常委、常务副县长任常务副组长,分管副县长任副组长、"
                   "工作专班召集人,成员为县人民政府办公室主任、分管副主任,县直各责任单位主要负责人。"
                   "领导小组办公室设县政府办,每个行动都建立工作专班并安排专人。")
    assert t["name"] == "新邵县实施“八大行动”领导小组"
    assert (t["convener"], t["deputy_conveners"]) == ("县长", ["县委常委、常务副县长", "分管副县长"])
    assert t["members"] == ["县人民政府办公室主任", "分管副主任", "县直各责任单位主要负责人"]
    assert t["office_at"] == "县政府办"


def test_reversed_role_phrases_and_member_label():
    t = parse_team("成立某市打好XX仗工作专班,召集人由市政府副市长张三同志担任,副召集人由市发改局局长李四、市财政局局长王五担任,"
                   "成员单位:市发改局,市财政局,市商务局等。专班办公室设在市发改局。")
    assert t["convener"] == "市政府副市长张三"
    assert t["deputy_conveners"] == ["市发改局局长李四", "市财政局局长王五"]
    assert t["members"] == ["市发改局", "市财政局", "市商务局"]


def test_several_named_teams_in_one_paragraph_but_not_instructions():
    got = parse_teams("成立经济增长主动仗工作专班，由市政府副秘书长A任召集人；成立科技创新攻坚仗工作专班，"
                      "由市政府副秘书长C任召集人，办公室设在市科技局。各单位要成立工作专班。")
    assert [(t["name"], t["convener"], t["office_at"]) for t in got] == [
        ("经济增长主动仗工作专班", "市政府副秘书长A", None), ("科技创新攻坚仗工作专班", "市政府副秘书长C", "市科技局")]
    assert len(parse_teams("成立某市领导小组，由市长任组长，办公室设市政府办，每仗都建立工作专班。")) == 1


def test_roles_before_the_name():
    t = parse_team("成立以市长为组长、常务副市长为副组长的打好发展六仗领导小组，领导小组办公室设在市发改委。")
    assert (t["name"], t["convener"], t["deputy_conveners"], t["office_at"]) == (
        "打好发展六仗领导小组", "市长", ["常务副市长"], "市发改委")


def test_not_a_team():
    assert parse_team("建立“旬简报、月通报、季总结”工作调度机制与专班专报报送制度。") is None
    assert parse_team("各牵头部门要加强沟通协调。") is None


def test_roster_document():
    lines = prepare([
        "组 长：华学健 市委副书记、市长  ",
        "副组长：王永红 市委常委、常务副市长（常务副组长）  ",
        "蒋 伟 市人民政府副市长",
        "            县人民政府副县长",
        "",
        "成员为市人民政府秘书长、副秘书长，市直各责任单位主要负责人。",
        "",
        "领导小组下设办公室及 6 个工作专班，市人民政府秘书长陈秋良同志兼任办公室主任。",
    ])
    assert parse_roster(lines) == {
        "convener": "市委副书记、市长华学健",
        "deputy_conveners": ["市委常委、常务副市长王永红", "市人民政府副市长蒋伟", "县人民政府副县长"],
        "office_at": None,
        "members": ["市人民政府秘书长", "副秘书长", "市直各责任单位主要负责人"],
        "roles": {"常务副组长": ["市委常委、常务副市长王永红"], "办公室主任": ["市人民政府秘书长陈秋良"]},
    }


def test_roster_without_colons():
    lines = prepare(["组  长  张三  县委副书记、县长", "副组长  李四  县委常委、常务副县长", "        王五  县人民政府副县长"])
    got = parse_roster(lines)
    assert got["convener"] == "县委副书记、县长张三"
    assert got["deputy_conveners"] == ["县委常委、常务副县长李四", "县人民政府副县长王五"]


def test_samples_match_gold(extracted, gold):
    for seed, g in gold.items():
        # roles (常务副组长, 办公室主任 …) are kept beyond the gold schema
        got = {t.line: {k: v for k, v in t.to_json().items() if k != "roles"} for t in extracted[seed[:3]]}
        assert sorted(got) == sorted(t["line"] for t in g["teams"]), seed
        for want in g["teams"]:
            assert got[want["line"]] == want, (seed, want["line"])
