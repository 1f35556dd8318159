"""Splitting responsibility text into unit names (单位) and people (责任人/责任领导).

Shared by every pass that reads responsibility: tab tables, flattened tables, prose statements.

* :func:`split_units` — a 责任单位 cell or list → unit names, in order, without duplicates.
* :func:`parse_responsibility` — the same, plus which units are marked 牵头 (``lead_units``);
  understands ``X牵头，Y、Z等负责``, ``X牵头 Y Z 按职责分工负责``, ``牵头单位：X；责任单位：Y``, ``X会同Y``.
* :func:`split_people` — a 责任人 / 领导 cell → names and generic role groups
  ('杨 平' → '杨平', '各相关单位 主要负责人' → one entry).
* :func:`first_unit_leads` — does a 备注 say "排第一的为牵头单位"?

Names are returned verbatim (markup and white space removed, punctuation kept): the scorer and the
UI compare names after NFKC, so nothing here rewrites full-width brackets or abbreviations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from duban.ingest.text import SPACES, nospace, strip_markup

# --------------------------------------------------------------------------- vocabulary

# closing → opening bracket/quote pairs; separators inside them never split ('各镇（街道、中心）')
_OPEN = "（([【《“‘「『〔"
_CLOSE = {
    "）": "（",
    ")": "(",
    "]": "[",
    "】": "【",
    "》": "《",
    "”": "“",
    "’": "‘",
    "」": "「",
    "』": "『",
    "〕": "〔",
}
_LIST_SEPS = "、，,；;"
_BRACKETS = re.compile("[" + re.escape(_OPEN + "".join(_CLOSE) + '"') + "]")
_WS = set(SPACES)

# a unit name can end with one of these (longest first matters only for readability)
_UNIT_END = (
    "委员会|管委会|办公室|人民政府|政府|公司|集团|中心|经开区|高新区|开发区|新区|指挥部|小组|"
    "局|委|办|厅|部|院|联|协|会|社|海关|队|行|处|所|站|馆|台|校|署"
)
_ENDS_UNIT = re.compile(f"(?:{_UNIT_END})$")
_UNIT_LAST = {alt[-1] for alt in _UNIT_END.split("|")}  # cheap test before the regex
# endings strong enough to cut before a following name that has no 市/县 prefix ('县文旅局新邵经开区')
_STRONG_END = re.compile(
    r"(?:局|委|办|政府|管委会|公司|集团|中心|经开区|高新区|开发区|新区|科协|[妇残侨文]联|工商联)$"
)
# a body that belongs to the name before it: '国家税务总局邵阳市税务局', '市公安局交警支队'
_SUBORDINATE_END = re.compile(
    r"(?:分局|支队|大队|中队|支行|分行|分公司|办事处|管理部|分中心|分院|分会|营业部|分部|所|站|科|股|室|组)$"
)
# words that start a name depending on the one before ('…领导小组各成员单位', '…集团有限公司')
_DEPENDENT_START = re.compile(
    r"(?:各|相关|有关|其他|其它|成员|下属|所属|有限|股份|和|与|及|或|等|管理|管委|工委|党工委|[(（])"
)
# '…领导小组' + '各成员单位' written apart is still one unit
_DEPENDENT_GROUP = re.compile(r"^(?:各|其他|其它)?(?:相关|有关)?成员单位")
# characters that end a word, so a name never starts with them ('…委' + '员会…' is no split)
_WORD_TAIL_CHARS = "员会局委办部室组处队所站心司团院厅联社行门位"
# a new unit that can follow another without a separator: '县科工局县教育局', '市商务局各县市区人民政府'
_NEW_UNIT_START = re.compile(
    r"(?:[市县区省](?![直级])|(?:各|相关|有关)(?:县|市|区|乡|镇|街道)|国家|中国|国网|人民银行|团[县市区]委|中共)"
)
# the left part must be a real body, not just '市委' / '市政府' ('市政府金融工作办公室' is one name)
_BARE_GOV = re.compile(r"^(?:中共)?[市县区省州]?(?:委|人民政府|政府)$")

# trailing words of a responsibility phrase: '等负责', '按职责分工负责', '等相关单位', '配合' …
_TRAILING = re.compile(
    "|".join(
        f"(?:{rx})"
        for rx in [
            (
                r"(?:按按|按照|按|依照|依|根据)(?:各自)?(?:职责|职能)(?:和|及)?(?:属地(?:管理)?(?:原则)?)?(?:分工)?(?:牵头)?(?:负责|配合|落实)?$"
            ),
            r"(?:按|依)属地(?:管理)?原则(?:分工)?(?:负责|配合)?$",
            r"(?:分工|共同)?(?:负责|配合|参与|协助|协同|落实)(?:具体实施|实施|落实)?$",
            r"具体实施$",
            r"(?<![高中初同平对])等(?:相关|有关|其他|其它)?(?:市直|县直|区直)?(?:单位|部门|成员单位)?$",
        ]
    )
)
_TRAILING_LAST = set("责能和及地理则工头合实与助同施等关他它直位门")  # last chars _TRAILING can match
_LEADING = re.compile(r"^(?:由|并由|另由|请)")
# '工业企业由市工业和信息化局': the words before 由 name what the unit handles, not the unit
_HANDLED_BY = re.compile(r"^[^由]{1,20}?由(?=[市县区省州国中])")
# a 牵头 marker and the words that may stand between the units and it ('按职责分工牵头负责')
_LEAD_MARK = re.compile(r"(?:总)?牵头(?:负责|落实)?")
# verbs that give the units of a clause their role; a clause without one is a bare list of units
_ROLE_VERB = re.compile(r"牵头|负责|配合|参与|协助|协办|落实|会同|指导|支持|组织|实施|推进")
# '县发改局（牵头）、县财政局' — the marker in brackets after the unit
_LEAD_NOTE = re.compile(r"[（(]\s*(?:总)?牵头(?:单位|部门)?\s*[)）]|为(?:总)?牵头(?:责任)?(?:单位|部门)")
# 'Y为责任单位' / 'Z为配合单位': the words go, the units stay
_ROLE_NOTE = re.compile(r"(?:分别)?为(?:主要)?(?:责任|配合|协办|参与|成员)(?:单位|部门)")
# 'X会同Y' names two units (but 会同县 is a county)
_JOINT = re.compile(r"会同(?!县)")
# label form: '牵头单位：X' '责任单位:Y' '牵头责任单位：X' '配合单位：Z'
_LABEL = re.compile(
    r"(总?牵头(?:责任)?(?:单位|部门)|(?:主要)?责任(?:单位|部门)|配合(?:单位|部门)|协办(?:单位|部门)|参与(?:单位|部门)|主办(?:单位|部门))\s*[:：]"
)
# '以下工作责任单位均含各县市区人民政府，邵阳经济技术开发区管委会，不再单列。'
_INCLUDED_NOTE = re.compile(
    r"以下[^。]*?(?:均含|均包括|均包含|包括|包含)(.+?)[，,。；;]?\s*不再(?:单列|列出|重复|一一列出)[。.]?"
)

# people: role words that end a person entry; connectors that leave an entry unfinished
_ROLE_END = re.compile(r"(?:负责人|负责同志|长|主任|书记|领导|委员|专员|人员|干部|同志|召集人)$")
_OPEN_END = re.compile(r"(?:相关|有关|主要|各|副|及|和|与|的|、|，|,)$")
_GROUP_END = re.compile(f"(?:{_UNIT_END}|单位|部门|成员)$")
_CONT_START = re.compile(r"^(?:单位|部门|成员|主要|负责|分管|副职|相关负责)")
# a two-character name written with a space inside: '杨 平', '罗  静' (lone characters on both sides)
_SPACED_NAME = re.compile(
    f"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[{SPACES}]+([\u4e00-\u9fff])(?![\u4e00-\u9fff])"
)
# a lone character spaced off the word it starts: '市 发改委' (layout spacing, not a separator)
_LONE_CHAR = re.compile(f"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[{SPACES}]+(?=[\u4e00-\u9fff])")
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


@dataclass
class Responsibility:
    """Units named in a responsibility cell or statement; ``lead_units`` ⊆ ``units`` (牵头)."""

    units: list[str] = field(default_factory=list)
    lead_units: list[str] = field(default_factory=list)

    def add(self, units: list[str], lead: bool = False) -> None:
        for u in units:
            if u not in self.units:
                self.units.append(u)
            if lead and u not in self.lead_units:
                self.lead_units.append(u)


# --------------------------------------------------------------------------- tokenising


@lru_cache(maxsize=64)
def _sep_rx(seps: str, spaces: bool) -> re.Pattern:
    chars = re.escape(seps) + (re.escape(SPACES) if spaces else "")
    return re.compile(f"[{chars}]+")


def split_top(text: str, seps: str, spaces: bool = False) -> list[str]:
    """Split on any char of ``seps`` (and runs of white space when ``spaces``) outside brackets/quotes."""
    if not _BRACKETS.search(text):
        return [s.strip(SPACES) for s in _sep_rx(seps, spaces).split(text) if s.strip(SPACES)]
    out: list[str] = []
    buf: list[str] = []
    stack: list[str] = []
    for ch in text:
        if ch in _OPEN:
            stack.append(ch)
        elif ch in _CLOSE and stack and stack[-1] == _CLOSE[ch]:
            stack.pop()
        elif ch == '"':  # ASCII quote: closes a “ or toggles its own pair
            if stack and stack[-1] in '“"':
                stack.pop()
            else:
                stack.append('"')
        elif not stack and (ch in seps or (spaces and ch in _WS)):
            out.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    out.append("".join(buf))
    return [s.strip(SPACES) for s in out if s.strip(SPACES)]


def _clean(text: str) -> str:
    if "<" in text or "*" in text or "#" in text or "_" in text:
        text = strip_markup(text)
    return text.strip(SPACES + "。.")


def strip_trailing(name: str) -> str:
    """Drop trailing 等 / 负责 / 按职责分工负责 / 配合 … and a leading 由 from one unit phrase."""
    name = _LEADING.sub("", name.strip(SPACES + "。.；;"))
    if "由" in name:
        name = _HANDLED_BY.sub("", name)
    while name and name[-1] in _TRAILING_LAST:
        new = _TRAILING.sub("", name).rstrip(SPACES + "、，,")
        if new == name:
            break
        name = new
    return name


# --------------------------------------------------------------------------- run-together names


def _can_end_here(name: str, start: int, i: int, strong: bool = False) -> bool:
    """Can a unit name that starts at ``start`` end before ``i`` (a real body, not a bare '市委'
    or a 总局)? Looks at a few characters only, so a scan over a long name stays linear."""
    if i - start < 3 or name[i - 1] not in _UNIT_LAST:
        return False
    tail = name[max(start, i - 8) : i]
    rx = _STRONG_END if strong else _ENDS_UNIT
    if not rx.search(tail) or tail.endswith("总局"):
        return False
    return i - start > 8 or not _BARE_GOV.match(tail)


@lru_cache(maxsize=4096)
def _split_run_together(name: str) -> tuple[str, ...]:
    return tuple(split_run_together(name))


def split_run_together(name: str) -> list[str]:
    """'县科工局县教育局县财政局' → three units; '市公安局交警支队' stays one.

    A split needs a unit ending on the left and, on the right, either the start of a new unit
    (市/县/各县市区/相关县市区 …) or a complete, non-subordinate unit name. One pass per rule,
    linear in the length of the name.
    """
    if len(name) < 6 or _BRACKETS.search(name):
        return [name] if name else []
    parts: list[str] = []
    for seg in _new_unit_segments(name):
        parts.extend(_whole_unit_segments(seg))
    return parts


def _new_unit_segments(name: str) -> list[str]:
    """Cut wherever a new unit starts after a unit ending ('县科工局|县教育局', 'X局|各县市区…')."""
    out, start, i, n = [], 0, 3, len(name)
    while i < n - 2:
        if _can_end_here(name, start, i):
            if _NEW_UNIT_START.match(name, i) and not (n - i <= 5 and _SUBORDINATE_END.search(name[i:])):
                out.append(name[start:i])
                start, i = i, i + 3
                continue
            if name[i] in "及和与" and n - i >= 4 and _NEW_UNIT_START.match(name, i + 1):
                out.append(name[start:i])
                start, i = i + 1, i + 4
                continue
        i += 1
    out.append(name[start:])
    return out


def _whole_unit_segments(seg: str) -> list[str]:
    """Cut before a complete, non-subordinate name that follows a strong ending ('县文旅局|新邵经开区')."""
    n = len(seg)
    if n < 7 or not _ENDS_UNIT.search(seg[-8:]) or _SUBORDINATE_END.search(seg[-8:]):
        return [seg]
    out, start = [], 0
    for i in range(3, n - 3):
        if (
            i - start >= 3
            and seg[i] not in _WORD_TAIL_CHARS
            and _can_end_here(seg, start, i, strong=True)
            and not _DEPENDENT_START.match(seg, i)
        ):
            out.append(seg[start:i])
            start = i
    out.append(seg[start:])
    return out


# --------------------------------------------------------------------------- units


def _expand_notes(text: str) -> str:
    """'以下…均含A，B，不再单列。' → 'A、B' (a table-wide note that names extra units)."""
    if "不再" not in text:
        return text
    return _INCLUDED_NOTE.sub(lambda m: "、" + "、".join(split_top(m.group(1), _LIST_SEPS)), text)


def _rejoin_dependents(tokens: list[str]) -> list[str]:
    """'市社会信用体系建设领导小组' + '各成员单位' → one unit (members of the body before)."""
    out: list[str] = []
    for tok in tokens:
        if out and _DEPENDENT_GROUP.match(tok) and not _LEAD_MARK.search(out[-1]):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def split_units(cell: str) -> list[str]:
    """Unit names in a responsibility cell, in order, without duplicates; 牵头/会同 treated as separators."""
    return parse_responsibility(cell).units


# 'X等市级相关单位' names X and a group: '市财政局等市级相关单位' -> '市财政局', '市级相关单位'
_GROUP_AFTER = re.compile(r"等(?=[省市县区州](?:级|直)(?:相关|有关|其他|其它)?(?:单位|部门))")


def _split_group_after(tok: str) -> list[str]:
    parts = _JOINT.split(tok)
    if "等" not in tok:
        return parts
    return [q for p in parts for q in _GROUP_AFTER.split(p)]


_PLACE_HEAD = re.compile(r"^各[县市区乡镇]$")
_PLACE_MID = re.compile(r"^[县市区乡镇]$")
_PLACE_TAIL = re.compile(r"^[县市区乡镇](?:人民)?政府$")


def _rejoin_places(tokens: list[str]) -> list[str]:
    """'各县', '市', '区政府' -> '各县、市、区政府': one body named by its places, not three units."""
    if len(tokens) < 2 or not any(_PLACE_HEAD.match(t) for t in tokens):
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = i + 1
        if _PLACE_HEAD.match(tokens[i]):
            while j < len(tokens) and _PLACE_MID.match(tokens[j]):
                j += 1
            if j < len(tokens) and _PLACE_TAIL.match(tokens[j]):
                out.append("、".join(tokens[i : j + 1]))
                i = j + 1
                continue
            j = i + 1
        out.append(tokens[i])
        i = j
    return out


def _units_of(text: str) -> list[str]:
    out: list[str] = []
    for tok in _rejoin_places(split_top(text, _LIST_SEPS)):
        for part in _split_group_after(tok):
            part = strip_trailing(part)
            if not part or not _looks_like_unit(part):
                continue
            out.extend(_BRACKETED.sub(_list_marks, n) for n in _split_run_together(nospace(part)))
    return out


_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")


def _list_marks(m: re.Match) -> str:
    """'各镇（街道,中心）' -> '各镇（街道、中心）': a list inside a name is written with 、."""
    return re.sub(r"[,，]", "、", m.group(0))


_DEADLINE_WORDS = re.compile(r"\d{1,2}月|年底|月底|年内|完成$")


def _looks_like_unit(part: str) -> bool:
    """Reject leftovers that are not names at all ('按职责和属地管理原则分工负责', '。', '6月底完成')."""
    p = nospace(part)
    return len(p) >= 2 and not re.fullmatch(r"[\d\W_]+", p) and not _DEADLINE_WORDS.search(p)


def has_first_leads_note(text: str) -> bool:
    """Does ``text`` carry a bracketed '列第一位者为牵头单位' note?"""
    return "牵头" in text and bool(_FIRST_LEADS_NOTE.search(nospace(text)))


def is_first_leads_note(text: str) -> bool:
    """'列第一位者为工作牵头单位或汇总单位，下同' (with or without its brackets): a note, not units."""
    t = text.strip()
    return bool(_FIRST_LEADS_NOTE.fullmatch(t if t[:1] in "（(" else f"({t})"))


def parse_responsibility(text: str) -> Responsibility:
    """Units and lead units of a responsibility cell or statement.

    Lead units are the ones explicitly marked: before a 牵头 in the same clause, or under a
    牵头单位 label. Nothing is marked → ``lead_units`` is empty (callers apply 备注 rules).
    """
    units, leads = _parse_responsibility(text)
    return Responsibility(list(units), list(leads))


@lru_cache(maxsize=4096)
def _parse_responsibility(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    resp = _read_responsibility(text)
    return tuple(resp.units), tuple(resp.lead_units)


# '部门分工：X牵头，Y配合' — a label over a statement that marks its own roles
_DIVISION_LABEL = re.compile(r"^(?:部门|责任|任务|工作)?分工\s*[:：]")
# '（列第一位者为工作牵头单位或汇总单位，下同）', '（首位单位为牵头单位，下同）': the first unit leads
_FIRST_LEADS_NOTE = re.compile(r"[（(][^（()）]{0,12}(?:第一|首位|首个|排首)[^（()）]{0,16}牵头[^（()）]{0,20}[)）]")


def _read_responsibility(text: str) -> Responsibility:
    text = _expand_notes(_clean(text))
    first_leads = False
    if "分工" in text[:6]:
        text = _DIVISION_LABEL.sub("", text)
    if "牵头" in text and _FIRST_LEADS_NOTE.search(text):
        text, first_leads = _FIRST_LEADS_NOTE.sub("", text), True
    resp = _read_labelled(text)
    if first_leads and resp.units and not resp.lead_units:
        resp.lead_units = resp.units[:1]
    return resp


def _read_labelled(text: str) -> Responsibility:
    text = _LONE_CHAR.sub(r"\1", text)
    if "牵头" in text:
        text = _LEAD_NOTE.sub("牵头", text)
    if "为" in text:
        text = _ROLE_NOTE.sub("", text)
    if len(text) > 1 and text[0] in "（([【" and text[-1] in "）)]】":
        text = text[1:-1].strip(SPACES)
    resp = Responsibility()
    if not _LABEL.search(text):
        _read_marked(text, resp)
        return resp
    parts = _LABEL.split(text)
    _read_marked(parts[0], resp)
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        _read_marked(value, resp, lead_all="牵头" in label or "主办" in label)
    return resp


def _read_marked(text: str, resp: Responsibility, lead_all: bool = False) -> None:
    """Add the units of ``text``; those before a 牵头 in their clause (or all, ``lead_all``) lead."""
    pending: list[str] = []  # bare unit clauses waiting for the verb that follows them
    for clause in _rejoin_dependents(split_top(text, "，,；;", spaces=True)):
        if not lead_all and not _ROLE_VERB.search(clause):
            pending.append(clause)  # 'A,B牵头,C负责' written with commas for 、: A leads with B
            continue
        pieces = _LEAD_MARK.split(clause)
        for c in pending:
            resp.add(_units_of(c), lead=len(pieces) > 1 and pieces[0] != "")
        pending = []
        for i, piece in enumerate(pieces):
            resp.add(_units_of(piece), lead=lead_all or i < len(pieces) - 1)
    for c in pending:
        resp.add(_units_of(c), lead=False)


def first_unit_leads(note: str) -> bool:
    """A 备注 such as '各单项工作排第一的为牵头单位' / '主要责任单位中排第一的为牵头责任单位'."""
    t = nospace(strip_markup(note))
    return bool(re.search(r"第一[^。；;]{0,10}牵头", t))


# --------------------------------------------------------------------------- people


def _is_name(tok: str) -> bool:
    """A personal name ('杨平', '欧阳晨光'), not a role or a unit."""
    if not _HAN_NAME.match(tok) or _ROLE_END.search(tok):
        return False
    return not (_ENDS_UNIT.search(tok) and (len(tok) >= 4 or tok[0] in "市县区省各"))


def _unfinished(tok: str, nxt: str) -> bool:
    """Does ``tok`` need ``nxt`` to be a whole entry ('各相关单位' + '主要负责人', '市政府各位副' + '市长')?"""
    if _OPEN_END.search(tok) or (_CONT_START.match(nxt) and not _is_name(tok)):
        return True
    if len(tok) >= 4 and _GROUP_END.search(tok) and not _ROLE_END.search(tok):
        return not _is_name(nxt)
    return False


def split_people(cell: str) -> list[str]:
    """Persons or leaders in a cell: names and generic groups, in order.

    White space separates entries, but a lone character pairs with the next ('杨 平'), and an
    unfinished group joins what follows ('市防汛抗旱指挥部 各成员单位主要 负责人'). 、/，split only
    when every part is a personal name ('何志红、唐青青'), never inside '市安委会、市减灾委相关成员单位主要负责人'.
    """
    return list(_split_people(cell))


@lru_cache(maxsize=4096)
def _split_people(cell: str) -> tuple[str, ...]:
    words = split_top(_SPACED_NAME.sub(r"\1\2", _clean(cell)), "", spaces=True)
    merged: list[str] = []
    i = 0
    while i < len(words):
        pieces = [words[i]]
        tail = words[i][-12:]  # enough to judge the end of the entry; keeps long cells linear
        while i + 1 < len(words) and _unfinished(tail, words[i + 1]):
            i += 1
            pieces.append(words[i])
            tail = (tail + words[i])[-12:]
        merged.append("".join(pieces))
        i += 1
    out: list[str] = []
    for w in merged:
        parts = split_top(w, "、，,；;")
        if len(parts) > 1 and all(_is_name(p) or _ROLE_END.search(p) and len(p) <= 8 for p in parts):
            out.extend(parts)
        elif w.strip("、，,；;"):
            out.append(w.strip("、，,；;"))
    return tuple(out)
