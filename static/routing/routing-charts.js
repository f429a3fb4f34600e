/* Routing charts: spend and mean latency per backend and per task type over time. Data comes from
   the JSON in #routing-chart-data; charts are drawn on load and again after htmx swaps them in. */
(function () {
  "use strict";

  var charts = [];
  var palette = ["#2457c5", "#1e7b34", "#b3261e", "#a15c00", "#6a3fb5", "#00798c", "#7a7a7a"];

  var drawnPlugin = {
    id: "drawn",
    afterRender: function (chart) {
      chart.canvas.dataset.drawn = "true";
    },
  };

  function draw() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var source = document.getElementById("routing-chart-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var series = data[canvas.dataset.chart] || [];
      var money = canvas.dataset.chart.indexOf("spend") === 0;
      charts.push(new Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: series.map(function (s, i) {
            var color = palette[i % palette.length];
            return {
              label: s.label,
              data: s.data.map(function (v) { return v === null ? null : Number(v); }),
              borderColor: color,
              backgroundColor: color,
              pointRadius: 0,
              borderWidth: 2,
              spanGaps: !money,
            };
          }),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true, title: { display: true, text: money ? "USD" : "ms" } } },
          plugins: { title: { display: true, text: canvas.dataset.title } },
        },
        plugins: [drawnPlugin],
      }));
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
