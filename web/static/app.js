// downwatch dashboard: live updates without reloading.
//
// It listens to /api/events (server-sent alerts) and, when an alert concerns
// what the page shows, re-fetches the page's server-rendered fragment and swaps
// it in. Everything from the server's data is either HTML that html/template
// escaped (parsed with DOMParser into an inert document, never innerHTML) or
// text set with textContent.
(function () {
  "use strict";
  var root = document.getElementById("live-root");
  var status = document.getElementById("live-status");
  if (!root || !root.dataset.fragment || !window.EventSource) return;

  var watch = (root.dataset.watch || "").split(" ").filter(Boolean);
  var service = root.dataset.service || "";
  var pending = null, inflight = false, again = false;
  var verbs = {
    "incident.opened": "opened", "incident.updated": "updated",
    "incident.acknowledged": "acknowledged", "incident.resolved": "resolved"
  };

  function setStatus(state, text) {
    if (!status) return;
    status.dataset.state = state;
    status.querySelector(".live-text").textContent = text;
  }

  function refresh() {
    if (inflight) { again = true; return; }
    inflight = true;
    fetch(root.dataset.fragment, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var open = {};
        root.querySelectorAll("details[open]").forEach(function (d, i) { open[i] = true; });
        var nodes = Array.prototype.slice.call(doc.body.childNodes).map(function (n) { return document.adoptNode(n); });
        root.replaceChildren.apply(root, nodes);
        root.querySelectorAll("details").forEach(function (d, i) { if (open[i]) d.open = true; });
      })
      .catch(function () { /* the next event or the periodic refresh tries again */ })
      .finally(function () {
        inflight = false;
        if (again) { again = false; schedule(); }
      });
  }

  function schedule() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 200); // one fetch for a burst of alerts
  }

  function relevant(a) {
    if (!watch.length) return true;
    var inc = a.incident || {};
    return watch.indexOf(inc.id) >= 0 || inc.service === service;
  }

  function toast(a) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var inc = a.incident || {};
    var el = document.createElement("div");
    el.className = "toast";
    var b = document.createElement("b");
    b.textContent = String(inc.service || "incident");
    el.appendChild(b);
    el.appendChild(document.createTextNode(" " + (inc.region ? "(" + inc.region + ") " : "") + "incident " + (verbs[a.type] || a.type)));
    box.appendChild(el);
    setTimeout(function () { el.classList.add("fade"); }, 4000);
    setTimeout(function () { el.remove(); }, 4600);
  }

  function flash(id) {
    setTimeout(function () {
      root.querySelectorAll("[data-incident]").forEach(function (el) {
        if (el.dataset.incident === id) el.classList.add("flash");
      });
    }, 600);
  }

  var es = new EventSource("/api/events");
  es.onopen = function () { setStatus("on", "live"); };
  es.onerror = function () { setStatus("retry", "reconnecting…"); };
  Object.keys(verbs).forEach(function (type) {
    es.addEventListener(type, function (ev) {
      var a;
      try { a = JSON.parse(ev.data); } catch (e) { return; }
      if (!relevant(a)) return;
      toast(a);
      schedule();
      if (a.incident && a.incident.id) flash(a.incident.id);
    });
  });
  // Series move every minute even without alerts: refresh the charts now and then.
  setInterval(function () { if (!document.hidden) schedule(); }, 60000);
})();
