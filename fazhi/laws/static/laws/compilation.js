// Compilation builder: filter the list of laws as the user types, optionally
// hide superseded versions, and count the selected ones. No inline scripts (CSP).
(function () {
  "use strict";
  var list = document.querySelector("#law-choices");
  if (!list) { return; }
  var filter = document.querySelector("[data-filter-target='#law-choices']");
  var currentOnly = document.querySelector("[data-current-only='#law-choices']");
  var counter = document.querySelector("[data-count-for='#law-choices']");
  var choices = Array.prototype.slice.call(list.querySelectorAll(".law-choice"));

  function apply() {
    var needle = (filter && filter.value || "").trim().toLowerCase();
    var onlyCurrent = currentOnly && currentOnly.checked;
    choices.forEach(function (choice) {
      var box = choice.querySelector("input");
      var text = (choice.getAttribute("data-title") || "").toLowerCase();
      var matches = !needle || text.indexOf(needle) !== -1;
      var current = choice.getAttribute("data-status") === "in_force";
      // A checked box stays visible so a choice is never hidden from its owner.
      var show = box.checked || (matches && (!onlyCurrent || current));
      choice.classList.toggle("is-hidden", !show);
    });
    if (counter) {
      counter.textContent = String(list.querySelectorAll("input:checked").length);
    }
  }

  if (filter) { filter.addEventListener("input", apply); }
  if (currentOnly) { currentOnly.addEventListener("change", apply); }
  list.addEventListener("change", apply);
  apply();
})();
