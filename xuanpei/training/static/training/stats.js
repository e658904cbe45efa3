/* 培训统计 charts: 人次 and 班次 per quarter (bars), 人次 by kind of training (pie).
 * Data comes from the json_script tag "training-stats-data"; a click opens the records
 * (a 人次 bar or slice: the names; a 班次 bar: the sessions). */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var source = document.getElementById("training-stats-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  // 人次 opens the names behind it, 班次 the sessions.
  function open(d) {
    return function (p) {
      var urls = p.seriesName === "培训班次" ? d.urls : d.people_urls;
      var url = urls[p.dataIndex];
      if (url) { window.location.href = url; }
    };
  }

  var q = data.quarter, qEl = document.getElementById("chart-quarter");
  if (qEl && q) {
    var bars = echarts.init(qEl, null, { renderer: "canvas" });
    bars.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: q.labels.map(function (l) { return l.replace(/^\d+年/, ""); }) },
      yAxis: [{ type: "value", minInterval: 1, name: "人次" }, { type: "value", minInterval: 1, name: "班次" }],
      series: [
        { name: "参训人次", type: "bar", data: q.values, barMaxWidth: 36, itemStyle: { color: "#0d6efd" }, label: { show: true, position: "top" } },
        { name: "培训班次", type: "bar", yAxisIndex: 1, data: q.sessions, barMaxWidth: 36, itemStyle: { color: "#20c997" } }
      ]
    });
    bars.on("click", open(q));
    charts.push(bars);
  }

  var k = data.kind, kEl = document.getElementById("chart-kind");
  if (kEl && k) {
    if (!k.labels.length) {
      kEl.textContent = kEl.getAttribute("data-empty") || "暂无数据";
      kEl.classList.add("text-muted", "small", "p-3");
    } else {
      var pie = echarts.init(kEl, null, { renderer: "canvas" });
      var narrow = kEl.clientWidth < 480;
      pie.setOption({
        tooltip: { trigger: "item", formatter: "{b}<br>{c} 人次（{d}%）" },
        legend: narrow ? { type: "scroll", bottom: 0 } : { type: "scroll", orient: "vertical", right: 0, top: "middle" },
        series: [{
          type: "pie", radius: narrow ? ["30%", "58%"] : ["35%", "70%"],
          center: narrow ? ["50%", "42%"] : ["38%", "50%"],
          minShowLabelAngle: 12, label: { show: !narrow, formatter: "{d}%" },
          data: k.labels.map(function (l, i) { return { name: l, value: k.values[i] }; })
        }]
      });
      pie.on("click", open(k));
      charts.push(pie);
    }
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
