/* Home dashboard: the "enterprises per unit" bar chart.
 * Data comes from the page itself (a json_script tag), so the chart needs no extra request. */
(function () {
  "use strict";
  var el = document.getElementById("enterprise-chart");
  var source = document.getElementById("enterprise-chart-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  // Horizontal bars: long Chinese unit names stay readable on a phone.
  el.style.height = Math.max(240, data.labels.length * 34 + 70) + "px";
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#198754", "#adb5bd"],
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: data.series, top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      { name: data.series[0], type: "bar", stack: "total", data: data.active, barMaxWidth: 22 },
      { name: data.series[1], type: "bar", stack: "total", data: data.closed, barMaxWidth: 22,
        label: { show: true, position: "right", color: "#495057",
                 formatter: function (p) { return data.active[p.dataIndex] + data.closed[p.dataIndex]; } } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
