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
  // Run status (issue 10): a section with data-run-events polls its status every second; where
  // the browser has EventSource it listens to the run's event stream instead (the htmx sse
  // extension), so a status change reloads it at once. While queued it keeps polling too (the
  // queue position changes without a status change). The stream's first event repeats the
  // status on show, so only a different status reloads the section; the section then closes
  // its stream itself (the server ends it after a final status, which the browser would
  // report as an error). If the stream or that reload fails, the section polls again.
  var POLL = "every 1s";
  function pollInstead(section) {
    section.setAttribute("data-events-failed", "true");
    section.removeAttribute("hx-ext");
    section.removeAttribute("sse-connect");
    section.setAttribute("hx-trigger", POLL);
    htmx.process(section);
  }
  document.body.addEventListener("htmx:beforeProcessNode", function (event) {
    var section = event.target;
    if (!(section instanceof Element) || !section.hasAttribute("data-run-events")) return;
    if (!("EventSource" in window) || section.hasAttribute("data-events-failed")) return;
    var queued = section.getAttribute("data-run-status") === "queued";
    section.setAttribute("hx-ext", "sse");
    section.setAttribute("sse-connect", section.getAttribute("data-run-events"));
    section.setAttribute("hx-trigger", queued ? "sse:status, " + POLL : "sse:status");
  });
  document.body.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (!trigger || trigger.type !== "sse:status" || !trigger.detail) return;
    var section = event.detail.elt;
    var status = null;
    try {
      status = JSON.parse(trigger.detail.data).status;
    } catch (error) {
      status = null;
    }
    if (status === section.getAttribute("data-run-status")) {
      event.preventDefault();
      return;
    }
    section.setAttribute("data-events-done", "true");
    if (trigger.detail.target && trigger.detail.target.close) trigger.detail.target.close();
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var section = event.detail.elt;
    if (!(section instanceof Element) || !section.hasAttribute("data-events-done")) return;
    if (event.detail.failed && document.body.contains(section)) pollInstead(section);
  });
  // Issue 11: a boosted navigation swaps only <body>; the new page's language comes with its
  // .page element (a login into an account that chose English, a logout).
  document.body.addEventListener("htmx:afterSwap", function () {
    var page = document.querySelector("body > .page[lang]");
    if (page && document.documentElement.lang !== page.lang) {
      document.documentElement.lang = page.lang;
    }
  });
  document.body.addEventListener("htmx:sseError", function (event) {
    var section = event.target;
    if (!(section instanceof Element) || !section.hasAttribute("data-run-events")) return;
    if (event.detail && event.detail.source) event.detail.source.close();
    if (!document.body.contains(section) || section.hasAttribute("data-events-failed")) return;
    pollInstead(section);
  });
})();
