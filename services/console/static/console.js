// The live pages: one EventSource; "incidents" means something changed where this person looks, and the
// page's live fragments fetch themselves again (with the person's own session), no reload.
(function () {
  "use strict";
  // Reports kept in this browser belong to the person who made them (report.js keys them by person):
  // signing out drops the person's own; the signed-out page drops every console queue left behind.
  var PENDING = "edu-clusters.pending-reports";
  function forget(all) {
    try {
      var person = document.body.getAttribute("data-person");
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PENDING) === 0 && (all || key === PENDING + "." + person)) {
          localStorage.removeItem(key);
        }
      }
    } catch (e) { /* no storage: nothing kept */ }
  }
  if (document.body.hasAttribute("data-signed-out")) forget(true);
  var out = document.querySelector("form.who");
  if (out) out.addEventListener("submit", function () { forget(false); });
  var main = document.getElementById("main");
  if (!main || !main.hasAttribute("data-live") || !window.EventSource) return;
  var opened = false;
  var source = new EventSource("/live");
  function changed() { window.htmx.trigger(document.body, "incidents-changed"); }
  source.addEventListener("incidents", changed);
  source.addEventListener("open", function () {
    if (opened) changed(); // reconnected: what changed meanwhile is fetched
    opened = true;
    document.documentElement.setAttribute("data-live-open", "1");
  });
})();
