/* Chairtime booking widget embed script. Served as /widget-embed.js and /embed-widget.js.
 *   <div id="book"></div>
 *   <script src="https://SALON-HOST/widget-embed.js"></script>
 *   <script>BookingWidget.loadWidget("BUSINESS-UUID", "book")</script>
 * or <div data-booking-widget="BUSINESS-UUID"></div>. Events "chairtime:<type>" are
 * dispatched on the container with the message as `detail`.
 */
(function () {
  "use strict";
  if (window.BookingWidget) return;
  var script = document.currentScript;
  var base = script ? new URL(script.src, window.location.href).origin : window.location.origin;
  var uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var frames = [];

  function loadWidget(businessId, containerId, options) {
    options = options || {};
    var container = typeof containerId === "string" ? document.getElementById(containerId) : containerId;
    if (!container) {
      console.error("Chairtime: no element with id \"" + containerId + "\" to put the booking widget in.");
      return null;
    }
    if (!uuid.test(String(businessId))) {
      console.error("Chairtime: \"" + businessId + "\" is not a business id (a UUID such as 8e6c323b-df6b-4594-9098-63dd5dcf3879).");
      return null;
    }
    if (container.chairtimeFrame) return container.chairtimeFrame;
    var params = new URLSearchParams({ origin: window.location.origin });
    ["service", "staff"].forEach(function (name) { if (options[name]) params.set(name, options[name]); });
    // The host page's language unless told otherwise; one the widget does not have is ignored
    // there (it then follows the visitor's browser, then the salon's default).
    var lang = options.lang || document.documentElement.lang;
    if (lang) params.set("lang", lang);
    var iframe = document.createElement("iframe");
    iframe.src = base + "/widget/" + businessId + "?" + params.toString();
    // The host page has no catalogue: the widget sends its title in its language when ready.
    iframe.title = options.title || "Book an appointment";
    iframe.style.cssText = "width:100%;border:0;display:block;min-height:" + (options.minHeight || 480) + "px";
    iframe.setAttribute("allow", "clipboard-write");
    container.appendChild(iframe);
    container.chairtimeFrame = iframe;
    frames.push({ iframe: iframe, container: container, titled: Boolean(options.title) });
    return iframe;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== base) return;
    var entry = null;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].iframe.contentWindow === event.source) entry = frames[i];
    }
    var data = event.data;
    if (!entry || !data || data.source !== "chairtime" || data.v !== 1 || typeof data.type !== "string") return;
    if (data.type === "resize" && typeof data.height === "number" && data.height > 0) {
      entry.iframe.style.height = Math.ceil(data.height) + "px";
    }
    if (data.type === "ready" && typeof data.title === "string" && data.title && !entry.titled) {
      entry.iframe.title = data.title.slice(0, 200);
    }
    entry.container.dispatchEvent(new CustomEvent("chairtime:" + data.type, { detail: data }));
  });

  function autoInit() {
    var nodes = document.querySelectorAll("[data-booking-widget]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      loadWidget(node.getAttribute("data-booking-widget"), node, {
        service: node.getAttribute("data-service"), staff: node.getAttribute("data-staff"),
        lang: node.getAttribute("data-lang")
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoInit);
  else autoInit();

  window.BookingWidget = { loadWidget: loadWidget };
})();
