"""Charts: PNG bytes with a CJK font when one exists; without one, still a chart and a clear warning."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from duban.briefs import charts


@pytest.fixture
def fresh_font_cache():
    charts.cjk_font.cache_clear()
    yield
    charts.cjk_font.cache_clear()


def test_bar_and_status_charts_are_pngs():
    png = charts.bar_chart(["经济增长主动仗", "科技创新攻坚仗"], {"平均进度": [23.1, 17.4], "序时进度": [19, 19]},
                           title="各仗进度", unit="%")
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.width == 900  # 6 in × 150 dpi
    img = Image.open(io.BytesIO(charts.status_chart({"已完成": 4, "滞后": 6})))
    assert img.format == "PNG" and img.height == 240


def test_bad_chart_data_is_refused():
    with pytest.raises(ValueError, match="有 1 个值，类别有 2 个"):
        charts.bar_chart(["甲", "乙"], {"进度": [1]})
    with pytest.raises(ValueError, match="没有数据"):
        charts.status_chart({"已完成": 0})


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the boxes the warning announces
def test_without_cjk_font_warns_and_still_draws(monkeypatch, fresh_font_cache):
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such CJK Font",))
    monkeypatch.setattr(charts.font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.warns(RuntimeWarning, match="未找到中文字体.*fonts-noto-cjk"):
        assert charts.cjk_font() is None
    png = charts.bar_chart(["甲"], {"进度": [1]})
    assert Image.open(io.BytesIO(png)).format == "PNG"
