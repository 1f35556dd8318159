"""Campaign (仗/行动) names read from plan titles. Pure logic, no database.

A battle's 工作方案 and its 责任分解表 must land in one campaign although their titles differ:
邵阳市打好科技创新攻坚战工作方案 / 邵阳市打好“科技创新攻坚仗”重点工作任务责任分解表 /
邵阳市安全生产“翻身仗”工作实施方案. So the name is the title without quotes, year, issuer,
打好/实施 and the document-kind words, and 战 is spelled 仗.
"""

from __future__ import annotations

import re

from duban.ingest.text import norm_key

# document-kind words at the end of a title, longest first
_KIND_TAIL = re.compile(
    r"(?:(?:重点)?(?:工作)?任务(?:责任)?分解表|(?:重点)?(?:工作)?任务清单|(?:重点)?项目清单|"
    r"(?:工作)?实施方案|工作方案|方案)$"
)
_QUOTES = re.compile(r"[“”\"'‘’《》「」]")
_YEAR = re.compile(r"^(?:20\d\d|二〇[一二三四五六七八九〇]{2})年(?:度)?")
_WHOLE = re.compile(r"^全[省市州县区乡镇]")
# an issuer not known to the caller: a place name right before the verb (沅江市打好…)
_PLACE_BEFORE_VERB = re.compile(r"^[\u4e00-\u9fff]{1,8}?[省市州县区](?=(?:打好|打赢|实施))")
_VERB = re.compile(r"^(?:坚决|全力|奋力|持续)?(?:打好|打赢|实施|开展|推进)")
_CAMPAIGN = re.compile(r"^[\u4e00-\u9fff]{2,16}(?:仗|战|行动)$")
# the umbrella names of a whole system (发展六仗, 八大行动) are not one campaign
_UMBRELLA = re.compile(r"[一二三四五六七八九十两]{1,2}大?(?:仗|战|行动)$")

CAMPAIGN_KINDS = {"工作方案", "实施方案", "责任分解表", "任务清单", "项目清单"}


def campaign_name(title: str, issuer_names: tuple[str, ...] = ()) -> str | None:
    """The campaign a plan title belongs to, or None (通知, 总体方案, 名单, unrecognised titles).

    >>> campaign_name("邵阳市打好“科技创新攻坚战”重点工作任务责任分解表", ("邵阳市",))
    '科技创新攻坚仗'
    >>> campaign_name("新邵县实施产业培塑行动工作方案", ("新邵县",))
    '产业培塑行动'
    """
    name = _QUOTES.sub("", norm_key(title))
    name = _KIND_TAIL.sub("", name)
    for _ in range(3):  # prefixes come in any order: 2023年全市打好…, 邵阳市2023年实施…
        before = name
        name = _YEAR.sub("", name)
        name = _WHOLE.sub("", name)
        name = _PLACE_BEFORE_VERB.sub("", name)
        for issuer in sorted(issuer_names, key=len, reverse=True):
            if issuer and name.startswith(issuer):
                name = name[len(issuer) :]
        name = _VERB.sub("", name)
        if name == before:
            break
    if not _CAMPAIGN.match(name) or _UMBRELLA.search(name):
        return None
    if name.endswith("战"):
        name = name[:-1] + "仗"
    return name


def campaign_kind(name: str) -> str:
    """仗 or 行动."""
    return "行动" if name.endswith("行动") else "仗"
