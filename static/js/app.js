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

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    confirmForms();
    pollDecision();
    entryLookup();
  });
})();
