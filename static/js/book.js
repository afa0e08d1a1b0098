// Progressive enhancement of /customer/book-appointment: day and week links load the
// next step in place. Without JavaScript the same links are ordinary page loads.
//
// Only the answer to the latest click is applied (older requests are aborted and their
// answers dropped), and while a step loads its old choices cannot be clicked: on a slow
// connection a late answer must never replace a step the customer has moved on from.
(function () {
  "use strict";
  var root = document.getElementById("booking");
  if (!root || !window.fetch) return;
  var latest = 0;
  var pending = null;
  root.setAttribute("aria-busy", "false");

  function load(link) {
    var ticket = ++latest;
    if (pending) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("partial", "1");
    root.setAttribute("aria-busy", "true");
    root.classList.add("loading");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
                 signal: pending ? pending.signal : undefined })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        if (ticket !== latest) return;
        root.innerHTML = html;
        url.searchParams.delete("partial");
        window.history.pushState({}, "", url);
        // The language switch brings the customer back here, not to the step the page began at.
        var back = document.querySelector(".language-switch input[name=next]");
        if (back) back.value = url.pathname + url.search;
        if (window.ChairtimePickers) window.ChairtimePickers.refresh();
        focusHeading(root.querySelector("h3") || root.querySelector("h2"));
      })
      .catch(function (problem) {
        if (ticket !== latest || (problem && problem.name === "AbortError")) return;
        window.location.href = link.href;
      })
      .finally(function () {
        if (ticket !== latest) return;
        root.classList.remove("loading");
        root.setAttribute("aria-busy", "false");
      });
  }

  // Keyboard and screen-reader users start each step at its heading, not at the top of the page.
  function focusHeading(heading) {
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
  if (new URLSearchParams(window.location.search).has("service")) focusHeading(root.querySelector("h2"));

  root.addEventListener("click", function (event) {
    var link = event.target.closest("a, button");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (link.matches("a[data-step]")) {  // another day or week: ask again, the older answer is dropped
      event.preventDefault();
      load(link);
    } else if (root.getAttribute("aria-busy") === "true") {  // a time of the day being replaced
      event.preventDefault();
    }
  });
  window.addEventListener("popstate", function () { window.location.reload(); });
})();
