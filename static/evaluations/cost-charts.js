/* Cost report charts: cumulative cost over 36 months and monthly cost by daily volume, each with
   its break-even point marked. Data comes from the JSON in #cost-chart-data; charts are drawn on
   page load and again whenever htmx swaps in a new report. */
(function () {
  "use strict";

  var charts = [];

  function dollars(value) {
    return "$" + Number(value).toLocaleString("en-US", { maximumFractionDigits: 0 });
  }

  // A dashed vertical line at options.value on the x axis, labelled with options.label.
  var markerPlugin = {
    id: "marker",
    afterDatasetsDraw: function (chart, _args, options) {
      if (options.value === null || options.value === undefined) return;
      var area = chart.chartArea;
      var x = chart.scales.x.getPixelForValue(options.value);
      if (x < area.left || x > area.right) return;
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#b3261e";
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(x, area.top);
      ctx.lineTo(x, area.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#b3261e";
      ctx.font = "12px system-ui, sans-serif";
      var width = ctx.measureText(options.label).width;
      ctx.fillText(options.label, Math.min(x + 4, area.right - width), area.top + 14);
      ctx.restore();
    },
  };

  // Tells tests and screenshots the chart is on the canvas.
  var drawnPlugin = {
    id: "drawn",
    afterRender: function (chart) {
      chart.canvas.dataset.drawn = "true";
    },
  };

  function line(label, points, key, color, dashed) {
    return {
      borderDash: dashed ? [8, 5] : [],
      label: label,
      data: points,
      parsing: { xAxisKey: "x", yAxisKey: key },
      borderColor: color,
      backgroundColor: color,
      pointRadius: 0,
      borderWidth: 2,
    };
  }

  function lineChart(canvas, datasets, xTitle, title, marker) {
    var points = datasets[0].data;
    var xMax = points.length ? points[points.length - 1].x : undefined;
    return new Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: { type: "linear", min: 0, max: xMax, title: { display: true, text: xTitle } },
          y: { title: { display: true, text: "USD" }, ticks: { callback: dollars } },
        },
        plugins: {
          title: { display: true, text: title },
          marker: marker,
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + dollars(item.parsed.y);
              },
            },
          },
        },
      },
      plugins: [markerPlugin, drawnPlugin],
    });
  }

  function draw() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var source = document.getElementById("cost-chart-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var apiLabel = data.proprietary + " (API)";
    // Without capacity figures one instance is assumed at every volume: the line is drawn dashed and
    // says so, rather than passing for a real flat cost.
    var unchecked = data.capacity_checked === false;
    var hostedLabel = data.open_source + (unchecked
      ? " (self-hosted, capacity not checked: 1 instance assumed)"
      : " (self-hosted)");

    var cumulative = document.querySelector("[data-testid=cumulative-chart]");
    if (cumulative) {
      var months = data.cumulative.map(function (p) {
        return { x: p.month, api: Number(p.api), hosted: Number(p.self_hosted) };
      });
      var breakEven = data.break_even_months === null ? null : Number(data.break_even_months);
      var title = breakEven === null
        ? "Cumulative cost: self-hosting never breaks even at this volume"
        : "Cumulative cost: self-hosting breaks even after " + data.break_even_months + " months";
      charts.push(lineChart(
        cumulative,
        [line(apiLabel, months, "api", "#2457c5"), line(hostedLabel, months, "hosted", "#1e7b34", unchecked)],
        "Months",
        title,
        { value: breakEven, label: "Break-even: " + data.break_even_months + " months" }
      ));
    }

    var volume = document.querySelector("[data-testid=volume-chart]");
    if (volume) {
      var points = data.by_volume.map(function (p) {
        return { x: p.daily_requests, api: Number(p.api), hosted: Number(p.self_hosted) };
      });
      var volumeBreakEven = data.break_even_daily_requests;
      if (unchecked) volume.dataset.capacityUnchecked = "true";
      charts.push(lineChart(
        volume,
        [line(apiLabel, points, "api", "#2457c5"), line(hostedLabel, points, "hosted", "#1e7b34", unchecked)],
        "Requests per day",
        volumeBreakEven === null
          ? "Monthly cost by volume: no break-even volume"
          : "Monthly cost by volume: equal at " + volumeBreakEven.toLocaleString("en-US") + " requests/day",
        {
          value: volumeBreakEven,
          label: volumeBreakEven === null ? "" : "Break-even: " + volumeBreakEven.toLocaleString("en-US") + "/day",
        }
      ));
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
