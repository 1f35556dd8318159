"""Who issued the plan: region and level, read from the first document titles."""

from __future__ import annotations

import re

from duban.ingest.structure import Outline
from duban.ingest.text import Line

_REGION = re.compile(r"([\u4e00-\u9fff]{1,6}?(?:自治州|省|市|州|县|区))(?:人民政府|打好|实施|关于|20\d\d|“)")


def detect(lines: list[Line], outline: Outline) -> dict:
    for doc in outline.documents:
        m = _REGION.search(doc.title)
        if m:
            region = m.group(1)
            level = "省" if region.endswith("省") else ("县" if region.endswith(("县", "区")) else "市")
            return {"region": region, "level": level, "parent": None}
    return {"region": None, "level": None, "parent": None}
