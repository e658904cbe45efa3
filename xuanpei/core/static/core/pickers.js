/* Pickers that scale (issue #8 item 9), set up by core/pickers.py:
 *
 * - select[data-picker="tree"]: unit choices labelled by path. Past 15 options a search box above
 *   narrows the options (removing them, since phones ignore hidden <option>s); when
 *   the chosen option no longer matches, the first match is chosen.
 * - select[data-autocomplete-url]: only the chosen option is rendered. A text box
 *   fetches matches from the scoped endpoint as the user types ({results: [{id, text,
 *   uscc, unit}]}); picking one puts it into the select, which the form submits.
 *
 * Plain DOM, no dependencies; runs again on content htmx swaps in. */
(function () {
  "use strict";

  var MIN_SEARCH_OPTIONS = 15;

  function norm(text) {
    return (text || "").toLowerCase().replace(/\s+/g, "");
  }

  function terms(text) {
    return text.split(/[\s/／]+/).map(norm).filter(Boolean);
  }

  function matches(label, words) {
    var haystack = norm(label);
    return words.every(function (w) { return haystack.indexOf(w) !== -1; });
  }

  function linkLabel(select, input) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) { label.htmlFor = input.id; }
  }

  function initTree(select) {
    select.setAttribute("data-picker-ready", "1");
    // A short list (the departments) is read at a glance; search helps from a screenful on.
    if (select.disabled || select.options.length <= MIN_SEARCH_OPTIONS) { return; }
    var all = Array.prototype.slice.call(select.options);
    var input = document.createElement("input");
    input.type = "search";
    input.id = (select.id || select.name) + "_search";
    input.className = "form-control form-control-sm mb-1 picker-search";
    input.placeholder = select.getAttribute("data-search-placeholder") || "";
    input.title = select.getAttribute("data-search-title") || "";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("enterkeyhint", "search");
    var count = document.createElement("div");
    count.className = "form-text mt-0 mb-1 picker-count";
    count.hidden = true;
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(count, select);

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    input.addEventListener("input", function () {
      var words = terms(input.value);
      var current = select.multiple ? null : select.selectedOptions[0];
      var hits = all.filter(function (o) { return o.value && (!words.length || matches(o.text, words)); });
      var shown = all.filter(function (o) {
        if (!o.value || hits.indexOf(o) !== -1) { return true; }
        // What is chosen stays listed: all of a multiple select's, a single one's while nothing matches.
        return select.multiple ? o.selected : o === current && !hits.length;
      });
      select.replaceChildren.apply(select, shown);
      count.hidden = !words.length;
      count.textContent = (select.getAttribute("data-count-text") || "%(n)s").replace("%(n)s", hits.length);
      if (!select.multiple && words.length && hits.length && hits.indexOf(current) === -1) {
        if (current) { current.selected = false; }
        hits[0].selected = true;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function initAutocomplete(select) {
    select.setAttribute("data-picker-ready", "1");
    if (select.disabled || select.multiple) { return; }
    var url = select.getAttribute("data-autocomplete-url");
    var box = document.createElement("div");
    box.className = "position-relative picker-autocomplete";
    var input = document.createElement("input");
    input.type = "search";
    input.id = (select.id || select.name) + "_search";
    input.className = "form-control" + (select.classList.contains("form-select-sm") ? " form-control-sm" : "") +
      (select.classList.contains("is-invalid") ? " is-invalid" : "");
    input.placeholder = select.getAttribute("data-placeholder") || "";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    var list = document.createElement("div");
    list.className = "list-group shadow-sm position-absolute w-100 picker-results";
    list.style.zIndex = "1050";
    list.style.maxHeight = "18rem";
    list.style.overflowY = "auto";
    list.hidden = true;
    list.id = input.id + "_results";
    input.setAttribute("aria-controls", list.id);
    select.parentNode.insertBefore(box, select);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(select);
    select.hidden = true;
    linkLabel(select, input);

    var empty = Array.prototype.slice.call(select.options).filter(function (o) { return !o.value; })[0];
    function chosenText() {
      var option = select.selectedOptions[0];
      return option && option.value ? option.text : "";
    }
    input.value = chosenText();

    function choose(id, text) {
      var option = document.createElement("option");
      option.value = id;
      option.textContent = text;
      option.selected = true;
      select.replaceChildren.apply(select, empty ? [empty, option] : [option]);
      input.value = text;
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function clear() {
      if (empty) { select.replaceChildren(empty); empty.selected = true; } else { select.replaceChildren(); }
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }
    function render(results) {
      list.replaceChildren();
      if (!results.length) {
        var none = document.createElement("div");
        none.className = "list-group-item text-muted small";
        none.textContent = select.getAttribute("data-empty-text") || "";
        list.appendChild(none);
      }
      results.forEach(function (row, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action py-1" + (index === 0 ? " active" : "");
        button.setAttribute("data-id", row.id);
        var name = document.createElement("div");
        name.textContent = row.text;
        var meta = document.createElement("div");
        meta.className = "small text-body-secondary";
        meta.textContent = [row.uscc, row.unit].filter(Boolean).join(" · ");
        button.appendChild(name);
        button.appendChild(meta);
        button.addEventListener("mousedown", function (event) { event.preventDefault(); });
        button.addEventListener("click", function () { choose(String(row.id), row.text); });
        list.appendChild(button);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    var timer = null;
    var seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { clear(); close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        var sep = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + sep + "q=" + encodeURIComponent(q), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (mine === seq) { render(data.results || []); } })
          .catch(function () { /* offline: keep what is chosen */ });
      }, 200);
    });
    input.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var at = buttons.findIndex(function (b) { return b.classList.contains("active"); });
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!buttons.length) { return; }
        event.preventDefault();
        if (at >= 0) { buttons[at].classList.remove("active"); }
        at = (at + (event.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length;
        buttons[at].classList.add("active");
        buttons[at].scrollIntoView({ block: "nearest" });
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (!list.hidden && at >= 0) { buttons[at].click(); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      close();
      if (input.value.trim()) { input.value = chosenText(); }
    });
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll('select[data-picker="tree"]:not([data-picker-ready])').forEach(initTree);
    scope.querySelectorAll("select[data-autocomplete-url]:not([data-picker-ready])").forEach(initAutocomplete);
  }

  if (window.htmx) {
    window.htmx.onLoad(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
