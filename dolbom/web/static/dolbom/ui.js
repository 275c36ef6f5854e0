// What the pages do for people beyond plain HTML, bound by attributes (the Content-Security-Policy allows
// scripts from this origin only, never inline ones: web/security.py). Every form still works without it.
//   header .nav-toggle      the phone menu: opens and closes the navigation (aria-expanded)
//   form[data-confirm]      asks before a step that cannot be taken back (closing a case, signing minutes)
//   input[data-filter-for]  filters the options of a long list box (40 attendees) as one types
//   [data-scroll-end]       kept scrolled to its newest line (the check-in chat), also after htmx swaps
//   [data-notify-url]       the bell: polls the counts, rings a short tone when a new high alert arrives
(function () {
  "use strict";
  var dolbom = (window.dolbom = window.dolbom || {});

  // The phone menu ---------------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".nav-toggle");
    if (!toggle) return;
    var header = toggle.closest(".site-header");
    var open = header.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var header = document.querySelector(".site-header.nav-open");
    if (!header) return;
    header.classList.remove("nav-open");
    var toggle = header.querySelector(".nav-toggle");
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
  });

  // Confirmation before an irreversible step -------------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Filtering a long list box -----------------------------------------------------------------------
  function filterOptions(input) {
    var select = document.getElementById(input.getAttribute("data-filter-for"));
    if (!select) return;
    var needle = input.value.trim().toLowerCase();
    var shown = [];
    Array.prototype.forEach.call(select.options, function (option) {
      var match = !needle || (option.value !== "" && option.text.toLowerCase().indexOf(needle) !== -1);
      option.hidden = !match;
      if (match && option.value !== "") shown.push(option);
    });
    // One match left: it is chosen, so Tab then Enter sends the form without touching the list.
    if (needle && shown.length === 1) select.value = shown[0].value;
    var status = document.getElementById(input.id + "-count");
    if (status) status.textContent = needle ? shown.length + "" : "";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-filter-for]")) filterOptions(event.target);
  });
  document.addEventListener("keydown", function (event) {
    // Enter in the filter box moves to the list instead of sending a half-filled form.
    if (event.key === "Enter" && event.target.matches && event.target.matches("input[data-filter-for]")) {
      event.preventDefault();
      var select = document.getElementById(event.target.getAttribute("data-filter-for"));
      if (select) select.focus();
    }
  });

  // The newest line in view ------------------------------------------------------------------------
  function scrollToEnd(root) {
    var boxes = (root || document).querySelectorAll("[data-scroll-end]");
    Array.prototype.forEach.call(boxes, function (box) { box.scrollTop = box.scrollHeight; });
  }
  document.addEventListener("DOMContentLoaded", function () { scrollToEnd(document); });
  // At once when the new lines are in (afterSwap), so that no one reads the box scrolled back to the top
  // for the settle delay; again after the settle, when the box has its final height.
  document.addEventListener("htmx:afterSwap", function (event) { scrollToEnd(event.target); });
  document.addEventListener("htmx:afterSettle", function (event) {
    scrollToEnd(event.target);
    // htmx replaced the chat: the reply box it held has the focus back, ready for the next line.
    var input = event.target.querySelector && event.target.querySelector("[data-refocus]");
    if (input) input.focus();
  });

  // The bell ---------------------------------------------------------------------------------------
  dolbom.beeps = 0;
  var audio = null;

  function beep() {
    dolbom.beeps += 1;
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      // Two short tones: heard across an office, not alarming to a client on the phone nearby.
      [0, 0.22].forEach(function (start) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, audio.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.25, audio.currentTime + start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + start + 0.18);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + start);
        osc.stop(audio.currentTime + start + 0.2);
      });
    } catch (e) { /* no audio device: the badge still shows the count */ }
  }
  dolbom.beep = beep;

  function showCounts(bell, data) {
    var badge = bell.querySelector(".bell-count");
    badge.textContent = data.total > 99 ? "99+" : String(data.total);
    badge.hidden = !data.total;
    bell.classList.toggle("has-alarm", data.alarm > 0);
    var parts = data.items.map(function (i) { return i.label + " " + i.count; });
    bell.setAttribute("title", parts.length ? parts.join(", ") : bell.getAttribute("data-empty-title"));
    // The mute switch says what it is now (the page itself does not look the setting up).
    var mute = document.querySelector("[data-testid=mute]");
    if (mute) {
      mute.textContent = mute.getAttribute(data.muted ? "data-label-off" : "data-label-on");
      mute.setAttribute("aria-pressed", data.muted ? "true" : "false");
    }
    var live = document.getElementById("bell-live");
    if (live) live.textContent = parts.join(", ");
  }

  function poll() {
    var bell = document.querySelector("[data-notify-url]");
    if (!bell) return Promise.resolve(null);
    return fetch(bell.getAttribute("data-notify-url"), {credentials: "same-origin",
                                                        headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return null;
        showCounts(bell, data);
        // The tone rings when more high alerts are open than this browser last saw for this user.
        var key = "dolbom.alarmSeen." + bell.getAttribute("data-user");
        var seen = parseInt(window.localStorage.getItem(key) || "0", 10);
        if (data.alarm > seen && !data.muted) beep();
        window.localStorage.setItem(key, String(data.alarm));
        return data;
      })
      .catch(function () { return null; });
  }
  dolbom.notifyPoll = poll;

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector("[data-notify-url]");
    if (!bell) return;
    poll();
    var every = parseInt(bell.getAttribute("data-notify-every") || "30", 10) * 1000;
    window.setInterval(function () { if (!document.hidden) poll(); }, every);
  });
})();
