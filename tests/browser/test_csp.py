"""No Content-Security-Policy violation on the office's pages, charts included: every
``securitypolicyviolation`` event of the page (inline styles written by ECharts' tooltips and
labels were the usual ones) is collected, with the mouse moved over each chart so its tooltip is drawn."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import login

COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var on = e.target && e.target.tagName ? e.target.tagName : "?";
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " on " + on +
                    " from " + (e.sourceFile || "the page") + ":" + e.lineNumber);
});
"""
PAGES = {"office": ["/dashboard/", "/", "/plans/", "/assessment/"], "leader": ["/leader/"]}


def hover_charts(page) -> int:
    charts = page.locator("[id^=chart-] canvas")
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        if not box:
            continue
        for fx in (0.2, 0.5, 0.8):  # over a few bars: each draws the tooltip again
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.6)
            page.wait_for_timeout(150)
    return charts.count()


def test_office_pages_and_their_charts_break_no_csp_rule(web, open_page):
    seen, charts = {}, 0
    for who, paths in PAGES.items():
        page = open_page("desktop")
        page.add_init_script(COLLECT)
        login(page, web, who)
        for path in paths:
            response = page.goto(web.base + path)
            assert response.status == 200, path
            expect(page.locator("#main h1").first).to_be_visible()
            charts += hover_charts(page)
            seen[path] = page.evaluate("window.__csp")
    assert charts >= 2, "the dashboard's charts were not drawn (is ECharts in duban/ui/static/vendor/?)"
    assert {p: [len(v), *sorted(set(v))] for p, v in seen.items() if v} == {}  # path: [count, kinds]
