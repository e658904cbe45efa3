/* Plan dashboard charts: completion by unit and by kind, stacked by assignment status.
 * Data and colours come from json_script tags (the legend of plans/matrix.py), so the
 * charts need no extra request and match the matrix. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  // Horizontal stacked bars: long Chinese unit names stay readable on a phone.
  function stacked(elId, dataId) {
    var el = document.getElementById(elId);
    var data = read(dataId);
    if (!el || !data || !data.labels.length) { return; }
    el.style.height = Math.max(200, data.labels.length * 28 + 90) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      color: data.series.map(function (s) { return s.colour; }),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll", itemWidth: 14, itemHeight: 10 },
      grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category", data: data.labels, inverse: true,
        axisLabel: { width: 96, overflow: "truncate" }
      },
      series: data.series.map(function (s) {
        return {
          name: s.name, type: "bar", stack: "status", barMaxWidth: 20,
          emphasis: { focus: "series" }, data: s.data
        };
      })
    });
    charts.push(chart);
  }

  stacked("unit-chart", "unit-chart-data");
  stacked("kind-chart", "kind-chart-data");
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
