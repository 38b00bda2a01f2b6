// Scorecard pages: the trend chart (data from a json_script element), the "show as a table"
// toggles, the print button and the cycle picker that submits on change. No inline script.
// Words come from the page (data-* attributes written by the template in the reader's language).
(function () {
  "use strict";
  var SHAPES = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross", "line"];
  var PALETTE = ["#212529", "#0d6efd", "#d63384", "#fd7e14", "#198754", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0"];

  document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
    if (!window.Chart) return;
    var data = JSON.parse(document.getElementById(canvas.dataset.chartSource).textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        // The overall index is a wide, pale band drawn behind (order 1) so that a parameter on the
        // same values stays visible on top; each parameter has its own point shape as well as its
        // colour, and the legend shows that shape instead of a dashed box.
        datasets: data.series.map(function (series, i) {
          var overall = i === 0;
          return {
            label: series.label,
            data: series.values,
            order: overall ? 1 : 0,
            borderColor: overall ? "rgba(33, 37, 41, 0.35)" : PALETTE[i % PALETTE.length],
            backgroundColor: overall ? "#212529" : PALETTE[i % PALETTE.length],
            borderWidth: overall ? 8 : 2,
            borderDash: overall ? [] : [6, 3],
            pointStyle: SHAPES[i % SHAPES.length],
            pointRadius: overall ? 5 : 4,
            spanGaps: false,
            tension: 0.2
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: { min: 1, max: 5, title: { display: true, text: canvas.dataset.yTitle || "" } },
          x: { title: { display: true, text: canvas.dataset.xTitle || "" } }
        },
        plugins: { legend: { position: "bottom", labels: { usePointStyle: true, pointStyleWidth: 14, padding: 16 } } }
      }
    });
  });

  document.querySelectorAll("[data-toggle-table]").forEach(function (button) {
    var table = document.getElementById(button.dataset.toggleTable);
    button.addEventListener("click", function () {
      var shown = table.classList.toggle("visually-hidden") === false;
      button.setAttribute("aria-expanded", String(shown));
      // Shown, the table may scroll sideways on a phone: the keyboard must reach it; hidden, it is no Tab stop.
      if (shown) {
        table.setAttribute("tabindex", "0");
        table.setAttribute("role", "region");
        table.setAttribute("aria-label", button.dataset.tableLabel || "");
      } else {
        table.removeAttribute("tabindex");
      }
      button.textContent = shown ? button.dataset.hideLabel : button.dataset.showLabel;
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
