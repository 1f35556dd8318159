"""Pass: teams (to be written)."""

from __future__ import annotations


def extract(lines, outline) -> list:
    return []
