/* 持证率 dashboard charts: rate by unit (click to drill down), by sector, monthly trend.
 * Data comes from json_script tags in the page, so the charts need no extra request. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function colour(rate, target) {
    if (rate === null) { return "#adb5bd"; }
    if (rate >= target) { return "#198754"; }
    return rate >= 90 ? "#ffc107" : "#dc3545";
  }

  function pct(v) { return v === null || v === undefined ? "—" : v.toFixed(1) + "%"; }

  function lowest(rates) {
    var values = rates.filter(function (r) { return r !== null; });
    if (!values.length) { return 0; }
    // Start the axis a little below the lowest rate so that differences show.
    return Math.max(0, Math.floor((Math.min.apply(null, values) - 5) / 10) * 10);
  }

  // Horizontal bars: long Chinese names stay readable on a phone.
  function rateBars(elId, dataId) {
    var el = document.getElementById(elId);
    var data = read(dataId);
    if (!el || !data) { return; }
    el.style.height = Math.max(220, data.labels.length * 34 + 60) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return data.labels[i] + "<br>持证率 " + pct(data.rates[i]) +
            "<br>持证 " + data.compliant[i] + " / 应持证 " + data.required[i];
        }
      },
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: lowest(data.rates), max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
      series: [{
        type: "bar", barMaxWidth: 22,
        data: data.rates.map(function (r) { return { value: r, itemStyle: { color: colour(r, data.target) } }; }),
        label: { show: true, position: "right", formatter: function (p) { return pct(p.value); } },
        markLine: {
          silent: true, symbol: "none", lineStyle: { color: "#0d6efd", type: "dashed" },
          label: { formatter: "目标 " + data.target + "%", position: "insideEndTop" },
          data: [{ xAxis: data.target }]
        }
      }]
    });
    if (data.urls && data.urls.length) {
      chart.getZr().setCursorStyle("pointer");
      chart.on("click", function (p) {
        var url = data.urls[p.dataIndex];
        if (url) { window.location.href = url; }
      });
    }
    charts.push(chart);
  }

  function trendLine(elId, dataId) {
    var el = document.getElementById(elId);
    var data = read(dataId);
    if (!el || !data) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var i = items[0].dataIndex;
          return data.labels[i] + "<br>持证率 " + pct(data.rates[i]) +
            "<br>持证 " + data.compliant[i] + " / 应持证 " + data.required[i];
        }
      },
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, boundaryGap: false },
      yAxis: { type: "value", min: lowest(data.rates), max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        type: "line", data: data.rates, connectNulls: true, symbolSize: 7,
        itemStyle: { color: "#0d6efd" }, areaStyle: { opacity: 0.08 },
        markLine: {
          silent: true, symbol: "none", lineStyle: { color: "#198754", type: "dashed" },
          label: { formatter: "目标 " + data.target + "%", position: "insideEndTop" },
          data: [{ yAxis: data.target }]
        }
      }]
    });
    charts.push(chart);
  }

  rateBars("unit-chart", "unit-chart-data");
  rateBars("sector-chart", "sector-chart-data");
  trendLine("trend-chart", "trend-chart-data");
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
