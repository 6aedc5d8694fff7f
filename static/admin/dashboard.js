// Draws the admin index charts from the JSON the template embeds (no inline script: CSP-friendly).
(function () {
  function bar(canvasId, dataId) {
    var data = JSON.parse(document.getElementById(dataId).textContent);
    new Chart(document.getElementById(canvasId), {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: "loans", data: data.counts }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  if (window.Chart) {
    bar("chart-classification", "data-classification");
    bar("chart-dpd", "data-dpd");
  }
})();
