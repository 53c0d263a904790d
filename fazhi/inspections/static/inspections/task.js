// Show a progress bar while a big pool is frozen or drawn (the request runs until done).
(function () {
  "use strict";
  document.querySelectorAll("form.js-progress").forEach(function (form) {
    form.addEventListener("submit", function () {
      var bar = form.querySelector("progress");
      var button = form.querySelector("button");
      if (bar) { bar.classList.remove("d-none"); }
      if (button) { button.disabled = true; }
    });
  });
})();
