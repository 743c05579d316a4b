/* The page's connection to the server, for the browser scripts that keep work while it is down
 * (journal_grid.js: marks typed offline; quiz_answers.js: a test's answers).
 *
 * Down means the phone has no network or Reflex's websocket is closed. Reflex reports its websocket's
 * state to optional hooks (window.__reflex_otel, read by .web/utils/state.js); they are chained here
 * once for every script, keeping whatever else had set them. Each change is told as the window event
 * «bbbms:connection» (detail.up: the connection usable now; detail.socket: the websocket itself came or
 * went, not only the network). The pages insert their scripts through Helmet, in no fixed order: a
 * script reads window.bbbmsConnection.offline() when it needs to know and listens for the event.
 */
(function () {
  if (window.bbbmsConnection) return;

  var socketDown = false;

  function offline() {
    return navigator.onLine === false || socketDown;
  }

  function tell(socket) {
    window.dispatchEvent(new CustomEvent("bbbms:connection", { detail: { up: !offline(), socket: socket } }));
  }

  var hooks = (window.__reflex_otel = window.__reflex_otel || {});
  var wasUp = hooks.onSocketConnect, wasDown = hooks.onSocketDisconnect;
  hooks.onSocketConnect = function () {
    socketDown = false;
    if (wasUp) wasUp.apply(this, arguments);
    tell(true);
  };
  hooks.onSocketDisconnect = function () {
    socketDown = true;
    if (wasDown) wasDown.apply(this, arguments);
    tell(true);
  };
  window.addEventListener("online", function () { tell(false); });
  window.addEventListener("offline", function () { tell(false); });

  window.bbbmsConnection = { offline: offline };
})();
