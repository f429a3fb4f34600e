// Quality per backend over probe rounds, the threshold as a line, the share as a step line.
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("quality-data");
  const canvas = document.getElementById("quality-chart");
  if (!holder || !canvas || !window.Chart) return;
  const data = JSON.parse(holder.textContent);
  const labels = data.series.map((point) => `#${point.round}`);
  const datasets = [
    { label: "open source", data: data.series.map((p) => p.open_source), borderColor: "#2563eb", yAxisID: "quality" },
    { label: "proprietary", data: data.series.map((p) => p.proprietary), borderColor: "#9333ea", yAxisID: "quality" },
    { label: "shadow agreement", data: data.series.map((p) => p.shadow), borderColor: "#0d9488", borderDash: [2, 2], yAxisID: "quality" },
    { label: "open-source share (%)", data: data.series.map((p) => p.share), borderColor: "#f59e0b", stepped: true, yAxisID: "share" },
  ];
  if (data.threshold !== null) {
    datasets.push({ label: "threshold", data: labels.map(() => data.threshold), borderColor: "#dc2626", borderDash: [6, 4], pointRadius: 0, yAxisID: "quality" });
  }
  canvas.chart = new window.Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: {
      animation: false,
      scales: {
        quality: { type: "linear", position: "left", min: 0, max: 1, title: { display: true, text: "quality" } },
        share: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "share %" } },
      },
    },
  });
});
