// The booking widget inside its iframe: service -> who -> day and time -> email -> code ->
// confirm -> done, on the JSON API. "Add another service" before the time makes a visit:
// several services back to back, each with its own "who". The sign-in token lives only in this page's memory, so
// nothing depends on cookies (third-party cookies may well be blocked here).
// Strings come from the page's JavaScript catalogue (/jsi18n, loaded first): gettext,
// ngettext and interpolate with named placeholders, so translators see whole sentences.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("widget-config").textContent);
  var root = document.getElementById("step");
  var DAYS_SHOWN = 14;
  var state = { token: null, services: [], staff: [], items: [], day: null, slot: null, hold: null, wanted: null };

  // The origin that really frames us, where the browser tells (ancestorOrigins in Chromium
  // and Safari, else the referrer): booking details go to the page the customer is on, and
  // nowhere if ?origin= names another one.
  function framingOrigin() {
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      return window.location.ancestorOrigins[0];
    }
    try { return document.referrer ? new URL(document.referrer).origin : null; } catch (e) { return null; }
  }
  var framedBy = framingOrigin();

  function post(type, extra) {
    if (!config.parentOrigin || window.parent === window) return;
    if (framedBy !== null && framedBy !== config.parentOrigin) return;
    var message = { source: "chairtime", v: 1, type: type };
    for (var key in extra || {}) message[key] = extra[key];
    window.parent.postMessage(message, config.parentOrigin);
  }

  function api(path, options) {
    options = options || {};
    var headers = { "Accept": "application/json" };
    // The API answers (error messages) in the widget's language, which is not necessarily the
    // browser's: the customer may have chosen another one, and no cookie reaches us here.
    if (document.documentElement.lang) headers["Accept-Language"] = document.documentElement.lang;
    if (options.body) headers["Content-Type"] = "application/json";
    if (state.token) headers["Authorization"] = "Token " + state.token;
    return fetch(path, { method: options.method || "GET", headers: headers, credentials: "omit",
                         body: options.body ? JSON.stringify(options.body) : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var error = new Error((body.error && body.error.message) || gettext("Something went wrong. Please try again."));
            error.code = body.error && body.error.code;
            throw error;
          }
          return body;
        });
      });
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    for (var name in attributes || {}) {
      if (name === "onclick" || name === "onsubmit") node[name] = attributes[name];
      else if (attributes[name] !== null && attributes[name] !== undefined) node.setAttribute(name, attributes[name]);
    }
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // Every screen and every request gets a ticket; an answer is applied only while its ticket
  // is the latest, so a late answer (a slow day's times) never draws over a later step.
  var latest = 0;

  function show(title, nodes, error) {
    latest += 1;
    var heading = el("h2", { tabindex: "-1" }, [title]);
    root.replaceChildren(heading);
    if (error) root.appendChild(el("p", { "class": "error", role: "alert", id: "step-error" }, [error]));
    nodes.forEach(function (node) { root.appendChild(node); });
    root.setAttribute("aria-busy", "false");
    window.ChairtimePickers.refresh();
    if (document.hasFocus()) heading.focus();
  }

  // While a step loads, its old choices cannot be clicked and the region says it is busy.
  // Day buttons stay live: choosing another day while one loads asks again, and the
  // earlier answer is then dropped.
  function busy() {
    latest += 1;
    root.setAttribute("aria-busy", "true");
    root.querySelectorAll("button:not(.day), input, textarea, select").forEach(function (control) {
      control.disabled = true;
    });
    if (!root.querySelector(".loading")) root.appendChild(el("p", { "class": "loading muted" }, [gettext("Loading…")]));
    return latest;
  }

  // api() for a step: resolves only if nothing newer happened meanwhile, else never.
  function stepRequest(path, options) {
    var ticket = busy();
    return new Promise(function (resolve, reject) {
      api(path, options).then(
        function (answer) { if (ticket === latest) resolve(answer); },
        function (problem) { if (ticket === latest) reject(problem); }
      );
    });
  }

  function fail(error) {
    post("error", { message: error.message });
    return error.message;
  }

  function format(text, values) { return interpolate(text, values, true); }
  // Prices as the page's language writes them (£45.00, 45,00 £), like the server's |money.
  function money(price) {
    return new Intl.NumberFormat(document.documentElement.lang || "en", { style: "currency", currency: config.currency })
      .format(Number(price));
  }
  function localTime(iso) { return iso.slice(11, 16); }
  function localDay(iso) { return iso.slice(0, 10); }
  // Dates as the server writes them: English in the British order ("Tuesday 3 March").
  var dateLocale = (document.documentElement.lang || "en") === "en" ? "en-GB" : document.documentElement.lang;
  function dateOf(day) { return new Date(day + "T12:00:00Z"); }
  function dayLabel(day) {
    return dateOf(day).toLocaleDateString(dateLocale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  }
  function fullDayLabel(day) {
    return dateOf(day).toLocaleDateString(dateLocale, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
  }
  // Days as YYYY-MM-DD, counted in UTC so that no clock change moves them.
  function addDays(day, count) {
    var date = dateOf(day);
    date.setUTCDate(date.getUTCDate() + count);
    return date.toISOString().slice(0, 10);
  }
  // Monday = 0 … Sunday = 6, as the server's weekdays.
  function weekday(day) { return (dateOf(day).getUTCDay() + 6) % 7; }
  function visuallyHidden(text) { return el("span", { "class": "visually-hidden" }, [text]); }

  // Two weeks as a grid of weeks that start on the language's first day (config.firstWeekday);
  // days without a free time are there, but cannot be chosen.
  function dayGrid(days, first) {
    var grid = el("div", { "class": "days calendar", role: "group", "aria-label": gettext("Days"),
                           "data-picker": "days", "data-columns": "7" });
    for (var column = 0; column < 7; column++) {
      var name = dateOf("2024-01-01");  // a Monday
      name.setUTCDate(1 + (config.firstWeekday + column) % 7);
      grid.appendChild(el("span", { "class": "weekday", "aria-hidden": "true" },
                          [name.toLocaleDateString(dateLocale, { weekday: "short", timeZone: "UTC" })]));
    }
    for (var offset = 0; offset < DAYS_SHOWN; offset++) (function (day) {
      var count = (days[day] || []).length;
      var classes = "day" + (day === state.day ? " selected" : "") + (count ? "" : " full");
      if (offset === 0) classes += " start-" + ((weekday(day) - config.firstWeekday + 7) % 7 + 1);
      var label = count ? format(ngettext("%(day)s: %(count)s free time", "%(day)s: %(count)s free times", count),
                                 { day: fullDayLabel(day), count: count })
                        : format(gettext("%(day)s: no free times"), { day: fullDayLabel(day) });
      var date = dateOf(day);
      grid.appendChild(el("button", {
        type: "button", "class": classes, "data-pick": "", disabled: count ? null : "disabled",
        "aria-pressed": count ? String(day === state.day) : null,
        onclick: function () { state.day = day; state.focusTimes = true; chooseTime(); }
      }, [
        el("span", { "class": "number", "aria-hidden": "true" }, [String(date.getUTCDate())]),
        el("small", { "aria-hidden": "true" }, [date.toLocaleDateString(dateLocale, { month: "short", timeZone: "UTC" })]),
        visuallyHidden(label)
      ]));
    })(addDays(first, offset));
    return grid;
  }
  function choice(label, detail, onclick) {
    return el("button", { type: "button", "class": "choice", onclick: onclick },
              detail ? [el("strong", {}, [label]), el("span", { "class": "muted" }, [detail])] : [label]);
  }

  function staffName(id) {
    var member = state.staff.filter(function (m) { return m.id === id; })[0];
    return member ? member.name : gettext("Anyone available");
  }

  function chooseService(error) {
    var adding = state.items.length > 0;
    var nodes = state.services.map(function (service) {
      var detail = format(ngettext("%(minutes)s min · %(price)s", "%(minutes)s min · %(price)s", service.duration_minutes),
                          { minutes: service.duration_minutes, price: money(service.price) });
      return choice(service.name, detail, function () {
        state.items.push({ service: service, staffId: null });
        chooseStaff();
      });
    });
    if (adding) {
      nodes.unshift(el("p", { "class": "muted" }, [gettext("It follows right after the one before, in the same visit.")]));
      nodes.push(el("button", { type: "button", "class": "secondary", onclick: function () { chooseTime(); } }, [gettext("Back")]));
    }
    show(adding ? gettext("Add another service") : gettext("Choose a service"), nodes, error);
  }

  function chooseStaff() {
    var item = state.items[state.items.length - 1];
    var who = state.staff.filter(function (member) { return item.service.staff_ids.indexOf(member.id) >= 0; });
    var options = [choice(gettext("Anyone available"), null, function () { item.staffId = null; chooseTime(); })];
    who.forEach(function (member) {
      options.push(choice(member.name, null, function () { item.staffId = member.id; chooseTime(); }));
    });
    show(state.items.length > 1 ? format(gettext("Who for the %(service)s?"), { service: item.service.name })
                               : gettext("Who would you like?"), options);
  }

  // The services chosen so far, each removable while there are several.
  function chosenList() {
    return el("ul", { "class": "visit-items", "aria-label": gettext("Your services") }, state.items.map(function (item, index) {
      var who = item.staffId ? format(gettext("%(service)s with %(staff)s"), { service: item.service.name, staff: staffName(item.staffId) })
                             : format(gettext("%(service)s with anyone available"), { service: item.service.name });
      var parts = [who + " "];
      if (state.items.length > 1) {
        parts.push(el("button", { type: "button", "class": "link", "aria-label": format(gettext("Remove %(service)s"), { service: item.service.name }),
                                  onclick: function () { state.items.splice(index, 1); chooseTime(); } }, [gettext("Remove")]));
      }
      return el("li", {}, parts);
    }));
  }

  // A visit's slot fits if every item's chosen stylist may do that item then.
  function fits(slot) {
    return state.items.every(function (item, index) {
      return !item.staffId || slot.items[index].staff_ids.indexOf(item.staffId) >= 0;
    });
  }

  function chooseTime(error) {
    var query;
    if (state.items.length === 1) {
      var only = state.items[0];
      query = "?service=" + only.service.id + (only.staffId ? "&staff=" + only.staffId : "");
    } else {
      query = "?services=" + state.items.map(function (item) { return item.service.id; }).join(",");
    }
    if (state.hold) query += "&hold_token=" + encodeURIComponent(state.hold.hold_token);  // our own time stays ours
    stepRequest("/api/business/" + config.business + "/availability" + query + "&days=" + DAYS_SHOWN).then(function (answer) {
      var focusTimes = state.focusTimes;
      state.focusTimes = false;
      var slots = state.items.length === 1 ? answer.slots : answer.slots.filter(fits);
      var days = {};
      slots.forEach(function (slot) { (days[localDay(slot.start)] = days[localDay(slot.start)] || []).push(slot); });
      var names = Object.keys(days).sort();
      var top = [chosenList()];
      if (state.items.length < config.maxItems) {
        top.push(el("button", { type: "button", "class": "secondary", onclick: function () { chooseService(); } },
                    [gettext("Add another service")]));
      }
      if (state.items.length === 1) {
        top.push(el("p", { "class": "muted" }, [gettext("No time that suits you?") + " ",
          el("button", { type: "button", "class": "link", onclick: function () { waitlist(); } }, [gettext("Join the waitlist")])]));
      }
      if (!names.length) return show(gettext("Choose a time"), top.concat([el("p", {}, [gettext("No free times in the next two weeks.")])]), error);
      if (!state.day || !days[state.day]) state.day = names[0];
      var dayName = fullDayLabel(state.day);
      var timesHeading = el("h3", { id: "times-heading", tabindex: "-1" }, [dayName]);
      var times = el("div", { "class": "times", role: "group", "aria-labelledby": "times-heading", "data-picker": "times" },
                     days[state.day].map(function (slot) {
        return el("button", { type: "button", "class": "time", "data-pick": "", onclick: function () { hold(slot); } },
                  [visuallyHidden(dayName + ", "), localTime(slot.start)]);
      }));
      var zone = el("p", { "class": "muted" }, [format(gettext("Times in %(zone)s."), { zone: config.timezone })]);
      // From the salon's today (given by the page), or the first free day if the page is older than that.
      var first = names[0] < config.today ? names[0] : config.today;
      show(gettext("Choose a time"), top.concat([zone, dayGrid(days, first), timesHeading, times]), error);
      // A day chosen: its times come next, so that is where the keyboard and screen reader go.
      if (focusTimes && document.hasFocus()) timesHeading.focus();
    }).catch(function (problem) { show(gettext("Choose a time"), [], fail(problem)); });
  }

  // The chosen time is held for this customer while they sign in (it leaves everyone else's
  // times); choosing another replaces the hold, and the booking spends it.
  function hold(slot) {
    var body = { start: slot.start };
    if (state.hold) body.hold_token = state.hold.hold_token;
    if (state.items.length === 1) {
      body.service_id = state.items[0].service.id;
      body.staff_id = state.items[0].staffId;
    } else {
      body.items = state.items.map(function (item) { return { service_id: item.service.id, staff_id: item.staffId }; });
    }
    stepRequest("/api/business/" + config.business + "/holds", { method: "POST", body: body }).then(function (held) {
      state.hold = held;
      state.slot = slot;
      details();
    }).catch(function (problem) { chooseTime(fail(problem)); });
  }

  function heldLine() {
    if (!state.hold) return null;
    return el("p", { "class": "muted held" }, [format(gettext("We're keeping this time for you until %(time)s."), { time: localTime(state.hold.expires_at) })]);
  }

  function summary() {
    var names = state.items.map(function (item) { return item.service.name; }).join(" + ");
    if (state.wanted) return el("p", { "class": "summary-line" }, [format(gettext("%(services)s: the waitlist"), { services: names })]);
    return el("p", { "class": "summary-line" }, [format(gettext("%(services)s, %(day)s %(time)s (%(zone)s)"), {
      services: names, day: dayLabel(localDay(state.slot.start)), time: localTime(state.slot.start), zone: config.timezone
    })]);
  }

  // The waitlist: the dates and times the customer can make; sent once they are signed in.
  function waitlist(error) {
    // The salon's dates, not the browser's ("en-CA" writes YYYY-MM-DD).
    var salonDate = new Intl.DateTimeFormat("en-CA", { timeZone: config.timezone, year: "numeric", month: "2-digit", day: "2-digit" });
    var today = salonDate.format(new Date());
    var later = salonDate.format(new Date(Date.now() + 14 * 864e5));
    var form = el("form", { novalidate: "novalidate", onsubmit: function (event) {
      event.preventDefault();
      var item = state.items[0];
      state.wanted = {
        business_id: config.business, service_id: item.service.id, staff_id: item.staffId,
        windows: [{ from_date: form.from_date.value, to_date: form.to_date.value,
                    from_time: form.from_time.value || null, to_time: form.to_time.value || null }]
      };
      if (state.token) joinWaitlist(); else details();
    } }, [
      el("p", {}, [gettext("Tell us when you could come: when such a time frees up, we send you a link to book it.")]),
      el("label", { "for": "w-from" }, [gettext("From")]),
      el("input", { id: "w-from", name: "from_date", type: "date", value: today, required: "required" }),
      el("label", { "for": "w-to" }, [gettext("Until")]),
      el("input", { id: "w-to", name: "to_date", type: "date", value: later, required: "required" }),
      el("label", { "for": "w-after" }, [gettext("Not before (optional)")]),
      el("input", { id: "w-after", name: "from_time", type: "time" }),
      el("label", { "for": "w-before" }, [gettext("Done by (optional)")]),
      el("input", { id: "w-before", name: "to_time", type: "time" }),
      el("button", { type: "submit" }, [gettext("Join the waitlist")]),
      el("button", { type: "button", "class": "secondary", onclick: function () { state.wanted = null; chooseTime(); } }, [gettext("Back")])
    ]);
    show(gettext("Join the waitlist"), [chosenList(), form], error);
  }

  function joinWaitlist() {
    stepRequest("/api/customer/waitlist", { method: "POST", body: state.wanted }).then(function () {
      state.wanted = null;
      var told = state.email ? format(gettext("We'll tell %(contact)s when a time frees up."), { contact: state.email })
                             : gettext("We'll tell you when a time frees up.");
      show(gettext("You're on the waitlist"), [el("p", {}, [told])]);
    }).catch(function (problem) { waitlist(fail(problem)); });
  }

  function details(error) {
    if (state.token) return state.wanted ? joinWaitlist() : confirm();
    var form = el("form", { novalidate: "novalidate", onsubmit: function (event) {
      event.preventDefault();
      var contact = form.contact.value.trim();
      var body = { first_name: form.first_name.value.trim(), last_name: form.last_name.value.trim() };
      body[contact.indexOf("@") >= 0 ? "email" : "phone"] = contact;
      stepRequest("/api/customer/auth/login", { method: "POST", body: body }).then(function (answer) {
        state.challenge = answer.challenge;
        state.email = contact;
        code();
      }).catch(function (problem) { details(fail(problem)); });
    } }, [
      el("label", { "for": "w-contact" }, [gettext("Email or mobile number")]),
      el("input", { id: "w-contact", name: "contact", type: "text", inputmode: "email", autocomplete: "username",
                    "aria-invalid": error ? "true" : null, "aria-describedby": error ? "step-error" : null,
                    required: "required" }),
      el("label", { "for": "w-first" }, [gettext("First name")]),
      el("input", { id: "w-first", name: "first_name", autocomplete: "given-name" }),
      el("label", { "for": "w-last" }, [gettext("Last name")]),
      el("input", { id: "w-last", name: "last_name", autocomplete: "family-name" }),
      el("button", { type: "submit" }, [gettext("Send me a code")]),
      el("button", { type: "button", "class": "secondary", onclick: function () { state.wanted = null; chooseTime(); } }, [gettext("Back")])
    ]);
    show(gettext("Your details"), [summary(), state.wanted ? null : heldLine(), form].filter(Boolean), error);
  }

  function code(error) {
    var form = el("form", { onsubmit: function (event) {
      event.preventDefault();
      stepRequest("/api/customer/auth/verify", { method: "POST", body: { challenge: state.challenge, code: form.code.value.trim() } })
        .then(function (answer) { state.token = answer.token; if (state.wanted) joinWaitlist(); else confirm(); })
        .catch(function (problem) { code(fail(problem)); });
    } }, [
      el("p", {}, [format(gettext("We sent a code to %(contact)s."), { contact: state.email })]),
      el("label", { "for": "w-code" }, [gettext("Code")]),
      el("input", { id: "w-code", name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: "required",
                    "aria-invalid": error ? "true" : null, "aria-describedby": error ? "step-error" : null }),
      el("button", { type: "submit" }, [gettext("Continue")])
    ]);
    show(gettext("Enter your code"), [form], error);
  }

  function bookingBody(notes) {
    var body = { business_id: config.business, start: state.slot.start, notes: notes, source: "widget" };
    if (state.hold) body.hold_token = state.hold.hold_token;
    if (state.items.length === 1) {
      body.service_id = state.items[0].service.id;
      body.staff_id = state.items[0].staffId;
    } else {
      body.items = state.items.map(function (item) {
        return item.staffId ? { service_id: item.service.id, staff_id: item.staffId } : { service_id: item.service.id };
      });
    }
    return body;
  }

  function shared(appointment) {
    return { id: appointment.id, start: appointment.start, end: appointment.end,
             service_id: appointment.service_id, staff_id: appointment.staff_id };
  }

  function confirm(error) {
    var form = el("form", { onsubmit: function (event) {
      event.preventDefault();
      stepRequest("/api/customer/book-appointment", { method: "POST", body: bookingBody(form.notes.value) }).then(function (booked) {
        // A visit answers with its appointments: the page hears of the first, and of the visit.
        var appointments = booked.appointments || [booked];
        var message = { appointment: shared(appointments[0]) };
        if (booked.visit_id) {
          message.visit = { id: booked.visit_id, start: booked.start, end: booked.end, appointments: appointments.map(shared) };
        }
        state.hold = null;  // spent
        post("booked", message);
        done(booked, appointments);
      }).catch(function (problem) {
        if (problem.code === "slot_unavailable") return chooseTime(fail(problem));
        confirm(fail(problem));
      });
    } }, [
      el("label", { "for": "w-notes" }, [gettext("Anything the salon should know? (optional)")]),
      el("textarea", { id: "w-notes", name: "notes", rows: "2", maxlength: "2000" }),
      el("button", { type: "submit" }, [gettext("Confirm booking")])
    ]);
    show(gettext("Confirm"), [summary(), heldLine(), form].filter(Boolean), error);
  }

  function done(booked, appointments) {
    var nodes = [summary()];
    if (appointments.length > 1) {
      var services = {};
      state.items.forEach(function (item) { services[item.service.id] = item.service.name; });
      nodes.push(el("ul", { "class": "visit-items", "aria-label": gettext("Your visit") }, appointments.map(function (a) {
        return el("li", {}, [format(gettext("%(start)s–%(end)s %(service)s with %(staff)s"), {
          start: localTime(a.start), end: localTime(a.end), service: services[a.service_id], staff: staffName(a.staff_id)
        })]);
      })));
    }
    nodes.push(el("p", {}, [state.email ? format(gettext("A confirmation is on its way to %(contact)s."), { contact: state.email })
                                        : gettext("A confirmation is on its way to you.")]));
    nodes.push(el("p", { "class": "muted" }, [format(gettext("Booking reference: %(reference)s"), { reference: booked.visit_id || booked.id })]));
    // Changes and cancellations happen on the salon's booking site (with the same e-mail code).
    var manage = (booked.visit_id ? "/customer/visits/" + booked.visit_id : "/customer/appointments/" + booked.id) +
                 "?lang=" + encodeURIComponent(document.documentElement.lang);
    nodes.push(el("p", {}, [el("a", { href: manage, target: "_blank", rel: "noopener" },
                               [gettext("Change or cancel this booking (opens in a new tab)")])]));
    show(gettext("You're booked!"), nodes);
  }

  if (window.ResizeObserver) {
    new ResizeObserver(function () { post("resize", { height: document.documentElement.scrollHeight }); })
      .observe(document.body);
  }

  Promise.all([api("/api/business/" + config.business + "/services"), api("/api/business/" + config.business + "/staff")])
    .then(function (answers) {
      state.services = answers[0];
      state.staff = answers[1];
      var service = state.services.filter(function (s) { return s.id === config.service; })[0] || null;
      var preselected = state.staff.filter(function (m) { return m.id === config.staff; })[0];
      if (service) state.items.push({ service: service, staffId: null });
      if (service && preselected && service.staff_ids.indexOf(preselected.id) >= 0) {
        state.items[0].staffId = preselected.id;
        chooseTime();
      } else if (service) {
        chooseStaff();
      } else {
        chooseService();
      }
      // The host page names its iframe with this (screen readers read it), in the widget's language.
      post("ready", { title: gettext("Book an appointment") });
      post("resize", { height: document.documentElement.scrollHeight });
    })
    .catch(function (problem) { show(gettext("Booking unavailable"), [], fail(problem)); });

  // The language switch reloads this page with ?lang= replaced and every other parameter kept.
  // replace(), not assign(): a step in the frame's history would be a step of the host page's
  // Back button.
  var language = document.getElementById("widget-language");
  if (language) {
    language.closest(".widget-language").hidden = false;
    language.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.set("lang", language.value);
      window.location.replace(url.toString());
    });
  }
})();
