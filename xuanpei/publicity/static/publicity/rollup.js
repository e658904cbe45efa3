/* 宣传统计汇总 charts: one bar (or month line) chart per table; a click opens the records.
 * Data comes from the json_script tag "rollup-data", so the charts need no extra request. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var source = document.getElementById("rollup-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  Object.keys(data).forEach(function (name) {
    var el = document.getElementById("chart-" + name);
    var d = data[name];
    if (!el || !d.labels.length) { if (el) { el.style.display = "none"; } return; }
    var line = el.getAttribute("data-kind") === "line";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: line
        ? { type: "category", data: d.labels }
        : { type: "value", minInterval: 1 },
      yAxis: line
        ? { type: "value", minInterval: 1 }
        : { type: "category", data: d.labels, inverse: true, axisLabel: { width: 96, overflow: "truncate" } },
      series: [{
        type: line ? "line" : "bar", data: d.counts, barMaxWidth: 22, smooth: false,
        itemStyle: { color: "#0d6efd" }, areaStyle: line ? { opacity: 0.15 } : undefined,
        label: { show: !line, position: "right" }
      }]
    });
    if (!line) { el.style.height = Math.max(200, d.labels.length * 28 + 40) + "px"; chart.resize(); }
    chart.on("click", function (p) {
      var url = d.urls[p.dataIndex];
      if (url) { window.location.href = url; }
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
