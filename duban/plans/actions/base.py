"""What every part of an import shares: values cut to their column, the tally of changes of one
kind of record, and how a task is named in the change report."""

from __future__ import annotations

from dataclasses import dataclass, field


def clip(model, field: str, value: str | None) -> str:
    """``value`` cut to the column's length (a garbled cell must not abort the whole import)."""
    return (value or "")[: model._meta.get_field(field).max_length]


@dataclass
class Tally:
    """Added / changed / removed records of one kind, with a few examples of each."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: int = 0  # only the line changed
    unchanged: int = 0

    def counts(self) -> dict:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "moved": self.moved,
            "unchanged": self.unchanged,
        }


def describe(task_line: int, title: str) -> str:
    """A task in the change report: its line and (shortened) title."""
    short = title if len(title) <= 40 else title[:39] + "…"
    return f"第 {task_line} 行「{short}」"
