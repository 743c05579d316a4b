/* The class journal grid's keyboard: moves the cursor in the browser, sends only entries to the server.
 *
 * Cells are <td data-r="row" data-c="column" tabindex="0"> inside an element with data-grid.
 * Arrows, Enter (down), Tab (right) and Home/End move focus here, without a round trip.
 * A mark (digits), an attendance code (н б у п о, or the Latin n b u p o), Backspace/Delete,
 * Ctrl+Z (undo) and Enter on a period cell return {cell, key}; the page sends that to its state
 * handler and the cursor moves down the lesson's column, as a teacher fills a column pupil by pupil.
 * The mark pad (buttons with data-key, for phones) does the same for the cell last focused.
 *
 * Percentages (a class assessed by criteria, the grid's data-entry="percent"): what is typed into a
 * cell collects there (shown «73%», data-typing) until Enter, Tab or an arrow (or the pad's ✓) sends it
 * as one entry «%73»; the server turns it into the mark of the policy's table or refuses it with a
 * message naming the field (120, -3, abc: this file does not judge, so the message is the server's).
 * Backspace takes back a typed character, Escape or moving elsewhere by a click drops what was typed.
 *
 * Offline (the phone has no network, or the page's websocket is down): an entry is not sent but kept
 * in the browser's localStorage (the outbox), one item per cell with the version token the cell showed
 * when the first key was typed (its data-v), the pupil's and the lesson's ids and the time of each key.
 * Such a cell shows what was typed, marked «waiting» (data-wait). It survives a reload; when the
 * connection is back the outbox goes to the server in one event (the hidden [data-sync] button), which
 * saves each cell against the version it was typed over and answers with the ids to forget (synced).
 */
(function () {
  if (window.bbbmsGrid) return;

  var CODES = { "н": "н", "б": "б", "у": "у", "п": "п", "о": "о", n: "н", b: "б", u: "у", p: "п", o: "о" };
  var current = null;
  var typing = null;  // a percentage being typed: {cell, text}
  var MAX_TYPED = 4;

  function percentMode(grid) {
    return grid.dataset.entry === "percent" && grid.dataset.readonly !== "1";
  }

  function showTyping() {
    if (typing) typing.cell.dataset.typing = typing.text + "%";
  }

  function dropTyping() {
    if (typing) delete typing.cell.dataset.typing;
    typing = null;
  }

  function typeInto(cell, ch) {
    if (!typing || typing.cell !== cell) {
      dropTyping();
      typing = { cell: cell, text: "" };
    }
    if (typing.text.length < MAX_TYPED) typing.text += ch;
    showTyping();
  }

  // The typed percentage as one entry for `cell` (null when nothing was typed there).
  function sendTyped(cell) {
    if (!typing || typing.cell !== cell || !typing.text) {
      dropTyping();
      return null;
    }
    var text = typing.text;
    dropTyping();
    return entry(cell, "%" + text);
  }

  function cellAt(grid, r, c) {
    return grid.querySelector('[data-r="' + r + '"][data-c="' + c + '"]');
  }

  function bounds(grid) {
    return { rows: +(grid.dataset.rows || 0), cols: +(grid.dataset.cols || 0) };
  }

  // Focus the nearest usable cell from (r, c) going by (dr, dc); cells of a pupil who had left are skipped.
  function move(grid, r, c, dr, dc) {
    var b = bounds(grid);
    for (var step = 0; step < 200; step++) {
      r += dr;
      c += dc;
      if (r < 0 || c < 0 || r >= b.rows || c > b.cols + 1) return false;
      var next = cellAt(grid, r, c);
      if (next && next.dataset.off !== "1") {
        next.focus();
        return true;
      }
    }
    return false;
  }

  function entry(cell, key) {
    var grid = cell.closest("[data-grid]");
    var mode = (grid && grid.dataset.mode) || "read";
    if (mode === "write" && key !== "period" && offline()) {
      if (key === "undo") unkeep(grid);
      else keep(grid, cell, key);
      return null;
    }
    return { cell: cell.dataset.r + ":" + cell.dataset.c, key: key, mode: mode };
  }

  // -- the outbox -------------------------------------------------------------------------------
  var OUTBOX = "bbbms.journal.outbox";
  var inFlight = 0;
  var LABELS = { clear: "⌫" };

  function label(k) {
    return k.charAt(0) === "%" ? k.slice(1) + "%" : LABELS[k] || k;
  }

  // The network or the websocket is down (connection.js; until it has loaded, the network alone).
  function offline() {
    var c = window.bbbmsConnection;
    return navigator.onLine === false || (c ? c.offline() : false);
  }

  function readBox() {
    try {
      var list = JSON.parse(window.localStorage.getItem(OUTBOX) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function writeBox(list) {
    window.localStorage.setItem(OUTBOX, JSON.stringify(list));
    paint();
  }

  function newId() {
    var a = new Uint8Array(12);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function lessonOf(grid, c) {
    var head = grid.querySelectorAll("thead th[data-l]")[c];
    return head ? head.dataset.l : "";
  }

  function keep(grid, cell, key) {
    var row = cell.closest("tr[data-p]");
    var l = lessonOf(grid, +cell.dataset.c), p = row ? row.dataset.p : "";
    var owner = grid.dataset.owner || "";
    if (!l || !p || !owner) return;
    var list = readBox();
    var item = null;
    for (var i = 0; i < list.length; i++) {
      if (list[i].u === owner && list[i].l === l && list[i].p === p) item = list[i];
    }
    if (!item) {
      item = { id: newId(), u: owner, l: l, p: p, v: cell.dataset.v || "", keys: [] };
      list.push(item);
    }
    item.keys.push({ k: key, kind: grid.dataset.kind || "class", at: new Date().toISOString() });
    item.t = Date.now();
    writeBox(list);
  }

  // Undo while offline takes back the last key kept, not a saved mark.
  function unkeep(grid) {
    var owner = grid.dataset.owner || "";
    var list = readBox(), last = -1;
    for (var i = 0; i < list.length; i++) {
      if (list[i].u === owner && (last < 0 || list[i].t >= list[last].t)) last = i;
    }
    if (last < 0) return;
    list[last].keys.pop();
    if (!list[last].keys.length) list.splice(last, 1);
    writeBox(list);
  }

  // Show what waits: the typed key in its cell (data-wait), and the count under the grid.
  function paint() {
    var grid = document.querySelector("[data-grid]");
    if (!grid) return;
    var owner = grid.dataset.owner || "";
    var mine = readBox().filter(function (e) { return e.u === owner; });
    var waiting = {};
    var heads = grid.querySelectorAll("thead th[data-l]");
    var col = {};
    for (var c = 0; c < heads.length; c++) col[heads[c].dataset.l] = c;
    mine.forEach(function (e) {
      var row = grid.querySelector('tr[data-p="' + e.p + '"]');
      if (!row || col[e.l] === undefined) return;
      var cell = row.querySelector('td[data-c="' + col[e.l] + '"]');
      var k = e.keys[e.keys.length - 1].k;
      if (cell) waiting[col[e.l] + ":" + e.p] = [cell, label(k)];
    });
    grid.querySelectorAll("td[data-wait]").forEach(function (cell) {
      var row = cell.closest("tr[data-p]");
      if (!waiting[cell.dataset.c + ":" + (row && row.dataset.p)]) delete cell.dataset.wait;
    });
    Object.keys(waiting).forEach(function (k) { waiting[k][0].dataset.wait = waiting[k][1]; });
    var status = document.querySelector("[data-outbox]");
    if (status) {
      if (mine.length) status.dataset.count = String(mine.length);
      else delete status.dataset.count;
    }
  }

  // The entries to send now (the hidden [data-sync] button's click asks for them), or null.
  function outbox() {
    var grid = document.querySelector("[data-grid]");
    if (!grid || offline() || Date.now() < inFlight) return null;
    var owner = grid.dataset.owner || "";
    var mine = readBox().filter(function (e) { return e.u === owner; }).slice(0, 300);
    if (!mine.length) return null;
    inFlight = Date.now() + 30000;  // one batch at a time; sent again if no answer came in 30 s
    return mine.map(function (e) { return { id: e.id, l: e.l, p: e.p, v: e.v, keys: e.keys }; });
  }

  function synced(ids) {
    var gone = {};
    (ids || []).forEach(function (id) { gone[id] = true; });
    writeBox(readBox().filter(function (e) { return !gone[e.id]; }));
    inFlight = 0;
  }

  function flush() {
    paint();
    if (offline() || Date.now() < inFlight) return;
    var grid = document.querySelector("[data-grid]");
    var sync = document.querySelector("[data-sync]");
    if (!grid || !sync || grid.dataset.mode !== "write") return;
    var owner = grid.dataset.owner || "";
    if (readBox().some(function (e) { return e.u === owner; })) sync.click();
  }

  // The connection back: what waits goes (after a moment for the socket to settle); gone: shown waiting.
  window.addEventListener("bbbms:connection", function (e) {
    if (e.detail.up) setTimeout(flush, 1500);
    else paint();
  });
  setInterval(flush, 3000);

  function valueOf(e) {
    var k = e.key || "";
    if (/^[0-9]$/.test(k)) return k;
    var code = CODES[k.toLowerCase()];
    if (code) return code;
    if (k === "Backspace" || k === "Delete") return "clear";
    return null;
  }

  function key(e) {
    var cell = e.target && e.target.closest ? e.target.closest("[data-r]") : null;
    var grid = cell ? cell.closest("[data-grid]") : null;
    if (!cell || !grid) return null;
    var r = +cell.dataset.r, c = +cell.dataset.c;
    var k = e.key;
    if (e.ctrlKey || e.metaKey) {
      if (k === "z" || k === "Z" || k === "я" || k === "Я") {
        e.preventDefault();
        return entry(cell, "undo");
      }
      return null;
    }
    if (e.altKey) return null;
    var isPeriod = cell.dataset.period === "1";
    if (percentMode(grid) && !isPeriod && cell.dataset.off !== "1") {
      if (typing && typing.cell !== cell) dropTyping();
      var sendMoves = { Enter: [e.shiftKey ? -1 : 1, 0], Tab: [0, e.shiftKey ? -1 : 1], ArrowUp: [-1, 0],
        ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (typing && sendMoves[k]) {
        e.preventDefault();
        var typed = sendTyped(cell);
        move(grid, r, c, sendMoves[k][0], sendMoves[k][1]);
        return typed;
      }
      if (k === "Escape") {
        dropTyping();
        return null;
      }
      if (k === "Backspace" && typing) {
        e.preventDefault();
        typing.text = typing.text.slice(0, -1);
        if (typing.text) showTyping();
        else dropTyping();
        return null;
      }
      if (k && k.length === 1 && k !== " ") {
        e.preventDefault();
        typeInto(cell, k);
        return null;
      }
    }
    var moves = {
      ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1],
      Tab: e.shiftKey ? [0, -1] : [0, 1],
    };
    if (k === "Enter" || k === " ") {
      if (isPeriod) {
        e.preventDefault();
        return entry(cell, "period");
      }
      if (k === "Enter") {
        e.preventDefault();
        move(grid, r, c, e.shiftKey ? -1 : 1, 0);
      }
      return null;
    }
    if (moves[k]) {
      // Tab at the row's edge leaves the grid as usual; everywhere else the grid keeps the cursor.
      if (move(grid, r, c, moves[k][0], moves[k][1]) || k !== "Tab") e.preventDefault();
      return null;
    }
    if (k === "Home" || k === "End") {
      e.preventDefault();
      var target = cellAt(grid, r, k === "Home" ? 0 : bounds(grid).cols - 1);
      if (target) target.focus();
      return null;
    }
    if (isPeriod || cell.dataset.off === "1" || grid.dataset.readonly === "1") return null;
    var v = valueOf(e);
    if (!v) return null;
    e.preventDefault();
    if (v !== "clear") move(grid, r, c, 1, 0);
    return entry(cell, v);
  }

  function pad(e) {
    var btn = e && e.target && e.target.closest ? e.target.closest("[data-key]") : null;
    if (!btn || !current || !document.body.contains(current)) return null;
    var grid = current.closest("[data-grid]");
    if (!grid || grid.dataset.readonly === "1" || current.dataset.off === "1") return null;
    var v = btn.dataset.key;
    var cell = current;
    if (v === "undo") {
      dropTyping();
      return entry(cell, "undo");
    }
    if (cell.dataset.period === "1") return null;
    if (percentMode(grid)) {
      // The percent pad: digits collect in the cell, ✓ sends them and goes down, ⌫ takes one back.
      if (/^[0-9]$/.test(v)) {
        typeInto(cell, v);
        return null;
      }
      if (v === "ok") {
        var typed = sendTyped(cell);
        if (typed) move(grid, +cell.dataset.r, +cell.dataset.c, 1, 0);
        return typed;
      }
      if (v === "clear" && typing && typing.cell === cell) {
        typing.text = typing.text.slice(0, -1);
        if (typing.text) showTyping();
        else dropTyping();
        return null;
      }
    }
    if (v !== "clear") move(grid, +cell.dataset.r, +cell.dataset.c, 1, 0);
    return entry(cell, v);
  }

  // Scroll the grid sideways to column `col` (today's lesson) and put the cursor in its first cell.
  // Called by the server after it opened a journal; the rows may not be drawn yet, so it waits for them.
  function reveal(col, tries) {
    var grid = document.querySelector("[data-grid]");
    var cell = grid ? cellAt(grid, 0, col) : null;
    if (!cell) {
      if ((tries || 0) < 50) setTimeout(function () { reveal(col, (tries || 0) + 1); }, 100);
      return;
    }
    var name = grid.querySelector("tbody th.nm");
    var box = cell.getBoundingClientRect();
    var left = grid.getBoundingClientRect().left + (name ? name.offsetWidth : 0) + box.width;
    grid.scrollLeft = Math.max(0, grid.scrollLeft + box.left - left);  // one earlier lesson stays in view
    if (!current || !document.body.contains(current)) {
      var target = cell;
      for (var r = 0; target && target.dataset.off === "1"; r++) target = cellAt(grid, r + 1, col);
      if (target) target.focus({ preventScroll: true });
    }
  }

  document.addEventListener("focusin", function (e) {
    if (e.target && e.target.matches && e.target.matches("[data-grid] [data-r]")) {
      current = e.target;
      if (typing && typing.cell !== current) dropTyping();  // a tap elsewhere drops what was typed
    }
  });
  // Pad buttons must not take the focus away from the cell being filled.
  document.addEventListener("mousedown", function (e) {
    if (e.target && e.target.closest && e.target.closest("[data-pad] [data-key]")) e.preventDefault();
  });

  // Another teacher's saves reach an open journal: ask the server every 15 s while the tab is visible.
  setInterval(function () {
    if (document.visibilityState !== "visible") return;
    var poll = document.querySelector("[data-poll]");
    if (poll) poll.click();
  }, 15000);

  window.bbbmsGrid = { key: key, pad: pad, move: move, reveal: reveal, outbox: outbox, synced: synced, paint: paint };
  if (typeof window.bbbmsReveal === "number") reveal(window.bbbmsReveal);  // asked for before this file loaded
})();
