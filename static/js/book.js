// Progressive enhancement of /customer/book-appointment: day and week links load the
// next step in place. Without JavaScript the same links are ordinary page loads.
(function () {
  "use strict";
  var root = document.getElementById("booking");
  if (!root || !window.fetch) return;
  root.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-step]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("partial", "1");
    root.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        root.innerHTML = html;
        url.searchParams.delete("partial");
        window.history.pushState({}, "", url);
        var heading = root.querySelector("h3") || root.querySelector("h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      })
      .catch(function () { window.location.href = link.href; })
      .finally(function () { root.removeAttribute("aria-busy"); });
  });
  window.addEventListener("popstate", function () { window.location.reload(); });
})();
