/* The session page: show only the fields that apply, search residents as one types, add
   participant rows. Plain JavaScript, no library; every control stays usable by keyboard. */
(function () {
  "use strict";
  const form = document.getElementById("session-form");
  if (!form) return;
  const all = (selector, root) => Array.from((root || form).querySelectorAll(selector));
  const modules = JSON.parse(document.getElementById("module-competences").textContent);
  const placeActors = JSON.parse(document.getElementById("place-actors").textContent);
  const search = document.getElementById("resident-search");
  const results = document.getElementById("resident-results");
  const status = document.getElementById("participants-status");
  const list = document.getElementById("participants");
  const total = form.querySelector('input[name="p-TOTAL_FORMS"]');

  function chosen(name) {
    const input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // Show what applies ---------------------------------------------------------------
  function showWhen(attribute, value, root) {
    all("[data-show-" + attribute + "]", root).forEach(function (element) {
      const wanted = element.getAttribute("data-show-" + attribute).split(" ");
      element.hidden = !wanted.includes(value);
    });
  }

  function refresh(root) {
    const pole = chosen("pole");
    showWhen("pole", pole, root);
    showWhen("format", chosen("format"), root);
    showWhen("location", chosen("location"), root);
    showWhen("duration", chosen("duration"), root);
    all("[data-participant]", root).forEach(function (row) {
      const result = row.querySelector('select[name$="-paperwork_result"]');
      showWhen("result", result ? result.value : "", row);
    });
    // A topic of another pole cannot be kept once hidden.
    all("[data-topics-of]").forEach(function (group) {
      if (group.getAttribute("data-topics-of") !== pole) {
        all("input[type=checkbox]", group).forEach(function (box) { box.checked = false; });
      }
    });
  }

  function filterPlaces() {
    const actor = form.querySelector('select[name="actor"]');
    const place = form.querySelector('select[name="place"]');
    if (!actor || !place) return;
    let keep = false;
    Array.from(place.options).forEach(function (option) {
      if (!option.value) return;
      const mine = String(placeActors[option.value]) === actor.value;
      option.hidden = option.disabled = !mine;
      if (mine && option.selected) keep = true;
    });
    if (!keep) {
      const first = Array.from(place.options).find(function (o) { return o.value && !o.disabled; });
      place.value = first ? first.value : "";
    }
  }

  // Competence levels follow the module chosen --------------------------------------
  function drawLevels(row) {
    const holder = row.querySelector("[data-levels]");
    if (!holder) return;
    const prefix = row.getAttribute("data-prefix");
    const module = form.querySelector('select[name="module"]');
    const competences = (module && modules[module.value]) || [];
    const before = {};
    all("select", holder).forEach(function (select) { before[select.name] = select.value; });
    holder.textContent = "";
    if (!competences.length) return;
    const fieldset = document.createElement("fieldset");
    fieldset.className = "choices";
    const legend = document.createElement("legend");
    legend.textContent = gettext("Compétences évaluées (niveau de 1 à 8)");
    fieldset.appendChild(legend);
    const line = document.createElement("div");
    line.className = "row";
    competences.forEach(function (competence) {
      const name = prefix + "-level_" + competence.id;
      const field = document.createElement("div");
      field.className = "field";
      const label = document.createElement("label");
      label.htmlFor = "id_" + name;
      label.textContent = competence.code + " " + competence.name;
      const select = document.createElement("select");
      select.name = name;
      select.id = "id_" + name;
      const none = new Option(gettext("Non évaluée"), "");
      select.add(none);
      for (let level = 1; level <= 8; level += 1) {
        select.add(new Option(String(level), String(level)));
      }
      select.value = before[name] || "";
      field.appendChild(label);
      field.appendChild(select);
      line.appendChild(field);
    });
    fieldset.appendChild(line);
    holder.appendChild(fieldset);
  }

  // Participant rows ----------------------------------------------------------------
  function rows() { return all("[data-participant]", list); }

  function rowOf(residentId) {
    return rows().find(function (row) {
      const input = row.querySelector('input[name$="-resident"]');
      return input && input.value === String(residentId);
    });
  }

  function addRow() {
    const index = Number(total.value);
    const template = document.getElementById("participant-template");
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    const row = holder.firstElementChild;
    list.appendChild(row);
    total.value = String(index + 1);
    drawLevels(row);
    refresh();
    return row;
  }

  function focusFirstField(row) {
    const field = all("input, select", row).find(function (element) {
      return element.type !== "hidden" && !element.closest("[hidden]");
    });
    if (field) field.focus();
  }

  function addPerson(id, label, detail) {
    const existing = rowOf(id);
    if (existing) {
      announce(interpolate(gettext("%s est déjà dans la liste."), [label]));
      focusFirstField(existing);
      return;
    }
    const row = addRow();
    row.querySelector('input[name$="-resident"]').value = id;
    row.querySelector("[data-person-label]").textContent = label + (detail ? " — " + detail : "");
    row.querySelector(".new-person").hidden = true;
    search.value = "";
    results.textContent = "";
    announce(interpolate(gettext("%s est ajouté à la liste des participants."), [label]));
    focusFirstField(row);
  }

  function addNewPerson(typed) {
    const row = addRow();
    const words = (typed || "").trim().split(/\s+/).filter(Boolean);
    if (words.length) {
      row.querySelector('input[name$="-last_name"]').value = words[0];
      row.querySelector('input[name$="-first_name"]').value = words.slice(1).join(" ");
    }
    search.value = "";
    results.textContent = "";
    announce(gettext("Nouvelle personne ajoutée : complétez sa fiche."));
    const field = row.querySelector(words.length ? 'input[name$="-first_name"]' : 'input[name$="-last_name"]');
    field.focus();
  }

  // Search as one types --------------------------------------------------------------
  let timer = null;
  let pending = null;

  function runSearch() {
    const text = search.value.trim();
    if (pending) pending.abort();
    if (text.length < 2) {
      results.textContent = "";
      return;
    }
    pending = new AbortController();
    fetch(form.getAttribute("data-search-url") + "?q=" + encodeURIComponent(text), {
      signal: pending.signal,
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        results.innerHTML = html;
        all("button[data-resident]", results).forEach(function (button) {
          if (rowOf(button.getAttribute("data-resident"))) {
            button.setAttribute("aria-disabled", "true");
            button.classList.add("already");
          }
        });
        const count = results.querySelector(".search-count");
        if (count) announce(count.textContent);
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        results.textContent = gettext("La recherche ne répond pas. Réessayez dans un instant.");
      });
  }

  function resultButtons() { return all("button", results); }

  search.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(runSearch, 180);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      // Enter searches now; it never submits the whole form from here.
      event.preventDefault();
      window.clearTimeout(timer);
      runSearch();
    } else if (event.key === "ArrowDown") {
      const first = resultButtons()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  results.addEventListener("keydown", function (event) {
    const buttons = resultButtons();
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    if (event.key === "ArrowDown" && index < buttons.length - 1) {
      event.preventDefault();
      buttons[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? buttons[index - 1] : search).focus();
    } else if (event.key === "Escape") {
      search.focus();
    }
  });
  results.addEventListener("click", function (event) {
    const person = event.target.closest("button[data-resident]");
    if (person) {
      addPerson(
        person.getAttribute("data-resident"),
        person.getAttribute("data-label"),
        person.getAttribute("data-detail")
      );
    } else if (event.target.closest("button[data-new-person]")) {
      addNewPerson(search.value);
    }
  });
  document.getElementById("add-new-person").addEventListener("click", function () {
    addNewPerson(search.value);
  });

  // Everything else -----------------------------------------------------------------
  form.addEventListener("change", function (event) {
    const name = event.target.name || "";
    if (name === "module") rows().forEach(drawLevels);
    if (name === "actor") filterPlaces();
    if (/-DELETE$/.test(name)) {
      event.target.closest("[data-participant]").classList.toggle("removed", event.target.checked);
    }
    refresh();
  });
  let sent = false;
  form.addEventListener("submit", function (event) {
    // The server ignores a second post of the same form; this spares the wait.
    if (sent) event.preventDefault();
    sent = true;
  });
  window.addEventListener("pageshow", function () { sent = false; });

  filterPlaces();
  refresh();
  // After a refused post, start from the summary of what to correct.
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
