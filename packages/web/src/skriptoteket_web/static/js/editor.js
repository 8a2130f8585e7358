/* The script editor: CodeMirror 6 (vendored bundle, global SkriptoteketCodeMirror) on every
   <textarea data-codemirror>. The textarea stays the form field, so the page works without
   JavaScript; the editor writes its text back on every change. Tab indents; Escape then Tab
   leaves the editor (CodeMirror's own keyboard rule), so keyboard users are never trapped.
   CodeMirror puts its theme in a <style> element; the page's CSP allows it only with the
   request's nonce (<meta name="csp-nonce"> in base.html, read from the .nonce property because
   the browser hides the attribute). */
(function () {
  "use strict";

  function cspNonce() {
    var meta = document.querySelector('meta[name="csp-nonce"]');
    return meta ? meta.nonce || meta.getAttribute("nonce") || "" : "";
  }

  function enhance(textarea) {
    var CM = window.SkriptoteketCodeMirror;
    if (!CM || textarea.dataset.enhanced) return;
    textarea.dataset.enhanced = "true";
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var nonce = cspNonce();
    var view = new CM.EditorView({
      doc: textarea.value,
      extensions: [
        nonce ? CM.EditorView.cspNonce.of(nonce) : [],
        CM.basicSetup,
        CM.python(),
        CM.keymap.of([CM.indentWithTab]),
        // tabindex: the editable area is in the Tab order anyway (contenteditable); saying so
        // lets checkers (axe: scrollable-region-focusable) see that the scroller is reachable.
        CM.EditorView.contentAttributes.of({
          "aria-label": label ? label.textContent : "Källkod",
          "tabindex": "0"
        }),
        CM.EditorView.updateListener.of(function (update) {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        })
      ]
    });
    textarea.classList.add("visually-hidden");
    textarea.setAttribute("tabindex", "-1");
    textarea.setAttribute("aria-hidden", "true");
    textarea.removeAttribute("required");
    textarea.parentNode.insertBefore(view.dom, textarea.nextSibling);
    view.dom.classList.add("code-editor");
    if (label) {
      label.addEventListener("click", function () { view.focus(); });
    }
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("textarea[data-codemirror]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);  // loaded by a boosted (htmx) navigation
  }
  if (!window.skriptoteketEditorListening) {
    window.skriptoteketEditorListening = true;
    document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
  }
})();
