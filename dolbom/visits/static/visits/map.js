// Pan and zoom on the visit map by moving its SVG viewBox (no tiles, no library): the buttons of
// .map-tools, the mouse wheel and dragging, and the keyboard on the focused map (+ − zoom, arrows move,
// 0 the day's visits, Home the whole city). --map-scale keeps markers and labels their size on screen.
(function () {
  "use strict";
  var ZOOM = 1.5;
  var DESK_WIDTH = 900;  // the map's width in pixels on a 1366-pixel screen

  function parse(value) { return value.split(/\s+/).map(Number); }

  function setup(svg) {
    var home = parse(svg.getAttribute("data-home"));
    var full = parse(svg.getAttribute("data-full"));
    var view = home.slice();

    var labels = Array.prototype.slice.call(svg.querySelectorAll(".stop-label"));
    var pins = Array.prototype.slice.call(svg.querySelectorAll(".stop-pin"));
    var pending = false;

    function overlaps(a, b) {
      return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }

    function declutter() {
      // A label that would cover an earlier label or another stop's pin is hidden (its stop keeps its
      // number, and its name stays in the stop's tooltip); zooming in gives the labels room again.
      pending = false;
      labels.forEach(function (label) { label.classList.remove("crowded"); });
      var kept = [];
      var pinBoxes = pins.map(function (pin) { return [pin.parentNode, pin.getBoundingClientRect()]; });
      labels.forEach(function (label) {
        var box = label.getBoundingClientRect();
        var crowded = kept.some(function (other) { return overlaps(box, other); }) ||
          pinBoxes.some(function (pin) { return pin[0] !== label.parentNode && overlaps(box, pin[1]); });
        if (crowded) label.classList.add("crowded");
        else kept.push(box);
      });
    }

    function apply() {
      svg.setAttribute("viewBox", view.map(function (v) { return v.toFixed(1); }).join(" "));
      // On a screen narrower than an office PC's map (a phone), the markers and labels grow in map units,
      // so that they stay readable rather than shrinking with the drawing (halfway, by the square root: a phone's
      // map is crowded).
      var width = svg.getBoundingClientRect().width;
      var narrow = width > 0 ? Math.sqrt(Math.max(1, DESK_WIDTH / width)) : 1;
      svg.style.setProperty("--map-scale", (view[2] / full[2] * narrow).toFixed(4));
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(declutter);
      }
    }

    function clamp() {
      // Never smaller than a street block, never larger than the city with a margin around it.
      var w = Math.min(Math.max(view[2], full[2] / 40), full[2] * 1.2);
      var h = w * view[3] / view[2];
      view[0] = Math.min(Math.max(view[0], full[0] - w * 0.1), full[0] + full[2] - w * 0.9);
      view[1] = Math.min(Math.max(view[1], full[1] - h * 0.1), full[1] + full[3] - h * 0.9);
      view[2] = w;
      view[3] = h;
    }

    function zoom(factor, cx, cy) {
      var w = view[2] / factor, h = view[3] / factor;
      cx = cx === undefined ? view[0] + view[2] / 2 : cx;
      cy = cy === undefined ? view[1] + view[3] / 2 : cy;
      view = [cx - (cx - view[0]) / factor, cy - (cy - view[1]) / factor, w, h];
      clamp();
      apply();
    }

    function pan(dx, dy) {
      view[0] += dx * view[2];
      view[1] += dy * view[3];
      clamp();
      apply();
    }

    function toMap(clientX, clientY) {
      var box = svg.getBoundingClientRect();
      // preserveAspectRatio meet: the drawing is letter-boxed inside the element.
      var s = Math.min(box.width / view[2], box.height / view[3]);
      var ox = (box.width - view[2] * s) / 2, oy = (box.height - view[3] * s) / 2;
      return [view[0] + (clientX - box.left - ox) / s, view[1] + (clientY - box.top - oy) / s, s];
    }

    var tools = document.querySelector(".map-tools[aria-controls='" + svg.id + "']");
    if (tools) {
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("[data-map-action]");
        if (!button) return;
        var action = button.getAttribute("data-map-action");
        if (action === "in") zoom(ZOOM);
        else if (action === "out") zoom(1 / ZOOM);
        else if (action === "home") { view = home.slice(); apply(); }
        else if (action === "full") { view = full.slice(); apply(); }
      });
    }

    svg.addEventListener("keydown", function (event) {
      var step = 0.1, handled = true;
      switch (event.key) {
        case "+": case "=": zoom(ZOOM); break;
        case "-": case "_": zoom(1 / ZOOM); break;
        case "ArrowLeft": pan(-step, 0); break;
        case "ArrowRight": pan(step, 0); break;
        case "ArrowUp": pan(0, -step); break;
        case "ArrowDown": pan(0, step); break;
        case "0": view = home.slice(); apply(); break;
        case "Home": view = full.slice(); apply(); break;
        default: handled = false;
      }
      if (handled) event.preventDefault();
    });

    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var at = toMap(event.clientX, event.clientY);
      zoom(event.deltaY < 0 ? 1.25 : 1 / 1.25, at[0], at[1]);
    }, {passive: false});

    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      drag = {x: event.clientX, y: event.clientY, view: view.slice(), s: toMap(event.clientX, event.clientY)[2]};
      svg.setPointerCapture(event.pointerId);
      svg.classList.add("dragging");
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      view[0] = drag.view[0] - (event.clientX - drag.x) / drag.s;
      view[1] = drag.view[1] - (event.clientY - drag.y) / drag.s;
      clamp();
      apply();
    });
    function end() { drag = null; svg.classList.remove("dragging"); }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    apply();
    window.addEventListener("resize", apply);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("svg.visit-map[data-home]"), setup);
  });
})();
