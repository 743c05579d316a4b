/* The class journal grid's keyboard: moves the cursor in the browser, sends only entries to the server.
 *
 * Cells are <td data-r="row" data-c="column" tabindex="0"> inside an element with data-grid.
 * Arrows, Enter (down), Tab (right) and Home/End move focus here, without a round trip.
 * A mark (digits), an attendance code (н б у п о, or the Latin n b u p o), Backspace/Delete,
 * Ctrl+Z (undo) and Enter on a period cell return {cell, key}; the page sends that to its state
 * handler and the cursor moves down the lesson's column, as a teacher fills a column pupil by pupil.
 * The mark pad (buttons with data-key, for phones) does the same for the cell last focused.
 */
(function () {
  if (window.bbbmsGrid) return;

  var CODES = { "н": "н", "б": "б", "у": "у", "п": "п", "о": "о", n: "н", b: "б", u: "у", p: "п", o: "о" };
  var current = null;

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
    return { cell: cell.dataset.r + ":" + cell.dataset.c, key: key, mode: (grid && grid.dataset.mode) || "read" };
  }

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
    if (v === "undo") return entry(cell, "undo");
    if (cell.dataset.period === "1") return null;
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
    if (e.target && e.target.matches && e.target.matches("[data-grid] [data-r]")) current = e.target;
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

  window.bbbmsGrid = { key: key, pad: pad, move: move, reveal: reveal };
})();
