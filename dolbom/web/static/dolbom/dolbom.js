// The few behaviours pages need beyond htmx, bound here rather than in event-handler attributes: the
// Content-Security-Policy (web/security.py) allows scripts from this origin only, never inline ones.
//   data-print        a button that prints the page
//   data-autosubmit   a select that submits its form when changed (the language switch)
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target.closest("[data-print]") : null;
  if (target) { event.preventDefault(); window.print(); }
});
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("[data-autosubmit]") && target.form) { target.form.submit(); }
});
