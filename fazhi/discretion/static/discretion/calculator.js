// Reload the calculator when another violation is chosen, so that its facts and tiers show.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("id_entry");
  if (!select) { return; }
  select.addEventListener("change", function () {
    if (select.value) {
      window.location.search = "?entry=" + encodeURIComponent(select.value);
    }
  });
});
