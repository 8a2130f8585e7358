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
})();
