/* Plan and task forms: add a formset row (a section, a target) from its <template>, and
 * tick or clear a whole group of units at once. Works without it: the page always
 * carries one empty row, and units can be ticked one by one. */
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-formset-add");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var template = document.getElementById(prefix + "-empty");
      var list = document.getElementById(prefix + "-rows");
      if (!total || !template || !list) { return; }
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = list.lastElementChild && list.lastElementChild.querySelector("input, textarea, select");
      if (first) { first.focus(); }
    });
  });
  document.querySelectorAll("[data-check-group]").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = document.getElementById(button.getAttribute("data-check-group"));
      if (!box) { return; }
      var checks = box.querySelectorAll("input[type=checkbox]");
      var all = Array.prototype.every.call(checks, function (c) { return c.checked; });
      checks.forEach(function (c) { c.checked = !all; });
    });
  });
  // Dates only matter for "时间段" and "全年" (a due date): hide them otherwise.
  var timeframe = document.getElementById("id_timeframe");
  var dates = document.getElementById("task-dates");
  function syncDates() {
    if (!timeframe || !dates) { return; }
    var v = timeframe.value;
    dates.hidden = !(v === "date_range" || v === "all_year");
  }
  if (timeframe) { timeframe.addEventListener("change", syncDates); syncDates(); }
})();
