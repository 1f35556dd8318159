"""Pass: task forces (工作专班 / 领导小组) and who runs them.

Two layouts:

* prose: '成立X工作专班，由A任召集人，B、C任副召集人，成员单位包括：…，专班办公室设在D' — one team
  per paragraph (the first body it sets up; later '各…要成立工作专班' are generic instructions);
* a roster document ('…领导小组人员名单'): '组长：华学健 市委副书记、市长', '副组长：…' and
  unlabelled continuation lines, then '成员为…'. Roster entries are written 'name title' and are
  recorded title+name ('市委副书记、市长华学健') like the prose records.
"""

from __future__ import annotations

import re

from duban.ingest.model import Team
from duban.ingest.structure import Outline, continued_text, strip_numbering
from duban.ingest.text import SPACES, Line, nospace
from duban.ingest.units import split_top, split_units

_TEAM_WORD = r"(?:领导小组|工作专班|专班)"
_TEAM_HINT = re.compile(_TEAM_WORD)
# '成立邵阳市打好“发展六仗”领导小组' / '各镇（街道、中心）要成立工作领导小组'
_FOUND = re.compile(rf"(?:成立|建立|组建)([^，。,；;：:（(、]{{0,40}}?{_TEAM_WORD})(?!专报|报送|办公室|成员|工作)")
_GENERIC = re.compile(r"(?:各|每)[^，。,；;]{0,10}(?:要|应|都|均)?$")  # '每仗都建立…', '各单位要成立…'
_COUNTED = re.compile(r"^(?:一个|一支|若干|相应的?|各自的?)")  # '一个工作专班' names no body
_FOUND_WITH_ROLES = re.compile(
    rf"(?:成立|建立|组建)以(?P<roles>[^。；;]{{2,80}}?(?:组长|召集人|成员))的(?P<name>[^，。,；;：:（(、]{{0,40}}?{_TEAM_WORD})"
)
_NOT_A_BODY = re.compile(r"机制|制度|简报|通报")  # '建立…调度机制与专班专报报送制度'
# 'X工作专班由…任召集人' without 成立
_NAMED = re.compile(rf"([^，。,；;：:（(]{{2,40}}?{_TEAM_WORD})由")
# a role assignment: who stands before it
_ROLES = r"[第笫]一副召集人|常务副组长|副召集人|副组长|召集人|组长|总牵头|责任领导"
_ROLE = re.compile(
    rf"(?P<rev>{_ROLES})由(?P<revwho>[^，。,；;]+?)(?:同志)?(?:担任|兼任|出任)|"  # '召集人由X担任'
    rf"(?:同志)?(?:任|担任|为|兼任)?(?:专班|工作专班|领导小组)?(?P<role>{_ROLES})|"
    r"(?:为|任|作为)(?P<mem>成员)(?!单位)|负总责"
)
_CONVENER_ROLES = {"召集人", "组长", "负总责"}
# roles kept by name besides convener / deputies
_KEPT_ROLES = {"常务副组长", "第一副召集人", "笫一副召集人"}
# '市人民政府秘书长陈秋良同志兼任办公室主任', '办公室主任由县政府办主任张三担任'
_OFFICE_HEAD = re.compile(
    r"(?P<who>[^，。,；;、]{2,30}?)(?:同志)?(?:兼任|担任|任)(?:专班|领导小组)?办公室(?P<role>主任|副主任)|"
    r"办公室(?P<role2>主任|副主任)由(?P<who2>[^，。,；;]{2,30}?)(?:同志)?(?:兼任|担任)"
)
_ROLE_NOTE = re.compile(r"[（(](常务副组长|第一副组长|常务副召集人|第一副召集人)[)）]")
_OFFICE = re.compile(r"(?:办公室|办公地点)(?:设在|设于|设|在)(?!立|置|有|施)([^，。,；;]+)")
_MEMBER_LIST = re.compile(r"成员(?:单位)?(?:(?:包括|包含|有|为|由)[:：]?|[:：])")
_MEMBER_STOP = re.compile(
    r"^(?:工作)?(?:专班|领导小组)?(?:下设)?(?:办公室|办公地点)|负责(?!人|同志)|召集人|联络员|附后|组长|每个单位"
)
_ROLE_TAIL = re.compile(r"(?:等)?(?:单位|部门)*(?:相关|分管|主要)?(?:负责人|负责同志|分管领导|领导|同志)$")
_TITLE_TAIL = re.compile(r"(?:主任|局长|书记|负责人)$")
_UNIT_END = re.compile(r"(?:局|委|办|政府|管委会|公司|集团|中心|区|院|联|会|队|行|部|社|海关)$")
_ROLE_WORD = re.compile(r"主任|负责人|秘书长|局长|书记|县长|市长|主席|部长|院长|领导")
# a title ending in a personal name: '县发改局局长周武', '市长华学健'
_ENDS_WITH_NAME = re.compile(r"(?:长|主任|书记|主席|委员|员|记)[\u4e00-\u9fff]{2,3}$")
_RANK_ONLY = re.compile(r"(?:常委|党组书记|党委书记|党组成员|党委委员|副主席)$")
_NOTE = re.compile(r"[（(][^）)]*[)）]")
# roster labels: '组 长：', '长:' (组 lost), '副组长：', '常务副组长：', '成 员：'
_ROSTER_LABEL = re.compile(
    r"^(?:(?P<dep>(?:常务|第一)?副\s*组\s*长|副\s*召\s*集\s*人)\s*(?:[:：]|\s+)|"
    r"(?P<conv>组\s*长|召\s*集\s*人)\s*(?:[:：]|\s+)|(?P<lost>长)\s*[:：]|"  # '长:' has lost its 组
    r"(?P<mem>成\s*员(?:单\s*位)?)\s*[:：])\s*"
)
_ROSTER_MEMBERS = re.compile(r"^成员(?:单位)?(?:为|包括|有)[:：]?")
_ROSTER_END = re.compile(r"^(?:领导小组|工作专班|专班|办公室)|下设")


def _team_names(text: str) -> list[tuple[str, int]]:
    """Bodies a paragraph sets up: (name, where its description starts). After the first, only
    bodies with a name of their own count, not instructions ('每仗都建立工作专班', '各…要成立工作专班');
    an instruction or a bare '工作专班' counts only when no body with a name of its own follows
    ('成立工作专班。每仗成立一个工作专班…产业发展主动仗工作专班由副市长李明任召集人')."""
    yi = _FOUND_WITH_ROLES.search(text)
    if yi:  # '成立以市长为组长、常务副市长为副组长的XX领导小组'
        return [(yi.group("name"), yi.start("roles"))]
    found = []  # (name, end, vague)
    for m in _FOUND.finditer(text):
        name = m.group(1)
        if _NOT_A_BODY.search(name):
            continue
        generic = bool(_GENERIC.search(text[max(0, m.start() - 12) : m.start()]))
        name = re.sub(r"^.*?(?:要|应|将|都|均)(?=成立|建立)", "", name)
        bare = not re.sub(_TEAM_WORD, "", _COUNTED.sub("", name)).strip("工作")
        found.append((name, m.end(), generic or bare))
    named = _NAMED.search(text)
    if named and (not _ROLE.search(text, named.end()) or _NOT_A_BODY.search(named.group(1))):
        named = None
    if named and not _COUNTED.search(named.group(1)) and all(vague for _, _, vague in found):
        return [(named.group(1), named.end())]
    out = [(name, end) for k, (name, end, vague) in enumerate(found) if k == 0 or not vague]
    if not out and named:
        out.append((named.group(1), named.end()))
    return out


def _segments(text: str, start: int, end: int) -> list[tuple[str, str]]:
    """(role, who) for each role assignment in ``text[start:end]``: '由A任召集人，B任副召集人'."""
    out = []
    cursor = start
    for m in _ROLE.finditer(text, start, end):
        if m.group("rev"):
            out.append((m.group("rev"), m.group("revwho")))
            cursor = m.end()
            continue
        role = m.group("role") or m.group("mem") or "负总责"
        who = text[cursor : m.start()]
        who = re.split(r"[。]", who)[-1]
        if "由" in who:
            who = who.rsplit("由", 1)[1]
        if role == "成员":
            who = re.split(r"(?:副召集人|召集人|副组长|组长)[，,、；;]?", who)[-1]
        out.append((role, who.strip("，,、；; " + SPACES)))
        cursor = m.end()
    return out


def _own_end(text: str, start: int) -> int:
    """Where the description of this body stops: at the next body set up in the same paragraph
    ('…办公室设市政府办，每仗都建立工作专班，…')."""
    m = _FOUND.search(text, start)
    return m.start() if m else len(text)


def _people(who: str) -> list[str]:
    """Deputies in one role clause: '，' always separates; '、' only between people when each part
    ends with a name ('局长彭永红、…局长谭中凡') or none has a name ('联系副主任、市发改局局长') —
    never inside one person's titles ('市政协副主席、市科技局局长蒋志南')."""
    out = []
    for chunk in split_top(who, "，,；;"):
        parts = _join_ranks(split_top(chunk, "、"))
        named = [bool(_ENDS_WITH_NAME.search(p)) for p in parts]
        if len(parts) > 1 and (all(named[:-1]) or not any(named)):
            out.extend(parts)
        else:
            out.append(chunk)
    return [p for p in out if p]


def _join_ranks(parts: list[str]) -> list[str]:
    """A bare rank ('县委常委', '党组书记') belongs to the post after it: '县委常委、常务副县长'."""
    out: list[str] = []
    for p in parts:
        if out and _RANK_ONLY.search(out[-1]):
            out[-1] += "、" + p
        else:
            out.append(p)
    return out


def _trim_role_tail(segment: str) -> str:
    """'…、市金融事务中心主任等单位相关负责人' -> '…、市金融事务中心' (the people of the last unit)."""
    first = _ROLE_TAIL.sub("", segment)
    for cand in (_TITLE_TAIL.sub("", first), first, _TITLE_TAIL.sub("", segment)):
        if cand != segment and len(cand) >= 3 and _UNIT_END.search(cand):
            return cand
    return segment


def _members(segment: str) -> list[str]:
    """Member units ('…、市金融事务中心等单位相关负责人' -> units) or member posts
    ('县人民政府办公室主任、分管副主任，县直各责任单位主要负责人' -> kept verbatim)."""
    items = split_top(segment, "、，,；;")
    if not items or any(_ROLE_WORD.search(i) for i in items[:-1]):
        return items  # a list of posts, not of units
    units = _trim_role_tail(segment)
    if len(items) == 1 and units == segment and _ROLE_WORD.search(segment):
        return items  # '相关单位负责人为成员'
    return split_units(units)


def _member_list(text: str) -> list[str]:
    """'成员单位包括：A、B等，各乡镇人民政府，专班办公室设在…' -> the units up to the next clause
    that is about something else (the office, duties, contacts)."""
    m = _MEMBER_LIST.search(text)
    if m is None:
        return []
    body = re.split(r"[。]", text[m.end() :], maxsplit=1)[0]
    kept = []
    for clause in split_top(body, "，,；;"):
        if _MEMBER_STOP.search(clause):
            break
        kept.append(clause)
    return _members(re.sub(r"组成$", "", "，".join(kept)))  # '成员由A、B组成'


def parse_teams(text: str) -> list[dict]:
    """Every 专班/领导小组 a paragraph sets up, with its convener, deputies, office and members."""
    t = nospace(text)
    out = []
    for name, start in _team_names(t):
        end = _own_end(t, start)
        team = {"name": name, "convener": None, "deputy_conveners": [], "office_at": None, "members": [],
                "roles": {}}
        for role, who in _segments(t, start, end):
            if not who:
                continue
            if role in _CONVENER_ROLES and team["convener"] is None:
                team["convener"] = who
            elif role == "成员":
                team["members"] = team["members"] or _members(who)
            elif role not in _CONVENER_ROLES:
                team["deputy_conveners"].extend(_people(who))
                if role in _KEPT_ROLES:
                    team["roles"].setdefault(role.replace("笫", "第"), []).extend(_people(who))
        _office_heads(t[start:end], team["roles"])
        team["members"] = team["members"] or _member_list(t[start:end])
        office = _OFFICE.search(t, start, end)
        if office:
            team["office_at"] = office.group(1)
        out.append(team)
    return out


def _office_heads(text: str, roles: dict[str, list[str]]) -> None:
    """'…陈秋良同志兼任办公室主任': the office's director (and deputies) by role."""
    for m in _OFFICE_HEAD.finditer(text):
        who = re.sub(r"^(?:由|并由|，)", "", m.group("who") or m.group("who2"))
        role = "办公室" + (m.group("role") or m.group("role2"))
        if who and who not in roles.get(role, []):
            roles.setdefault(role, []).append(who)


def parse_team(text: str) -> dict | None:
    """The first team a paragraph sets up, or None."""
    found = parse_teams(text)
    return found[0] if found else None


def _roster_entry(text: str) -> str:
    """'华学健 市委副书记、市长' -> '市委副书记、市长华学健'; '蒋 伟 市人民政府副市长' keeps 蒋伟 whole."""
    text = _NOTE.sub("", text).strip(SPACES)
    words = [w for w in re.split(f"[{SPACES}]+", text) if w]
    if not words:
        return ""
    title = words[-1]
    name = "".join(words[:-1])
    if len(words) == 1 and not _ROLE_WORD.search(title) and not title.endswith(("长", "员")):
        return title  # a name alone
    return title + name


def parse_roster(lines: list[Line]) -> dict:
    """Convener, deputies and members of a 名单 document's lines."""
    team = {"convener": None, "deputy_conveners": [], "office_at": None, "members": [], "roles": {}}
    role = None
    kept = None  # '常务副组长：' labels a kept role
    for ln in lines:
        t = ln.text
        if not t:
            continue
        compact = nospace(t)
        if _ROSTER_MEMBERS.match(compact):
            team["members"] = _members(_ROSTER_MEMBERS.sub("", compact).rstrip("。"))
            role = None
            continue
        office = _OFFICE.search(compact)
        if office and not team["office_at"] and "兼任" not in compact[: office.start()]:
            team["office_at"] = office.group(1)
        _office_heads(compact, team["roles"])
        if _ROSTER_END.search(compact):
            role = None
            continue
        m = _ROSTER_LABEL.match(t)
        if m:
            role = "dep" if m.group("dep") else ("mem" if m.group("mem") else "conv")
            label = nospace(m.group("dep") or "")
            kept = label if label.startswith(("常务", "第一")) else None
            t = t[m.end() :]
        elif role is None:
            continue
        entry = _roster_entry(t)
        if not entry:
            continue
        if role == "conv" and team["convener"] is None:
            team["convener"] = entry
            role = "dep"  # unlabelled lines after the leader list the deputies
        elif role == "mem":
            team["members"].append(entry)
        else:
            team["deputy_conveners"].append(entry)
            note = _ROLE_NOTE.search(compact)
            if kept or note:
                team["roles"].setdefault(note.group(1) if note else kept, []).append(entry)
    return team


def _roster_teams(lines: list[Line], outline: Outline) -> list[Team]:
    out = []
    for doc in outline.documents:
        if doc.kind != "名单":
            continue
        name = re.sub(r"(?:人员|成员|组成人员)?名单$", "", nospace(doc.title))
        body = lines[doc.line : doc.end_line or doc.line]  # Line.no is 1-based: lines after the title
        out.append(Team(line=doc.line, plan=doc.title, name=name, **parse_roster(body)))
    return out


def _in_roster(outline: Outline, line_no: int) -> bool:
    doc = outline.document_at(line_no)
    return bool(doc and doc.kind == "名单")


_NEXT_MEMBERS = re.compile(r"^(?:(?:专班|领导小组)?成员(?:单位)?(?:包括|包含|有|为|由)?[:：]?)")


def _next_paragraph_members(lines: list[Line], i: int) -> list[str]:
    """Members listed in the paragraph after the one that sets a team up ('成员单位：A、B、C。')."""
    while i < len(lines) and not lines[i].text:
        i += 1
    if i >= len(lines) or not _NEXT_MEMBERS.match(nospace(lines[i].text)) or "\t" in lines[i].raw:
        return []
    text, _ = continued_text(lines, i)
    return _member_list(nospace(text))


def extract(lines: list[Line], outline: Outline) -> list[Team]:
    out = _roster_teams(lines, outline)
    i = 0
    while i < len(lines):
        ln = lines[i]
        if not _TEAM_HINT.search(ln.text) or "\t" in ln.raw or outline.in_table(ln.no) or _in_roster(outline, ln.no):
            i += 1
            continue
        text, i = continued_text(lines, i)
        found = parse_teams(strip_numbering(text))
        if found and not found[-1]["members"]:
            found[-1]["members"] = _next_paragraph_members(lines, i)
        for team in found:
            out.append(Team(line=ln.no, plan=outline.plan_at(ln.no), **team))
    out.sort(key=lambda t: t.line)
    return out
