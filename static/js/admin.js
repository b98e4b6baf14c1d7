/* The Django admin, as the rest of the site, passes axe-core:
   - the search icons that the filter_horizontal widget (SelectFilter2.js) labels get the
     role of an image, since a label is not allowed on a plain <span>;
   - the search box of a list gets a visible label (its icon's text), which axe-core asks
     for when the box also has a help text;
   - the boxes of autocomplete fields (select2) are named by the label of their field;
   - the fields of a tabular inline (and its "delete" boxes) are named by the heading of
     their column. */
(function () {
  "use strict";
  function fix(root) {
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    root.querySelectorAll("label[for='searchbar']").forEach(function (label) {
      var icon = label.querySelector("img[alt]");
      if (!icon || label.textContent.trim() || !icon.alt) return;
      var text = document.createElement("span");
      text.textContent = " " + icon.alt + " ";
      icon.alt = "";
      label.appendChild(text);
    });
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id && document.querySelector("label[for='" + select.id + "']");
      var box = select.parentElement && select.parentElement.querySelector(".select2-selection");
      if (!label || !box) return;
      if (!label.id) label.id = select.id + "-label";
      var shown = box.querySelector("[role='textbox']");
      box.setAttribute("aria-labelledby", label.id + (shown ? " " + shown.id : ""));
      if (shown) shown.setAttribute("aria-labelledby", label.id + " " + shown.id);
    });
    root.querySelectorAll("td[class*='field-']").forEach(function (cell) {
      if (!cell.closest(".tabular")) return;
      var name = Array.from(cell.classList).find(function (c) { return c.indexOf("field-") === 0; });
      var table = cell.closest("table");
      var heading = table && table.querySelector("th.column-" + name.slice(6));
      if (!heading) return;
      cell.querySelectorAll("input:not([type='hidden']), select, textarea").forEach(function (field) {
        if (!field.labels.length && !field.hasAttribute("aria-label")) {
          field.setAttribute("aria-label", heading.textContent.trim());
        }
      });
    });
    root.querySelectorAll("td.delete>input[type='checkbox']").forEach(function (box) {
      var table = box.closest("table");
      var headings = table && table.tHead ? table.tHead.rows[0].cells : [];
      var heading = headings[headings.length - 1];
      if (heading && !box.labels.length && !box.hasAttribute("aria-label")) {
        box.setAttribute("aria-label", heading.textContent.trim());
      }
    });
  }
  new MutationObserver(function () { fix(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  fix(document);
})();
