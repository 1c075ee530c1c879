/* Live issuing monitor: redraw the two charts from the data HTMX swaps in every 10 seconds. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var hours = echarts.init(document.getElementById("chart-hours"));
  var streets = echarts.init(document.getElementById("chart-streets"));
  function draw() {
    var node = document.getElementById("activity-data");
    if (!node) { return; }
    var data = JSON.parse(node.textContent);
    hours.setOption({
      animation: false, tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 20, bottom: 30 },
      xAxis: { type: "category", data: data.per_hour.map(function (h) { return h.hour + ":00"; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.per_hour.map(function (h) { return h.count; }), itemStyle: { color: "#a4161a" } }]
    });
    streets.setOption({
      animation: false, tooltip: { trigger: "axis" }, grid: { left: 110, right: 10, top: 20, bottom: 30 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: data.streets.map(function (s) { return s.name; }) },
      series: [{ type: "bar", data: data.streets.map(function (s) { return parseFloat(s.amount); }), itemStyle: { color: "#0a58b5" } }]
    });
  }
  draw();
  document.body.addEventListener("htmx:afterSwap", draw);
  window.addEventListener("resize", function () { hours.resize(); streets.resize(); });
})();
