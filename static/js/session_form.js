/* The session page: show only the fields that apply, search residents as one types, add
   participant rows. Plain JavaScript, no library; every control stays usable by keyboard.
   A row added goes to the top of the list, just under the search box, and the focus stays
   in the search box: a group is logged name after name without scrolling back up. Each row's
   outcome is folded into one line (a <details>) whose summary says what it holds. */
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

  // The operator of the paperwork topic ticked (CAF for "Allocations CAF") ----------
  function topicOperator() {
    const operators = new Set(
      all("input[name=topics][data-operator]:checked").map(function (box) {
        return box.getAttribute("data-operator");
      })
    );
    return operators.size === 1 ? Array.from(operators)[0] : "";
  }

  // Fills the rows' "Organisme" left empty, or filled by this same rule before; a choice
  // made by hand is kept.
  function fillOperators(root) {
    const operator = topicOperator();
    all('select[name$="-operator"]', root || list).forEach(function (select) {
      if (select.hasAttribute("data-by-hand")) return;
      if (select.value && !select.hasAttribute("data-from-topic")) return;
      select.value = operator;
      if (operator) select.setAttribute("data-from-topic", "");
      else select.removeAttribute("data-from-topic");
    });
  }

  // Folded outcome: its summary line says what it holds ------------------------------
  function shown(element) {
    return element && !element.closest("[hidden]");
  }

  function summarise(row) {
    const values = row.querySelector("[data-details-values]");
    if (!values) return;
    const parts = [];
    const autonomy = row.querySelector('input[name$="-autonomy"]:checked');
    if (autonomy) parts.push(autonomy.closest("label").textContent.trim());
    ["operator", "paperwork_result", "blocked_reason"].forEach(function (name) {
      const select = row.querySelector('select[name$="-' + name + '"]');
      if (shown(select) && select.value) parts.push(select.selectedOptions[0].textContent.trim());
    });
    const levels = all("[data-levels] select", row).filter(function (select) {
      return shown(select) && select.value;
    }).length;
    if (levels) {
      parts.push(interpolate(ngettext("%s niveau évalué", "%s niveaux évalués", levels), [levels]));
    }
    values.textContent = parts.length ? parts.join(" · ") : gettext("facultatif");
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
    // Newest first, just under the search box: the view need not move.
    list.prepend(row);
    total.value = String(index + 1);
    drawLevels(row);
    refresh();
    fillOperators(row);
    summarise(row);
    return row;
  }

  // Back to the search box, for the next name, without moving the view when it shows.
  function backToSearch() {
    search.value = "";
    results.textContent = "";
    search.focus({ preventScroll: true });
    const box = search.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) search.scrollIntoView({ block: "center" });
  }

  function addPerson(id, label, detail) {
    if (rowOf(id)) {
      backToSearch();
      announce(interpolate(gettext("%s est déjà dans la liste."), [label]));
      return;
    }
    const row = addRow();
    row.querySelector('input[name$="-resident"]').value = id;
    row.querySelector("[data-person-label]").textContent = label + (detail ? " — " + detail : "");
    row.querySelector(".new-person").hidden = true;
    backToSearch();
    announce(interpolate(gettext("%s est ajouté à la liste des participants."), [label]));
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
    // The first thing left to fill in: a name, the birth year, else the consent.
    const field = ["last_name", "first_name", "birth_year"]
      .map(function (name) { return row.querySelector('input[name$="-' + name + '"]'); })
      .find(function (input) { return !input.value; });
    (field || row.querySelector('input[name$="-consent"]')).focus();
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
    if (/-operator$/.test(name)) {
      event.target.removeAttribute("data-from-topic");
      event.target.setAttribute("data-by-hand", "");
    }
    refresh();
    if (name === "topics" || name === "pole") fillOperators();
    rows().forEach(summarise);
  });

  // The error summary's links: open the folded line holding the field, and put the focus
  // in the field itself (the first option of a group), its label in view.
  function reveal(target) {
    for (let details = target.closest("details"); details; details = details.parentElement.closest("details")) {
      details.open = true;
    }
    // A group or a participant's row: its first control on screen (a folded line's summary).
    const field = target.matches("input, select, textarea, button")
      ? target
      : all("input, select, textarea, summary", target).find(function (element) {
          return element.type !== "hidden" && element.getClientRects().length > 0;
        });
    const label = field && (field.closest("fieldset.choices") || field.closest(".field"));
    (label || target).scrollIntoView({ block: "start" });
    if (field) field.focus({ preventScroll: true });
  }
  const errors = document.getElementById("form-errors");
  if (errors) {
    errors.addEventListener("click", function (event) {
      const link = event.target.closest('a[href^="#"]');
      const target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      reveal(target);
    });
  }
  let sent = false;
  form.addEventListener("submit", function (event) {
    // The server ignores a second post of the same form; this spares the wait.
    if (sent) event.preventDefault();
    sent = true;
  });
  window.addEventListener("pageshow", function () { sent = false; });

  filterPlaces();
  refresh();
  rows().forEach(summarise);
  // A refused field is never left folded.
  all("[data-details]").forEach(function (details) {
    if (details.querySelector(".errorlist")) details.open = true;
  });
  // After a refused post, start from the summary of what to correct.
  if (errors) errors.focus();
})();
