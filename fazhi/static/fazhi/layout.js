/* The layout's behaviour: sidebar toggle (remembered), last breadcrumb, tables as cards. */
(function () {
  "use strict";
  var body = document.body;
  var phone = window.matchMedia("(max-width: 991.98px)");

  // The sidebar: collapsed to a rail on a desktop (remembered in a cookie the
  // server reads, so the page renders collapsed without a flash), slid in
  // over the page on a phone (not remembered).
  document.querySelectorAll("[data-fz-toggle=sidebar]").forEach(function (el) {
    el.addEventListener("click", function () {
      if (phone.matches) {
        body.classList.toggle("fz-sidebar-open");
        return;
      }
      var collapsed = body.classList.toggle("fz-sidebar-collapsed");
      document.cookie = "fz_sidebar=" + (collapsed ? "collapsed" : "open") +
        "; path=/; max-age=31536000; samesite=lax";
    });
  });

  // The last breadcrumb names the page: its first heading, unless the menu
  // entry before it already says the same.
  var crumb = document.querySelector("[data-fz-crumb-title]");
  if (crumb && !crumb.textContent.trim()) {
    var heading = document.querySelector("main h1");
    var title = heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
    var previous = crumb.previousElementSibling;
    if (!title || (previous && previous.textContent.trim() === title)) {
      if (previous) {
        previous.classList.add("active");
        previous.setAttribute("aria-current", "page");
      }
      crumb.remove();
    } else {
      crumb.textContent = title;
    }
  }

  // On a phone a table turns into cards: each cell shows its column name.
  function labelTables(root) {
    root.querySelectorAll("table").forEach(function (table) {
      if (table.dataset.fzLabelled) { return; }
      var heads = Array.prototype.map.call(
        table.querySelectorAll("thead tr:last-child th"),
        function (th) { return th.textContent.replace(/\s+/g, " ").trim(); }
      );
      if (!heads.length) { return; }
      table.dataset.fzLabelled = "1";
      table.classList.add("fz-cards");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var i = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          if (!cell.hasAttribute("data-label") && heads[i]) {
            cell.setAttribute("data-label", heads[i]);
          }
          i += cell.colSpan || 1;
        });
      });
    });
  }
  labelTables(document);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    labelTables(event.target);
  });
})();

/* A picker marked data-fz-autosubmit sends its form when it changes (page size). */
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-fz-autosubmit]")) { event.target.form.submit(); }
});

/* "Back to the previous page" on error pages, when there is one. */
document.querySelectorAll("[data-fz-back]").forEach(function (link) {
  if (window.history.length < 2) { return; }
  link.hidden = false;
  link.addEventListener("click", function (event) {
    event.preventDefault();
    window.history.back();
  });
});
