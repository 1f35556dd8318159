/* Charts of the dashboard and the public page. Data comes from <script type="application/json">
   (json_script); without ECharts (vendor file absent) the tables alone are shown. */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var COLORS = { green: "#2e7d32", yellow: "#e0a800", red: "#c62828" };
  var LIGHT_NAMES = { green: "绿灯", yellow: "黄灯", red: "红灯" };
  var charts = [];
  // tooltips drawn on the canvas ("richText"), not as HTML: ECharts' HTML tooltips carry inline
  // style attributes, which the Content-Security-Policy (style-src 'self') refuses
  var TOOLTIP = { trigger: "axis", renderMode: "richText" };
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    document.body.classList.add("charts-on");
    var c = window.echarts.init(el);
    c.setOption(option);
    charts.push(c);
  }
  function short(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }

  function campaignChart(id, campaigns) {
    var names = campaigns.map(function (c) { return short(c.name, 10); });
    chart(id, {
      tooltip: TOOLTIP,
      legend: { data: ["平均进度", "序时进度", "完成率"], top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 30, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: "平均进度", type: "bar", data: campaigns.map(function (c) { return c.mean_percent; }) },
        { name: "完成率", type: "bar", data: campaigns.map(function (c) { return c.done_share; }) },
        { name: "序时进度", type: "line", data: campaigns.map(function (c) { return c.mean_expected; }) }
      ]
    });
  }

  var dash = data("dashboard-data");
  if (dash) {
    campaignChart("chart-campaigns", dash.campaigns);
    var amounts = dash.targets.filter(function (t) { return t.expected !== null; }).slice(0, 30);
    if (amounts.length) {
      chart("chart-targets", {
        tooltip: TOOLTIP,
        legend: { data: ["完成率", "序时进度"], top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 30, containLabel: true },
        xAxis: { type: "category", data: amounts.map(function (t) { return short(t.indicator, 8); }), axisLabel: { interval: 0, rotate: 40 } },
        yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
        series: [
          { name: "完成率", type: "bar", data: amounts.map(function (t) {
            return { value: t.completion === null ? 0 : t.completion, itemStyle: { color: COLORS[t.light] } };
          }) },
          { name: "序时进度", type: "line", data: amounts.map(function (t) { return t.expected; }) }
        ]
      });
    }
    var lights = Object.keys(dash.lights).map(function (k) {
      return { name: LIGHT_NAMES[k], value: dash.lights[k], itemStyle: { color: COLORS[k] } };
    });
    var lightEl = document.getElementById("light-card");
    if (lightEl) { lightEl.title = lights.map(function (l) { return l.name + " " + l.value; }).join("，"); }
  }
  var pub = data("public-data");
  if (pub) { campaignChart("chart-public", pub.campaigns); }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
