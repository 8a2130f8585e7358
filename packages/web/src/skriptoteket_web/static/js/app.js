/* Small behaviours for every page (no inline scripts: the CSP allows none). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var close = target.closest("[data-dismiss-toast]");
    if (close) {
      var toast = close.closest("[data-toast]");
      if (toast) toast.remove();
      return;
    }
    var confirmer = target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // A field's error text swapped in out of band (a refused run) marks its input invalid, and
  // an emptied one unmarks it, so screen readers hear which field is wrong.
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.target; // the swapped-in element (detail.target is the one it replaced)
    if (!(target instanceof Element) || !target.classList.contains("field-error")) return;
    var input = document.getElementById(target.id.replace(/^error-/, "input-"));
    if (!input) return;
    if (target.textContent.trim()) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  });
})();
