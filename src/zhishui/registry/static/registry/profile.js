/* 一户式 charts: monthly invoicing and social-insurance headcount, from the page's JSON. */
(function () {
  var node = document.getElementById("registry-chart");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var zh = (document.documentElement.lang || "zh-CN").indexOf("zh") === 0;
  var invoices = document.getElementById("invoice-chart");
  if (invoices && data.months.length) {
    echarts.init(invoices).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: zh ? ["销项（开出）", "进项（取得）"] : ["Issued", "Received"] },
      grid: { left: 80, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: zh ? "金额（元）" : "Amount (yuan)" },
      series: [
        { name: zh ? "销项（开出）" : "Issued", type: "bar", data: data.out.map(Number), itemStyle: { color: "#a4161a" } },
        { name: zh ? "进项（取得）" : "Received", type: "bar", data: data["in"].map(Number), itemStyle: { color: "#0a58b5" } }
      ]
    });
  }
  var headcount = document.getElementById("headcount-chart");
  if (headcount && data.headcount_months.length) {
    echarts.init(headcount).setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: data.headcount_months },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: zh ? "参保人数" : "Insured", type: "line", data: data.headcount, itemStyle: { color: "#1a7f37" } }]
    });
  }
}());
