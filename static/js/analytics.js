// Class analytics: each chart is drawn from the table beside it (data-value on its cells),
// so the chart shows exactly what the table says, and the table stays the accessible copy.
// The chart is aria-hidden; screen readers read the table.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return; // the tables stand on their own
  const COLOURS = ["#3056d3", "#e0a100", "#c0392b", "#1d7a3e", "#7d3cb5"];
  const MAX_BARS = 60; // beyond this a bar chart is unreadable; the table has every row

  function columns(table) {
    return Array.from(table.tHead.rows[0].cells).map(function (cell) { return cell.textContent; });
  }

  function series(table, labelColumn, valueColumns) {
    const rows = Array.from(table.tBodies[0].rows).slice(0, MAX_BARS);
    const labels = rows.map(function (row) { return row.cells[labelColumn].textContent; });
    const values = valueColumns.map(function (column) {
      return rows.map(function (row) {
        const value = parseFloat(row.cells[column].dataset.value);
        return Number.isFinite(value) ? value : null;
      });
    });
    return {labels: labels, values: values};
  }

  function draw(box) {
    const table = document.getElementById(box.dataset.chartFor);
    if (!table || !table.tBodies[0] || !table.tBodies[0].rows.length) return;
    const valueColumns = table.dataset.valueColumns.split(",").map(Number);
    const names = columns(table);
    const data = series(table, Number(table.dataset.labelColumn), valueColumns);
    const stacked = table.dataset.chart === "stacked";
    const canvas = document.createElement("canvas");
    box.appendChild(canvas);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: valueColumns.map(function (column, i) {
          return {label: names[column], data: data.values[i], backgroundColor: COLOURS[i % COLOURS.length]};
        }),
      },
      options: {
        // Tick and tooltip numbers written the page's way (2,5 in Spanish), not the browser's.
        locale: document.documentElement.lang || undefined,
        maintainAspectRatio: false,
        animation: false,
        plugins: {legend: {display: valueColumns.length > 1}},
        scales: {
          x: {stacked: stacked},
          y: {stacked: stacked, beginAtZero: true, title: {display: true, text: table.dataset.axis}},
        },
      },
    });
  }

  document.querySelectorAll("[data-chart-for]").forEach(draw);
})();
