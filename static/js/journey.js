/* The journey page: a print button (shown only when scripts run). */
(function () {
  "use strict";
  const button = document.querySelector("[data-print]");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();

/* Printing shows the chart's data table too. */
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.chart-data").forEach(function (details) { details.open = true; });
});
