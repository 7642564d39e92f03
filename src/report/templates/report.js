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

  // Search text of a scenario: its header, steps (with messages) and the Ssp-TraceID of each of its
  // requests, not the evidence bodies, which would make each keystroke scan megabytes.
  function buildIndex() {
    index = scenarios.map(function (s) {
      var feature = s.closest("details.feature");
      var parts = [feature ? feature.querySelector("summary").textContent : ""];
      var head = s.querySelector("summary");
      var steps = s.querySelector(".sbody > .steps");
      var fail = s.querySelector(".sbody > .failure");
      var traces = s.querySelector(".sbody > .traces");
      parts.push(head ? head.textContent : "", steps ? steps.textContent : "", fail ? fail.textContent : "",
        traces ? traces.textContent : "");
      return parts.join(" ").toLowerCase();
    });
  }

  function outcomeMatches(s, want) {
    if (want === "") return true;
    if (want === "not-passed") return !s.classList.contains("passed") && !s.classList.contains("not-applicable");
    if (want === "has-warnings") return s.querySelector("li.finding.warning, .xline .badge.warning") !== null;
    return s.classList.contains(want);
  }

  function apply() {
    var term = q.value.trim().toLowerCase();
    var want = only.value;
    if (term && !index) buildIndex();
    var shown = 0;
    scenarios.forEach(function (s, i) {
      var ok = outcomeMatches(s, want) && (!term || index[i].indexOf(term) !== -1);
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

  // Following a link to a scenario inside closed <details> must open them. A link to #only-<outcome>
  // (the warning counts) filters the results to that outcome.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf("only-") === 0 && only && bar && !bar.hidden) {
      var wanted = id.slice(5);
      if (only.querySelector("option[value='" + wanted.replace(/[^a-z-]/g, "") + "']")) {
        only.value = wanted;
        apply();
      }
    }
    var el = id ? document.getElementById(id) : null;
    for (var e = el; e; e = e.parentElement) {
      if (e.tagName === "DETAILS") e.open = true;
    }
    if (el) el.scrollIntoView();
  }

  // On paper nothing can be clicked open: show every feature and failed scenario (evidence of
  // passing scenarios stays folded, or a full run would be thousands of pages).
  // The requirement matrix is printed whole.
  window.addEventListener("beforeprint", function () {
    features.forEach(function (f) { f.open = true; });
    scenarios.forEach(function (s) { if (s.classList.contains("failed")) s.open = true; });
    var matrix = document.querySelector("#requirements > details");
    if (matrix) matrix.open = true;
  });

  // Expand or collapse every feature and scenario the filter shows.
  function setAll(open) {
    features.forEach(function (f) { if (!f.classList.contains("hidden-by-filter")) f.open = open; });
    scenarios.forEach(function (s) { if (!s.classList.contains("hidden-by-filter")) s.open = open; });
  }
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) expand.addEventListener("click", function () { setAll(true); });
  if (collapse) collapse.addEventListener("click", function () { setAll(false); });

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
  // Following the same filter link twice changes no hash: apply it anyway.
  Array.prototype.forEach.call(document.querySelectorAll("a[href^='#only-']"), function (a) {
    a.addEventListener("click", function () { if (location.hash === a.getAttribute("href")) reveal(); });
  });
  if (location.hash) reveal();
})();
{% endraw %}
