"""Charts for briefs, drawn by matplotlib as PNG bytes ready for :meth:`GongwenDoc.image`.

Chinese labels need a CJK font. We look for one at run time (Noto CJK, 文泉驿, 思源, SimHei, 微软雅黑 …),
registering font files that matplotlib's cache has not seen yet; without one the chart is still drawn
and a warning says the labels may show as boxes and how to install a font (Debian: fonts-noto-cjk or
fonts-wqy-zenhei). Only the object-oriented API is used (``Figure``), never ``pyplot``; the font is
set for the drawing only (``rc_context``).
"""

from __future__ import annotations

import io
import logging
import warnings
from functools import lru_cache

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Serif SC",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
    "Heiti SC", "STHeiti", "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback",
)
CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehan", "wqy", "simhei", "msyh", "pingfang",
                  "uming", "ukai", "droidsansfallback")
NO_FONT_WARNING = ("未找到中文字体，图表中的汉字可能显示为方框；"
                   "请安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk 或 fonts-wqy-zenhei）")

# Light colours used across the system (督办 三色 and 序时进度 lights).
GREEN, YELLOW, RED, BLUE, GREY = "#2e9d4f", "#e6a700", "#d62728", "#1f77b4", "#9e9e9e"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a CJK font matplotlib can use, or None (after one warning)."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    if not any(family in known for family in CJK_FAMILIES):
        _register_system_cjk_fonts()
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            # CJK fonts often come in one weight only (文泉驿: 500); say nothing about drawing it as 'normal'.
            logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
            return family
    warnings.warn(NO_FONT_WARNING, RuntimeWarning, stacklevel=2)
    return None


def _register_system_cjk_fonts() -> None:
    """Fonts installed after matplotlib built its cache are unknown to it until added by file."""
    for path in font_manager.findSystemFonts():
        if any(h in path.lower().replace("-", "").replace("_", "") for h in CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue


def _rc() -> dict:
    family = cjk_font()
    return {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"], "axes.unicode_minus": False}


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def bar_chart(labels: list[str], series: dict[str, list[float]], *, title: str = "", unit: str = "",
              colors: list[str] | None = None, horizontal: bool = True) -> bytes:
    """Grouped bars, one group per label (e.g. 各仗: 实际进度 vs 序时进度); horizontal for long labels."""
    if not labels:
        raise ValueError("图表没有数据")
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"数据系列“{name}”有 {len(values)} 个值，类别有 {len(labels)} 个")
    with rc_context(_rc()):
        return _bars(labels, series, title, unit, colors, horizontal)


def _bars(labels, series, title, unit, colors, horizontal) -> bytes:
    n = len(series)
    height = max(2.4, 0.45 * len(labels) * max(1, n) ** 0.5 + 1.0) if horizontal else 3.2
    fig = Figure(figsize=(6.0, height), dpi=150)
    ax = fig.add_subplot()
    width = 0.8 / max(1, n)
    palette = colors or [BLUE, GREY, GREEN, YELLOW, RED]
    for i, (name, values) in enumerate(series.items()):
        pos = [k + (i - (n - 1) / 2) * width for k in range(len(labels))]
        if horizontal:
            ax.barh(pos, values, height=width, label=name, color=palette[i % len(palette)])
        else:
            ax.bar(pos, values, width=width, label=name, color=palette[i % len(palette)])
    if horizontal:
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlabel(unit)
    else:
        ax.set_xticks(range(len(labels)), labels)
        ax.set_ylabel(unit)
    if title:
        ax.set_title(title)
    if n > 1:
        ax.legend(loc="best", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def status_chart(counts: dict[str, int], *, title: str = "", colors: dict[str, str] | None = None) -> bytes:
    """One horizontal stacked bar of tasks by status (已完成 / 按进度推进 / 滞后 / 逾期 …) with counts."""
    if not counts or sum(counts.values()) <= 0:
        raise ValueError("图表没有数据")
    with rc_context(_rc()):
        return _stacked(counts, title, colors)


def _stacked(counts, title, colors) -> bytes:
    fig = Figure(figsize=(6.0, 1.6), dpi=150)
    ax = fig.add_subplot()
    left = 0
    default = [GREEN, BLUE, YELLOW, RED, GREY]
    for i, (name, count) in enumerate(counts.items()):
        color = (colors or {}).get(name, default[i % len(default)])
        ax.barh([0], [count], left=left, color=color, label=f"{name} {count}")
        if count:
            ax.text(left + count / 2, 0, str(count), ha="center", va="center", color="white", fontsize=9)
        left += count
    ax.set_yticks([])
    ax.set_xlim(0, left)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=min(5, len(counts)), fontsize=8,
              frameon=False)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return _png(fig)
