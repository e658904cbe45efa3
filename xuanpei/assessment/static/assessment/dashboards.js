/* Assessment dashboards (issue #13 item 4). The cockpit ("cockpit-data"): quarterly trends
 * of the year (activities, sessions, 人次; average score per unit type) and the ranking
 * per unit type. A unit's dashboard ("unit-dashboard-data"): points lost per item and
 * its total per quarter. Labels are Chinese; the server sends the numbers. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];
  var DARK = { text: "#dbe6ff", axis: "#3a4f86", split: "#1c2b55" };
  var BAND = { excellent: "#198754", good: "#0d6efd", pass: "#e0a800", fail: "#dc3545" };

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    // No animation: a wall screen reloads every few minutes and should show the numbers at once.
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
  }
  function axis(dark, extra) {
    var a = { axisLine: { lineStyle: { color: dark ? DARK.axis : "#adb5bd" } }, axisLabel: { color: dark ? DARK.text : "#495057" }, splitLine: { lineStyle: { color: dark ? DARK.split : "#e9ecef" } } };
    for (var k in extra) { a[k] = extra[k]; }
    return a;
  }

  var cockpit = read("cockpit-data");
  if (cockpit) {
    var t = cockpit.trend;
    make("cockpit-trend", {
      textStyle: { color: DARK.text },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, textStyle: { color: DARK.text }, pageTextStyle: { color: DARK.text } },
      grid: { left: 8, right: 8, top: 52, bottom: 8, containLabel: true },
      xAxis: axis(true, { type: "category", data: t.labels }),
      yAxis: [axis(true, { type: "value", name: "人次", minInterval: 1 }), axis(true, { type: "value", name: "场/期", minInterval: 1 })],
      series: [
        { name: "宣传覆盖人次", type: "bar", data: t.reach, itemStyle: { color: "#4fd1ff" }, barMaxWidth: 28 },
        { name: "参训人次", type: "bar", data: t.attendances, itemStyle: { color: "#7c5cff" }, barMaxWidth: 28 },
        { name: "宣传活动", type: "line", yAxisIndex: 1, data: t.activities, itemStyle: { color: "#ffd166" }, label: { show: true, color: "#ffd166" } },
        { name: "培训班次", type: "line", yAxisIndex: 1, data: t.sessions, itemStyle: { color: "#06d6a0" }, label: { show: true, color: "#06d6a0" } }
      ]
    });
    make("cockpit-averages", {
      textStyle: { color: DARK.text },
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: DARK.text } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: axis(true, { type: "category", data: t.labels }),
      yAxis: axis(true, { type: "value", name: "平均得分", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100 }),
      series: t.averages.map(function (a) { return { name: a.label, type: "line", data: a.values, connectNulls: false, label: { show: true, color: DARK.text } }; })
    });
    // The ranking: one bar per unit, grouped by type (best on top), coloured by band.
    var names = [], values = [];
    cockpit.ranking.slice().reverse().forEach(function (g) {
      g.names.slice().reverse().forEach(function (n, i) {
        var j = g.names.length - 1 - i;
        names.push(n);
        values.push({ value: g.totals[j], itemStyle: { color: BAND[g.bands[j]] } });
      });
    });
    make("cockpit-ranking", {
      textStyle: { color: DARK.text },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: axis(true, { type: "value", max: 100 }),
      yAxis: axis(true, { type: "category", data: names, axisLabel: { color: DARK.text, width: 90, overflow: "truncate" } }),
      series: [{ name: "得分", type: "bar", data: values, barMaxWidth: 18, label: { show: true, position: "right", color: DARK.text } }]
    });
  }

  var unit = read("unit-dashboard-data");
  if (unit) {
    var lost = unit.lost;
    make("unit-lost", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: axis(false, { type: "value", name: "失分" }),
      yAxis: axis(false, { type: "category", inverse: true, data: lost.names, axisLabel: { width: 110, overflow: "truncate" } }),
      series: [{ name: "失分", type: "bar", data: lost.lost, itemStyle: { color: "#dc3545" }, barMaxWidth: 22, label: { show: true, position: "right" } }],
      graphic: lost.names.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: "本季度各项均未失分", fill: "#6c757d", fontSize: 14 } }]
    });
    var h = unit.history;
    make("unit-history", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      xAxis: axis(false, { type: "category", data: h.labels }),
      yAxis: axis(false, { type: "value", max: 100, name: "得分" }),
      series: [{ name: "得分", type: "bar", data: h.totals, itemStyle: { color: "#0d6efd" }, barMaxWidth: 36, label: { show: true, position: "top" } }]
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
