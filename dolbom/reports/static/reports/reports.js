// The choropleth's details: hovering or focusing a dong shows its figure beside the map, clicking (or Enter)
// opens the dong's dashboard; a form marked data-confirm asks before it is sent. Bound here, not in attributes: the Content-Security-Policy allows no inline
// script (web/security.py). Without this file the map still has a <title> per dong and links in the table.
(function () {
  function show(path) {
    var box = document.querySelector("[data-testid=map-detail]");
    if (!box || !path) { return; }
    document.querySelectorAll("path.dong.selected").forEach(function (p) { p.classList.remove("selected"); });
    path.classList.add("selected");
    box.querySelector("[data-field=name]").textContent = path.dataset.name || "";
    box.querySelector("[data-field=value]").textContent = path.dataset.value || "";
    box.querySelector("[data-field=average]").textContent = path.dataset.average || "";
    var link = box.querySelector("[data-field=link]");
    if (link) { link.href = path.dataset.url || "#"; link.hidden = false; }
  }
  document.addEventListener("mouseover", function (e) {
    var p = e.target.closest ? e.target.closest("path.dong[data-url]") : null;
    if (p) { show(p); }
  });
  document.addEventListener("focusin", function (e) {
    if (e.target.matches && e.target.matches("path.dong[data-url]")) { show(e.target); }
  });
  document.addEventListener("click", function (e) {
    var p = e.target.closest ? e.target.closest("path.dong[data-url]") : null;
    if (p) { window.location.href = p.dataset.url; }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches && e.target.matches("path.dong[data-url]")) {
      window.location.href = e.target.dataset.url;
    }
  });
  // A form that cannot be undone (signing off the plan) asks first.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  });
})();
