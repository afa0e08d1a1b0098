// The front desk's one enhancement: find an existing client while typing, and fill in the
// booking form with their details. Without JavaScript the form works as it is (a client
// is matched by email, or by the phone the salon has for them).
(function () {
  "use strict";

  function setUp(box) {
    var form = box.closest("form");
    var input = box.querySelector("input[type=search]");
    var list = box.querySelector(".client-results");
    var warnings = box.querySelector(".client-warnings");
    var url = box.getAttribute("data-search-url");
    var ticket = 0;
    var controller = null;
    var timer = null;
    box.hidden = false;

    function fill(client) {
      ["first_name", "last_name", "phone", "email"].forEach(function (name) {
        var field = form.elements[name];
        if (field) field.value = client[name] || "";
      });
      list.replaceChildren();
      input.value = client.name;
      warnings.replaceChildren();
      warnings.hidden = !client.warnings.length;
      client.warnings.forEach(function (text) {
        var line = document.createElement("p");
        line.textContent = "⚠ " + text;
        warnings.appendChild(line);
      });
    }

    function show(results) {
      list.replaceChildren();
      results.forEach(function (client) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("role", "option");
        button.textContent = client.name + (client.phone ? " · " + client.phone : "") + (client.email ? " · " + client.email : "");
        button.addEventListener("click", function () { fill(client); });
        item.appendChild(button);
        list.appendChild(item);
      });
    }

    function search() {
      var query = input.value.trim();
      var mine = ++ticket; // only the answer to the latest question is shown
      if (controller) controller.abort();
      if (query.length < 2) { list.replaceChildren(); return; }
      controller = new AbortController();
      box.setAttribute("aria-busy", "true");
      fetch(url + "&q=" + encodeURIComponent(query), { credentials: "same-origin", signal: controller.signal })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === ticket) show(data.results); })
        .catch(function () {})
        .finally(function () { if (mine === ticket) box.removeAttribute("aria-busy"); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".client-search[data-search-url]").forEach(setUp);
  });
})();

// A visit's items sit in different columns and rows: pointing at or focusing one outlines
// every item of the same visit (the blocks say "Visit 1 of 2" without this).
(function () {
  "use strict";
  var calendar = document.querySelector("table.calendar");
  if (!calendar) return;
  function light(event, on) {
    var block = event.target.closest && event.target.closest("td[data-visit]");
    if (!block) return;
    calendar.querySelectorAll('td[data-visit="' + block.getAttribute("data-visit") + '"]').forEach(function (item) {
      item.classList.toggle("visit-highlight", on);
    });
  }
  ["mouseover", "focusin"].forEach(function (type) { calendar.addEventListener(type, function (e) { light(e, true); }); });
  ["mouseout", "focusout"].forEach(function (type) { calendar.addEventListener(type, function (e) { light(e, false); }); });
})();
