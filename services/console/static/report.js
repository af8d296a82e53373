// A principal's report: its Idempotency-Key is made here, and the report is kept in this browser
// (localStorage) until the console answers that the incidents service has it. A report made on a failing
// connection is sent when the connection returns, with the same key, so it is recorded once.
(function () {
  "use strict";
  // One queue per signed-in person (a shared computer at a school): another person's kept reports are
  // neither shown nor sent with this person's session.
  var PERSON = document.body.getAttribute("data-person") || "";
  var KEY = "edu-clusters.pending-reports." + PERSON;
  try { localStorage.removeItem("edu-clusters.pending-reports"); } catch (e) { /* an older, unowned queue */ }
  var form = document.getElementById("report");
  var status = document.getElementById("report-status");
  var list = document.getElementById("pending-reports");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"];
  var sending = false;

  function load() {
    if (!PERSON) return [];
    try {
      var items = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(items) ? items.filter(function (item) { return item && item.who === PERSON; }) : [];
    } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); show(items); }
  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.report.title;
      li.setAttribute("data-key", item.key);
      list.appendChild(li);
    });
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function drop(key) { save(load().filter(function (item) { return item.key !== key; })); }

  function send(item) {
    return fetch("/school/report", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRF-Token": csrf },
      body: JSON.stringify(item.report)
    }).then(function (response) {
      if (response.status === 401) {
        var where = response.headers.get("X-Sign-In");
        if (where) window.location.assign(where);
        throw new Error("sign-in");
      }
      return response.json().then(function (body) {
        if (response.ok) {
          drop(item.key);
          status.className = "ok";
          status.textContent = form.getAttribute("data-sent") + " " + body.reference;
          status.setAttribute("data-reference", body.reference);
        } else if (response.status < 500) {
          drop(item.key); // refused: kept no longer, the words say why
          status.className = "error";
          status.textContent = body.detail;
        } else {
          throw new Error("server " + response.status);
        }
      });
    });
  }

  function flush() {
    if (sending) return;
    var items = load();
    if (!items.length) return;
    sending = true;
    var next = items[0];
    send(next).then(function () { sending = false; flush(); }, function () {
      sending = false;
      status.className = "error";
      status.textContent = form.getAttribute("data-kept");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var report = {
      category: data.get("category"),
      title: data.get("title"),
      description: data.get("description"),
      occurred_at: new Date().toISOString(),
      people: { injured: parseInt(data.get("injured") || "0", 10) || 0 }
    };
    if (data.get("place")) report.place = data.get("place");
    var items = load();
    items.push({ key: newKey(), who: PERSON, report: report });
    save(items);
    form.reset();
    flush();
  });
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  show(load());
  flush();
})();
