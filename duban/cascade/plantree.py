"""Plans as trees: a document's own tree (通知 → 总体方案 → 工作方案 → 责任分解表) and the links
across documents (a county plan's root → the city plan it implements), both through ``Plan.parent``.
"""

from __future__ import annotations

from collections.abc import Iterable

from duban.plans.models import Plan, Region


class CascadeError(ValueError):
    """A request the cascade cannot carry out; the message is for the user, in Chinese."""


NO_REGION = "未标明地区"  # tasks of a plan without a region, in a summary by region


def region_groups(region_ids) -> dict[int | None, tuple[tuple[int, int], str]]:
    """{region id: (sort key, name of its group)}: the regions one level below what ``region_ids``
    share — the 市州 of a province, the 县市区 of a city (the shared region itself is its 本级).
    A plan without a region (None) is its own group, listed last."""
    regions = {pk: (name, up) for pk, name, up in Region.objects.values_list("id", "name", "parent_id")}

    def chain(pk: int) -> list[int]:
        out: list[int] = []
        while pk is not None and pk not in out:
            out.append(pk)
            pk = regions[pk][1]
        return out[::-1]  # root first

    chains = {pk: chain(pk) for pk in region_ids if pk is not None}
    shared, paths = 0, list(chains.values())  # the length of the chain they share
    while paths and all(len(c) > shared and c[shared] == paths[0][shared] for c in paths):
        shared += 1
    out: dict[int | None, tuple[tuple[int, int], str]] = {}
    for pk, c in chains.items():
        if len(c) > shared:
            out[pk] = ((1, c[shared]), regions[c[shared]][0])
        else:  # the shared region's own plans
            out[pk] = ((0, pk), f"{regions[pk][0]}本级")
    if None in region_ids:
        out[None] = ((2, 0), NO_REGION)
    return out


def region_ancestors(region: Region | None) -> list[Region]:
    """The regions above ``region``, nearest first (新邵县 -> [邵阳市, 湖南省])."""
    out, seen = [], set()
    node = region.parent if region is not None else None
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        out.append(node)
        node = node.parent
    return out


def is_document_root(plan: Plan) -> bool:
    """No parent in its own document: the plan a cross-document link hangs on."""
    parent = plan.parent
    return parent is None or parent.source_document_id != plan.source_document_id


def document_root(plan: Plan) -> Plan:
    """The top plan of ``plan``'s document tree (usually the 通知)."""
    seen = set()
    while not is_document_root(plan) and plan.pk not in seen:
        seen.add(plan.pk)
        plan = plan.parent
    return plan


def linked_parent(plan: Plan) -> Plan | None:
    """The upper-level plan ``plan`` implements: the cross-document parent of its document root."""
    root = document_root(plan)
    return root.parent if root.parent_id else None


def document_subtree_ids(plans: Iterable[Plan]) -> list[int]:
    """Ids of ``plans`` and of their active descendants in the same document (one query)."""
    plans = list(plans)
    children: dict[tuple[int, int | None], list[int]] = {}
    docs = {p.source_document_id for p in plans}
    for pk, parent_id, doc_id in Plan.objects.filter(source_document_id__in=docs, active=True).values_list(
        "pk", "parent_id", "source_document_id"
    ):
        children.setdefault((doc_id, parent_id), []).append(pk)
    out: set[int] = set()
    stack = [(p.source_document_id, p.pk) for p in plans]
    while stack:
        doc_id, pk = stack.pop()
        if pk in out:
            continue
        out.add(pk)
        stack.extend((doc_id, child) for child in children.get((doc_id, pk), []))
    return sorted(out)


def place_names(*regions: Region | None) -> tuple[str, ...]:
    """Names by which a plan's text mentions its regions: 新邵县, 新邵, 邵阳市, 邵阳, short names."""
    names = set()
    for r in regions:
        if r is None:
            continue
        names.update(n for n in (r.name, r.short_name) if n)
        if len(r.name) > 2 and r.name[-1] in "省市州县区":
            names.add(r.name[:-1])
    return tuple(sorted(names, key=len, reverse=True))


def _listing(plans) -> str:
    return "；".join(f"#{p.pk} {p.title}" for p in plans[:8]) + ("…" if len(plans) > 8 else "")


def pick_child_root(plans: Iterable[Plan], arg: str) -> Plan:
    """The one document root among the plans a CHILD argument found (新邵县 -> its 通知)."""
    roots = {}
    for p in plans:
        root = document_root(p)
        roots.setdefault(root.pk, root)
    if len(roots) != 1:
        raise CascadeError(
            f"“{arg}”涉及 {len(roots)} 个文件的方案，请用编号指定其一的顶层方案：{_listing(list(roots.values()))}"
        )
    return next(iter(roots.values()))


def pick_parent_plan(plans: Iterable[Plan], arg: str) -> Plan:
    """The plan a PARENT argument means: the only one found, else its one 总体方案, else its one root."""
    plans = list(plans)
    if len(plans) == 1:
        return plans[0]
    overall = [p for p in plans if p.kind == "总体方案"]
    if len(overall) == 1:
        return overall[0]
    roots = {document_root(p).pk: document_root(p) for p in plans}
    if len(roots) == 1:
        return next(iter(roots.values()))
    raise CascadeError(f"“{arg}”对应多个方案，请用编号指定上级方案：{_listing(plans)}")
