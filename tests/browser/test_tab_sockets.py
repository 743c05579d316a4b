"""A tab and its websocket in Chromium (bbbms_app/tab_sockets.py).

- A teacher's phone changes networks (Wi-Fi to mobile data between classrooms): the page knows its
  socket is gone and connects again at once, while the server hears nothing of the old socket —
  no close ever reaches it. The tab comes back to the journal the teacher had chosen, not to his
  first class, and takes the next tapped mark. (It came back to a fresh state before: the server
  took the new socket for a duplicated tab, as the old one was still linked.)
- A tab really duplicated in the browser (its sessionStorage, and so its state token, copied while
  the first tab stays open) gets a state of its own: the first tab answers the server's ping, so it
  keeps its socket and its choices, and the twin's choices do not reach it.

The silent network is Playwright's websocket route: the page's side is closed, the server's side
left open and mute (nothing forwarded either way, no answer to the server's pings).
"""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from bbbms_app import tab_sockets
from bbbms_app.services import journal
from tests.browser.test_journal import _shot_dir, open_journal, server_db  # noqa: F401  (a fixture)
from tests.browser.test_journal_touch import journal_on_screen, markable_row, tap_a_mark_and_see_it_saved
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)


class MutableNetwork:
    """The page's websockets through Playwright: each can go silent, as a phone's changed network."""

    def __init__(self, page: Page) -> None:
        self.pages: list[WebSocketRoute] = []  # the page's side of each websocket
        self.received: list[list[str]] = []  # what the server sent, per websocket
        self.silent: set[int] = set()
        page.route_web_socket(re.compile(r".*/_event/.*"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        index = len(self.pages)
        server = ws.connect_to_server()
        frames: list[str] = []
        self.pages.append(ws)
        self.received.append(frames)

        def from_server(message: str | bytes) -> None:
            frames.append(message if isinstance(message, str) else message.decode(errors="replace"))
            if index not in self.silent:
                ws.send(message)

        def from_page(message: str | bytes) -> None:
            if index not in self.silent:
                server.send(message)

        server.on_message(from_server)
        ws.on_message(from_page)
        # A close on either side is not passed on by itself: a silent network passes nothing.
        ws.on_close(lambda code, reason: None if index in self.silent else server.close())
        server.on_close(lambda code, reason: None if index in self.silent else ws.close())

    def go_silent(self) -> int:
        """The newest socket's network goes away without a word to the server; the page sees it closed."""
        index = len(self.pages) - 1
        self.silent.add(index)
        self.pages[index].close()
        return index

    def wait_for_frame(self, index: int, text: str, page: Page, timeout_s: float = 30) -> None:
        """Until socket `index` has received a frame holding `text`."""
        deadline = time.monotonic() + timeout_s
        while not any(text in f for f in self.received[index]):
            assert time.monotonic() < deadline, f"no frame with {text!r} on socket {index}"
            page.wait_for_timeout(100)

    def wait_for_new_socket(self, after: int, page: Page, timeout_s: float = 30) -> list[str]:
        """The frames of the first socket opened after socket `after`, once its snapshot arrived."""
        deadline = time.monotonic() + timeout_s
        while not (len(self.received) > after + 1 and any("delta" in f for f in self.received[after + 1])):
            assert time.monotonic() < deadline, "the page did not connect again"
            page.wait_for_timeout(100)
        return self.received[after + 1]


def _choose_another_class(page: Page, *, besides: str = "") -> str:
    """Pick a class other than the one the journal shows (and than that of heading `besides`),
    with taps; the heading it then shows."""
    shown = (page.get_by_test_id("journal-heading").inner_text(), besides)
    page.get_by_test_id("pick-class").tap()
    options = page.get_by_role("option")
    names = [options.nth(i).inner_text().strip() for i in range(options.count())]
    other = next(n for n in reversed(names) if not any(h.startswith(n + " ") for h in shown))
    page.get_by_role("option", name=other, exact=True).first.tap()
    expect(page.get_by_test_id("journal-heading")).to_contain_text(other + " ")
    expect(page.get_by_test_id("grade-grid").locator("td[data-r]").first).to_be_visible()
    return page.get_by_test_id("journal-heading").inner_text()


def test_a_phone_that_changed_networks_comes_back_to_the_journal_it_had_chosen(phone: Page, server_db: str):  # noqa: F811
    network = MutableNetwork(phone)
    sign_in(phone, "teacher")
    open_journal(phone)
    heading = _choose_another_class(phone)
    for _ in range(2):  # twice: the second time the tab's socket is one that took the state over
        old = network.go_silent()
        started = time.monotonic()
        network.wait_for_new_socket(old, phone)
        took = time.monotonic() - started
        expect(phone.get_by_test_id("journal-heading")).to_have_text(heading)
        # The old socket stayed silent to the server's ping, so the server closed it (Socket.IO's
        # disconnect packet for the events' namespace), well before its keep-alive would have.
        assert any(f.startswith("41/_event") for f in network.received[old]), network.received[old][-3:]
        assert took < tab_sockets.RELINK_WAIT_S + 3, took

    # The journal goes on: a tapped mark in today's lesson is saved.
    g = journal_on_screen(phone, server_db, "teacher")
    col = journal.lesson_of_day(g.lessons, date.today())
    tap_a_mark_and_see_it_saved(phone, server_db, g, markable_row(phone, len(g.pupils), col), col)
    phone.screenshot(path=str(_shot_dir() / "journal-phone-after-network-change.png"))


def test_a_duplicated_tab_gets_its_own_state_at_once_and_the_first_keeps_its_own(phone: Page):
    sign_in(phone, "teacher")
    open_journal(phone)
    first_default = phone.get_by_test_id("journal-heading").inner_text()
    heading = _choose_another_class(phone)
    token = phone.evaluate("window.sessionStorage.getItem('token')")
    assert token

    # «Duplicate tab»: the browser copies the tab's sessionStorage (its state token) into the new one.
    twin = phone.context.new_page()
    twin.add_init_script(  # once: the twin's own reload keeps what it was given then
        "if (!window.sessionStorage.getItem('duplicated')) {"
        f"window.sessionStorage.setItem('token', {token!r}); window.sessionStorage.setItem('duplicated', '1')}}"
    )
    twin.goto("/journal")
    expect(twin.get_by_test_id("grade-grid").locator("td[data-r]").first).to_be_visible()
    # Its own state: the journal's first class, not the first tab's choice, and a token of its own.
    expect(twin.get_by_test_id("journal-heading")).to_have_text(first_default)
    twin.wait_for_function("t => window.sessionStorage.getItem('token') !== t", arg=token)

    # Choices in one tab stay in that tab.
    twin_heading = _choose_another_class(twin, besides=heading)
    assert twin_heading not in (first_default, heading)
    expect(phone.get_by_test_id("journal-heading")).to_have_text(heading)
    assert phone.evaluate("window.sessionStorage.getItem('token')") == token
    twin.reload()
    expect(twin.get_by_test_id("journal-heading")).to_have_text(twin_heading)
    phone.reload()
    expect(phone.get_by_test_id("journal-heading")).to_have_text(heading)
    twin.close()
