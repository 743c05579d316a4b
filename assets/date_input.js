/* The date field (components/date_input.py): dd.mm.yyyy, typed with digits, with or without dots.
   On a phone the numeric keypad has no dot: the dots are put in as the digits come, so
   "05092025" reads "05.09.2025"; "5.9.2025" typed with dots reads "05.09.2025"; a pasted ISO
   date "2025-09-05" is turned round. Runs in the capture phase, before React reads the value. */
(function () {
  if (window.__bbbmsDateInput) return;
  window.__bbbmsDateInput = true;
  var SIZES = [2, 2, 4];

  function shape(raw, deleting) {
    var iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(raw);
    if (iso) raw = iso[3] + "." + iso[2] + "." + iso[1];
    var groups = [""];
    for (var i = 0; i < raw.length; i++) {
      var ch = raw.charAt(i);
      var last = groups.length - 1;
      if (ch >= "0" && ch <= "9") {
        if (groups[last].length >= SIZES[last]) {
          if (groups.length === 3) break;
          groups.push("");
          last += 1;
        }
        groups[last] += ch;
      } else if (groups[last].length > 0 && groups.length < 3) {
        if (groups[last].length === 1) groups[last] = "0" + groups[last];
        groups.push("");
      }
    }
    var out = groups.join(".");
    var last = groups.length - 1;
    if (!deleting && last < 2 && groups[last].length === SIZES[last]) out += ".";
    return out;
  }

  document.addEventListener(
    "input",
    function (event) {
      var el = event.target;
      if (!el || !el.getAttribute || el.getAttribute("data-date-input") !== "1") return;
      var deleting = !!(event.inputType && event.inputType.indexOf("delete") === 0);
      var out = shape(el.value, deleting);
      if (out !== el.value) el.value = out;
    },
    true
  );
})();
