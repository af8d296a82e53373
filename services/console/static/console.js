// The live pages: one EventSource; "incidents" means something changed where this person looks, and the
// page's live fragments fetch themselves again (with the person's own session), no reload.
(function () {
  "use strict";
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
