"""Which units are ranked, and against whom (考核分组).

A 红黑榜 compares like with like: a county government is not measured against a city bureau or a
state-owned company, so units are ranked within their group — 县市区 (the governments of the regions
below), 市直单位 (the departments of the brief's own region; 县直单位 in a county) and 企业 (companies,
banks). Departments of a region below (县财政局 in a city brief covering its counties) form their own
group, 县市区部门.

Some names on tasks are not units that can answer for a score: groups (各县市区人民政府, 相关市直部门及项目
单位: ``Unit.is_group`` or written as a list) and deliberative bodies (市安委会, 领导小组, 指挥部, 联席会议):
their members report and are scored, the body itself is not ranked (:func:`rankable`).
"""

from __future__ import annotations

import re

from duban.ingest.text import norm_key
from duban.plans.unitnames import is_group

COUNTIES, DEPARTMENTS, ENTERPRISES, LOWER_DEPARTMENTS = "县市区", "直属单位", "企业", "县市区部门"

# deliberative and coordinating bodies: 市安委会, 市减灾委, 领导小组, 指挥部, 联席会议, 工作专班
_BODY = re.compile(r"(?:领导小组|指挥部|联席会议|专班|议事协调|[安减禁食]委会?$|委会$)")
# names that list several units or none in particular
_LISTED = re.compile(r"(?:相关|有关|涉及|^各|、|及|和其他|等$)")
_GOVERNMENT = re.compile(r"(?:[县市区旗]|自治县|管理区)(?:人民)?政府$|[县市区]委$")
_ENTERPRISE = re.compile(r"(?:公司|集团|银行|支行|分行|厂|有限|股份)")
_AUTHORITY = re.compile(r"(?:监督管理|监管|管理局|委员会|[局委办]$)")  # 银保监分局 is an authority, not a bank


def rankable(name: str, is_group_unit: bool = False) -> bool:
    """False for groups and deliberative bodies, which are not scored as one unit."""
    key = norm_key(name)
    if is_group_unit or is_group(key) or _BODY.search(key):
        return False
    return not _LISTED.search(key)


def unit_group(name: str, region: str, home: str) -> str:
    """The group a unit is ranked in; ``region`` is the unit's, ``home`` the brief's (邵阳市)."""
    key = norm_key(name)
    if _ENTERPRISE.search(key) and not _AUTHORITY.search(key):
        return ENTERPRISES
    own = {f"{home}人民政府", f"{home}政府", f"{home[-1:]}人民政府", f"{home[-1:]}政府"} if home else set()
    if _GOVERNMENT.search(key) and key not in own:
        return COUNTIES
    if region and home and region != home:
        return LOWER_DEPARTMENTS
    return DEPARTMENTS


def group_label(group: str, home: str) -> str:
    """How the brief names a group: 市直单位 for a city, 县直单位 for a county."""
    if group != DEPARTMENTS:
        return group
    level = home[-1:] if home and home[-1:] in "省市州县区" else "市"
    return f"{level}直单位"


GROUP_ORDER = (COUNTIES, DEPARTMENTS, LOWER_DEPARTMENTS, ENTERPRISES)
