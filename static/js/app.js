/* Small enhancements; every page works without them. */
(function () {
  "use strict";

  // Move focus to an error summary so that keyboard and screen-reader users hear it first.
  function focusErrors() {
    var summary = document.querySelector("[data-focus]");
    if (summary) { summary.focus(); }
  }

  // Ask before an irreversible action (withdrawing).
  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  // While the decision document is being prepared, poll its section and swap it in when ready.
  function pollDecision() {
    var section = document.querySelector("[data-poll]");
    if (!section) { return; }
    var url = section.getAttribute("data-poll");
    var delay = 1500;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return schedule(); }
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("#decision");
          if (!fresh) { return schedule(); }
          var target = section.querySelector(".decision-document");
          var source = fresh.querySelector(".decision-document");
          if (!fresh.hasAttribute("data-poll")) {
            target.innerHTML = source.innerHTML;
            section.removeAttribute("data-poll");
            section.setAttribute("data-ready", "");
          } else {
            schedule();
          }
        })
        .catch(schedule);
    }
    function schedule() {
      delay = Math.min(delay * 1.5, 15000);
      window.setTimeout(tick, delay);
    }
    window.setTimeout(tick, delay);
  }

  // Control-list lookup: show the title of the entry typed or chosen from the suggestions.
  function entryLookup() {
    var input = document.querySelector("[data-entry-lookup]");
    var list = document.getElementById("control-entries");
    var out = document.getElementById("entry-title");
    if (!input || !list || !out) { return; }
    function show() {
      var code = input.value.trim().toLowerCase();
      var text = "";
      list.querySelectorAll("option").forEach(function (option) {
        if (option.value.toLowerCase() === code) { text = option.textContent; }
      });
      out.textContent = text;
    }
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show();
  }

  // Audit exports stream straight into the browser's download, which shows the bytes arriving.
  // The page cannot see that download; it says the export was asked for and where to follow
  // it, and keeps a second click from starting the same export twice within a few seconds.
  function exportStatus() {
    var section = document.querySelector("[data-export]");
    if (!section) { return; }
    var status = section.querySelector("[data-export-status]");
    section.querySelectorAll("[data-export-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (link.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
        link.setAttribute("aria-disabled", "true");
        status.textContent = link.textContent + ": " + section.getAttribute("data-export-started");
        status.hidden = false;
        window.setTimeout(function () { link.removeAttribute("aria-disabled"); }, 5000);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    exportStatus();
    focusErrors();
    confirmForms();
    pollDecision();
    entryLookup();
  });
})();
