/* A pupil's answers to a running test, kept in the browser until the server has them (pages/quiz.py).
 *
 * Every answer — a tap on an option ([data-act] pick / toggle), an ordering arrow (up / down), a pair
 * picked (match), a typed answer when its field loses focus (type) — is first written to localStorage
 * under its attempt («bbbms.quiz.<owner>.a<attempt>»): one entry per question with a new id, the
 * response in shown positions, when it was given and whether the page was offline. The page shows it
 * at once (painted: data-local on the options, the CSS order of an ordering question, «kept on this
 * phone»). While the connection is up the entries go to the server in one event — the hidden
 * [data-quiz-sync] button, QuizState.sync_answers — which saves them while the attempt runs on the
 * server's clock (late ones are refused and audited) and answers with the ids to forget (synced).
 * A reload or a dropped connection loses nothing: the entries wait, and go when the socket is back.
 *
 * The countdown ([data-quiz-clock]) runs on the server's clock (the offset to this one learnt from
 * data-server-now at each answer); at zero it locks the questions, sends what waits and clicks
 * [data-quiz-timeup]: the server hands the attempt in, or closes it at its deadline — it is the judge.
 *
 * Whether the connection is up comes from connection.js, which the page loads too.
 */
(function () {
  if (window.bbbmsQuiz) return;

  var PREFIX = "bbbms.quiz.";
  var WEEK = 7 * 24 * 3600 * 1000;
  var inFlight = 0;
  var offset = 0, offsetFrom = "";
  var fired = {};

  // The network or the websocket is down (connection.js; until it has loaded, the network alone).
  function offline() {
    var c = window.bbbmsConnection;
    return navigator.onLine === false || (c ? c.offline() : false);
  }

  function attemptEl() {
    var el = document.querySelector("[data-quiz-attempt]");
    return el && el.dataset.quizAttempt ? el : null;
  }

  function owner() {
    var el = document.querySelector("[data-quiz-owner]");
    return el ? el.dataset.quizOwner || "" : "";
  }

  function boxKey(attempt) {
    return PREFIX + owner() + ".a" + attempt;
  }

  function read(key) {
    try {
      var list = JSON.parse(window.localStorage.getItem(key) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function write(key, list) {
    if (list.length) window.localStorage.setItem(key, JSON.stringify(list));
    else window.localStorage.removeItem(key);
  }

  // Every key of this owner's attempts (a reload may land on the list with answers still waiting).
  function ownKeys() {
    var who = owner(), keys = [];
    if (!who) return keys;
    for (var i = 0; i < window.localStorage.length; i++) {
      var k = window.localStorage.key(i);
      if (k && k.indexOf(PREFIX + who + ".a") === 0) keys.push(k);
    }
    return keys;
  }

  function newId() {
    var a = new Uint8Array(12);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function cardOf(n) {
    var el = attemptEl();
    return el ? el.querySelector('[data-quiz-q][data-n="' + n + '"]') : null;
  }

  function pending(n) {
    var el = attemptEl();
    if (!el) return null;
    var list = read(boxKey(el.dataset.quizAttempt));
    for (var i = 0; i < list.length; i++) if (list[i].n === n) return list[i];
    return null;
  }

  // The question's response now: the one waiting here, else the server's (data-resp).
  function current(card) {
    var e = pending(+card.dataset.n);
    if (e) return e.r;
    try {
      return JSON.parse(card.dataset.resp || "null");
    } catch (x) {
      return null;
    }
  }

  function put(n, response) {
    var el = attemptEl();
    if (!el || el.dataset.locked || el.dataset.submitted === "1" || !owner()) return;
    var key = boxKey(el.dataset.quizAttempt);
    var list = read(key).filter(function (e) { return e.n !== n; });
    list.push({
      id: newId(), a: el.dataset.quizAttempt, n: n, r: response,
      at: new Date().toISOString(), off: offline() ? 1 : 0,
    });
    write(key, list);
    flush();
  }

  // -- what the pupil does ----------------------------------------------------------------------
  function orderNow(card) {
    var size = +card.dataset.size;
    var r = current(card);
    if (Array.isArray(r) && r.length === size && r.slice().sort(function (a, b) { return a - b; })
      .every(function (v, i) { return v === i; })) return r.slice();
    return Array.prototype.map.call(card.querySelectorAll("[data-order-item]"), function (row) { return +row.dataset.pos; });
  }

  function act(button) {
    var card = button.closest("[data-quiz-q]");
    if (!card) return;
    var n = +card.dataset.n, what = button.dataset.act;
    if (what === "pick") {
      put(n, +button.dataset.pos);
    } else if (what === "toggle") {
      var r = current(card), pos = +button.dataset.pos;
      var on = Array.isArray(r) ? r.slice() : [];
      var at = on.indexOf(pos);
      if (at >= 0) on.splice(at, 1);
      else on.push(pos);
      put(n, on.sort(function (a, b) { return a - b; }));
    } else if (what === "up" || what === "down") {
      var row = button.closest("[data-order-item]");
      var order = orderNow(card);
      var k = order.indexOf(+row.dataset.pos), other = k + (what === "up" ? -1 : 1);
      if (k < 0 || other < 0 || other >= order.length) return;
      var t = order[k];
      order[k] = order[other];
      order[other] = t;
      put(n, order);
    }
  }

  function typed(input) {
    var card = input.closest("[data-quiz-q]");
    if (!card) return;
    var value = input.value.trim();
    var now = current(card);
    if (value === (typeof now === "string" ? now : "")) return;
    put(+card.dataset.n, value);
  }

  // A pair picked (the select's onValueChange calls this with the question, the left item and the value).
  function match(n, j, value) {
    var card = cardOf(n);
    if (!card) return;
    var size = +card.dataset.size;
    var r = current(card);
    var picks = Array.isArray(r) && r.length === size ? r.slice() : Array.apply(null, Array(size)).map(function () { return null; });
    picks[j] = +value;
    put(n, picks);
  }

  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("[data-quiz-q] [data-act]") : null;
    if (button && button.dataset.act !== "type") act(button);
  });
  document.addEventListener("focusout", function (e) {
    if (e.target && e.target.matches && e.target.matches('[data-quiz-q] input[data-act="type"]')) typed(e.target);
  });

  // -- showing what waits -----------------------------------------------------------------------
  function paint() {
    var el = attemptEl();
    var waiting = 0;
    ownKeys().forEach(function (k) {
      read(k).forEach(function (e) { if (e.off) waiting++; });
    });
    var status = document.querySelector("[data-quiz-outbox]");
    if (status) {
      if (waiting) status.dataset.count = String(waiting);
      else delete status.dataset.count;
    }
    if (!el) return;
    var by = {};
    read(boxKey(el.dataset.quizAttempt)).forEach(function (e) { by[e.n] = e; });
    el.querySelectorAll("[data-quiz-q]").forEach(function (card) {
      var e = by[+card.dataset.n];
      if (e) card.dataset.wait = e.off || offline() ? "off" : "on";
      else delete card.dataset.wait;
      var kind = card.dataset.kind;
      card.querySelectorAll('[data-act="pick"],[data-act="toggle"]').forEach(function (b) {
        if (!e) return void delete b.dataset.local;
        var pos = +b.dataset.pos;
        var on = kind === "single" ? e.r === pos : Array.isArray(e.r) && e.r.indexOf(pos) >= 0;
        b.dataset.local = on ? "1" : "0";
      });
      card.querySelectorAll("[data-order-item]").forEach(function (row) {
        var label = row.querySelector('[data-testid="quiz-order-item"]');
        var k = e && Array.isArray(e.r) ? e.r.indexOf(+row.dataset.pos) : -1;
        if (k < 0) {
          row.style.order = "";
          if (label) delete label.dataset.ln;
          return;
        }
        row.style.order = String(k);
        if (label) label.dataset.ln = String(k + 1);
      });
      var input = card.querySelector('input[data-act="type"]');
      if (e && input && typeof e.r === "string" && document.activeElement !== input && input.value !== e.r) input.value = e.r;
    });
  }

  // -- sending ----------------------------------------------------------------------------------
  function outbox() {
    if (offline() || Date.now() < inFlight) return null;
    var all = [];
    ownKeys().forEach(function (k) { all = all.concat(read(k)); });
    if (!all.length) return null;
    inFlight = Date.now() + 20000;  // one batch at a time; sent again if no answer came in 20 s
    return all.slice(0, 200).map(function (e) { return { id: e.id, a: e.a, n: e.n, r: e.r, at: e.at, off: e.off }; });
  }

  function synced(ids) {
    var gone = {};
    (ids || []).forEach(function (id) { gone[id] = true; });
    ownKeys().forEach(function (k) {
      write(k, read(k).filter(function (e) { return !gone[e.id]; }));
    });
    inFlight = 0;
    setTimeout(flush, 50);
  }

  function flush() {
    paint();
    if (offline() || Date.now() < inFlight) return;
    var sync = document.querySelector("[data-quiz-sync]");
    if (!sync) return;
    if (ownKeys().some(function (k) { return read(k).length > 0; })) sync.click();
  }

  // Entries of attempts long over (their page never opened again) are dropped after a week.
  function tidy() {
    var old = Date.now() - WEEK;
    ownKeys().forEach(function (k) {
      write(k, read(k).filter(function (e) { return Date.parse(e.at) > old; }));
    });
  }

  // -- the countdown ----------------------------------------------------------------------------
  function pad2(v) {
    return (v < 10 ? "0" : "") + v;
  }

  function tick() {
    var el = attemptEl();
    var clock = document.querySelector("[data-quiz-clock]");
    if (!el || el.dataset.submitted === "1") return;
    var deadline = +el.dataset.deadline, serverNow = el.dataset.serverNow || "";
    if (!deadline) return;
    if (serverNow && serverNow !== offsetFrom) {  // the server's clock as of its last answer
      offsetFrom = serverNow;
      offset = +serverNow - Date.now();
    }
    var left = Math.max(0, deadline - (Date.now() + offset));
    var s = Math.ceil(left / 1000);
    if (clock) clock.textContent = Math.floor(s / 60) + ":" + pad2(s % 60);
    var box = clock && clock.closest(".qz-deadline");
    if (box) {
      if (s <= 60) box.dataset.low = "1";
      else delete box.dataset.low;
    }
    if (left > 0) {
      delete el.dataset.locked;
      return;
    }
    el.dataset.locked = "1";  // nothing more is taken here; the server decides what counted
    var attempt = el.dataset.quizAttempt;
    if (fired[attempt] || offline()) return;
    fired[attempt] = true;
    flush();  // what waits goes first (the events run in order), then the time is up
    var up = document.querySelector("[data-quiz-timeup]");
    if (up) up.click();
  }

  // The connection back: what waits goes; a new websocket also means an answer to the last batch may
  // have been lost with the old one: the batch may go again (an answer saved twice is the same answer).
  window.addEventListener("bbbms:connection", function (e) {
    if (!e.detail.up) return void paint();
    if (e.detail.socket) inFlight = 0;
    setTimeout(flush, 1000);
  });
  setInterval(flush, 3000);
  setInterval(tick, 500);
  tidy();

  window.bbbmsQuiz = { match: match, outbox: outbox, synced: synced, paint: paint, flush: flush };
})();
