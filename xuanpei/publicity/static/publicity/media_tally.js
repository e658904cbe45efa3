/* New-media tallies: posts per month (bars) and views (line), from a json_script tag. */
(function () {
  "use strict";
  var el = document.getElementById("media-month-chart");
  var source = document.getElementById("media-month-data");
  if (!window.echarts || !el || !source) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, itemWidth: 14, itemHeight: 10 },
    grid: { left: 8, right: 8, top: 30, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.months },
    yAxis: [
      { type: "value", minInterval: 1, name: "" },
      { type: "value", minInterval: 1, splitLine: { show: false } }
    ],
    series: [
      { name: data.count_label, type: "bar", data: data.counts, barMaxWidth: 24 },
      { name: data.views_label, type: "line", yAxisIndex: 1, data: data.views }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
