"""Pass: leaders named in section headings, passed down to the tasks below that name none.

Work reports split by leader: '一、朱伟县长牵头重点工作', '一、王纲市长主抓重点工作', or a section row
'一、主要经济社会发展指标…(牵头领导:成坤、柯相国、王俊)'. The leader of the nearest such heading above
a task is its 责任领导 unless the task names its own.
"""

from __future__ import annotations

import re

from duban.ingest.model import Task
from duban.ingest.structure import Outline, strip_numbering
from duban.ingest.text import nospace
from duban.ingest.units import split_people

_TITLES = r"(?:常务)?副?(?:省长|市长|县长|区长|州长|盟长|旗长|镇长|乡长|秘书长|书记|主任)"
# '朱伟县长牵头重点工作': a name, a title, a verb of leading
_NAMED = re.compile(rf"^(?P<name>[\u4e00-\u9fff]{{2,3}}?){_TITLES}(?:同志)?(?:牵头|主抓|负责|分管|领衔|联系)")
# '(牵头领导:成坤、柯相国、王俊)'
_LABELLED = re.compile(r"[（(](?:牵头|责任|分管|联系|主抓)领导\s*[:：]\s*(?P<names>[^()（）]{2,40})[)）]")


def heading_leaders(text: str) -> list[str]:
    """Leaders a heading names, [] when none."""
    if "领导" not in text and not re.search(_TITLES, text):
        return []
    t = nospace(text)
    m = _LABELLED.search(t)
    if m:
        return split_people(m.group("names"))
    m = _NAMED.match(strip_numbering(t))
    return [m.group("name")] if m else []


def inherit(tasks: list[Task], outline: Outline) -> None:
    """Give each task without leaders those of the nearest heading above it that names some."""
    found: dict[int, list[str]] = {}
    for task in tasks:
        if task.leaders:
            continue
        for h in reversed(outline.heading_path(task.line)):
            if h.line == task.line:
                continue
            if h.line not in found:
                found[h.line] = heading_leaders(h.text)
            if found[h.line]:
                task.leaders = list(found[h.line])
                break
