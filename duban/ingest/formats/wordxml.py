"""WordprocessingML as the .docx reader needs it: child lookup, values and toggles, and Word's
auto-numbering (一、 （一） 1. in list styles) rendered as Word shows it, so the outline numbers and
序号 cells of a .docx exist in its text."""

from __future__ import annotations

import re

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALSE = {"0", "false", "off", "none"}


def w(el, *path: str):
    """Follow child tags (without prefix) from ``el``; None when a step is missing."""
    for tag in path:
        if el is None:
            return None
        el = el.find(W + tag)
    return el


def val(el) -> str | None:
    return None if el is None else el.get(W + "val")


def on(el) -> bool | None:
    """A w:b-like toggle: None when absent."""
    if el is None:
        return None
    v = el.get(W + "val")
    return v is None or v.lower() not in _FALSE


_CN_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一, 105 -> 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if not rest else ("零" + _CN_DIGITS[rest] if rest < 10 else chinese_number(rest) if rest >= 20
                                    else "一" + chinese_number(rest))
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                 (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + s, n - v
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word numFmt."""
    if fmt in {"chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital"}:
        return chinese_number(n)
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt.startswith("decimalEnclosedCircle") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt in {"upperRoman", "lowerRoman"}:
        r = _roman(n)
        return r if fmt == "upperRoman" else r.lower()
    if fmt in {"upperLetter", "lowerLetter"}:
        s = _letters(n)
        return s if fmt == "upperLetter" else s.lower()
    if fmt == "decimalFullWidth":
        return str(n).translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
    return str(n)


class Numbering:
    """Word auto-numbering (一、 （一） 1. in list styles): renders the label Word would show, so
    the outline numbers and 序号 cells exist in the text."""

    def __init__(self, numbering_el):
        self._abstract: dict[str, dict[int, tuple[int, str, str, int | None]]] = {}
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        if numbering_el is None:
            return
        for an in numbering_el.iter(W + "abstractNum"):
            levels = {}
            for lvl in an.iter(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl") or 0)
                start = val(w(lvl, "start"))
                restart = val(w(lvl, "lvlRestart"))
                levels[ilvl] = (
                    int(start) if start and start.isdigit() else 1,
                    val(w(lvl, "numFmt")) or "decimal",
                    val(w(lvl, "lvlText")) or "",
                    int(restart) if restart and restart.isdigit() else None,
                )
            self._abstract[an.get(W + "abstractNumId")] = levels
        for num in numbering_el.iter(W + "num"):
            overrides = {}
            for ov in num.iter(W + "lvlOverride"):
                s = val(w(ov, "startOverride"))
                if s and s.isdigit():
                    overrides[int(ov.get(W + "ilvl") or 0)] = int(s)
            self._nums[num.get(W + "numId")] = (val(w(num, "abstractNumId")) or "", overrides)

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance the list's counter at ``ilvl`` and return the rendered label ('' for bullets)."""
        if num_id not in self._nums:
            return ""
        abstract_id, overrides = self._nums[num_id]
        levels = self._abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self._counters.setdefault(abstract_id, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for lv, start in overrides.items():
                counters[lv] = start - 1
        start, fmt, text, _ = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [lv for lv in counters if lv > ilvl]:
            restart = levels.get(deeper, (1, "", "", None))[3]
            if restart is None or restart > ilvl:
                del counters[deeper]
        if fmt in {"bullet", "none"}:
            return ""

        def render(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            lv_start, lv_fmt = levels.get(lv, (1, "decimal", "", None))[:2]
            return format_number(counters.get(lv, lv_start), lv_fmt)

        return re.sub(r"%([1-9])", render, text)

