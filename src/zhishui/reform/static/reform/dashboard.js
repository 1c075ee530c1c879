/* Reform dashboard charts: data from the page's json_script "reform-charts", drawn with the vendored ECharts. */
(function () {
  "use strict";
  var source = document.getElementById("reform-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = { done: "#1a7f37", in_progress: "#0a58b5", at_risk: "#8a5300", not_started: "#8c959f", overdue: "#b42318" };
  var charts = [];

  function stacked(id, rows, labelOf, horizontal) {
    var el = document.getElementById(id);
    if (!el || !rows.length) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var categories = rows.map(labelOf);
    var series = data.buckets.map(function (b) {
      return { name: data.labels[b], type: "bar", stack: "all", itemStyle: { color: colours[b] },
               data: rows.map(function (r) { return r[b]; }) };
    });
    var catAxis = { type: "category", data: categories, inverse: !!horizontal, axisLabel: { interval: 0, width: 150, overflow: "truncate" } };
    var valAxis = { type: "value", minInterval: 1 };
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: horizontal ? 160 : 40, right: 20, top: 40, bottom: 30, containLabel: !horizontal },
      xAxis: horizontal ? valAxis : catAxis,
      yAxis: horizontal ? catAxis : valAxis,
      series: series
    });
    charts.push(chart);
  }

  stacked("chart-area", data.area, function (r) { return r.key === "decisions" ? data.labels.decisions || r.label : r.label; }, true);
  stacked("chart-year", data.year, function (r) { return r.label; }, false);
  stacked("chart-unit", data.unit, function (r) { return r.label; }, true);
  stacked("chart-timeline", data.timeline, function (r) { return r.month; }, false);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute("data-charts", String(charts.length));
}());
