// The progress bar of an import: asks the server where it is every two seconds, and shows
// the report once the work is done. Without JavaScript, the page has a link to reload it.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var text = document.getElementById("import-progress-text");
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (!state.running) { window.location.reload(); return; }
        bar.max = state.total || 1;
        bar.value = state.done;
        var percent = state.total ? Math.round((100 * state.done) / state.total) : 0;
        bar.textContent = percent + " %";
        text.dataset.percent = percent;
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
