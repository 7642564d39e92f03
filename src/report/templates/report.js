{% raw %}
// Progressive enhancement only: without JS every section is reachable through <details>, and the
// filter bar stays hidden. Reads the page's own text; never evaluates report content.
(function () {
  "use strict";
  var bar = document.getElementById("filters");
  var q = document.getElementById("q");
  var only = document.getElementById("outcome");
  var count = document.getElementById("filter-count");
  var features = Array.prototype.slice.call(document.querySelectorAll("details.feature"));
  var scenarios = Array.prototype.slice.call(document.querySelectorAll("details.scenario"));
  var index = null;

  // Search text of a scenario: its header and steps (with messages), not the evidence bodies,
  // which would make each keystroke scan megabytes.
  function buildIndex() {
    index = scenarios.map(function (s) {
      var feature = s.closest("details.feature");
      var parts = [feature ? feature.querySelector("summary").textContent : ""];
      var head = s.querySelector("summary");
      var steps = s.querySelector(".sbody > .steps");
      var fail = s.querySelector(".sbody > .failure");
      parts.push(head ? head.textContent : "", steps ? steps.textContent : "", fail ? fail.textContent : "");
      return parts.join(" ").toLowerCase();
    });
  }

  function apply() {
    var term = q.value.trim().toLowerCase();
    var want = only.value;
    if (term && !index) buildIndex();
    var shown = 0;
    scenarios.forEach(function (s, i) {
      var outcomeOk = want === "" ||
        (want === "not-passed" ? !s.classList.contains("passed") && !s.classList.contains("not-applicable") : s.classList.contains(want));
      var ok = outcomeOk && (!term || index[i].indexOf(term) !== -1);
      s.classList.toggle("hidden-by-filter", !ok);
      if (ok) shown++;
    });
    var active = want !== "" || term !== "";
    features.forEach(function (f) {
      var any = f.querySelector("details.scenario:not(.hidden-by-filter)") !== null;
      f.classList.toggle("hidden-by-filter", active && !any);
      if (active && any) f.open = true;
    });
    count.textContent = active ? shown + " of " + scenarios.length + " scenarios shown" : "";
  }

  // Following a link to a scenario inside closed <details> must open them.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    for (var e = el; e; e = e.parentElement) {
      if (e.tagName === "DETAILS") e.open = true;
    }
    if (el) el.scrollIntoView();
  }

  // On paper nothing can be clicked open: show every feature and failed scenario (evidence of
  // passing scenarios stays folded, or a full run would be thousands of pages).
  window.addEventListener("beforeprint", function () {
    features.forEach(function (f) { f.open = true; });
    scenarios.forEach(function (s) { if (s.classList.contains("failed")) s.open = true; });
  });

  // A copy button on each curl command and on the command line (the text stays selectable without
  // script). Copies the element's text, never anything interpreted.
  function copyText(pre, button) {
    var text = pre.textContent;
    function done(ok) {
      button.textContent = ok ? "Copied" : "Select and copy";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(pre);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll("pre.curl-cmd, pre.cmd"), function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.addEventListener("click", function () { copyText(pre, button); });
    pre.parentNode.insertBefore(button, pre);
  });

  if (bar && q && only) {
    bar.hidden = false;
    q.addEventListener("input", apply);
    only.addEventListener("change", apply);
  }
  window.addEventListener("hashchange", reveal);
  if (location.hash) reveal();
})();
{% endraw %}
