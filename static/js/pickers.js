// The day and time pickers of the portal and the widget, by keyboard: each picker is one Tab
// stop (the chosen item, else the first), and the arrow keys move within it. Days are a grid of
// weeks (Up and Down move a week), times a grid as wide as the screen shows; Home and End go to
// the first and last item; Space presses a link as Enter does. Items that cannot be chosen (a
// full day) keep their place in the grid but are passed over.
//   <div data-picker="days" data-columns="7"> ... <a data-pick> or <button data-pick> ... </div>
// Loaded with `defer`, before the page's own script.
(function () {
  "use strict";

  function cells(picker) { return Array.prototype.slice.call(picker.querySelectorAll("[data-pick]")); }
  function choosable(cell) { return cell.matches("a[href], button:not([disabled])"); }

  // How many items a row holds: given, or what the layout puts beside the first one.
  function columns(picker, list) {
    var given = parseInt(picker.getAttribute("data-columns"), 10);
    if (given > 0) return given;
    var top = list[0].offsetTop, count = 0;
    while (count < list.length && list[count].offsetTop === top) count++;
    return Math.max(count, 1);
  }

  function rove(picker) {
    var list = cells(picker).filter(choosable);
    if (!list.length) return;
    var chosen = list.filter(function (cell) {
      return cell.matches(".selected, [aria-current], [aria-pressed='true']");
    })[0] || list[0];
    list.forEach(function (cell) { cell.tabIndex = cell === chosen ? 0 : -1; });
  }

  function target(list, from, step) {
    var index = from + step;
    var direction = step > 0 ? 1 : -1;
    while (index >= 0 && index < list.length && !choosable(list[index])) index += direction;
    return index >= 0 && index < list.length ? list[index] : null;
  }

  function onKey(event) {
    var picker = event.target.closest("[data-picker]");
    if (!picker || !event.target.matches("[data-pick]") || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === " " && event.target.tagName === "A") {
      event.preventDefault();
      event.target.click();
      return;
    }
    var list = cells(picker);
    var from = list.indexOf(event.target);
    var width = columns(picker, list);
    var next = {
      ArrowLeft: function () { return target(list, from, -1); },
      ArrowRight: function () { return target(list, from, 1); },
      ArrowUp: function () { return target(list, from, -width); },
      ArrowDown: function () { return target(list, from, width); },
      Home: function () { return target(list, -1, 1); },
      End: function () { return target(list, list.length, -1); }
    }[event.key];
    if (!next) return;
    event.preventDefault();
    var cell = next();
    if (!cell) return;
    list.forEach(function (item) { if (choosable(item)) item.tabIndex = item === cell ? 0 : -1; });
    cell.focus();
  }

  // Call again whenever a picker is replaced (the portal's in-place steps, the widget's steps).
  function refresh() { document.querySelectorAll("[data-picker]").forEach(rove); }

  document.addEventListener("keydown", onKey);
  refresh();
  window.ChairtimePickers = { refresh: refresh };
})();
